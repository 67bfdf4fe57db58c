"""Where the remaining error of a model is, on the held-out images, and what the quality targets would need.

For each validation image: the share of the baseline's and the model's squared PQ error in the highlights (pixels
whose target is above SDR white, 203 cd/m2, in any channel), the model's error there and elsewhere as a ratio to
the baseline's, and the gain a perfect highlight reconstruction would give on top of the baseline and on top of
the model (target pasted into the highlights). For the HDR images it also shows what the input's degradation
costs the baseline outside the highlights: PQ-PSNR there from a clean float downscale, the same in 8 bits, and
the validation input (noise, JPEG). Then how far the model moves the flat patches of synthetic colour bars from
the baseline (the right answer there is the baseline). Last, the same measure on the training images, made the way
the validation images are (prepare_data.photo_item / hdri_item): the gap between seen and held-out images shows
whether more training of this network would help or whether it lacks data.

Usage (from models/training): /usr/bin/python3 -m remaster_train.error_budget CKPT [CKPT ...]   (x2 and/or x4 checkpoints)
"""
import argparse
import os

import numpy as np
import torch

from . import data as D
from . import prepare_data as P
from . import sdrhdr
from .model import load_model

SDR_WHITE_PQ = float(sdrhdr.pq_inverse_eotf(np.array(sdrhdr.SDR_WHITE_NITS)))


def psnr(err):
    return 10 * np.log10(1.0 / err.mean())


def highlights(target):
    """Pixels whose target exceeds SDR white by more than half a 10-bit code (the baseline stops at SDR white)."""
    return np.broadcast_to(target.max(0, keepdims=True) > SDR_WHITE_PQ + 0.5 / 1023, target.shape)


def image_budget(model, v):
    x = torch.from_numpy(v['lr'])[None]
    with torch.no_grad():
        hdr, base = (t[0].numpy() for t in model(x))
    t = v['target']
    h = highlights(t)
    eb, em = (base - t) ** 2, (hdr - t) ** 2
    pb = psnr(eb)
    row = {'name': v['name'], 'kind': v['kind'], 'highlight_pct': 100 * float(h[0].mean()), 'gain': psnr(em) - pb}
    if h.any():
        row.update({
            'base_err_in_highlights_pct': 100 * float(eb[h].sum() / eb.sum()),
            'model_err_in_highlights_pct': 100 * float(em[h].sum() / em.sum()),
            'model_vs_base_in_highlights': float(em[h].sum() / eb[h].sum()),
            'perfect_highlights_on_base': psnr(np.where(h, 0.0, eb)) - pb,
            'perfect_highlights_on_model': psnr(np.where(h, 0.0, em)) - pb,
        })
    row['model_vs_base_elsewhere'] = float(em[~h].sum() / eb[~h].sum())
    return row


def degradation_cost(model, scale, name, v):
    """Baseline PQ-PSNR outside the highlights of an HDR validation image from three inputs (clean, 8-bit, val)."""
    im = np.load(os.path.join(D.DATA, f'hdri_{name}.npy'))[P.HDR_VAL_ROWS[0]:P.HDR_VAL_ROWS[1]]
    lin = torch.from_numpy(np.ascontiguousarray(im)).permute(2, 0, 1)[None]
    sdr, tgt = D.hdr_pair(lin, D.exposure_for(lin, P.HDR_VAL_P90[name]))
    t = tgt[0].numpy()
    out = ~highlights(t)
    clean = D.keys_downscale(sdr, scale).clamp(0, 1)
    res = {}
    for label, lr in (('clean', clean), ('8bit', torch.round(clean * 255) / 255), ('val', torch.from_numpy(v['lr'])[None])):
        with torch.no_grad():
            b = model.baseline(lr)[0].numpy()
        res[label] = psnr(((b - t) ** 2)[out])
    return res


