"""Exports the paper configuration (C=64, 2.5 M parameters) to ONNX for speed measurements only.

No trained weights exist for it: the weights are He-normal draws rounded to 16 levels per tensor, so the files
compress about 4x for the GPU kit's carry limit while every convolution still does its full work (the speed of a
dense convolution does not depend on its values). The residual starts at zero as in training, so the output equals
the analytic baseline: these files say how fast, never how good. Each gets a card with the tiling facts and, by
fp16.py, its vouched float16 variant, so the worker runs them like the shipped models.

Usage (from models/training): /usr/bin/python3 -m remaster_train.paper_onnx --out-dir DIR [--scales 2 4]
Writes DIR/paper-x{2,4}.onnx, .fp16.onnx and .card.json.
"""
import argparse
import json
import os

import torch

from . import export, fp16
from .model import SRITM, SRITMConfig


def quantise_(model, levels=16):
    """Rounds each weight tensor to `levels` values between its min and max (compressible, same compute)."""
    with torch.no_grad():
        for p in model.parameters():
            lo, hi = p.min(), p.max()
            if hi > lo:
                step = (hi - lo) / (levels - 1)
                p.copy_(torch.round((p - lo) / step) * step + lo)


def main():
    ap = argparse.ArgumentParser(prog=f'python3 -m {__spec__.name}', description=__doc__,
                                 formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument('--out-dir', required=True)
    ap.add_argument('--scales', type=int, nargs='+', default=[2, 4])
    args = ap.parse_args()
    os.makedirs(args.out_dir, exist_ok=True)
    torch.manual_seed(0)
    for s in args.scales:
        cfg = SRITMConfig.paper(s)
        model = SRITM(cfg).eval()
        quantise_(model)
        path = os.path.join(args.out_dir, f'paper-x{s}.onnx')
        export.export_onnx(model, path, {'remaster.scale_int': s, 'remaster.config': cfg.to_dict(),
                                         'remaster.note': 'paper configuration, untrained: for speed only'})
        params = sum(p.numel() for p in model.parameters())
        with open(fp16.card_path(path), 'w') as f:
            json.dump({'name': f'paper-x{s}', 'config': cfg.to_dict(), 'parameters': params, 'trained': False,
                       'receptive_field_input_px': export.receptive_field(cfg), 'tile_alignment_input_px': 1}, f,
                      indent=1)
        info = fp16.convert(path, fp16.fp16_path(path))
        with open(fp16.card_path(path)) as f:
            card = json.load(f)
        card['fp16'] = info
        with open(fp16.card_path(path), 'w') as f:
            json.dump(card, f, indent=1)
        print(f'wrote {path} ({params} parameters) and its float16 variant')


if __name__ == '__main__':
    main()
