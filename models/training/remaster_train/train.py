"""Trains the Remaster SR-ITM network on the prepared data; resumable.

Usage, from models/training (train.sh has every stage of the shipped models; README.md):
  /usr/bin/python3 -m remaster_train.train --run x2-small --config small-box --scale 2 --minutes 60 --decay-steps 8000
  /usr/bin/python3 -m remaster_train.train --run x4-small --config small-box --scale 4 --minutes 48 \
      --decay-steps 6500 --init-from /work/.cache/remaster-training/runs/x2-small/last.pt
Re-running the same --run resumes from <run>/last.pt (model, EMA, optimiser, step, RNG, log).
Checkpoints live in $REMASTER_TRAIN_CACHE/runs (default /work/.cache/remaster-training/runs), never in the repo.
"""
import argparse
import copy
import json
import math
import os
import time

import numpy as np
import torch
import torch.nn.functional as F

from . import data as D
from . import sdrhdr
from .configs import make_config
from .model import widen_state, SRITM, SRITMConfig, count_params

HL_PQ = 0.55          # baseline PQ above which a pixel counts as near SDR white (highlight-aware loss weight)


def _colour_jitter(lin, rng):
    """Linear BT.709 HxWx3 with its saturation scaled by 0.6-1.4 and a white-balance shift of a few percent:
    ten photographs and six HDRIs hold few colours, and the x2 model drifted away from a held-out photograph
    (white cups on saturated colours) the longer it trained."""
    y = (lin * np.array([0.2126, 0.7152, 0.0722], np.float32)).sum(axis=2, keepdims=True)
    out = y + rng.uniform(0.6, 1.4) * (lin - y)
    gains = np.exp(rng.normal(0.0, 0.06, 3)).astype(np.float32)
    gains /= float((gains * np.array([0.2126, 0.7152, 0.0722])).sum())   # same luminance
    return np.clip(out * gains, 0.0, None).astype(np.float32)


def _light_sources(lin, k, rng):
    """Adds 1-3 small emitters (Gaussian cores 0.7-5 HR px, 1.5-10x SDR white after exposure k, with a faint
    wide glow) to a scene-linear crop: the six training HDRIs have few lights, and telling a small clipped light
    with a glow from a white surface is what the HDR half of the task is about."""
    h, w, _ = lin.shape
    yy, xx = np.mgrid[0:h, 0:w].astype(np.float32)
    out = lin.copy()
    for _ in range(int(rng.integers(1, 4))):
        cy, cx = rng.uniform(0, h), rng.uniform(0, w)
        core = rng.uniform(0.7, 5.0)
        glow = core * rng.uniform(3.0, 8.0)
        peak = rng.uniform(1.5, 10.0) / k
        tint = np.array([1.0, rng.uniform(0.75, 1.0), rng.uniform(0.45, 1.0)], np.float32)
        if rng.random() < 0.3:
            tint = tint[::-1].copy()   # a cool light now and then
        r2 = (yy - cy) ** 2 + (xx - cx) ** 2
        shape = np.exp(-r2 / (2 * core ** 2)) + rng.uniform(0.02, 0.1) * np.exp(-r2 / (2 * glow ** 2))
        out += (peak * shape)[..., None] * tint
    return out


def _white_pixels(crop):
    """Near-white pixels of an 8-bit crop: crops with white surfaces are preferred, they must stay at 203 cd/m2."""
    return int((crop.min(axis=2) > 215).sum())


def load_renders(folder, leave_out_choice=False):
    """The training scenes of a render folder from prepare_data --renders' cache: [(linear HxWx3, mask HxW,
    p90 luminance, largest white-safe exposure)]. Checks again that no reserved seed is among them; with
    leave_out_choice (--val-renders) the checkpoint-choice scenes are left out too."""
    cache = D.render_cache(folder)
    index_file = os.path.join(cache, 'index.json')
    if not os.path.exists(index_file):
        raise SystemExit(f'--renders {folder}: not cached in {cache}; run '
                         f'python3 -m remaster_train.prepare_data --renders {folder} first')
    with open(index_file) as f:
        seeds = json.load(f)['seeds']
    reserved = [x for x in seeds if D.render_reserved(x)]
    if reserved:
        raise SystemExit(f'{index_file} lists reserved held-out scenes {reserved}: prepare it again')
    if leave_out_choice:
        seeds = [x for x in seeds if not D.render_choice(x)]
    if not seeds:
        raise SystemExit(f'{index_file}: no training scenes')
    out = []
    for seed in seeds:
        lin = np.load(os.path.join(cache, f'scene-{seed:05d}.npy'))
        mask = np.load(os.path.join(cache, f'scene-{seed:05d}.mask.npy'))
        t = torch.from_numpy(lin).permute(2, 0, 1)
        out.append((lin, mask, 1.0 / D.exposure_for(t, 1.0),
                    D.white_safe_exposure(t, mask == D.RENDER_CODES['diffuse_white'], math.inf)))
    return out


