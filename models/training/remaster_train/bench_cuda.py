"""GPU speed of the network at the product's sizes (PyTorch + cuDNN), for a lent GPU machine.

Why PyTorch and not onnxruntime: onnxruntime-node's CUDA provider comes from nuget (unreachable here) and is
built for CUDA 12, while the GPU machines lent to this project carry CUDA 13 and PyTorch. The network is the same
module the ONNX files are exported from (with the exported graph's folded last conv), and its half-precision run
mirrors srItm-xS.fp16.onnx: the residual network in float16, the analytic baseline, `base + residual` and the clip
in float32 (see fp16.py).

Measures, per configuration (paper x2 at 1920x1080 -> 3840x2160, paper x4 at 960x540 -> UHD, and the shipped
models at the same sizes): milliseconds per frame, frames per second, output megapixels per second and achieved
TFLOP/s (2 x convolution MACs), for float32, TF32, float16 and float16 with channels-last tensors replayed as a
CUDA graph; then float16 with the frame's host<->device copies (float32 in, `hdr` and `base` out, pinned memory);
and the float16 result's difference from float32 on a real image with the shipped weights, in 10-bit
narrow-range code values (876 codes span PQ 0..1).
--compile adds torch.compile (Inductor fuses the element-wise work around cuDNN's convolutions); --fused adds
the network with every conv -> ReLU pair as cuDNN's fused convolution + bias + ReLU (model.conv_relu), eager as
a CUDA graph and compiled (the paper x2 also at batch 2, with a kernel profile); each compiled mode records its
largest difference from float32 in codes. --autotune adds the paper x2 compiled in Inductor's max-autotune mode
(Triton convolution and matmul templates against cuDNN; a minute or more of compiling per mode).

Usage, from models/training (on the GPU machine):  python3 -m remaster_train.bench_cuda --out cuda.json \
        [--x2 x2.pt --x4 x4.pt] [--image photo.npy] [--compile] [--fused] [--autotune] [--only 'paper x2' ...]
Locally, to check the script:  /usr/bin/python3 -m remaster_train.bench_cuda --smoke --out /tmp/c.json
Without --x2/--x4, 'shipped xS' is an untrained network of the shipped configuration (configs.SHIPPED).
"""
import argparse
import copy
import json
import os
import statistics
import time

import numpy as np
import torch

from . import model as network
from .configs import SHIPPED, make_config
from .model import SRITM, SRITMConfig, load_model, macs_per_input_pixel, count_params

T0 = time.time()


def log(*a):
    print(f'[{time.time() - T0:6.1f}s]', *a, flush=True)


class Half(torch.nn.Module):
    """fp16.py's split: residual network in float16, baseline / sum / clip in float32."""

    def __init__(self, model):
        super().__init__()
        self.baseline = model.baseline
        self.net = copy.deepcopy(model).half()
        self.net.folded_last = tuple(t.half() for t in model.folded_last)   # a plain tuple: .half() skips it

    def forward(self, x):
        base = self.baseline(x)
        res = self.net.residual(x.half()).float()
        return self.net.output(x, base, res), base


def cudnn_conv_relu():
    """cuDNN's fused convolution + bias + ReLU (stride 1, same padding) as an op torch.compile treats as one opaque
    kernel: Inductor fuses the element-wise work around cuDNN's convolutions but cannot put a ReLU into them, so
    without this every conv -> ReLU pair writes the feature map and reads it back once more."""
    def layout(x, w):
        """cuDNN's rule (cudnn_conv_suggest_memory_format): channels-last output when the input or the weight is.
        An output in another layout than cuDNN's costs a transposing copy per call (measured: 12 copies, 22 ms of
        a 63-ms paper x2 frame, when this followed the input alone and the 6-channel inputs were NCHW)."""
        cl = any(t.is_contiguous(memory_format=torch.channels_last) and not t.is_contiguous() for t in (x, w))
        return torch.channels_last if cl else torch.contiguous_format

    @torch.library.custom_op('remaster::conv_relu', mutates_args=())
    def conv_relu(x: torch.Tensor, w: torch.Tensor, b: torch.Tensor, pad: int) -> torch.Tensor:
        if x.shape[1] % 8 or w.shape[0] % 8:   # cuDNN's fused engines want channel counts in multiples of 8
            y = torch.relu(torch.nn.functional.conv2d(x, w, b, padding=pad))
        else:
            y = torch.cudnn_convolution_relu(x, w, b, (1, 1), (pad, pad), (1, 1), 1)
        return y.contiguous(memory_format=layout(x, w))

    @conv_relu.register_fake
    def _(x, w, b, pad):
        n, _, h, wd = x.shape
        return torch.empty((n, w.shape[0], h + 2 * pad - w.shape[2] + 1, wd + 2 * pad - w.shape[3] + 1),
                           dtype=x.dtype, device=x.device, memory_format=layout(x, w))
    return conv_relu


