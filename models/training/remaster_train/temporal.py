"""Temporal stability on a slow pan made from a held-out photograph.

The HR window moves 1 output pixel per frame to the right (0.5 input px at x2, 0.25 at x4); each LR frame is
Keys-downscaled and 8-bit quantised (no noise or JPEG, so any flicker comes from the upscaler). After undoing
the known motion, the target is identical from frame to frame, so the aligned frame-to-frame difference of an
output is pure flicker. Reported in 10-bit PQ code values (876 * |dPQ|): mean and 99.9th percentile, model
next to baseline, for the interior (more than 32 input pixels from the window's edges: beyond the receptive field
of the main network, 27 px for the `small` config; the smooth context branch sees further) and for the whole
window but a thin border. Near a frame edge the network's zero-padded
convolutions see content slide past the edge, so the edge band shimmers more than the interior: the
interior figures are the flicker of the picture, the edge band is reported beside them.

Usage (from models/training): /usr/bin/python3 -m remaster_train.temporal CHECKPOINT [--frames 12]
"""
import argparse
import json
import os

import numpy as np
import torch

from . import data as D
from .model import SRITM, SRITMConfig


def pan_stats(model, photo='ColorfulCups', frames=12, top=440, left=880):
    s = model.cfg.scale
    h, w = 128 * s, 192 * s   # the same 128x192 input window at x2 and x4
    im = np.load(os.path.join(D.DATA, f'photo_{photo}.npy')).astype(np.float32) / 255.0
    outs, bases = [], []
    model.eval()
    with torch.no_grad():
        for t in range(frames):
            hr = torch.from_numpy(np.ascontiguousarray(im[top:top + h, left + t:left + t + w])).permute(2, 0, 1)[None]
            lr = torch.round(D.keys_downscale(hr, s).clamp(0, 1) * 255.0) / 255.0
            o, b = model(lr)
            outs.append(o[0].numpy())
            bases.append(b[0].numpy())

    def stats(seq, m):
        d = []
        for t in range(1, len(seq)):
            a = seq[t - 1][:, m:-m, m + 1:-m]
            b = seq[t][:, m:-m, m:-m - 1]
            d.append(np.abs(a - b) * 876.0)
        d = np.stack(d)
        return {'mean_codes': float(d.mean()), 'p999_codes': float(np.percentile(d, 99.9))}

    inner, edge = 32 * s, 3 * s + 8
    return {'photo': photo, 'frames': frames, 'hr_window': [h, w], 'motion': '1 output px / frame',
            'interior_margin_px': inner, 'edge_margin_px': edge,
            'model': stats(outs, inner), 'baseline': stats(bases, inner),
            'model_with_edges': stats(outs, edge), 'baseline_with_edges': stats(bases, edge)}


def flicker_ok(tp, mean_codes=0.5, p999_ratio=1.25):
    """No visible added flicker in the interior: the mean frame-to-frame change at most half a 10-bit PQ code above
    the baseline's (a 10-bit PQ step is about one just-noticeable difference), and the 99.9th percentile (edges,
    where shimmer shows) within 1.25x of the baseline's."""
    return (tp['model']['mean_codes'] <= tp['baseline']['mean_codes'] + mean_codes
            and tp['model']['p999_codes'] <= p999_ratio * tp['baseline']['p999_codes'])


def main():
    ap = argparse.ArgumentParser(prog=f'python3 -m {__spec__.name}', description=__doc__,
                                 formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument('checkpoint')
    ap.add_argument('--frames', type=int, default=12)
    a = ap.parse_args()
    torch.set_num_threads(1)
    ck = torch.load(a.checkpoint, map_location='cpu', weights_only=False)
    model = SRITM(SRITMConfig.from_dict(ck['config']))
    model.load_state_dict(ck.get('ema', ck['state']))
    print(json.dumps(pan_stats(model, frames=a.frames), indent=1))


if __name__ == '__main__':
    main()