class Sampler:
    def __init__(self, scale, lr_patch, rng, augment=False, lights=0.3, graphics=0.0, clean_share=0.0,
                 renders=None, render_share=0.0):
        self.s, self.p, self.rng, self.augment, self.lights, self.graphics = scale, lr_patch, rng, augment, lights, graphics
        self.clean_share = clean_share
        self.renders, self.render_share = renders or [], render_share
        if self.render_share > 0:
            small = min(min(r[0].shape[:2]) for r in self.renders)
            if small < self.p * self.s:
                raise ValueError(f'HR crop {self.p * self.s} px is larger than the smallest render ({small} px)')
        self.photos = [np.load(os.path.join(D.DATA, f'photo_{n}.npy')) for n in D.PHOTO_TRAIN]
        self.hdris = [np.load(os.path.join(D.DATA, f'hdri_{n}.npy')) for n in D.HDRI_TRAIN]
        self.hdri_p90 = []
        for im in self.hdris:
            t = torch.from_numpy(im[32:480]).permute(2, 0, 1)
            self.hdri_p90.append(1.0 / D.exposure_for(t, 1.0))

    def _aug(self, a):
        if self.rng.random() < 0.5:
            a = a[:, ::-1]
        if self.rng.random() < 0.5:
            a = a[::-1]
        if self.rng.random() < 0.5:
            a = np.swapaxes(a, 0, 1)
        return np.ascontiguousarray(a)

    def _crop(self, im, size, tries, prefer, p_prefer, rows=None):
        """One of `tries` random size x size crops: the one `prefer` scores highest with probability p_prefer,
        else the first. Rows limited to `rows` (y0, y1) when given."""
        y0, y1 = rows or (0, im.shape[0])
        cands = []
        for _ in range(tries):
            y, x = self.rng.integers(y0, y1 - size + 1), self.rng.integers(0, im.shape[1] - size + 1)
            cands.append(im[y:y + size, x:x + size])
        return max(cands, key=prefer) if self.rng.random() < p_prefer else cands[0]

    def photo(self):
        if self.graphics and self.rng.random() < self.graphics:
            return self._graphic()
        if self.augment:
            return self._photo_augmented()
        im = self.photos[self.rng.integers(len(self.photos))]
        pre = 2 if self.rng.random() < 0.5 else 1     # denser detail: pre-downscale the source by 2
        hp = self.p * self.s * pre
        c = self._crop(im, hp, 3, _white_pixels, 0.3)
        t = torch.from_numpy(self._aug(c).astype(np.float32) / 255.0).permute(2, 0, 1)[None]
        if pre == 2:
            t = D.keys_downscale(t, 2).clamp(0, 1)
        return t, D.target_from_sdr(t)

    def _photo_augmented(self):
        """--augment: any pre-downscale in 1-3 (not only 1 or 2) and colour jitter in linear light."""
        im = self.photos[self.rng.integers(len(self.photos))]
        hp = self.p * self.s
        f = 1.0 if self.rng.random() < 0.3 else self.rng.uniform(1.25, 3.0)
        src = int(round(hp * f))
        c = self._aug(self._crop(im, src, 3, _white_pixels, 0.3)).astype(np.float32) / 255.0
        if self.rng.random() < 0.6:
            c = np.power(_colour_jitter(np.power(c, sdrhdr.GAMMA), self.rng).clip(0, 1), 1 / sdrhdr.GAMMA)
        t = torch.from_numpy(np.ascontiguousarray(c, dtype=np.float32)).permute(2, 0, 1)[None]
        if src != hp:
            t = F.interpolate(t, size=(hp, hp), mode='bicubic', align_corners=False, antialias=True).clamp(0, 1)
        return t, D.target_from_sdr(t)

    def _graphic(self):
        """--graphics: a synthetic graphic (data.hard_graphic) instead of a photograph crop; the target is the
        baseline mapping of the clean graphic."""
        t = torch.from_numpy(self._aug(D.hard_graphic(self.rng, self.p * self.s))).permute(2, 0, 1)[None]
        return t, D.target_from_sdr(t)

    def hdr(self):
        if self.render_share > 0 and self.rng.random() < self.render_share:   # no draw at 0: the stream stays
            return self._render()
        i = self.rng.integers(len(self.hdris))
        im = self.hdris[i]
        hp = self.p * self.s
        k = self.rng.uniform(0.2, 0.6) / self.hdri_p90[i]
        # prefer crops with clipped highlights (rows 32-480: the map's poles left out)
        c = self._aug(self._crop(im, hp, 4, lambda a: int((a.max(axis=2) * k > 1.0).sum()), 0.7, rows=(32, 480)))
        if self.augment:
            if self.rng.random() < 0.6:
                c = _colour_jitter(c, self.rng)
            if self.rng.random() < self.lights:
                c = _light_sources(c, k, self.rng)
        t = torch.from_numpy(np.ascontiguousarray(c, dtype=np.float32)).permute(2, 0, 1)[None]
        return D.hdr_pair(t, k)

    def _render(self):
        """--renders: an HDR pair from a path-traced scene, exposed as the HDRIs are (p90 at 0.2-0.6 of SDR white) but
        never so bright that the scene's diffuse whites (mask code 1) pass SDR white (D.white_safe_exposure): the
        target keeps them at 203 cd/m2, emitters, sky and speculars above. 70 % the most clipped crop of 4."""
        lin, _, p90, k_white = self.renders[self.rng.integers(len(self.renders))]
        hp = self.p * self.s
        k = min(self.rng.uniform(0.2, 0.6) / p90, k_white)
        c = self._aug(self._crop(lin, hp, 4, lambda a: int((a.max(axis=2) * k > 1.0).sum()), 0.7))
        return D.hdr_pair(torch.from_numpy(c).permute(2, 0, 1)[None], k)

    def batch(self, n):
        pairs = [self.photo() if j % 2 == 0 else self.hdr() for j in range(n)]
        hr_sdr = torch.cat([p[0] for p in pairs])
        tgt = torch.cat([p[1] for p in pairs])
        return D.degrade(hr_sdr, self.s, self.rng, clean_share=self.clean_share), tgt


