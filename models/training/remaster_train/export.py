"""Exports trained checkpoints to ONNX (opset 17, dynamic N/H/W; input `sdr`, outputs `hdr`, `base`), writes the
model cards (.json + .md) and the golden outputs used by test/integration/model-golden.test.ts.

Usage (from models/training; the shipped models come from the runs x2-gfx and x4-gfx, README.md):
  /usr/bin/python3 -m remaster_train.export \
     --x2 /work/.cache/remaster-training/runs/x2-gfx/selected.pt \
     --x4 /work/.cache/remaster-training/runs/x4-gfx/selected.pt [--speed-json FILE] [--gpu-json FILE...] [--out-dir DIR]
Writes models/srItm-x2.onnx, models/srItm-x4.onnx, models/srItm-x{2,4}.card.{json,md}, models/golden/*, and for each
of configs.VARIANTS the same weights with that variant's stages: models/srItm-x{2,4}.VARIANT.onnx with its card.
"""
import argparse
import copy
import dataclasses
import hashlib
import math
import json
import os
import platform

import numpy as np
import onnx
import torch

from . import data as D
from . import fp16
from . import sdrhdr
from .error_budget import bars_residual
from .configs import SHIPPED, VARIANTS, make_config
from .model import SRITM, HighlightGate, SRITMConfig, count_params, eight_orientations, macs_per_input_pixel
from .temporal import flicker_ok, pan_stats

MODELS = os.path.normpath(os.path.join(os.path.dirname(os.path.abspath(__file__)), '..', '..'))
FIXTURE_SHAPE = (1, 3, 24, 40)
FIXTURE_SRC = ('ColorfulCups', 560, 1010)   # photo, top, left (HR 1920x1080) of a 48x80 crop, Keys-downscaled x2


class Wrapper(torch.nn.Module):
    def __init__(self, m):
        super().__init__()
        self.m = m

    def forward(self, sdr):
        return self.m(sdr)


def receptive_field(cfg):
    """Receptive-field radius in input pixels (tile overlap). Checked: tiles with origins at multiples of 16 and
    90 px of overlap reproduce the whole-frame output to < 1e-6."""
    convs = 1 + 3 + 2 * cfg.base_blocks + 2 + 2 + 2 * cfg.detail_skip_blocks + 1 + 2 * cfg.fusion_blocks + 1 + 1
    r = convs + 4 + 2   # 3x3 convs (+1 each), guided filter (two 5x5 boxes), Keys taps
    if cfg.context:
        r = max(r, 4 * (2 + 1) + 16 * (2 + 1) + 16 + 8   # 1/4 path, 1/16 path, pooling windows, bilinear
                + (2 + 4 * 2 if getattr(cfg, 'context_pool', 'box') == 'blur' else 0))  # blur taps at 1/1, 1/4
    if getattr(cfg, 'highlight_gate', False):
        r += 1   # the gate's 3x3 max over the input
    if getattr(cfg, 'level_deadzone', 0) > 0:
        r += 1   # the dead zone's 5x5 mean at output resolution: 2 output pixels, at most one input pixel
    return int(r)


def bench_speed(bench):
    """Per-model speed entries for the cards from `REMASTER_BENCH_JSON=FILE npm run bench inference` output."""
    if 'lines' not in bench:
        return bench   # already per model (older hand-made file)
    out = {}
    for fname in ('srItm-x2.onnx', 'srItm-x4.onnx'):
        stem = fname[:-5] + ' '
        lines = [l for l in bench['lines'] if l['name'].startswith(stem) or l['name'].startswith('onnxruntime 3x3 conv')]
        if lines:
            out[fname] = {'measured': bench['date'], 'cpu': f"{bench['cpu']} ({bench['cores']} cores)",
                          'runtime': 'onnxruntime-node (npm run bench, inference.bench.ts)', 'figures': lines}
    return out


def export_onnx(model, path, meta):
    model = copy.deepcopy(model).eval().for_export()   # same function, faster graph (see SRITM.for_export)
    x = torch.rand(1, 3, 32, 48)
    torch.onnx.export(Wrapper(model), (x,), path, opset_version=17, input_names=['sdr'],
                      output_names=['hdr', 'base'],
                      dynamic_axes={'sdr': {0: 'N', 2: 'h', 3: 'w'}, 'hdr': {0: 'N', 2: 'H', 3: 'W'},
                                    'base': {0: 'N', 2: 'H', 3: 'W'}},
                      do_constant_folding=True)
    m = onnx.load(path)
    for k, v in meta.items():
        e = m.metadata_props.add()
        e.key, e.value = k, v if isinstance(v, str) else json.dumps(v)
    m.producer_name, m.producer_version = 'remaster', '0.1.0'
    m.doc_string = ('Remaster SR-ITM x%d: BT.709 SDR R\'G\'B\' [N,3,h,w] in [0,1] -> BT.2020 PQ R\'G\'B\' '
                    '[N,3,%dh,%dw] (hdr = model, base = analytic BT.2408 baseline)' % (meta['remaster.scale_int'], meta['remaster.scale_int'], meta['remaster.scale_int']))
    onnx.checker.check_model(m, full_check=True)
    onnx.save(m, path)
    ops = sorted({n.op_type for n in m.graph.node})
    return ops