class FusedConvRelu:
    """`with FusedConvRelu(op):` routes the network's conv -> ReLU pairs (model.conv_relu) through `op` (None:
    the two ops, unchanged)."""

    def __init__(self, op):
        self.op = op

    def __enter__(self):
        network.fused_conv_relu = self.op

    def __exit__(self, *exc):
        network.fused_conv_relu = None


def timed(fn, dev, seconds, min_iters=5, max_iters=60):
    """Median milliseconds of fn() after warm-up, measured with CUDA events (wall clock on CPU)."""
    for _ in range(3):
        fn()
    sync(dev)
    times = []
    t_end = time.time() + seconds
    while len(times) < min_iters or (time.time() < t_end and len(times) < max_iters):
        if dev.type == 'cuda':
            a, b = torch.cuda.Event(enable_timing=True), torch.cuda.Event(enable_timing=True)
            a.record()
            fn()
            b.record()
            b.synchronize()
            times.append(a.elapsed_time(b))
        else:
            t = time.perf_counter()
            fn()
            times.append((time.perf_counter() - t) * 1e3)
    return statistics.median(times), min(times), len(times)


def sync(dev):
    if dev.type == 'cuda':
        torch.cuda.synchronize()


def graphed(model, x):
    """The forward captured as a CUDA graph on a static input (removes per-kernel launch cost)."""
    s = torch.cuda.Stream()
    s.wait_stream(torch.cuda.current_stream())
    with torch.cuda.stream(s), torch.no_grad():
        for _ in range(3):
            model(x)
    torch.cuda.current_stream().wait_stream(s)
    g = torch.cuda.CUDAGraph()
    with torch.cuda.graph(g), torch.no_grad():
        out = model(x)
    return (lambda: g.replay()), out


def prepare(model, dev):
    """The exported graph's form (last conv folded before the last shuffle) on `dev`."""
    model = copy.deepcopy(model).cpu().eval()
    model.fold_last_conv()
    model.folded_last = tuple(t.to(dev) for t in model.folded_last)   # a plain tuple: .to() skips it
    return model.to(dev)


