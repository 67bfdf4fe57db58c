"""Rebuilds a PyTorch checkpoint from an exported srItm-x{2,4}.onnx (the shipped models' checkpoints were lost).

Every trained tensor of SRITM is an ONNX initializer named 'm.<state_dict key>', except the last convolution:
export.py runs `SRITM.fold_last_conv()`, which rewrites conv3(C->3) after the last pixel shuffle as a
conv2x2(4C->12) before it, stored as a Constant. That fold only copies weights (each 3x3 tap appears once per output
sub-pixel, the remaining 7 of 16 taps per sub-pixel are zero), so it inverts exactly: the 3x3 kernel is the mean of
its 4 copies (the least-squares solution), and the spread of the copies and the size of the must-be-zero taps are
the residual, reported (0 for a file written by export.py).

Usage (from models/training):
  /usr/bin/python3 -m remaster_train.recover --scale 2 --onnx ../srItm-x2.onnx --out work/recovered-x2.pt
The checkpoint has the layout of best.pt / selected.pt ('config', 'state', 'step', ...): `export --x2 FILE` exports
it and `train --init-from FILE` fine-tunes from it. With the golden outputs (models/golden) it also checks that the
rebuilt network reproduces them.
"""
import argparse
import dataclasses
import json
import os

import numpy as np
import onnx
import torch
from onnx import numpy_helper

from .configs import SHIPPED, make_config
from .model import SRITM, SRITMConfig, count_params

MODELS = os.path.normpath(os.path.join(os.path.dirname(os.path.abspath(__file__)), '..', '..'))


def onnx_tensors(m):
    """Every constant tensor of the graph by name: initializers and Constant nodes' outputs."""
    out = {t.name: numpy_helper.to_array(t) for t in m.graph.initializer}
    for n in m.graph.node:
        if n.op_type == 'Constant':
            for a in n.attribute:
                if a.name == 'value':
                    out[n.output[0]] = numpy_helper.to_array(a.t)
    return out


def folded_last(m, tensors, c):
    """(weight [12, 4C, 2, 2], bias [12]) of the folded last convolution: the only 2x2 Conv of the graph."""
    hits = []
    for n in m.graph.node:
        if n.op_type != 'Conv' or len(n.input) < 3 or n.input[1] not in tensors:
            continue
        w = tensors[n.input[1]]
        if w.shape == (12, 4 * c, 2, 2):
            hits.append((w, tensors[n.input[2]]))
    if len(hits) != 1:
        raise ValueError(f'expected one folded last conv of shape (12, {4 * c}, 2, 2) in the graph, found {len(hits)}')
    return hits[0]


def unfold_last_conv(k, b, o=3):
    """Inverse of SRITM.fold_last_conv: (k [4o, 4C, 2, 2], b [4o]) -> (w [o, C, 3, 3], bias [o], residual).

    The fold puts w[:, :, dy+1, dx+1] at k[i, j, :, :, ii, jj, ry+1-i, rx+1-j] (ry, ii = divmod(i+dy, 2), the same
    for x) for each sub-pixel (i, j); the bias is repeated per sub-pixel. The least-squares w is the mean over the
    four sub-pixels; the residual is the largest deviation of a copy from it and the largest tap the fold leaves
    zero (both 0 for a file export.py wrote)."""
    k = np.asarray(k, np.float64)
    c = k.shape[1] // 4
    k = k.reshape(2, 2, o, c, 2, 2, 2, 2)
    copies = np.zeros((2, 2, o, c, 3, 3))
    used = np.zeros(k.shape, bool)
    for i in range(2):
        for j in range(2):
            for dy in (-1, 0, 1):
                for dx in (-1, 0, 1):
                    ry, ii = divmod(i + dy, 2)
                    rx, jj = divmod(j + dx, 2)
                    idx = (i, j, slice(None), slice(None), ii, jj, ry + 1 - i, rx + 1 - j)
                    copies[i, j, :, :, dy + 1, dx + 1] = k[idx]
                    used[idx] = True
    w = copies.mean(axis=(0, 1))
    bb = np.asarray(b, np.float64).reshape(4, o)
    bias = bb.mean(axis=0)
    residual = {'weight_copies_max_dev': float(np.abs(copies - w).max()),
                'unused_taps_max_abs': float(np.abs(k[~used]).max()) if (~used).any() else 0.0,
                'bias_copies_max_dev': float(np.abs(bb - bias).max())}
    return torch.from_numpy(w.astype(np.float32)), torch.from_numpy(bias.astype(np.float32)), residual


def config_of(m, scale, name):
    """The network configuration: the ONNX file's 'remaster.config' metadata, checked against configs[name]."""
    cfg = make_config(name, scale)
    meta = {p.key: p.value for p in m.metadata_props}
    if meta.get('remaster.scale', str(scale)) != str(scale):
        raise ValueError(f"the ONNX file is an x{meta['remaster.scale']} model, not x{scale} (--scale)")
    if 'remaster.config' in meta:
        got = SRITMConfig.from_dict(json.loads(meta['remaster.config']))
        # the highlight gate, the level dead zone and the range limit have no weights: a file exported with or
        # without them rebuilds the same checkpoint
        if dataclasses.replace(got, highlight_gate=cfg.highlight_gate, level_deadzone=cfg.level_deadzone,
                               undershoot_limit=cfg.undershoot_limit, overshoot_limit=cfg.overshoot_limit) != cfg:
            raise ValueError(f'the ONNX file was exported with {got}, not configs {name!r} at x{scale} ({cfg})')
        return got
    return cfg