def fixture():
    im = np.load(os.path.join(D.DATA, f'photo_{FIXTURE_SRC[0]}.npy')).astype(np.float32) / 255.0
    y, x = FIXTURE_SRC[1], FIXTURE_SRC[2]
    h, w = FIXTURE_SHAPE[2] * 2, FIXTURE_SHAPE[3] * 2
    hr = torch.from_numpy(np.ascontiguousarray(im[y:y + h, x:x + w])).permute(2, 0, 1)[None]
    lr = D.keys_downscale(hr, 2).clamp(0, 1)
    return (torch.round(lr * 255.0) / 255.0).float()   # exactly k/255, like an 8-bit frame


# The highlight-gate fixture (input pixels, [rows, cols)): a white card below clipping must stay at the baseline, a
# clipped lamp inside a 0.97 halo may expand (test/integration/model-golden.test.ts asserts both on the ONNX files)
WHITES_CARD, WHITES_LAMP = ((6, 18), (4, 16)), ((10, 14), (28, 32))


# The paint fixture: a flat patch of saturated yellow clipped in R' and G' (B' 0.1) on grey, like a cartoon's sun or a
# title's fill. The 'any' clipped test may treat it as a light; the graphics variant ('none') must keep it at the
# baseline (test/integration/model-golden.test.ts)
PAINT_PATCH = ((6, 18), (10, 30))


def paint_fixture():
    x = torch.full((1, 3, 24, 40), 0.4) + torch.linspace(-0.1, 0.1, 40)
    (r0, r1), (c0, c1) = PAINT_PATCH
    x[:, 0:2, r0:r1, c0:c1] = 1.0
    x[:, 2, r0:r1, c0:c1] = 0.1
    return torch.round(x * 255.0) / 255.0


VARIANT_WHY = {'graphics': 'animation and graphics (the app\'s per-shot Content setting): nothing the baseline puts '
                           'near diffuse white is lifted, clipped or not (a cartoon\'s clipped yellow, a title\'s 100 % '
                           'white are paint); highlights are the grade\'s to expand'}


def variant_config(cfg, suffix):
    """cfg with what VARIANTS[suffix]'s config changes from configs.SHIPPED (same weights, other stages)."""
    ship, var = (dataclasses.asdict(make_config(c, cfg.scale)) for c in (SHIPPED, VARIANTS[suffix]))
    return dataclasses.replace(cfg, **{k: v for k, v in var.items() if ship[k] != v})


def whites_fixture():
    x = torch.full((1, 3, 24, 40), 0.35) + torch.linspace(-0.1, 0.1, 40)   # grey with a gentle ramp
    (r0, r1), (c0, c1) = WHITES_CARD
    x[:, :, r0:r1, c0:c1] = 0.94
    x[:, :, 8:16, 26:34] = 0.97
    (r0, r1), (c0, c1) = WHITES_LAMP
    x[:, :, r0:r1, c0:c1] = 1.0
    return (torch.round(x.clamp(0, 1) * 255.0) / 255.0).float()


def write_f32(path, arr):
    a = np.ascontiguousarray(np.asarray(arr, dtype='<f4'))
    a.tofile(path)
    return {'file': os.path.basename(path), 'shape': list(a.shape),
            'sha256': hashlib.sha256(a.tobytes()).hexdigest()}


def hardware(curve):
    """Training time per device, from the learning curve (entries before devices were logged ran on the CPU)."""
    minutes, prev = {}, 0.0
    for e in curve:
        dev = e.get('device') or 'cpu'
        minutes[dev] = minutes.get(dev, 0.0) + max(0.0, e['train_seconds'] - prev) / 60
        prev = e['train_seconds']
    def name(d):
        if not d.startswith('cpu'):
            return d.replace('cuda', 'GPU', 1)
        return f"CPU {cpu_name()}, {d[3:].strip(' ()') or '1 thread'} per run (torch {torch.__version__})"
    return '; '.join(f'{name(d)}: {m:.1f} min' for d, m in minutes.items())


def cpu_name():
    try:
        for line in open('/proc/cpuinfo'):
            if line.startswith('model name'):
                return line.split(':', 1)[1].strip()
    except OSError:
        pass
    return platform.processor()


