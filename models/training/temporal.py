"""Temporal stability on a slow pan made from a held-out photograph.

The HR window moves 1 output pixel per frame to the right (0.5 input px at x2, 0.25 at x4); each LR frame is
Keys-downscaled and 8-bit quantised (no noise or JPEG, so any flicker comes from the upscaler). After undoing
the known motion, the target is identical from frame to frame, so the aligned frame-to-frame difference of an
output is pure flicker. Reported in 10-bit PQ code values (876 * |dPQ|): mean and 99.9th percentile, model
next to baseline.

Usage: /usr/bin/python3 models/training/temporal.py CHECKPOINT [--frames 12]
"""
import argparse
import json
import os
import sys

import numpy as np
import torch

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import data as D  # noqa: E402
from model import SRITM, SRITMConfig  # noqa: E402


def pan_stats(model, photo='ColorfulCups', frames=12, hr_size=(192, 256), top=440, left=880):
    s = model.cfg.scale
    im = np.load(os.path.join(D.DATA, f'photo_{photo}.npy')).astype(np.float32) / 255.0
    h, w = hr_size
    outs, bases = [], []
    model.eval()
    with torch.no_grad():
        for t in range(frames):
            hr = torch.from_numpy(np.ascontiguousarray(im[top:top + h, left + t:left + t + w])).permute(2, 0, 1)[None]
            lr = torch.round(D.keys_downscale(hr, s).clamp(0, 1) * 255.0) / 255.0
            o, b = model(lr)
            outs.append(o[0].numpy())
            bases.append(b[0].numpy())
    m = 3 * s + 8   # ignore borders (edge clamping differs as the window moves)

    def stats(seq):
        d = []
        for t in range(1, len(seq)):
            a = seq[t - 1][:, m:-m, m + 1:-m]
            b = seq[t][:, m:-m, m:-m - 1]
            d.append(np.abs(a - b) * 876.0)
        d = np.stack(d)
        return {'mean_codes': float(d.mean()), 'p999_codes': float(np.percentile(d, 99.9))}

    return {'photo': photo, 'frames': frames, 'hr_window': list(hr_size), 'motion': '1 output px / frame',
            'model': stats(outs), 'baseline': stats(bases)}


if __name__ == '__main__':
    ap = argparse.ArgumentParser()
    ap.add_argument('checkpoint')
    ap.add_argument('--frames', type=int, default=12)
    a = ap.parse_args()
    torch.set_num_threads(1)
    ck = torch.load(a.checkpoint, map_location='cpu')
    model = SRITM(SRITMConfig.from_dict(ck['config']))
    model.load_state_dict(ck.get('ema', ck['state']))
    print(json.dumps(pan_stats(model, frames=a.frames), indent=1))