def recover(onnx_path, scale, config=SHIPPED):
    """(model, residual of the unfold, onnx ModelProto) rebuilt from an exported file."""
    m = onnx.load(onnx_path)
    cfg = config_of(m, scale, config)
    model = SRITM(cfg)
    tensors = onnx_tensors(m)
    state = model.state_dict()
    missing = []
    for key, v in state.items():
        if key.startswith('last.'):
            continue
        t = tensors.get('m.' + key)
        if t is None:
            missing.append(key)
            continue
        if t.dtype != np.float32:
            raise ValueError(f'{onnx_path}: m.{key} is {t.dtype}; recover from the float32 file, not the fp16 variant')
        if tuple(t.shape) != tuple(v.shape):
            raise ValueError(f'm.{key}: shape {t.shape} in the file, {tuple(v.shape)} in the network')
        state[key] = torch.from_numpy(t.copy())
    if len(missing) == len(state) - 2:
        raise ValueError(f"{onnx_path}: none of the network's weights is an initializer named 'm.<key>' (the fp16 "
                         'variant? recover from the float32 file export.py writes)')
    if missing:
        raise ValueError(f'{onnx_path}: no initializer for {missing}')
    k, b = folded_last(m, tensors, cfg.channels)
    state['last.weight'], state['last.bias'], residual = unfold_last_conv(k, b)
    model.load_state_dict(state)
    model.eval()
    # the other direction: refolding the recovered conv must give the file's constant back, bit for bit
    model.fold_last_conv()
    residual['refold_max_abs'] = float(max(np.abs(model.folded_last[0].numpy() - k).max(),
                                           np.abs(model.folded_last[1].numpy() - b).max()))
    model.folded_last = None
    return model, residual, m


def read_f32(path, shape):
    return torch.from_numpy(np.fromfile(path, dtype='<f4').reshape(shape))


def golden_check(model, scale, golden_dir):
    """Max |difference| of the rebuilt network (training form, as the goldens were made) from the golden outputs of
    srItm-x{scale}.onnx on the golden fixture, or None where the goldens are not there."""
    man_path = os.path.join(golden_dir, 'manifest.json')
    if not os.path.exists(man_path):
        return None
    man = json.load(open(man_path))
    fx = man['fixture']
    x = read_f32(os.path.join(golden_dir, fx['file']), fx['shape'])
    g = man['models'][f'srItm-x{scale}.onnx']
    with torch.no_grad():
        hdr, base = model(x)
    out = {'fixture': fx['file'], 'tolerance_max_abs': man.get('tolerance_max_abs'),
           'hdr_max_abs': float((hdr - read_f32(os.path.join(golden_dir, g['hdr']['file']), g['hdr']['shape'])).abs().max()),
           'base_max_abs': float((base - read_f32(os.path.join(golden_dir, g['base']['file']), g['base']['shape'])).abs().max()),
           'residual_max_abs': float((hdr - base).abs().max())}
    best = man.get('best', {}).get(f'srItm-x{scale}.onnx')
    if best:
        from .model import eight_orientations
        with torch.no_grad():
            bh, _ = eight_orientations(model, x)
        out['best_hdr_max_abs'] = float((bh - read_f32(os.path.join(golden_dir, best['file']), best['shape'])).abs().max())
    return out


def card_fields(onnx_path):
    """Step, training time, residual strength and validation of the exported checkpoint, from its model card (so
    export.py's lineage and card stay right when a fine-tune starts from the recovered file)."""
    p = onnx_path[:-len('.onnx')] + '.card.json'
    if not os.path.exists(p):
        return {}
    c = json.load(open(p))
    t = c.get('training', {})
    return {k: v for k, v in (('step', t.get('steps')), ('train_seconds', t.get('train_seconds')),
                              ('residual_scale', c.get('residual_scale')), ('val', c.get('validation')))
            if v is not None}


def main():
    ap = argparse.ArgumentParser(prog=f'python3 -m {__spec__.name}', description=__doc__,
                                 formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument('--scale', type=int, required=True, choices=(2, 4))
    ap.add_argument('--onnx', required=True, help='an exported float32 model (models/srItm-x2.onnx)')
    ap.add_argument('--out', required=True, help='checkpoint to write (e.g. work/recovered-x2.pt)')
    ap.add_argument('--config', default=SHIPPED,
                    help=f'configs name to rebuild in (default {SHIPPED}); the file must hold its weights (a '
                         'weightless stage such as the highlight gate may differ)')
    ap.add_argument('--golden', default=os.path.join(MODELS, 'golden'),
                    help="golden outputs to check against ('' to skip); only valid for the shipped files")
    a = ap.parse_args()
    torch.set_num_threads(1)
    model, residual, _ = recover(a.onnx, a.scale, a.config)
    print('unfold residual:', json.dumps(residual))
    if max(residual.values()) > 0.0:
        print('warning: the folded conv is not an exact fold of a 3x3 conv; the least-squares fit above is used')
    gold = golden_check(model, a.scale, a.golden) if a.golden else None
    if gold:
        print('golden check:', json.dumps(gold))
        if gold['hdr_max_abs'] > (gold['tolerance_max_abs'] or 1e-4):
            raise SystemExit(f"the rebuilt x{a.scale} network misses the golden output by {gold['hdr_max_abs']:.3g}")
    os.makedirs(os.path.dirname(os.path.abspath(a.out)), exist_ok=True)
    extra = {**card_fields(a.onnx), 'recovered_from': {'onnx': os.path.abspath(a.onnx), 'unfold_residual': residual,
                                                       'golden_check': gold}}
    # in the configuration configs.py names today (the weights are the file's; a weightless stage such as the
    # highlight gate follows configs.py, the golden check above the file's own)
    torch.save({'config': make_config(a.config, a.scale).to_dict(), 'state': model.state_dict(), **extra}, a.out)
    print(f'wrote {a.out}: {count_params(model):,} parameters, x{a.scale}, step {extra.get("step")}')


if __name__ == '__main__':
    main()