GPU_MODES = ('fp32', 'fp16', 'fp16_channels_last_cuda_graph', 'fp16_channels_last_with_host_copies',
             'fp16_channels_last_torch_compile', 'fp16_cudnn_conv_relu_compile')


def gpu_speed(runs, cfg):
    """The entries of bench_cuda.py outputs (one per GPU) measured with this model's configuration."""
    out = []
    for r in runs:
        for c in r.get('configs', []):
            if c['name'] != f'shipped x{cfg.scale}' or c['config'] != cfg.to_dict():
                continue
            out.append({'device': r['device'], 'measured': r.get('measured'), 'torch': r['torch'], 'cudnn': r['cudnn'],
                        'input': c['input'], 'output': c['output'],
                        'modes': {m: c['modes'][m] for m in GPU_MODES if 'ms_per_frame' in c['modes'].get(m, {})},
                        'fp16_vs_fp32': r.get('fp16_accuracy', {}).get(f'shipped x{cfg.scale}'),
                        'weights': r.get('weights', {}).get(f'shipped x{cfg.scale}')})
    return out


def light_sources(share):
    """The card's words for train.py --lights."""
    if not share:
        return 'no synthetic light sources (--lights 0)'
    return (f'1-3 synthetic light sources on {share * 100:.0f}% of HDR crops (Gaussian cores 0.7-5 px at 1.5-10x '
            'SDR white with a faint wide glow)')


class EightOrientations(torch.nn.Module):
    """The model as quality 'best' runs it (for temporal.pan_stats)."""
    def __init__(self, model):
        super().__init__()
        self.model, self.cfg = model, model.cfg

    def forward(self, x):
        return eight_orientations(self.model, x)


def validation_best(model, scale):
    """Per-image validation metrics of the app's 'best' quality (the model on 8 orientations, averaged)."""
    from .train import _metrics
    val = torch.load(os.path.join(D.DATA, f'val_x{scale}.pt'), weights_only=False)
    out = []
    with torch.no_grad():
        for v in val:
            hdr, base = eight_orientations(model, torch.from_numpy(v['lr'])[None])
            out.append(_metrics(v, hdr[0].numpy(), base[0].numpy()))
    return out


def validation(model, scale):
    """Per-image validation metrics of the network as exported (quality 'fast')."""
    from .train import validate
    val = torch.load(os.path.join(D.DATA, f'val_x{scale}.pt'), weights_only=False)
    out = validate(model, val)[1.0]
    model.eval()   # validate() leaves it in training mode
    return out


def carry_over(c, prev_path, ck):
    """A checkpoint rebuilt by recover.py has no run folder: its training record, learning curve and GPU speed are
    the previous card's (the weights are the same); speed stays as measured for this file (--speed-json)."""
    if not os.path.exists(prev_path):
        return
    prev = json.load(open(prev_path))
    c['training'] = dict(prev['training'], recovered_from=os.path.basename(ck['recovered_from']['onnx']))
    c['learning_curve'] = prev['learning_curve']
    c['gpu_speed'] = c['gpu_speed'] or prev.get('gpu_speed', [])


def graphics_share(share):
    if not share:
        return ''
    return (f'; {share:.0%} of the photograph crops replaced by synthetic graphics (bars, flat 75 %/100 % patches, '
            '1-3 px lines, ramps; hard edges; target = the baseline mapping)')


