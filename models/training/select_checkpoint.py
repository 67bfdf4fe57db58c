"""Re-validates saved EMA checkpoints (snapshots, last.pt) with the residual strengths of train.ALPHAS and writes
the best one (no validation image worse than the baseline, highest mean gain) as a best.pt-style file.

Usage: /usr/bin/python3 models/training/select_checkpoint.py [--alphas 1,0.75,0.5] OUT.pt CKPT [CKPT ...]
"""
import os
import sys

import torch

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import data as D  # noqa: E402
from model import SRITM, SRITMConfig  # noqa: E402
from train import ALPHAS, fold_alpha, pick, summarise, validate  # noqa: E402


def main():
    torch.set_num_threads(1)
    args = sys.argv[1:]
    alphas = ALPHAS
    if args[0] == '--alphas':
        alphas = tuple(float(x) for x in args[1].split(','))
        args = args[2:]
    out, paths = args[0], args[1:]
    best = None
    for p in paths:
        ck = torch.load(p, map_location='cpu')
        cfg = SRITMConfig.from_dict(ck['config'])
        m = SRITM(cfg)
        m.load_state_dict(ck.get('ema', ck['state']))
        val = torch.load(os.path.join(D.DATA, f'val_x{cfg.scale}.pt'))
        by_alpha = validate(m, val, alphas)
        for a, r in by_alpha.items():
            s = summarise(r)
            print(f"{os.path.basename(p)} step {ck['step']} alpha {a}: photo {s['gain_photo']:+.2f} hdr {s['gain_hdr']:+.2f} "
                  f"min {s['min_gain']:+.2f} | " + ' '.join(f"{x['name']} {x['gain']:+.2f}" for x in r), flush=True)
        c = pick(by_alpha)
        if c is not None and (best is None or c[1]['score'] > best[0][1]['score']):
            best = (c, ck, m, by_alpha[c[0]])
    if best is None:
        print('no checkpoint is at least as good as the baseline on every validation image')
        return
    (a, s), ck, m, res = best
    torch.save({'config': m.cfg.to_dict(), 'state': fold_alpha(m.state_dict(), a), 'step': ck['step'],
                'residual_scale': a, 'val': res, 'train_seconds': ck.get('train_seconds', 0.0),
                'source': os.path.abspath(paths[0])}, out)
    print(f"wrote {out}: step {ck['step']} alpha {a} score {s['score']:+.2f} min {s['min_gain']:+.2f}")


if __name__ == '__main__':
    main()
