"""Analytic SDR BT.709 -> HDR10 (BT.2020 PQ) baseline, shared by the numpy reference, the torch model and the
ONNX graph builder.  See models/README.md and /work/shared/HDR-STANDARDS.md.

Baseline (ITU-R BT.2408 display-referred mapping):
  Keys bicubic (a=-0.5, half-pixel, edge clamp) upscale of R'G'B' -> clamp [0,1] -> BT.1886 L = V^2.4
  -> nits = 203 * L -> BT.709->BT.2020 linear matrix -> PQ inverse EOTF.
"""
import numpy as np

SDR_WHITE_NITS = 203.0
GAMMA = 2.4
PQ_M1 = 2610.0 / 16384.0
PQ_M2 = 2523.0 / 4096.0 * 128.0
PQ_C1 = 3424.0 / 4096.0
PQ_C2 = 2413.0 / 4096.0 * 32.0
PQ_C3 = 2392.0 / 4096.0 * 32.0
KEYS_A = -0.5

BT709_PRIMARIES = ((0.640, 0.330), (0.300, 0.600), (0.150, 0.060))
BT2020_PRIMARIES = ((0.708, 0.292), (0.170, 0.797), (0.131, 0.046))
D65 = (0.3127, 0.3290)


def rgb_to_xyz_matrix(primaries, white):
    """RGB->XYZ matrix (float64) from xy primaries and white point."""
    cols = []
    for x, y in primaries:
        cols.append([x / y, 1.0, (1.0 - x - y) / y])
    p = np.array(cols, dtype=np.float64).T
    wx, wy = white
    w = np.array([wx / wy, 1.0, (1.0 - wx - wy) / wy], dtype=np.float64)
    s = np.linalg.solve(p, w)
    return p * s[None, :]


def bt709_to_bt2020_matrix():
    m = np.linalg.inv(rgb_to_xyz_matrix(BT2020_PRIMARIES, D65)) @ rgb_to_xyz_matrix(BT709_PRIMARIES, D65)
    return m  # float64


M709_TO_2020 = bt709_to_bt2020_matrix()
M709_TO_2020_F32 = M709_TO_2020.astype(np.float32)
BT2087 = np.array([[0.6274, 0.3293, 0.0433], [0.0691, 0.9195, 0.0114], [0.0164, 0.0880, 0.8956]])
assert np.all(np.round(M709_TO_2020, 4) == BT2087), M709_TO_2020


def pq_inverse_eotf(nits):
    y = np.maximum(nits, 0.0) / 10000.0
    ym = np.power(y, PQ_M1)
    return np.power((PQ_C1 + PQ_C2 * ym) / (1.0 + PQ_C3 * ym), PQ_M2)


def pq_eotf(e):
    """PQ signal [0,1] -> cd/m2."""
    e = np.clip(e, 0.0, 1.0)
    ep = np.power(e, 1.0 / PQ_M2)
    y = np.power(np.maximum(ep - PQ_C1, 0.0) / (PQ_C2 - PQ_C3 * ep), 1.0 / PQ_M1)
    return y * 10000.0


def keys_weights(t, a=KEYS_A):
    """Keys cubic weights for fractional offset t (array), taps at -1,0,1,2."""
    def k(x):
        x = np.abs(x)
        return np.where(x <= 1, (a + 2) * x ** 3 - (a + 3) * x ** 2 + 1,
                        np.where(x < 2, a * x ** 3 - 5 * a * x ** 2 + 8 * a * x - 4 * a, 0.0))
    return np.stack([k(t + 1), k(t), k(1 - t), k(2 - t)], axis=-1)


def resize_keys_1d(x, scale, axis):
    """Keys cubic upscale by integer `scale` along axis: half-pixel centres, edge clamp (= ONNX Resize cubic,
    cubic_coeff_a=-0.5, half_pixel, exclude_outside=0)."""
    x = np.moveaxis(np.asarray(x, dtype=np.float64), axis, -1)
    n = x.shape[-1]
    out_n = n * scale
    src = (np.arange(out_n) + 0.5) / scale - 0.5
    i0 = np.floor(src).astype(np.int64)
    t = src - i0
    w = keys_weights(t)
    out = np.zeros(x.shape[:-1] + (out_n,), dtype=np.float64)
    for k in range(4):
        idx = np.clip(i0 - 1 + k, 0, n - 1)
        out += x[..., idx] * w[:, k]
    return np.moveaxis(out, -1, axis)


def keys_phase_kernel(scale, a=KEYS_A):
    """Depthwise 5x5 kernels (s*s sub-pixel phases, CRD order) reproducing Keys bicubic x`scale` with half-pixel
    centres, used after an edge pad of 2 and followed by a depth-to-space (pixel shuffle). [s*s, 1, 5, 5] float64.
    How the trained models and baseline-x*.onnx compute the upscale: faster in onnxruntime than its cubic Resize."""
    taps = np.zeros((scale, 5))
    for p in range(scale):
        src = (p + 0.5) / scale - 0.5        # relative to the input pixel index i
        i0 = int(np.floor(src))
        w = keys_weights(np.array([src - i0]), a)[0]
        for k in range(4):
            taps[p, i0 - 1 + k + 2] += w[k]
    return np.einsum('pi,qj->pqij', taps, taps).reshape(scale * scale, 1, 5, 5)


def resize_keys(x, scale):
    """x: [..., H, W] -> [..., sH, sW]."""
    return resize_keys_1d(resize_keys_1d(x, scale, -2), scale, -1)


def sdr_to_hdr_linear_nits(rgb709_gamma):
    """[...,3,H,W] BT.709 R'G'B' (already clamped) -> BT.2020 linear cd/m2 (float64)."""
    lin = np.power(np.clip(rgb709_gamma, 0.0, 1.0), GAMMA) * SDR_WHITE_NITS
    return np.einsum('ij,...jhw->...ihw', M709_TO_2020, lin)


def baseline_numpy(sdr, scale):
    """Reference of the baseline in float64: sdr [N,3,h,w] in [0,1] -> PQ [N,3,sh,sw]."""
    up = resize_keys(np.asarray(sdr, dtype=np.float64), scale) if scale != 1 else np.asarray(sdr, np.float64)
    return pq_inverse_eotf(sdr_to_hdr_linear_nits(np.clip(up, 0.0, 1.0)))


def linear2020_nits_to_pq(nits):
    return pq_inverse_eotf(nits)