def card(name, ck, model, ops, onnx_path, speed, run_log, manifest, temporal, val, gpu=()):
    cfg = model.cfg
    curve = [{k: e.get(k) for k in ('run', 'step', 'train_seconds', 'loss', 'gain_photo', 'gain_hdr', 'min_gain', 'device')}
             for e in run_log]
    card = {
        'name': name, 'file': os.path.basename(onnx_path), 'bytes': os.path.getsize(onnx_path),
        'contract': {'input': 'sdr float32 [N,3,h,w] BT.709 R\'G\'B\' (BT.1886 display) in [0,1]',
                     'outputs': {'hdr': f'float32 [N,3,{cfg.scale}h,{cfg.scale}w] BT.2020 PQ R\'G\'B\' in [0,1], '
                                        'model result', 'base': 'same shape, analytic BT.2408 baseline'},
                     'opset': 17, 'dynamic_axes': ['N', 'h', 'w'], 'sdr_white_nits': 203},
        'architecture': 'Deep SR-ITM structure (guided-filter decomposition, modulated base/detail branches, '
                        'fusion, pixel shuffle per x2) + context branch; output = baseline + residual (PQ)'
                        + (f'; the residual passes the parameter-free highlight gate first (no lift of a pixel the '
                           f'baseline puts above {HighlightGate.L0:.0f}-{HighlightGate.L1:.0f} cd/m2'
                           + {'any': ' unless the SDR input is clipped within 1 input pixel',
                              'all': ' unless the SDR input is clipped in all three channels within 1 input pixel',
                              'none': ', clipped or not: the animation and graphics variant'}[cfg.clipped_channels]
                           + '; model.HighlightGate)' if cfg.highlight_gate else '')
                        + (f'; before the gate the residual\'s local mean (5x5) is taken toward zero by up to '
                           f'{cfg.level_deadzone:g} 10-bit code{"" if cfg.level_deadzone == 1 else "s"}, '
                           'never lifting a pixel (model.LevelDeadzone)' if cfg.level_deadzone > 0 else '')
                        + ('; last, no result darker than both the baseline and the darkest input pixel within 1 '
                           'input pixel as the baseline maps it' if cfg.undershoot_limit else '')
                        + (', nor brighter than both the baseline and the brightest one'
                           + ('' if cfg.clipped_channels == 'none' else ' unless the input is clipped there')
                           if cfg.overshoot_limit else '')
                        + (' (model.RangeLimit)' if cfg.undershoot_limit or cfg.overshoot_limit else ''),
        'config': cfg.to_dict(), 'parameters': count_params(model),
        'macs_per_input_pixel': macs_per_input_pixel(model),
        'receptive_field_input_px': receptive_field(cfg), 'tile_alignment_input_px': 16 if cfg.context else 1,
        'onnx_ops': ops,
        'residual_scale': ck.get('residual_scale', 1.0),
        'training': {'steps': ck.get('step'), 'train_seconds': round(ck.get('train_seconds', 0.0), 1),
                     'run_total_steps': ck.get('run_steps'), 'run_total_train_seconds': ck.get('run_train_seconds'),
                     'run_args': ck.get('run_args', {}), 'lineage': ck.get('lineage', []),
                     'hardware': hardware(curve),
                     'selected_by': 'validation: highest mean PQ-PSNR gain (photos + HDR) among EMA checkpoints '
                                    'and residual strengths (train.py tries 1, 0.75, 0.5, 0.25; select_checkpoint.py '
                                    'those given by --alphas; folded into the last conv) with '
                                    'no validation image worse than the baseline'
                                    + (' and no added flicker on the slow pan (select_checkpoint.py)'
                                       if 'source' in ck else ' (train.py best.pt)'),
                     'loss': 'squared error in PQ (the paper\'s L2), weight x4 where the baseline is near SDR white (PQ > 0.55)'
                             + (f"; plus {ck['run_args']['consistency']} x the squared difference of the context "
                                'branch\'s FiLM maps between a 128 px crop (96 at x4) and the same crop shifted by '
                                '1-15 px (shift consistency, against flicker)' if ck.get('run_args', {}).get('consistency') else ''),
                     'data': manifest, 'degradations': 'Keys a=-0.5 antialiased downscale, Gaussian noise '
                     'sigma<=2/255, 8-bit quantisation, JPEG q60-95 4:2:0 (70%)',
                     'augmentation': 'flips and transposes'
                     + ('; in the last run (--augment) also: saturation x0.6-1.4 and white balance +-6% in linear '
                        'light (60% of crops), photographs pre-downscaled by any factor 1-3 (bicubic, antialiased; '
                        '70%), ' + light_sources(ck['run_args'].get('lights', 0.3))
                        + graphics_share(ck['run_args'].get('graphics', 0.0))
                        if ck.get('run_args', {}).get('augment') else
                        '; photographs pre-downscaled x2 (Keys) in half the crops'),
                     'hdr_targets': 'HDRI x exposure (90th luminance percentile at 0.2-0.6 SDR white); SDR = '
                     'clip + BT.1886 encode; target = min(light, 1000 cd/m2) with SDR white at 203 cd/m2, '
                     'BT.2020 PQ', 'photo_targets': 'BT.2408 baseline mapping of the full-resolution photo'},
        'validation': val, 'temporal_pan': temporal, 'learning_curve': curve, 'speed': speed,
        'gpu_speed': list(gpu),
    }
    return card


def mean_gain_lines(rows, label):
    """'Mean gain photo: +x dB' (and hdr) lines of a card's validation table."""
    out = []
    for kind in ('photo', 'hdr'):
        g = [r['gain'] for r in rows if r['kind'] == kind]
        if g:
            out.append(f"\nMean gain {kind}{label}: {np.mean(g):+.2f} dB")
    return out


