"""Chooses the level dead zone's width (model.LevelDeadzone) for a trained network on the checkpoint-choice images.

The dead zone has no weights, so it is picked after training, like a checkpoint: each width is run on every choice
set. Natural pictures come first: of the widths whose sum of the natural sets' mean PQ-PSNR gains over the baseline
is within NATURAL_TOL_DB of the best such sum, the one with the highest mean gain on the graphics wins. Why not one
sum over all sets: the graphics are 65-75 dB pictures on which a fraction of a code moves the gain by dB, so they
would outvote everything else (widening 0 -> 2 codes: graphics +1.1 to +1.5 dB, each natural set -0.01 to -0.05
dB). The sets, none of them in the held-out report:
- photos, degraded / clean: the validation photographs (prepare_data: val_xS.pt, val_clean_xS.pt);
- HDR, degraded: the validation HDRIs (val_xS.pt);
- renders, clean / degraded: the choice scenes of a render folder (data.render_choice), degraded as heldout does;
- graphics, clean: data.graphics_choice_set (smooth gradients and hard-edged bars and patches).
It also prints, per width, the photographs' false light (data.false_light_counts) and the images below -0.1 dB.

Usage (from models/training):
  /usr/bin/python3 -m remaster_train.choose_stages --scale 2 --checkpoint work/recovered-x2.pt \\
      --renders /work/data/choice [--widths 0,0.5,1,1.5,2] [--out results/stages-x2.json]
"""
import argparse
import dataclasses
import json
import os

import numpy as np
import torch

from . import data as D
from .configs import SHIPPED, make_config
from .heldout import degraded_input
from .model import SRITM
from .train import _metrics

NATURAL_TOL_DB = 0.05   # 0.01 dB a natural set
GRAPHICS = 'graphics, clean'


def choice_sets(scale, renders):
    """{set name: [validation entries]} of the checkpoint-choice images."""
    val = torch.load(os.path.join(D.DATA, f'val_x{scale}.pt'), weights_only=False)
    rend_c = D.render_choice_set(renders, scale)
    rend_d = []
    for seed in D.render_seeds(renders):
        if not D.render_choice(seed):
            continue
        name = f'scene-{seed:05d}'
        lin = torch.from_numpy(np.ascontiguousarray(D.read_exr(os.path.join(renders, name + '.exr')),
                                                    dtype=np.float32)).permute(2, 0, 1)
        h, w = lin.shape[-2:]
        sdr, tgt = D.hdr_pair(lin[None, :, :h - h % 4, :w - w % 4], 1.0)
        rend_d.append({'name': name, 'kind': 'render', 'lr': degraded_input(sdr, scale, name)[0].numpy(),
                       'target': tgt[0].numpy()})
    return {
        'photos, degraded': [v for v in val if v['kind'] == 'photo'],
        'photos, clean': torch.load(os.path.join(D.DATA, f'val_clean_x{scale}.pt'), weights_only=False),
        'HDR, degraded': [v for v in val if v['kind'] != 'photo'],
        'renders, clean': rend_c,
        'renders, degraded': rend_d,
        'graphics, clean': D.graphics_choice_set(scale),
    }


def evaluate(model, sets):
    """{set: [per-image metrics]} (train._metrics) of `model` on the sets."""
    model.eval()
    out = {}
    with torch.no_grad():
        for name, entries in sets.items():
            rows = []
            for v in entries:
                hdr, base = model(torch.from_numpy(v['lr'])[None])
                rows.append(_metrics(v, hdr[0].numpy(), base[0].numpy()))
            out[name] = rows
    return out


def summary(results):
    s = {name: {'mean_gain': float(np.mean([r['gain'] for r in rows])),
                'worst_gain': float(min(r['gain'] for r in rows)),
                'n_worse_than_-0.1': int(sum(r['gain'] < -0.1 for r in rows))} for name, rows in results.items()}
    photos = [r for rows in results.values() for r in rows if 'fl_px' in r]
    px = sum(r['fl_px'] for r in photos)
    return {'sets': s, 'natural_sum': float(sum(v['mean_gain'] for n, v in s.items() if n != GRAPHICS)),
            'photo_false_light_pct': 100.0 * sum(r['fl_raised'] for r in photos) / px if px else None}


def pick(by_width):
    """Of the widths within NATURAL_TOL_DB of the best natural sum, the best on graphics (ties: the narrowest)."""
    best = max(v['natural_sum'] for v in by_width.values())
    near = sorted(w for w, v in by_width.items() if v['natural_sum'] >= best - NATURAL_TOL_DB)
    return max(near, key=lambda w: (by_width[w]['sets'][GRAPHICS]['mean_gain'], -w))


def main():
    ap = argparse.ArgumentParser(prog=f'python3 -m {__spec__.name}', description=__doc__,
                                 formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument('--scale', type=int, choices=(2, 4), required=True)
    ap.add_argument('--checkpoint', required=True, help='a best.pt-style checkpoint (train, recover)')
    ap.add_argument('--renders', required=True, help='render folder whose choice scenes to use')
    ap.add_argument('--widths', default='0,0.5,1,1.5,2', help='dead zone widths to try, 10-bit codes')
    ap.add_argument('--threads', type=int, default=2)
    ap.add_argument('--out', help='write the table and the choice as JSON here')
    a = ap.parse_args()
    torch.set_num_threads(a.threads)
    ck = torch.load(a.checkpoint, map_location='cpu', weights_only=False)
    state = ck.get('ema', ck['state'])
    sets = choice_sets(a.scale, a.renders)
    by_width = {}
    for w in (float(x) for x in a.widths.split(',')):
        model = SRITM(dataclasses.replace(make_config(SHIPPED, a.scale), level_deadzone=w))
        model.load_state_dict(state)
        by_width[w] = summary(evaluate(model, sets))
        s = by_width[w]
        per_set = "; ".join(f'{n} {v["mean_gain"]:+.3f} ({v["n_worse_than_-0.1"]} < -0.1)'
                            for n, v in s["sets"].items())
        print(f'width {w:g}: natural sum {s["natural_sum"]:+.3f} dB, '
              f'photo false light {s["photo_false_light_pct"]:.3f} %; {per_set}', flush=True)
    chosen = pick(by_width)
    print(f'chosen: level dead zone {chosen:g} codes at x{a.scale}')
    if a.out:
        with open(a.out, 'w') as f:
            json.dump({'scale': a.scale, 'checkpoint': os.path.basename(a.checkpoint), 'config': SHIPPED,
                       'rule': f'of the widths within {NATURAL_TOL_DB} dB of the best sum of the natural sets\' '
                               'mean gains, the best on the graphics',
                       'widths': {f'{w:g}': v for w, v in by_width.items()}, 'chosen': chosen}, f, indent=1)


if __name__ == '__main__':
    main()
