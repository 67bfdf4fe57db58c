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

Usage (on the GPU machine):  python3 models/training/bench_cuda.py --out cuda.json \
        [--x2 x2.pt --x4 x4.pt] [--image photo.npy] [--compile]
Locally, to check the script:  /usr/bin/python3 models/training/bench_cuda.py --smoke --out /tmp/c.json
"""
import argparse
import copy
import json
import os
import statistics
import sys
import time

import numpy as np
import torch

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from configs import make_config  # noqa: E402
from model import SRITM, SRITMConfig, load_model, macs_per_input_pixel, count_params  # noqa: E402

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
        return torch.clamp(base + res, 0.0, 1.0), base


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


def bench_config(name, model, h, w, dev, seconds, do_compile):
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
            if do_compile and time.time() - T0 < 300:
                try:
                    mc = torch.compile(m16cl)
                    t = time.time()
                    mc(xcl)
                    sync(dev)
                    entry['compile_seconds'] = round(time.time() - t, 1)
                    attempt('fp16_channels_last_torch_compile', lambda: mc(xcl))
                except Exception as e:
                    entry['modes']['fp16_channels_last_torch_compile'] = {'error': f'{type(e).__name__}: {e}'[:300]}
            del m16, m16cl
        else:
            attempt('fp32', lambda: m32(x))
    del m32
    if dev.type == 'cuda':
        torch.cuda.empty_cache()
    return entry


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
    ap = argparse.ArgumentParser()
    ap.add_argument('--out', required=True)
    ap.add_argument('--x2'), ap.add_argument('--x4')
    ap.add_argument('--image')
    ap.add_argument('--seconds', type=float, default=2.0)
    ap.add_argument('--compile', action='store_true')
    ap.add_argument('--smoke', action='store_true', help='tiny sizes on whatever device (checks the script)')
    a = ap.parse_args()
    dev = torch.device('cuda' if torch.cuda.is_available() and not a.smoke else 'cpu')
    res = {'measured': time.strftime('%Y-%m-%d', time.gmtime()), 'tool': 'models/training/bench_cuda.py',
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
            shipped[s] = load_model(p)[0].eval()
    runs = [('paper x2', SRITM(SRITMConfig.paper(2)), hd), ('paper x4', SRITM(SRITMConfig.paper(4)), qhd)]
    for s in (2, 4):
        runs.append((f'shipped x{s}', shipped.get(s) or SRITM(make_config('small', s)), hd if s == 2 else qhd))
    for name, model, (h, w) in runs:
        if name.startswith('paper'):   # the paper model's last conv starts at zero: give it weights to compute
            torch.nn.init.normal_(model.last.weight, std=1e-3)
        res['configs'].append(bench_config(name, model.eval(), h, w, dev, a.seconds if not a.smoke else 0.2,
                                           a.compile))
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