def card_md(c):
    L = [f"# {c['name']}", '', f"File `{c['file']}` ({c['bytes']} bytes). {c['architecture']}.", '']
    if c.get('variant'):
        v = c['variant']
        L += [f"Variant `{v['name']}` of `{v['of']}` (config `{v['config']}`): the same weights; {v['why']}. "
              'Training, learning curve and speed are those of the network it shares.', '']
    L += ['## Contract', '', f"- input: {c['contract']['input']}",
         f"- output `hdr`: {c['contract']['outputs']['hdr']}", f"- output `base`: {c['contract']['outputs']['base']}",
         f"- opset 17, dynamic N/h/w; receptive field radius <= {c['receptive_field_input_px']} input px; "
         f"tile origins multiple of {c['tile_alignment_input_px']} input px for bit-identical tiling", '',
         '## Configuration', '', f"- parameters: {c['parameters']:,}", f"- MACs per input pixel: {c['macs_per_input_pixel']:,.0f}",
         f"- config: `{json.dumps(c['config'])}`",
         f"- residual strength folded into the last conv at selection: {c['residual_scale']}", f"- ONNX ops: {', '.join(c['onnx_ops'])}", '']
    t = c['training']
    L += ['## Training', '', f"- selected checkpoint: step {t['steps']} after {t['train_seconds'] / 60:.1f} min of training "
          f"(whole run so far: {t['run_total_steps']} steps, {(t['run_total_train_seconds'] or 0) / 60:.1f} min; "
          f"by device: {t['hardware']})",
          f"- run arguments: `{json.dumps(t['run_args'])}`",
          *[f"- {n}" for n in t.get('lineage', [])],
          *([f"- then rebuilt from `{t['recovered_from']}` by `recover` and exported again in this card's "
             'configuration (train.sh stage 8: no training; validation and speed below are of this file)']
            if t.get('recovered_from') else []),
          f"- checkpoint selection: {t['selected_by']}", f"- loss: {t['loss']}", f"- degradations: {t['degradations']}",
          f"- augmentation: {t.get('augmentation', 'flips and transposes')}",
          f"- HDR targets: {t['hdr_targets']}", f"- photo targets: {t['photo_targets']}", '',
          '### Data (exact files and licences)', '', '| kind | name | split | file | licence |', '|---|---|---|---|---|']
    for p in t['data']['photos']:
        L.append(f"| photo | {p['name']} | {p['split']} | `{p['file']}` | {p['licence']} ({p['author']}) |")
    for p in t['data']['hdris']:
        L.append(f"| HDRI | {p['name']} | {p['split']} | `{p['file']}` | {p['licence']} |")
    L += ['', '## Validation (held-out images; PQ-domain PSNR, mean ΔE_ITP per BT.2124)', '',
          '| image | kind | PSNR model | PSNR baseline | gain dB | ΔE_ITP model | ΔE_ITP baseline |', '|---|---|---|---|---|---|---|']
    for r in c['validation']:
        L.append(f"| {r['name']} | {r['kind']} | {r['psnr']:.2f} | {r['psnr_base']:.2f} | {r['gain']:+.2f} | "
                 f"{r['de_itp']:.2f} | {r['de_itp_base']:.2f} |")
    L += mean_gain_lines(c['validation'], '')
    if c.get('validation_best'):
        L += ['', "### Quality 'best' (`remaster still --quality best`)", '',
              'The same model run on the 8 mirrored and transposed orientations of the picture, each result turned back '
              'and averaged (geometric self-ensemble): 8x the time per frame. Same images and metrics:', '',
              '| image | kind | PSNR | gain dB | gain over one run dB | ΔE_ITP |', '|---|---|---|---|---|---|']
        one = {r['name']: r for r in c['validation']}
        for r in c['validation_best']:
            L.append(f"| {r['name']} | {r['kind']} | {r['psnr']:.2f} | {r['gain']:+.2f} | "
                     f"{r['gain'] - one[r['name']]['gain']:+.2f} | {r['de_itp']:.2f} |")
        L += mean_gain_lines(c['validation_best'], ", quality 'best'")
        tb, tp = c.get('temporal_pan_best'), c.get('temporal_pan')
        if tb and tp:
            L.append(f"\nSlow pan (as below), quality 'best': interior mean {tb['model']['mean_codes']:.3f} codes, 99.9th "
                     f"percentile {tb['model']['p999_codes']:.2f} (one run {tp['model']['mean_codes']:.3f} / "
                     f"{tp['model']['p999_codes']:.2f}, baseline {tp['baseline']['mean_codes']:.3f} / "
                     f"{tp['baseline']['p999_codes']:.2f}).")
    tp = c.get('temporal_pan')
    if tp:
        L += ['', '## Temporal stability (slow pan, aligned frame-to-frame |dPQ| in 10-bit codes)', '',
              f"{tp['frames']} frames of a {tp['hr_window'][1]}x{tp['hr_window'][0]} window of {tp['photo']} moving "
              f"{tp['motion']}; the target is constant after alignment, so any change is flicker. Interior: more "
              f"than {tp['interior_margin_px']} output px from the window's edges; edge band included: all but "
              f"{tp['edge_margin_px']} px (near a frame edge the network sees content slide past the edge).", '',
              '| | mean | 99.9th percentile | mean, edge band included | 99.9th pct, edge band included |',
              '|---|---|---|---|---|',
              f"| model | {tp['model']['mean_codes']:.3f} | {tp['model']['p999_codes']:.2f} | "
              f"{tp['model_with_edges']['mean_codes']:.3f} | {tp['model_with_edges']['p999_codes']:.2f} |",
              f"| baseline | {tp['baseline']['mean_codes']:.3f} | {tp['baseline']['p999_codes']:.2f} | "
              f"{tp['baseline_with_edges']['mean_codes']:.3f} | {tp['baseline_with_edges']['p999_codes']:.2f} |", '',
              f"No visible added flicker (interior mean at most +0.5 code over the baseline's, 99.9th percentile "
              f"within 1.25x): **{'yes' if tp['no_added_flicker'] else 'NO'}**."]
    cb = c.get('colour_bars')
    if cb:
        L += ['', '## Graphics (colour bars)', '',
              'Mean |model - baseline| over each flat patch of synthetic colour bars (`error_budget.py`), 10-bit codes; '
              'on a test signal the right answer is the baseline (0):', '',
              '| 75 % white | yellow | cyan | green | magenta | red | blue | 100 % white | black |',
              '|---|---|---|---|---|---|---|---|---|',
              '| ' + ' | '.join(f'{v:.1f}' for v in cb['bars'] + [cb['white'], cb['black']]) + ' |']
    L += ['', '## Learning curve (EMA weights at full residual strength, validation PQ-PSNR gain over the baseline in dB)', '',
          'Steps and minutes count from the start of the first run of the lineage above.', '',
          '| run | step | train min | loss | photo | HDR | worst image |', '|---|---|---|---|---|---|---|']
    curve = c['learning_curve']
    idx = sorted(set(np.linspace(0, len(curve) - 1, min(len(curve), 16)).round().astype(int).tolist())) if curve else []
    for i in idx:
        e = curve[i]
        loss = f"{e['loss']:.4f}" if e['loss'] is not None else '-'
        L.append(f"| {e.get('run') or ''} | {e['step']} | {e['train_seconds'] / 60:.1f} | {loss} | {e['gain_photo']:+.2f} | "
                 f"{e['gain_hdr']:+.2f} | {e['min_gain']:+.2f} |")
    sp = c.get('speed') or {}
    if 'figures' in sp:
        L += ['', '## Speed', '', f"`npm run bench` on {sp['cpu']}, {sp['measured']} (the machine is shared: figures move with load):", '']
        for f in sp['figures']:
            ratio = f" (ratio {f['ratio']:.2f}x to {f['baseline']['name']})" if 'ratio' in f and 'baseline' in f else ''
            note = f" — {f['note']}" if f.get('note') else ''
            L.append(f"- {f['name']}: {f['value']:.3g} {f['unit']}{ratio}{note}")
    elif sp:
        L += ['', '## Speed', '', '```', json.dumps(sp, indent=1), '```']
    if c.get('gpu_speed'):
        L += ['', '## Speed on GPU', '',
              'Measured with `remaster_train.bench_cuda` (models/training): the same network in PyTorch + cuDNN (onnxruntime\'s CUDA '
              'provider could not be installed where it was measured), the last conv folded as in the ONNX file; '
              'fp16 = the float16 variant\'s split (network in float16; baseline, sum and clip in float32). GPU time '
              'per frame unless the mode says host copies (float32 `sdr` in, `hdr` and `base` out, pinned memory).', '',
              '| GPU | frame | mode | ms / frame | frames / s |', '|---|---|---|---|---|']
        for g in c['gpu_speed']:
            frame = f"{g['input'][0]}x{g['input'][1]} -> {g['output'][0]}x{g['output'][1]}"
            for m, f in g['modes'].items():
                L.append(f"| {g['device']} ({g['measured']}) | {frame} | {m.replace('_', ' ')} | {f['ms_per_frame']:.1f} | {f['fps']:.1f} |")
        for g in c['gpu_speed']:
            a = g.get('fp16_vs_fp32')
            if a:
                L += ['', f"fp16 against fp32 on {g['device']} (held-out photo ColorfulCups, {a['image_px'][0]}x{a['image_px'][1]} "
                      f"input, weights {g.get('weights') or 'shipped then'}): max {a['max_codes']:.2f}, p99.9 {a['p99_9_codes']:.2f}, mean "
                      f"{a['mean_codes']:.3f} 10-bit codes in `hdr`; `base` identical: {a['base_identical']}."]
                break
    return '\n'.join(L) + '\n'


