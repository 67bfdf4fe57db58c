"""Re-validates saved EMA checkpoints (snapshots, last.pt) with the residual strengths of train.ALPHAS and writes
the best one (no validation image worse than the baseline, highest mean gain, and no added flicker on the slow
pan of temporal.py) as a best.pt-style file.

Usage (from models/training): /usr/bin/python3 -m remaster_train.select_checkpoint [--alphas 1,0.75,0.5] [--de-safe] [--bars-max CODES] OUT.pt CKPT [CKPT ...]
(--de-safe: no image's ΔE_ITP worse than the baseline's either; --bars-max: no flat 75 % bar or black patch of colour
bars moved by more than CODES 10-bit codes on average, error_budget.py)
"""
import argparse
import os
import sys

import torch

from . import data as D
from .error_budget import bars_residual
from .model import SRITM, SRITMConfig
from .temporal import flicker_ok, pan_stats
from .train import ALPHAS, fold_alpha, summarise, validate


def main():
    torch.set_num_threads(1)
    ap = argparse.ArgumentParser(prog=f'python3 -m {__spec__.name}', description=__doc__,
                                 formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument('--alphas', default=','.join(str(a) for a in ALPHAS), help='residual strengths to try')
    ap.add_argument('--de-safe', action='store_true',
                    help='also require every image\'s mean ΔE_ITP to be no worse than the baseline\'s')
    ap.add_argument('--bars-max', type=float, default=0.0,
                    help='also reject a checkpoint that moves a flat 75 %% bar or black patch of colour bars '
                         '(error_budget.py) by more than this many 10-bit codes on average (0: no check)')
    ap.add_argument('out')
    ap.add_argument('checkpoints', nargs='+')
    a = ap.parse_args()
    alphas = tuple(float(x) for x in a.alphas.split(','))
    out, paths, de_safe, a_bars = a.out, a.checkpoints, a.de_safe, a.bars_max
    cands = []   # (score, path, alpha, summary, per-image results)
    for p in paths:
        ck = torch.load(p, map_location='cpu', weights_only=False)
        cfg = SRITMConfig.from_dict(ck['config'])
        m = SRITM(cfg)
        m.load_state_dict(ck.get('ema', ck['state']))
        val = torch.load(os.path.join(D.DATA, f'val_x{cfg.scale}.pt'), weights_only=False)
        for a, r in validate(m, val, alphas).items():
            s = summarise(r)
            print(f"{os.path.basename(p)} step {ck['step']} alpha {a}: photo {s['gain_photo']:+.2f} hdr {s['gain_hdr']:+.2f} "
                  f"min {s['min_gain']:+.2f} | " + ' '.join(f"{x['name']} {x['gain']:+.2f}" for x in r), flush=True)
            worse_de = [x['name'] for x in r if x['de_itp'] > x['de_itp_base']]
            if worse_de:
                print(f"    ΔE_ITP worse than the baseline on {', '.join(worse_de)}", flush=True)
            if s['min_gain'] >= 0.0 and not (de_safe and worse_de):
                cands.append((s['score'], p, a, s, r))
    # Best validation score first; the first that adds no flicker on the slow pan wins.
    for score, p, a, s, res in sorted(cands, key=lambda c: -c[0]):
        ck = torch.load(p, map_location='cpu', weights_only=False)
        m = SRITM(SRITMConfig.from_dict(ck['config']))
        state = fold_alpha(ck.get('ema', ck['state']), a)
        m.load_state_dict(state)
        if a_bars:
            b = bars_residual(m)
            # the 75 % bars and black; a large 100 % white patch is the light-or-surface question itself, reported only
            worst = max(b['bars'] + [b['black']])
            print(f"{os.path.basename(p)} alpha {a}: flat 75 % colour bars and black moved by up to {worst:.1f} codes "
                  f"(100 % white {b['white']:.1f}) -> {'ok' if worst <= a_bars else 'too far'}", flush=True)
            if worst > a_bars:
                continue
        tp = pan_stats(m)
        ok = flicker_ok(tp)
        print(f"{os.path.basename(p)} alpha {a} score {score:+.2f}: pan interior mean {tp['model']['mean_codes']:.2f} "
              f"(baseline {tp['baseline']['mean_codes']:.2f}), p99.9 {tp['model']['p999_codes']:.2f} "
              f"(baseline {tp['baseline']['p999_codes']:.2f}) -> {'ok' if ok else 'adds flicker'}", flush=True)
        if not ok:
            continue
        torch.save({'config': m.cfg.to_dict(), 'state': state, 'step': ck['step'], 'residual_scale': a, 'val': res,
                    'train_seconds': ck.get('train_seconds', 0.0), 'source': os.path.abspath(p)}, out)
        print(f"wrote {out}: step {ck['step']} alpha {a} score {score:+.2f} min {s['min_gain']:+.2f}")
        return
    print('no checkpoint is at least as good as the baseline on every validation image without adding flicker')
    sys.exit(1)


if __name__ == '__main__':
    main()