class BatchStream(torch.utils.data.IterableDataset):
    """Endless (lr batch, target, consistency crops) from Samplers in DataLoader worker processes: on a GPU the
    network step takes milliseconds and one process making patches (crops, Keys resampling, JPEG) would starve it.
    Each worker draws from its own seeded generator, so a resumed run continues with a new stream."""

    def __init__(self, scale, lr_patch, batch, wide_patch, seed, augment=False, lights=0.3, graphics=0.0,
                 clean_share=0.0, renders=None, render_share=0.0):
        super().__init__()
        self.scale, self.lr_patch, self.batch, self.wide_patch, self.seed = scale, lr_patch, batch, wide_patch, seed
        self.augment, self.lights, self.graphics, self.clean_share = augment, lights, graphics, clean_share
        self.renders, self.render_share = renders, render_share

    def __iter__(self):
        info = torch.utils.data.get_worker_info()
        torch.set_num_threads(1)
        rng = np.random.default_rng([*self.seed, info.id if info else 0])
        sampler = Sampler(self.scale, self.lr_patch, rng, self.augment, self.lights, self.graphics, self.clean_share,
                          self.renders, self.render_share)
        wide = (Sampler(self.scale, self.wide_patch, rng, self.augment, self.lights, clean_share=self.clean_share)
                if self.wide_patch else None)
        while True:
            x, tgt = sampler.batch(self.batch)
            yield x, tgt, (wide.batch(4)[0] if wide is not None else torch.zeros(0))


def loss_fn(hdr, base, tgt, overshoot_weight=1.0):
    """Highlight-aware weighted squared error in PQ. Pixels where the baseline is near SDR white count 4x; with
    overshoot_weight > 1 those of them whose target is not above the baseline (white surfaces) are also
    penalised overshoot_weight times more when the model brightens them."""
    near_white = (base.max(1, keepdim=True)[0] > HL_PQ).float()
    w = 1.0 + 3.0 * near_white
    if overshoot_weight != 1.0:
        surface = near_white * (tgt.max(1, keepdim=True)[0] <= base.max(1, keepdim=True)[0] + 0.01).float()
        w = w * (1.0 + (overshoot_weight - 1.0) * surface * (hdr > tgt).float())
    err = (hdr - tgt) ** 2
    return (w * err).mean()