def run_history(run_dir, _seen=()):
    """The validation log of a run with the runs it was fine-tuned from (same scale) in front, steps and training
    seconds counted from the first run's start; each entry names its run. Returns (log, lineage notes, (steps,
    seconds) of training before this run)."""
    log_path = os.path.join(run_dir, 'log.json')
    log = json.load(open(log_path)) if os.path.exists(log_path) else []
    name = os.path.basename(run_dir)
    last_path = os.path.join(run_dir, 'last.pt')
    last = torch.load(last_path, map_location='cpu', weights_only=False) if os.path.exists(last_path) else {}
    args = last.get('args', {})
    init = args.get('init_from') or ''
    if not init or not os.path.exists(init) or os.path.abspath(run_dir) in _seen:
        return [dict(e, run=e.get('run', name)) for e in log], [], (0, 0.0)
    parent = torch.load(init, map_location='cpu', weights_only=False)
    parent_dir = os.path.dirname(os.path.abspath(init))
    note = f"{name}: initialised from {os.path.basename(parent_dir)}/{os.path.basename(init)} (step {parent.get('step')})"
    if 'config' in last and parent['config']['channels'] != last['config']['channels']:
        note += f", widened from {parent['config']['channels']} to {last['config']['channels']} channels (same function)"
    if parent['config']['scale'] != args.get('scale', parent['config']['scale']):
        return [dict(e, run=e.get('run', name)) for e in log], [note + ', another scale: upsampler and last conv new'], (0, 0.0)
    plog, pnotes, (pstep, psec) = run_history(parent_dir, _seen + (os.path.abspath(run_dir),))
    step0, sec0 = pstep + parent.get('step', 0), psec + parent.get('train_seconds', 0.0)
    plog = [e for e in plog if e['step'] <= step0]
    own = [dict(e, run=name, step=e['step'] + step0, train_seconds=round(e['train_seconds'] + sec0, 1))
           for e in log if e['step'] > 0]
    return plog + own, pnotes + [note], (step0, sec0)