def bench_config(name, model, h, w, dev, seconds, do_compile, fused_op=None, extras=False, autotune=False):
    s = model.cfg.scale
    macs = macs_per_input_pixel(model.cpu(), 32, 32)
    flop = 2.0 * macs * h * w
    out_mp = s * h * s * w / 1e6
    entry = {'name': name, 'config': model.cfg.to_dict(), 'parameters': count_params(model),
             'macs_per_input_pixel': macs, 'input': [w, h], 'output': [s * w, s * h], 'modes': {}}
    m32 = prepare(model, dev)
    x = torch.rand(1, 3, h, w, device=dev)

    def record(mode, ms_med, ms_min, n):
        entry['modes'][mode] = {'ms_per_frame': round(ms_med, 2), 'ms_best': round(ms_min, 2), 'runs': n,
                                'fps': round(1e3 / ms_med, 2), 'output_mp_per_s': round(out_mp * 1e3 / ms_med, 1),
                                'tflop_per_s': round(flop / (ms_med * 1e-3) / 1e12, 2)}
        log(f'{name} {mode}: {ms_med:.2f} ms/frame ({1e3 / ms_med:.1f} fps, '
            f'{flop / (ms_med * 1e-3) / 1e12:.1f} TFLOP/s)')

    def attempt(mode, fn):
        try:
            record(mode, *timed(fn, dev, seconds))
        except Exception as e:  # one failed mode must not lose the others
            entry['modes'][mode] = {'error': f'{type(e).__name__}: {e}'[:300]}
            log(f'{name} {mode}: FAILED {e}')

    with torch.no_grad():
        if dev.type == 'cuda':
            torch.backends.cudnn.benchmark = True
            torch.backends.cuda.matmul.allow_tf32 = False
            torch.backends.cudnn.allow_tf32 = False
            attempt('fp32', lambda: m32(x))
            torch.backends.cudnn.allow_tf32 = True
            attempt('tf32', lambda: m32(x))
            torch.backends.cudnn.allow_tf32 = False
            m16 = Half(m32).to(dev)
            attempt('fp16', lambda: m16(x))
            m16cl = Half(m32).to(dev).to(memory_format=torch.channels_last)
            xcl = x.contiguous(memory_format=torch.channels_last)
            attempt('fp16_channels_last', lambda: m16cl(xcl))
            try:
                replay, out = graphed(m16cl, xcl)
                attempt('fp16_channels_last_cuda_graph', replay)
            except Exception as e:
                entry['modes']['fp16_channels_last_cuda_graph'] = {'error': f'{type(e).__name__}: {e}'[:300]}
            # the frame's copies: float32 sdr in, float32 hdr and base out (what the worker would move)
            host_in = torch.rand(1, 3, h, w).pin_memory()
            host_hdr = torch.empty(1, 3, s * h, s * w).pin_memory()
            host_base = torch.empty(1, 3, s * h, s * w).pin_memory()

            def with_copies():
                xd = host_in.to(dev, non_blocking=True).contiguous(memory_format=torch.channels_last)
                hdr, base = m16cl(xd)
                host_hdr.copy_(hdr, non_blocking=True)
                host_base.copy_(base, non_blocking=True)
            attempt('fp16_channels_last_with_host_copies', with_copies)
            ref = m32(x)[0]

            def compiled(mode, module, inp, **kw):
                """torch.compile(module) timed on inp; returns the compiled callable (None on failure)."""
                try:
                    torch._dynamo.reset()   # each mode compiles afresh (one code object's recompile limit is 8)
                    mc = torch.compile(module, dynamic=False, **kw)
                    t = time.time()
                    out = mc(inp)[0]
                    sync(dev)
                    entry.setdefault('compile_seconds', {})[mode] = round(time.time() - t, 1)
                    entry.setdefault('max_codes_vs_fp32', {})[mode] = round(float((out[:1] - ref).abs().max()) * 876, 3)
                    attempt(mode, lambda: mc(inp))
                    return mc
                except Exception as e:
                    entry['modes'][mode] = {'error': f'{type(e).__name__}: {e}'[:300]}
                    log(f'{name} {mode}: FAILED {e}')
            if do_compile:
                compiled('fp16_channels_last_torch_compile', m16cl, xcl)
            if fused_op is not None:
                with FusedConvRelu(fused_op):
                    try:   # eager: cuDNN's fused conv + ReLU, everything else unfused, replayed as a CUDA graph
                        replay, out = graphed(m16cl, xcl)
                        replay()   # a captured graph's outputs hold nothing until it is replayed
                        entry.setdefault('max_codes_vs_fp32', {})['fp16_cudnn_conv_relu_cuda_graph'] = \
                            round(float((out[0] - ref).abs().max()) * 876, 3)
                        attempt('fp16_cudnn_conv_relu_cuda_graph', replay)
                    except Exception as e:
                        entry['modes']['fp16_cudnn_conv_relu_cuda_graph'] = {'error': f'{type(e).__name__}: {e}'[:300]}
                    if do_compile:
                        mc = compiled('fp16_cudnn_conv_relu_compile', m16cl, xcl)
                        if mc is not None and extras:
                            profile(mc, xcl, entry)
                            x2 = torch.cat([xcl, xcl]).contiguous(memory_format=torch.channels_last)
                            mode = 'fp16_cudnn_conv_relu_compile_batch2'
                            compiled(mode, m16cl, x2)
                            if 'ms_per_frame' in entry['modes'].get(mode, {}):   # per frame, not per batch
                                record(mode + '_per_frame', *(v / 2 for v in (entry['modes'][mode]['ms_per_frame'],
                                                                              entry['modes'][mode]['ms_best'])),
                                       entry['modes'][mode]['runs'])
            if autotune:   # Inductor's Triton convolution and matmul templates against cuDNN (a minute of compiling)
                compiled('fp16_channels_last_max_autotune', m16cl, xcl, mode='max-autotune-no-cudagraphs')
                if fused_op is not None:
                    with FusedConvRelu(fused_op):
                        compiled('fp16_cudnn_conv_relu_max_autotune', m16cl, xcl, mode='max-autotune-no-cudagraphs')
            del m16, m16cl
        else:
            attempt('fp32', lambda: m32(x))
    del m32
    if dev.type == 'cuda':
        torch._dynamo.reset()   # compiled graphs hold their modules
        torch.cuda.empty_cache()
    return entry