def chroma_loss(hdr, tgt):
    """Squared error of the ΔE_ITP chroma terms (0.5 Ct, Cp; BT.2124). The PQ R'G'B' loss does not weigh chroma
    as ΔE_ITP does: the x2 model lowered ColorfulCups' intensity error but raised its chroma error."""
    a, b = D.ictcp_torch(hdr), D.ictcp_torch(tgt)
    return ((0.5 * (a[:, 1] - b[:, 1])) ** 2 + (a[:, 2] - b[:, 2]) ** 2).mean()


def context_shift_loss(model, x, rng, margin=24):
    """Squared difference of the context FiLM maps of a crop and of the same crop shifted by (ky, kx) input
    pixels, leaving out `margin` pixels at the edges. Convolutions are shift-equivariant; the strided pooling of
    the context branch is not, and that showed as flicker on slow pans. The context branch sees ~90 px, so on a
    128 px crop the compared area still feels the crop's edges (which move with the shift): the term also asks for
    steadiness near frame edges, a harmless extra."""
    ky, kx = (int(v) for v in rng.integers(1, 16, size=2))
    s1, h1 = model.context_maps(x)
    s2, h2 = model.context_maps(x[:, :, ky:, kx:])
    a = torch.cat([s1, h1], 1)[:, :, ky:, kx:][..., margin:-margin, margin:-margin]
    b = torch.cat([s2, h2], 1)[..., margin:-margin, margin:-margin]
    return ((a - b) ** 2).mean()


ALPHAS = (1.0, 0.75, 0.5, 0.25)   # residual strengths tried at validation (folded into the last conv on save)


def _metrics(v, hdr, base):
    r = {'name': v['name'], 'kind': v['kind'],
         'psnr': D.psnr_pq(hdr, v['target']), 'psnr_base': D.psnr_pq(base, v['target']),
         'de_itp': D.delta_e_itp(hdr, v['target']), 'de_itp_base': D.delta_e_itp(base, v['target'])}
    r['gain'] = r['psnr'] - r['psnr_base']
    if v['kind'] == 'photo':   # SDR-sourced: target = the baseline mapping, so any raise of 20 codes is false light
        r['fl_raised'], r['fl_px'] = D.false_light_counts(hdr, base, v['target'])
    return r


def false_light_pct(*image_lists):
    """Issue 19's false light over the photographs of the given validation results, percent (None without any)."""
    rows = [r for rs in image_lists for r in rs if 'fl_px' in r]
    px = sum(r['fl_px'] for r in rows)
    return 100.0 * sum(r['fl_raised'] for r in rows) / px if px else None


def validate(model, val, alphas=(1.0,)):
    """Returns {alpha: [per-image metrics]} for outputs clip(base + alpha * residual)."""
    model.eval()
    dev = next(model.parameters()).device
    res = {a: [] for a in alphas}
    with torch.no_grad():
        for v in val:
            x = torch.from_numpy(v['lr'])[None].to(dev)
            base = model.baseline(x)
            resid = model.residual(x)
            b = base[0].cpu().numpy()
            for a in alphas:
                hdr = model.output(x, base, a * resid)[0].cpu().numpy()
                res[a].append(_metrics(v, hdr, b))
    model.train()
    return res


def summarise(res):
    g = {k: float(np.mean([r['gain'] for r in res if r['kind'] == k])) for k in ('photo', 'hdr')}
    return {'gain_photo': g['photo'], 'gain_hdr': g['hdr'], 'min_gain': min(r['gain'] for r in res),
            'score': g['photo'] + g['hdr'], 'false_light_pct': false_light_pct(res)}


def summarise_both(res, clean):
    """--select-on both: summarise() with the photo term the smaller of the degraded and the clean photo gains, and
    no image of either condition worse than the baseline (issue 19: never worse than bicubic on clean masters)."""
    s = summarise(res)
    s['gain_photo_clean'] = float(np.mean([r['gain'] for r in clean]))
    s['min_gain'] = min(s['min_gain'], min(r['gain'] for r in clean))
    s['score'] = min(s['gain_photo'], s['gain_photo_clean']) + s['gain_hdr']
    s['false_light_pct'] = false_light_pct(res, clean)
    return s