def main():
    ap = argparse.ArgumentParser(prog=f'python3 -m {__spec__.name}', description=__doc__,
                                 formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument('--x2', required=True)
    ap.add_argument('--x4', required=True)
    ap.add_argument('--speed-json', default='')
    ap.add_argument('--gpu-json', nargs='*', default=[], help='bench_cuda.py outputs (one per GPU) for the cards')
    ap.add_argument('--out-dir', default=MODELS)
    a = ap.parse_args()
    torch.set_num_threads(1)
    speed = bench_speed(json.load(open(a.speed_json))) if a.speed_json else {}
    gpu_runs = [json.load(open(p)) for p in a.gpu_json]
    manifest = json.load(open(os.path.join(D.DATA, 'manifest.json')))
    golden = os.path.join(a.out_dir, 'golden')
    os.makedirs(golden, exist_ok=True)
    x = fixture()
    gold = {'fixture': write_f32(os.path.join(golden, 'fixture-1x3x24x40.f32'), x.numpy()),
            'fixture_source': {'photo': D.photo_file(FIXTURE_SRC[0]), 'top': FIXTURE_SRC[1], 'left': FIXTURE_SRC[2],
                               'note': '48x80 crop, Keys a=-0.5 x2 downscale, rounded to k/255'},
            'tolerance_max_abs': 1e-4, 'models': {}}
    xw = whites_fixture()
    gold['whites'] = {'fixture': write_f32(os.path.join(golden, 'whites-1x3x24x40.f32'), xw.numpy()),
                      'card_rows_cols': WHITES_CARD, 'lamp_rows_cols': WHITES_LAMP, 'models': {}}
    for s in (2, 4):
        base = sdrhdr.baseline_numpy(x.numpy().astype(np.float64), s).astype(np.float32)
        gold['models'][f'baseline-x{s}.onnx'] = {
            'hdr': write_f32(os.path.join(golden, f'baseline-x{s}.base.f32'), base),
            'base': {'same_as': 'hdr'}, 'source': 'float64 numpy reference (models/training/remaster_train/sdrhdr.py)'}
    gold['paint'] = {'fixture': write_f32(os.path.join(golden, 'paint-1x3x24x40.f32'), paint_fixture().numpy()),
                     'patch_rows_cols': PAINT_PATCH, 'models': {}}
    for s, ckp, suffix in [(s, ckp, v) for s, ckp in ((2, a.x2), (4, a.x4)) for v in ('',) + tuple(VARIANTS)]:
        ck = torch.load(ckp, map_location='cpu', weights_only=False)
        cfg = SRITMConfig.from_dict(ck['config'])
        assert cfg.scale == s
        if suffix:   # a variant: the same weights, the stages of its config
            cfg = variant_config(cfg, suffix)
        model = SRITM(cfg)
        model.load_state_dict(ck.get('ema', ck['state']))
        model.eval()
        stem = f'srItm-x{s}' + (f'.{suffix}' if suffix else '')
        fname = stem + '.onnx'
        path = os.path.join(a.out_dir, fname)
        align = 16 if cfg.context else 1   # pooling grid of the context branch
        meta = {'remaster.contract': 'sdr->hdr,base', 'remaster.scale': str(s), 'remaster.scale_int': s,
                'remaster.kind': 'sritm', 'remaster.config': cfg.to_dict(), 'remaster.sdr_white_nits': '203',
                'remaster.receptive_field': str(receptive_field(cfg)),
                'remaster.tile_alignment': str(align),
                'remaster.tile_overlap': str(align * math.ceil(receptive_field(cfg) / align)),   # as the worker rounds it
                'remaster.params': str(count_params(model))}
        if suffix:
            meta['remaster.variant'] = suffix
        ops = export_onnx(model, path, {k: v for k, v in meta.items()})
        half = fp16.convert(path, fp16.fp16_path(path))   # the GPU variant (network in float16, baseline float32)
        with torch.no_grad():
            hdr, bl = model(x)
            best, _ = eight_orientations(model, x)
        gold['models'][fname] = {'hdr': write_f32(os.path.join(golden, f'{stem}.hdr.f32'), hdr.numpy()),
                                 'base': write_f32(os.path.join(golden, f'{stem}.base.f32'), bl.numpy()),
                                 'source': f'PyTorch {torch.__version__}, checkpoint step {ck.get("step")}'}
        # quality 'best': the mean `hdr` of the 8 orientations (test/integration/tiled-inference.test.ts)
        gold.setdefault('best', {})[fname] = write_f32(os.path.join(golden, f'{stem}.best.hdr.f32'), best.numpy())
        with torch.no_grad():
            wh, _ = model(xw)
            ph, _ = model(paint_fixture())
        gold['whites']['models'][fname] = write_f32(os.path.join(golden, f'{stem}.whites.hdr.f32'), wh.numpy())
        gold['paint']['models'][fname] = write_f32(os.path.join(golden, f'{stem}.paint.hdr.f32'), ph.numpy())
        run_dir = os.path.dirname(os.path.abspath(ckp))
        run_log, lineage, (step0, sec0) = run_history(run_dir)
        last_path = os.path.join(run_dir, 'last.pt')
        if os.path.exists(last_path):
            lk = torch.load(last_path, map_location='cpu', weights_only=False)
            ck = dict(ck, run_args=lk.get('args', {}), run_steps=step0 + lk.get('step', 0),
                      run_train_seconds=sec0 + lk.get('train_seconds', 0.0), lineage=lineage,
                      step=step0 + ck.get('step', 0), train_seconds=sec0 + ck.get('train_seconds', 0.0))
        tp = pan_stats(model)
        tp['no_added_flicker'] = flicker_ok(tp)
        # validation of this network as exported (a weightless stage such as the gate is not in ck's figures)
        title = f'Remaster SR-ITM x{s}' + (f', {suffix} variant' if suffix else '') + f' ({fname})'
        c = card(title, ck, model, ops, path, speed.get(fname, {}), run_log, manifest, tp,
                 validation(model, s), gpu_speed(gpu_runs, cfg))
        if suffix:
            c['variant'] = {'name': suffix, 'of': f'srItm-x{s}.onnx', 'config': VARIANTS[suffix],
                            'why': VARIANT_WHY[suffix]}
        if 'recovered_from' in ck:
            carry_over(c, os.path.join(a.out_dir, f'srItm-x{s}.card.json'), ck)
        c['fp16'] = half   # the worker runs the variant only when these hashes match the files
        c['validation_best'] = validation_best(model, s)
        c['temporal_pan_best'] = pan_stats(EightOrientations(model))
        c['colour_bars'] = bars_residual(model)
        base_name = os.path.join(a.out_dir, f'{stem}.card')
        with open(base_name + '.json', 'w') as f:
            json.dump(c, f, indent=1)
        with open(base_name + '.md', 'w') as f:
            f.write(card_md(c))
        print(f'wrote {path} ({os.path.getsize(path)} bytes), params {count_params(model)}, ops {ops}')
    with open(os.path.join(golden, 'manifest.json'), 'w') as f:
        json.dump(gold, f, indent=1)
    print('wrote', golden)


if __name__ == '__main__':
    main()