def colour_bars(width=320, height=180):
    """75 % colour bars (white, yellow, cyan, green, magenta, red, blue) over a 100 % white / black / ramp strip:
    flat saturated graphics, nothing like the training data, and a picture whose right answer is the baseline."""
    levels = [(1, 1, 1), (1, 1, 0), (0, 1, 1), (0, 1, 0), (1, 0, 1), (1, 0, 0), (0, 0, 1)]
    im = np.zeros((height, width, 3), np.float32)
    top = height * 2 // 3
    for i, c in enumerate(levels):
        im[:top, i * width // 7:(i + 1) * width // 7] = np.array(c, np.float32) * 0.75
    im[top:, :width // 4] = 1.0
    im[top:, width // 2:] = np.linspace(0, 1, width - width // 2, dtype=np.float32)[None, :, None]
    return torch.from_numpy(np.round(im * 255) / 255).permute(2, 0, 1)[None].contiguous()


def bars_residual(model):
    """How far the model moves the flat parts of colour bars from the baseline (10-bit codes, mean over each patch,
    8 output px in from its edges). At the edges a residual can be right (the baseline's bicubic rings there); on
    a flat patch the right answer is the baseline."""
    x = colour_bars()
    s = model.cfg.scale
    with torch.no_grad():
        hdr, base = model(x)
    r = ((hdr - base).abs() * 876)[0].max(0)[0]
    h, w = r.shape
    top, m = h * 2 // 3, 8 * s
    bars = [float(r[m:top - m, i * w // 7 + m:(i + 1) * w // 7 - m].mean()) for i in range(7)]
    return {'bars': bars, 'white': float(r[top + m:h - m, m:w // 4 - m].mean()),
            'black': float(r[top + m:h - m, w // 4 + m:w // 2 - m].mean())}


SEEN_HDR_P90 = 0.4   # training HDRIs' exposure for this measure: the middle of training's 0.2-0.6


def seen_images(scale):
    """The training images as validation-style items (their own fixed degradations)."""
    rng = np.random.default_rng(4321 + scale)
    return [P.photo_item(n, scale, rng) for n in D.PHOTO_TRAIN] + \
           [P.hdri_item(n, scale, rng, SEEN_HDR_P90) for n in D.HDRI_TRAIN]


def mean_gains(model, items):
    """Mean PQ-PSNR gain over the baseline per kind ('photo', 'hdr')."""
    gains = {}
    for v in items:
        gains.setdefault(v['kind'], []).append(image_budget(model, v)['gain'])
    return {k: float(np.mean(g)) for k, g in gains.items()}


def main():
    torch.set_num_threads(1)
    ap = argparse.ArgumentParser(prog=f'python3 -m {__spec__.name}', description=__doc__,
                                 formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument('checkpoints', nargs='+')
    for path in ap.parse_args().checkpoints:
        model, _ = load_model(path)
        model.eval()
        s = model.cfg.scale
        val = torch.load(os.path.join(D.DATA, f'val_x{s}.pt'), weights_only=False)
        print(f'x{s} {path}')
        print('  image          hl %  gain  | err share in hl: base model | model/base: hl  elsewhere | perfect hl on: base  model')
        means = {}
        for v in val:
            r = image_budget(model, v)
            hl = (f"{r['base_err_in_highlights_pct']:5.1f}% {r['model_err_in_highlights_pct']:5.1f}% | "
                  f"{r['model_vs_base_in_highlights']:4.2f}" if 'perfect_highlights_on_base' in r else
                  '    -      -   |  -  ')
            perfect = (f"{r['perfect_highlights_on_base']:+.2f} {r['perfect_highlights_on_model']:+.2f}"
                       if 'perfect_highlights_on_base' in r else '  -     -')
            print(f"  {r['name']:13s} {r['highlight_pct']:4.1f} {r['gain']:+.2f} | {hl} {r['model_vs_base_elsewhere']:4.2f} | {perfect}")
            means.setdefault(r['kind'], []).append(r.get('perfect_highlights_on_model', r['gain']))
            if v['kind'] == 'hdr':
                c = degradation_cost(model, s, v['name'], v)
                print(f"    baseline PQ-PSNR outside the highlights from a clean float / 8-bit / validation input: "
                      f"{c['clean']:.2f} / {c['8bit']:.2f} / {c['val']:.2f} dB")
        b = bars_residual(model)
        print('  flat colour patches, mean |model - baseline| in 10-bit codes (for a test signal the right answer is the baseline: 0): 75% bars W Y C G M R B '
              + ' '.join(f'{v:.1f}' for v in b['bars']) + f", 100% white {b['white']:.1f}, black {b['black']:.1f}")
        print('  mean gain with perfect highlights on top of the model: ' +
              ', '.join(f'{k} {np.mean(g):+.2f}' for k, g in means.items()))
        seen, held = mean_gains(model, seen_images(s)), mean_gains(model, val)
        print(f"  mean gain on training images (seen) / held-out: photo {seen['photo']:+.2f} / {held['photo']:+.2f}, "
              f"hdr {seen['hdr']:+.2f} / {held['hdr']:+.2f}")


if __name__ == '__main__':
    main()