def add_renders(s, renders):
    """--val-renders: the checkpoint-choice scenes' mean gain joins the score (they are HDR material the 2 HDRIs
    under-represent); their worst is recorded, not required to be >= 0 (the starting models are not)."""
    s['gain_render'] = float(np.mean([r['gain'] for r in renders]))
    s['min_gain_render'] = min(r['gain'] for r in renders)
    s['score'] += s['gain_render']
    return s


def fold_alpha(state, alpha):
    """State dict with the residual scaled by alpha (the last conv is linear and the residual's only output)."""
    st = {k: v.clone() for k, v in state.items()}
    st['last.weight'] *= alpha
    st['last.bias'] *= alpha
    return st


def pick(res_by_alpha, clean_by_alpha=None, renders_by_alpha=None, max_false_light=None):
    """Best (alpha, summary) with no image worse than the baseline, or None. With clean_by_alpha (--select-on both)
    the summaries are summarise_both's; with renders_by_alpha (--val-renders) add_renders'. With max_false_light
    (--max-false-light, percent) a candidate whose validation photographs have more false light is never chosen:
    PSNR alone chose runs that had started to make whites glow (NOTES.md 2026-12-06)."""
    best = None
    for a, res in res_by_alpha.items():
        s = summarise(res) if clean_by_alpha is None else summarise_both(res, clean_by_alpha[a])
        if renders_by_alpha is not None:
            s = add_renders(s, renders_by_alpha[a])
        if max_false_light is not None and (s['false_light_pct'] or 0.0) > max_false_light:
            continue
        if s['min_gain'] >= 0.0 and (best is None or s['score'] > best[1]['score']):
            best = (a, s)
    return best


def cpu(state):
    """A state dict on the CPU (checkpoints load anywhere)."""
    return {k: v.detach().cpu() for k, v in state.items()}