def profile(fn, x, entry, rows=12):
    """The GPU kernels of one call of fn(x), most time first (where the frame's time goes)."""
    try:
        from torch.profiler import ProfilerActivity, profile as prof
        with prof(activities=[ProfilerActivity.CUDA]) as p:
            fn(x)
            torch.cuda.synchronize()
        ev = [e for e in p.key_averages()]
        key = 'device_time_total' if hasattr(ev[0], 'device_time_total') else 'cuda_time_total'
        ev.sort(key=lambda e: -getattr(e, key))
        total = sum(getattr(e, key) for e in ev)
        entry['profile'] = {'kernel_ms': round(total / 1e3, 2), 'top': [
            {'kernel': e.key[:120], 'calls': e.count, 'ms': round(getattr(e, key) / 1e3, 2)} for e in ev[:rows]]}
        for t in entry['profile']['top']:
            log(f"  {t['ms']:7.2f} ms {t['calls']:4d}x {t['kernel']}")
    except Exception as e:
        entry['profile'] = {'error': f'{type(e).__name__}: {e}'[:300]}


def fp16_accuracy(model, image, dev):
    """Max and p99.9 |fp16 - fp32| of `hdr` on a real image, in 10-bit narrow-range codes (876 per PQ unit)."""
    m32 = prepare(model, dev)
    m16 = Half(m32).to(dev)
    x = torch.from_numpy(image).to(dev)
    with torch.no_grad():
        h32, b32 = m32(x)
        h16, b16 = m16(x)
    d = ((h16 - h32).abs() * 876.0).flatten()
    return {'image_px': [int(x.shape[3]), int(x.shape[2])],
            'max_codes': round(float(d.max()), 3),
            'p99_9_codes': round(float(torch.quantile(d[:: max(1, d.numel() // 4_000_000)], 0.999)), 3),
            'mean_codes': round(float(d.mean()), 4),
            'share_over_1_code': float((d > 1.0).float().mean()),
            'base_identical': bool(torch.equal(b16, b32))}


def load_image(path, h, w):
    """An SDR frame [1,3,h,w] in [0,1] from a .npy (HWC or CHW, float or 8-bit), tiled/cropped to h x w."""
    a = np.load(path)
    if a.dtype == np.uint8:
        a = a.astype(np.float32) / 255.0
    a = a.astype(np.float32)
    if a.shape[0] == 3 and a.shape[-1] != 3:
        a = a.transpose(1, 2, 0)
    reps = (-(-h // a.shape[0]), -(-w // a.shape[1]), 1)
    a = np.tile(a, reps)[:h, :w, :3]
    return np.clip(a, 0, 1).transpose(2, 0, 1)[None].copy()


def main():
    ap = argparse.ArgumentParser(prog=f'python3 -m {__spec__.name}', description=__doc__,
                                 formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument('--out', required=True)
    ap.add_argument('--x2'), ap.add_argument('--x4')
    ap.add_argument('--image')
    ap.add_argument('--seconds', type=float, default=2.0)
    ap.add_argument('--compile', action='store_true')
    ap.add_argument('--fused', action='store_true', help="also cuDNN's fused conv + ReLU (model.conv_relu)")
    ap.add_argument('--only', nargs='*', help="configurations to run, e.g. 'paper x2' 'shipped x4' (default all)")
    ap.add_argument('--autotune', action='store_true',
                    help="paper x2 also compiled with mode='max-autotune-no-cudagraphs' (minutes of compiling)")
    ap.add_argument('--smoke', action='store_true', help='tiny sizes on whatever device (checks the script)')
    a = ap.parse_args()
    dev = torch.device('cuda' if torch.cuda.is_available() and not a.smoke else 'cpu')
    res = {'measured': time.strftime('%Y-%m-%d', time.gmtime()), 'tool': 'remaster_train.bench_cuda',
           'torch': torch.__version__, 'device': torch.cuda.get_device_name(0) if dev.type == 'cuda' else 'cpu',
           'cudnn': torch.backends.cudnn.version() if dev.type == 'cuda' else None, 'configs': [], 'fp16_accuracy': {}}
    log(res)
    hd, qhd = ((1080, 1920), (540, 960)) if not a.smoke else ((64, 96), (32, 48))

    def save():
        with open(a.out, 'w') as f:
            json.dump(res, f, indent=1)

    shipped = {}
    for s, p in ((2, a.x2), (4, a.x4)):
        if p:
            shipped[s], ck = load_model(p)
            shipped[s].eval()
            # which weights: fp16_accuracy depends on them (the speed only on the configuration)
            src = ck.get('source') or p
            run = os.path.basename(os.path.dirname(os.path.dirname(src))) if 'source' in ck else os.path.basename(p)
            res.setdefault('weights', {})[f'shipped x{s}'] = f"{run} step {ck.get('step')}"
    fused_op = None
    if a.fused and dev.type == 'cuda':
        try:
            fused_op = cudnn_conv_relu()
        except Exception as e:
            res['fused_error'] = f'{type(e).__name__}: {e}'[:300]
            log('fused op unavailable:', e)
    seconds = a.seconds if not a.smoke else 0.2
    # the paper x2 first (the goal), then the shipped models, then the paper x4
    runs = [('paper x2', lambda: SRITM(SRITMConfig.paper(2)), hd)]
    for s in (2, 4):
        runs.append((f'shipped x{s}', lambda s=s: shipped.get(s) or SRITM(make_config(SHIPPED, s)),
                     hd if s == 2 else qhd))
    runs.append(('paper x4', lambda: SRITM(SRITMConfig.paper(4)), qhd))
    for name, build, (h, w) in runs:
        if a.only and name not in a.only:
            continue
        model = build()
        if name.startswith('paper'):   # the paper model's last conv starts at zero: give it weights to compute
            torch.manual_seed(0)
            torch.nn.init.normal_(model.last.weight, std=1e-3)
        res['configs'].append(bench_config(name, model.eval(), h, w, dev, seconds, a.compile, fused_op,
                                           extras=name == 'paper x2', autotune=a.autotune and name == 'paper x2'))
        save()
    if a.image and dev.type == 'cuda':   # float16 replicate padding has no CPU kernel
        for s, model in shipped.items():
            h, w = (hd if s == 2 else qhd)
            res['fp16_accuracy'][f'shipped x{s}'] = fp16_accuracy(model, load_image(a.image, h, w), dev)
            log('fp16 accuracy', s, res['fp16_accuracy'][f'shipped x{s}'])
            save()
    res['seconds'] = round(time.time() - T0, 1)
    save()
    log('done')


if __name__ == '__main__':
    main()