def main():
    ap = argparse.ArgumentParser(prog=f'python3 -m {__spec__.name}', description=__doc__,
                                 formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument('--run', required=True)
    ap.add_argument('--config', default='small')
    ap.add_argument('--scale', type=int, default=2)
    ap.add_argument('--minutes', type=float, default=60)
    ap.add_argument('--threads', type=int, default=1)
    ap.add_argument('--batch', type=int, default=16)
    ap.add_argument('--lr-patch', type=int, default=0, help='LR patch size (default 48 for x2, 32 for x4)')
    ap.add_argument('--lr', type=float, default=5e-4)
    ap.add_argument('--lr-min', type=float, default=5e-5)
    ap.add_argument('--decay-steps', type=int, default=20000, help='cosine decay length in steps')
    ap.add_argument('--decay-minutes', type=float, default=0,
                    help='cosine decay over this much training time of this invocation instead (a fixed GPU lease)')
    ap.add_argument('--device', default='cpu', help="'cpu' or 'cuda'")
    ap.add_argument('--workers', type=int, default=0, help='processes making batches (0: in the training process)')
    ap.add_argument('--ema', type=float, default=0.999)
    ap.add_argument('--val-minutes', type=float, default=4)
    ap.add_argument('--init-from', default='', help='checkpoint to copy matching weights from (e.g. x2 -> x4)')
    ap.add_argument('--seed', type=int, default=0)
    ap.add_argument('--overshoot-weight', type=float, default=1.0,
                    help='extra weight on brightening near-white pixels whose target is not brighter')
    ap.add_argument('--chroma-weight', type=float, default=0.0,
                    help='weight of the ICtCp chroma loss (ΔE_ITP\'s Ct/Cp terms); 0 = off')
    ap.add_argument('--consistency', type=float, default=0.0,
                    help='weight of the context shift-consistency loss (flicker on slow pans); 0 = off')
    ap.add_argument('--augment', action='store_true',
                    help='more variety from the same sources: colour jitter, any pre-downscale 1-3, synthetic lights')
    ap.add_argument('--lights', type=float, default=0.3,
                    help='with --augment: share of HDR crops given synthetic light sources')
    ap.add_argument('--graphics', type=float, default=0.0,
                    help='share of photograph crops replaced by synthetic graphics (bars, flat patches, lines; target = baseline)')
    ap.add_argument('--clean-share', type=float, default=0.0,
                    help='share of training samples given the clean input (Keys downscale, 8-bit; no noise or JPEG) '
                         'instead of the degraded one; 0 = degraded only, as the shipped models were trained')
    ap.add_argument('--renders', default='', metavar='DIR',
                    help='Blender render folder (cached by prepare_data --renders DIR) for --render-share; its '
                         'reserved held-out seeds (data.render_reserved) are never read')
    ap.add_argument('--render-share', type=float, default=0.0,
                    help='share of HDR training crops taken from the renders instead of the HDRIs; 0 = HDRIs only')
    ap.add_argument('--val-renders', action='store_true',
                    help='with --renders: the scenes with seed %% 10 == 8 are kept out of training and their clean-input '
                         'gain joins the checkpoint choice (data.render_choice)')
    ap.add_argument('--select-on', choices=('degraded', 'both'), default='degraded',
                    help="checkpoint choice: 'degraded' validation photos (as the shipped models), or 'both': the "
                         'smaller of the degraded and clean photo gains, no image of either worse than the baseline')
    ap.add_argument('--max-false-light', type=float, default=None, metavar='PCT',
                    help="checkpoint choice: never a checkpoint whose validation photographs have more than PCT %% "
                         'false light (pixels at or below SDR white raised > 20 codes above the baseline); the shipped '
                         'x2 / x4 measure 0.72 / 1.69 %% there, clean and degraded')
    a = ap.parse_args()
    if not 0.0 <= a.clean_share <= 1.0:
        ap.error(f'--clean-share must be within 0-1, got {a.clean_share}')
    if not 0.0 <= a.render_share <= 1.0:
        ap.error(f'--render-share must be within 0-1, got {a.render_share}')
    if a.render_share > 0 and not a.renders:
        ap.error('--render-share needs --renders DIR')
    a.init_from = os.path.abspath(a.init_from) if a.init_from else ''   # recorded in checkpoints (card lineage)
    torch.set_num_threads(a.threads)
    run_dir = os.path.join(D.CACHE, 'runs', a.run)
    os.makedirs(run_dir, exist_ok=True)
    last = os.path.join(run_dir, 'last.pt')
    lr_patch = a.lr_patch or (48 if a.scale == 2 else 32)

    if os.path.exists(last):
        ck = torch.load(last, map_location='cpu', weights_only=False)
        cfg = SRITMConfig.from_dict(ck['config'])
        model = SRITM(cfg)
        model.load_state_dict(ck['state'])
        ema = SRITM(cfg)
        ema.load_state_dict(ck['ema'])
        opt = torch.optim.Adam(model.parameters(), lr=a.lr)   # its state is loaded below, on the device
        step, log, best, train_s = ck['step'], ck['log'], ck['best'], ck['train_seconds']
        rng = np.random.default_rng()
        rng.bit_generator.state = ck['rng']
        torch.set_rng_state(ck['torch_rng'])
        print(f'resumed {last} at step {step}', flush=True)
    else:
        torch.manual_seed(a.seed)
        cfg = make_config(a.config, a.scale)
        model = SRITM(cfg)
        if a.init_from:
            src = torch.load(a.init_from, map_location='cpu', weights_only=False)
            sd = src.get('ema', src['state'])
            own = model.state_dict()
            same_scale = src['config']['scale'] == cfg.scale   # fine-tuning: keep the upsampler and last conv too
            narrower = src['config']['channels'] < cfg.channels
            if narrower and same_scale:   # widen a trained model: the same function, room to learn more
                model.load_state_dict(widen_state(sd, model))
                print(f"widened {a.init_from} from {src['config']['channels']} to {cfg.channels} channels", flush=True)
            else:
                copied = [k for k, v in sd.items() if k in own and own[k].shape == v.shape
                          and (same_scale or not (k.startswith('ups.') or k.startswith('last.')))]
                own.update({k: sd[k] for k in copied})
                model.load_state_dict(own)
                print(f'initialised {len(copied)} tensors from {a.init_from}', flush=True)
        ema = copy.deepcopy(model)
        opt = torch.optim.Adam(model.parameters(), lr=a.lr)
        step, log, best, train_s = 0, [], None, 0.0
        rng = np.random.default_rng(a.seed)
    dev = torch.device(a.device)
    device_name = (f'cuda ({torch.cuda.get_device_name(dev)})' if dev.type == 'cuda'   # for the model card
                   else 'cpu' if a.threads == 1 else f'cpu ({a.threads} threads)')
    torch.backends.cudnn.benchmark = dev.type == 'cuda'   # fixed patch sizes: let cuDNN pick its fastest kernels
    model.to(dev)
    ema.to(dev)
    if os.path.exists(last):
        opt.load_state_dict(ck['opt'])   # after the move: the Adam moments follow the parameters' device
    ema.eval()
    for p in ema.parameters():
        p.requires_grad_(False)
    val = torch.load(os.path.join(D.DATA, f'val_x{cfg.scale}.pt'), weights_only=False)
    # the validation photos with the clean input (prepare_data writes them; an older cache has none)
    clean_file = os.path.join(D.DATA, f'val_clean_x{cfg.scale}.pt')
    val_clean = torch.load(clean_file, weights_only=False) if os.path.exists(clean_file) else None
    if a.select_on == 'both' and val_clean is None:
        raise SystemExit(f'--select-on both needs {clean_file}: run python3 -m remaster_train.prepare_data')
    if a.val_renders and not a.renders:
        ap.error('--val-renders needs --renders DIR')
    renders = load_renders(a.renders, a.val_renders) if a.render_share > 0 else None
    val_renders = D.render_choice_set(a.renders, cfg.scale) if a.val_renders else None
    if val_renders is not None:
        print(f'checkpoint choice also on {len(val_renders)} renders: ' + ' '.join(v['name'] for v in val_renders),
              flush=True)
    if renders:
        print(f'renders: {len(renders)} training scenes of {a.renders}, share {a.render_share} of HDR crops',
              flush=True)
    # larger crops for the shift-consistency loss (the context branch works at 1/4 and 1/16 resolution)
    wide_patch = (128 if cfg.scale == 2 else 96) if a.consistency > 0 and cfg.context else 0
    if a.workers > 0:
        stream = iter(torch.utils.data.DataLoader(
            BatchStream(cfg.scale, lr_patch, a.batch, wide_patch, [a.seed, step], a.augment, a.lights, a.graphics,
                        a.clean_share, renders, a.render_share), batch_size=None,
            num_workers=a.workers, pin_memory=dev.type == 'cuda', prefetch_factor=8, persistent_workers=True))
    else:
        sampler = Sampler(cfg.scale, lr_patch, rng, a.augment, a.lights, a.graphics, a.clean_share, renders,
                          a.render_share)
        wide_sampler = (Sampler(cfg.scale, wide_patch, rng, a.augment, a.lights, clean_share=a.clean_share)
                        if wide_patch else None)
        stream = iter(lambda: (*sampler.batch(a.batch), wide_sampler.batch(4)[0] if wide_sampler else None), None)
    print(f'config {cfg.to_dict()} params {count_params(model)}', flush=True)

    def save(path, extra=None):
        torch.save({'config': cfg.to_dict(), 'state': cpu(model.state_dict()), 'ema': cpu(ema.state_dict()),
                    'opt': opt.state_dict(), 'step': step, 'log': log, 'best': best, 'train_seconds': train_s,
                    'rng': rng.bit_generator.state, 'torch_rng': torch.get_rng_state(),
                    'args': vars(a), **(extra or {})}, path + '.tmp')
        os.replace(path + '.tmp', path)

    def do_val():
        nonlocal best
        by_alpha = validate(ema, val, ALPHAS)
        res = by_alpha[1.0]
        summ = summarise(res)
        clean_by_alpha = validate(ema, val_clean, ALPHAS) if val_clean is not None else None
        entry = {'step': step, 'train_seconds': round(train_s, 1), 'time': time.strftime('%H:%M:%S'), 'device': device_name,
                 'loss': float(np.mean(recent)) if recent else None, **summ, 'images': res,
                 'alphas': {str(a): summarise(r) for a, r in by_alpha.items()}}
        renders_by_alpha = validate(ema, val_renders, ALPHAS) if val_renders else None
        clean_txt = ''
        if renders_by_alpha is not None:
            entry['render_images'] = renders_by_alpha[1.0]
            entry['gain_render'] = float(np.mean([r['gain'] for r in renders_by_alpha[1.0]]))
            entry['min_gain_render'] = min(r['gain'] for r in renders_by_alpha[1.0])
            clean_txt += f" render {entry['gain_render']:+.2f} (min {entry['min_gain_render']:+.2f})"
        if clean_by_alpha is not None:
            entry['gain_photo_clean'] = float(np.mean([r['gain'] for r in clean_by_alpha[1.0]]))
            entry['clean_images'] = clean_by_alpha[1.0]
            entry['alphas_clean'] = {str(a): float(np.mean([r['gain'] for r in r_]))
                                     for a, r_ in clean_by_alpha.items()}
            clean_txt += f" clean photo {entry['gain_photo_clean']:+.2f}"
        log.append(entry)
        snap_dir = os.path.join(run_dir, 'snapshots')
        os.makedirs(snap_dir, exist_ok=True)
        torch.save({'config': cfg.to_dict(), 'state': cpu(ema.state_dict()), 'step': step, 'train_seconds': train_s},
                   os.path.join(snap_dir, f'step{step:07d}.pt'))
        choice = pick(by_alpha, clean_by_alpha if a.select_on == 'both' else None, renders_by_alpha,
                      a.max_false_light)
        new_best = False
        if choice is not None and (best is None or choice[1]['score'] > best['score']):
            a_best, s_best = choice
            best = {'step': step, 'residual_scale': a_best, **s_best, 'images': by_alpha[a_best],
                    'train_seconds': train_s, **({'select_on': 'both', 'clean_images': clean_by_alpha[a_best]}
                                                 if a.select_on == 'both' else {}),
                    **({'render_images': renders_by_alpha[a_best]} if renders_by_alpha else {})}
            torch.save({'config': cfg.to_dict(), 'state': fold_alpha(cpu(ema.state_dict()), a_best), 'step': step,
                        'residual_scale': a_best, 'val': by_alpha[a_best], 'train_seconds': train_s},
                       os.path.join(run_dir, 'best.pt'))
            new_best = True
        alpha_txt = ' '.join(f"a{a}:{summarise(r)['score']:+.2f}/{summarise(r)['min_gain']:+.2f}"
                             for a, r in by_alpha.items() if a != 1.0)
        fl = summ['false_light_pct']
        print(f"[val] step {step} t {train_s/60:.1f}m loss {entry['loss']} photo {summ['gain_photo']:+.2f} "
              f"hdr {summ['gain_hdr']:+.2f} min {summ['min_gain']:+.2f}"
              f"{'' if fl is None else f' false light {fl:.2f}%'}{clean_txt} | " +
              ' '.join(f"{r['name']} {r['gain']:+.2f}" for r in res) + f" | {alpha_txt}" +
              (f" *best* (alpha {best['residual_scale']})" if new_best else ''), flush=True)
        with open(os.path.join(run_dir, 'log.json'), 'w') as f:
            json.dump(log, f)
        save(last)

    recent = []
    if step == 0:
        do_val()
    t_end = time.time() + a.minutes * 60
    t_val = time.time() + a.val_minutes * 60
    train_s0 = train_s
    model.train()
    while time.time() < t_end:
        t0 = time.time()
        done = (train_s - train_s0) / (a.decay_minutes * 60) if a.decay_minutes else step / a.decay_steps
        lr = a.lr_min + 0.5 * (a.lr - a.lr_min) * (1 + math.cos(math.pi * min(done, 1.0)))
        warm = min(1.0, (step + 1) / 200)
        for g in opt.param_groups:
            g['lr'] = lr * warm
        x, tgt, xw = next(stream)
        x, tgt = x.to(dev, non_blocking=True), tgt.to(dev, non_blocking=True)
        hdr, base = model(x)
        loss = loss_fn(hdr, base, tgt, a.overshoot_weight)
        if a.chroma_weight:
            loss = loss + a.chroma_weight * chroma_loss(hdr, tgt)
        if wide_patch:
            loss = loss + a.consistency * context_shift_loss(model, xw.to(dev, non_blocking=True), rng)
        opt.zero_grad(set_to_none=True)
        loss.backward()
        torch.nn.utils.clip_grad_norm_(model.parameters(), 1.0)
        opt.step()
        with torch.no_grad():
            d = min(a.ema, (1 + step) / (10 + step))
            for pe, pm in zip(ema.parameters(), model.parameters()):
                pe.mul_(d).add_(pm.detach(), alpha=1 - d)
        step += 1
        recent = (recent + [float(loss)])[-100:]   # float() waits for the GPU: train_s is true time
        train_s += time.time() - t0
        if step % 50 == 0:
            print(f'step {step} loss {np.mean(recent):.5f} lr {lr:.2e} {train_s/step:.2f}s/step', flush=True)
        if time.time() >= t_val:
            do_val()
            t_val = time.time() + a.val_minutes * 60
    do_val()
    print('best', json.dumps({k: v for k, v in (best or {}).items() if k not in ('images', 'clean_images')}),
          flush=True)


if __name__ == '__main__':
    main()
