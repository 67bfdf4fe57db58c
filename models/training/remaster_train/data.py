"""Data sources, synthetic degradations, targets and metrics shared by prepare_data.py, train.py and export.py."""
import io
import json
import os

import numpy as np
import torch
import torch.nn.functional as F
from PIL import Image

from . import sdrhdr

CACHE = os.environ.get('REMASTER_TRAIN_CACHE', '/work/.cache/remaster-training')
DATA = os.path.join(CACHE, 'data')
# Debian's folders; overridable for a machine without those packages (a lent GPU machine: gpu_session.sh)
HDRI_DIR = os.environ.get('REMASTER_HDRI_DIR', '/usr/share/blender/datafiles/studiolights/world')
WALLPAPER_DIR = os.environ.get('REMASTER_WALLPAPER_DIR', '/usr/share/wallpapers')

# Blender studio-light HDRIs (CC0, Greg Zaal / HDRI Haven; licence.txt next to them), 1024x512 equirectangular.
HDRI_TRAIN = ['city', 'courtyard', 'forest', 'night', 'studio', 'sunrise']
HDRI_VAL = ['interior', 'sunset']
# Photographs among plasma-workspace-wallpapers (licence from each metadata.json; LGPLv3 unless noted).
PHOTO_TRAIN = ['Autumn', 'BytheWater', 'ColdRipple', 'DarkestHour', 'EveningGlow', 'FallenLeaf', 'Grey', 'Kite',
               'Path', 'summer_1am']
PHOTO_VAL = ['ColorfulCups', 'OneStandsOut']
PHOTO_SIZE_PREF = ['1920x1080.jpg', '2560x1600.jpg']


def photo_file(name):
    d = os.path.join(WALLPAPER_DIR, name, 'contents', 'images')
    for f in PHOTO_SIZE_PREF:
        if os.path.exists(os.path.join(d, f)):
            return os.path.join(d, f)
    raise FileNotFoundError(d)


def photo_licence(name):
    with open(os.path.join(WALLPAPER_DIR, name, 'metadata.json')) as f:
        m = json.load(f)['KPlugin']
    return m.get('License', '?'), m['Authors'][0].get('Name', '?')


def read_exr(path):
    os.environ['OPENCV_IO_ENABLE_OPENEXR'] = '1'
    import cv2
    im = cv2.imread(path, cv2.IMREAD_UNCHANGED)
    if im is None:
        raise IOError(path)
    return np.ascontiguousarray(im[..., ::-1].astype(np.float32))  # BGR -> RGB, linear (BT.709 primaries)


# ------------------------------------------------------------------------------------------- degradations
def keys_down_kernel(s, a=sdrhdr.KEYS_A):
    """1-D antialiased Keys kernel for integer downscale s (MATLAB imresize style), taps offset -pl..."""
    lo = int(np.floor(-2 * s + (s - 1) / 2)) + 1
    hi = int(np.ceil(2 * s + (s - 1) / 2)) - 1
    t = np.arange(lo, hi + 1)
    d = (t - (s - 1) / 2) / s
    x = np.abs(d)
    w = np.where(x <= 1, (a + 2) * x ** 3 - (a + 3) * x ** 2 + 1,
                 np.where(x < 2, a * x ** 3 - 5 * a * x ** 2 + 8 * a * x - 4 * a, 0.0))
    return w / w.sum(), -lo


def keys_downscale(x, s):
    """torch [N,C,H,W] (H,W multiples of s) -> [N,C,H/s,W/s], antialiased Keys, edge clamp."""
    w, pl = keys_down_kernel(s)
    k = len(w)
    ker = torch.tensor(np.outer(w, w), dtype=x.dtype)[None, None].repeat(x.shape[1], 1, 1, 1)
    xp = F.pad(x, (pl, k, pl, k), mode='replicate')
    y = F.conv2d(xp, ker, stride=s, groups=x.shape[1])
    return y[..., :x.shape[-2] // s, :x.shape[-1] // s]


def jpeg(img01, quality, subsampling=2):
    """img01: float numpy [H,W,3] in [0,1] -> JPEG round trip (8-bit)."""
    u8 = np.clip(np.round(img01 * 255.0), 0, 255).astype(np.uint8)
    buf = io.BytesIO()
    Image.fromarray(u8).save(buf, format='JPEG', quality=int(quality), subsampling=subsampling)
    return np.asarray(Image.open(io.BytesIO(buf.getvalue())).convert('RGB'), dtype=np.float32) / 255.0


def clean_lr(hr_sdr, s):
    """hr_sdr: torch [N,3,H,W] R'G'B' in [0,1] -> the clean LR input of a master (issue 19's 'clean' condition):
    antialiased Keys downscale and 8-bit quantisation, no noise, no compression."""
    return torch.round(keys_downscale(hr_sdr, s).clamp(0, 1) * 255.0) / 255.0


def degrade(hr_sdr, s, rng, strength=1.0, clean_share=0.0):
    """hr_sdr: torch [N,3,H,W] R'G'B' in [0,1] -> LR SDR input: Keys downscale, mild noise, 8-bit, JPEG-like.
    With clean_share > 0 that share of the samples (drawn per sample) is clean_lr instead: trained on degraded
    input only, the model smoothed real texture of clean sources (issue 19). At 0 no extra random numbers are
    drawn, so the stream (and the shipped recipe) is unchanged."""
    lr = keys_downscale(hr_sdr, s).clamp(0, 1)
    out = []
    for i in range(lr.shape[0]):
        if clean_share > 0 and rng.random() < clean_share:
            out.append(torch.round(lr[i] * 255.0) / 255.0)   # = clean_lr of this sample
            continue
        im = lr[i].permute(1, 2, 0).numpy()
        sigma = rng.uniform(0.0, 2.0) / 255.0 * strength
        im = np.clip(im + rng.normal(0.0, 1.0, im.shape).astype(np.float32) * sigma, 0, 1)
        if rng.random() < 0.7 * strength + (1 - strength) * 0:
            im = jpeg(im, rng.integers(60, 96))
        else:
            im = np.round(im * 255.0) / 255.0
        out.append(torch.from_numpy(np.ascontiguousarray(im)).permute(2, 0, 1))
    return torch.stack(out).float()


# ----------------------------------------------------------------------------------------------- graphics
def graphics_colour(rng):
    """A graphics colour: mostly a primary, secondary, white or black at 75 % or 100 % (colour bars, titles), else
    any R'G'B'."""
    if rng.random() < 0.7:
        return rng.integers(0, 2, 3).astype(np.float32) * (0.75 if rng.random() < 0.5 else 1.0)
    return rng.uniform(0.0, 1.0, 3).astype(np.float32)


def hard_graphic(rng, hp):
    """A synthetic hp x hp R'G'B' graphic [H,W,3] float32: vertical bars, flat rectangles, thin lines and a ramp, with
    hard edges. Test signals, titles and logos are not in the photographs, the models moved flat saturated patches
    of colour bars by up to 100 codes and a 100 % white patch by +100 (error_budget.py), and on them the right
    answer is the baseline (train --graphics; the graphics choice set)."""
    im = np.empty((hp, hp, 3), np.float32)
    im[:] = graphics_colour(rng)
    if rng.random() < 0.5:   # bars
        for e in np.sort(rng.integers(0, hp, int(rng.integers(2, 9)))):
            im[:, e:] = graphics_colour(rng)
    for _ in range(int(rng.integers(1, 7))):   # flat patches and lines (1-3 px)
        y0, x0 = rng.integers(0, hp, 2)
        h, w = (rng.integers(1, 4), rng.integers(4, hp)) if rng.random() < 0.3 else rng.integers(3, hp // 2 + 1, 2)
        im[y0:y0 + h, x0:x0 + w] = graphics_colour(rng)
    if rng.random() < 0.25:   # a ramp
        y0 = int(rng.integers(0, hp - 4))
        im[y0:y0 + hp // 4] = np.linspace(0, 1, hp, dtype=np.float32)[None, :, None] * graphics_colour(rng).clip(0.5, 1)
    return im


def smooth_graphic(rng, hp):
    """A synthetic hp x hp R'G'B' graphic [H,W,3] float32: a linear gradient at any angle under 1-3 soft-edged discs
    (backgrounds, skies and vignettes of titles and animation), the kind of smooth picture on which the network
    shifted levels by a fraction of a code (models/training/NOTES.md)."""
    y, x = np.mgrid[0:hp, 0:hp] / float(hp)
    c0, c1, a = rng.uniform(0.05, 0.95, 3), rng.uniform(0.05, 0.95, 3), rng.uniform(0, 2 * np.pi)
    ca, sa = np.cos(a), np.sin(a)
    t = np.clip((ca * x + sa * y - (min(0, ca) + min(0, sa))) / (abs(ca) + abs(sa)), 0, 1)
    im = c0[:, None, None] * (1 - t) + c1[:, None, None] * t
    for _ in range(int(rng.integers(1, 4))):
        cx, cy, rad, col = rng.uniform(0, 1), rng.uniform(0, 1), rng.uniform(0.1, 0.4), rng.uniform(0.05, 0.95, 3)
        w = np.clip((rad - np.sqrt((x - cx) ** 2 + (y - cy) ** 2)) / rng.uniform(0.01, 0.1), 0, 1)
        im = im * (1 - w) + col[:, None, None] * w
    return np.ascontiguousarray(im.transpose(1, 2, 0), dtype=np.float32)


GRAPHICS_CHOICE_SEED = 1000   # seeds 1000.. : the graphics choice set (training draws graphics from its own stream)


def graphics_choice_set(scale, n=24, size=384):
    """Checkpoint- and stage-choice entries ('graphic' kind) of synthetic graphics, clean input: even k a smooth
    graphic, odd k a hard-edged one, each 8-bit like a master; target = the baseline mapping of the clean graphic."""
    out = []
    for k in range(n):
        rng = np.random.default_rng(GRAPHICS_CHOICE_SEED + k)
        im = (smooth_graphic if k % 2 == 0 else hard_graphic)(rng, size)
        hr = torch.from_numpy(np.round(im * 255.0) / 255.0).permute(2, 0, 1)[None].float()
        out.append({'name': f'graphic-{k:02d}', 'kind': 'graphic', 'lr': clean_lr(hr, scale)[0].numpy(),
                    'target': target_from_sdr(hr)[0].numpy()})
    return out


# ------------------------------------------------------------------------------------------------ targets
M = torch.tensor(sdrhdr.M709_TO_2020, dtype=torch.float64).float().reshape(3, 3, 1, 1)
HDR_PEAK_REL = 1000.0 / sdrhdr.SDR_WHITE_NITS


def pq_torch(nits):
    y = torch.clamp(nits, min=0.0) / 10000.0
    ym = torch.pow(y, sdrhdr.PQ_M1)
    return torch.pow((sdrhdr.PQ_C1 + sdrhdr.PQ_C2 * ym) / (1.0 + sdrhdr.PQ_C3 * ym), sdrhdr.PQ_M2)


def target_from_sdr(hr_sdr):
    """Photo target: the BT.2408 mapping of the (clean, full-resolution) SDR R'G'B'."""
    lin = torch.pow(hr_sdr.clamp(0, 1), sdrhdr.GAMMA) * sdrhdr.SDR_WHITE_NITS
    return pq_torch(F.conv2d(lin, M))


def hdr_pair(lin709, exposure):
    """Scene-linear BT.709 [N,3,H,W] x exposure -> (SDR R'G'B' made by clipping + BT.1886 encoding,
    HDR target: same light, SDR white at 203 cd/m2, highlights kept up to 1000 cd/m2, BT.2020 PQ)."""
    rel = (lin709 * exposure).clamp(min=0.0)
    sdr = torch.pow(rel.clamp(max=1.0), 1.0 / sdrhdr.GAMMA)
    nits = rel.clamp(max=HDR_PEAK_REL) * sdrhdr.SDR_WHITE_NITS
    return sdr, pq_torch(F.conv2d(nits, M))


def luminance709(lin):
    return 0.2126 * lin[..., 0, :, :] + 0.7152 * lin[..., 1, :, :] + 0.0722 * lin[..., 2, :, :]


def exposure_for(lin709, p90_target):
    """Exposure that puts the 90th luminance percentile at p90_target (relative SDR linear)."""
    y = luminance709(lin709).flatten()
    p = float(torch.quantile(y[:: max(1, y.numel() // 200000)], 0.9))
    return p90_target / max(p, 1e-6)


# ------------------------------------------------------------------------------------------------ metrics
def psnr_pq(a, b):
    mse = float(np.mean((np.asarray(a, np.float64) - np.asarray(b, np.float64)) ** 2))
    return 10.0 * np.log10(1.0 / max(mse, 1e-20))


_LMS = np.array([[1688, 2146, 262], [683, 2951, 462], [99, 309, 3688]], dtype=np.float64) / 4096.0
_ICTCP = np.array([[2048, 2048, 0], [6610, -13613, 7003], [17933, -17390, -543]], dtype=np.float64) / 4096.0


def ictcp_from_pq2020(pq):
    """pq: [3,H,W] BT.2020 PQ R'G'B' -> ICtCp (BT.2100)."""
    nits = sdrhdr.pq_eotf(np.asarray(pq, np.float64))
    lms = np.einsum('ij,jhw->ihw', _LMS, nits)
    return np.einsum('ij,jhw->ihw', _ICTCP, sdrhdr.pq_inverse_eotf(lms))


def intensity_code(pq):
    """[3,H,W] BT.2020 PQ -> 10-bit narrow-range code of ICtCp's I."""
    return np.round(64 + 876 * ictcp_from_pq2020(pq)[0])


def luminance_nits(pq):
    n = sdrhdr.pq_eotf(np.asarray(pq, np.float64))
    return 0.2627 * n[0] + 0.6780 * n[1] + 0.0593 * n[2]   # BT.2020 luminance


FALSE_LIGHT_STEP = 20   # 10-bit codes of ICtCp I above the baseline that count as a raise (issue 19)


def false_light_counts(hdr, base, target):
    """Issue 19's false light on an SDR-sourced picture: (pixels raised more than FALSE_LIGHT_STEP codes above the
    baseline, pixels eligible: target at or below SDR white). heldout.py reports it; train.py can cap it."""
    eligible = luminance_nits(target) <= sdrhdr.SDR_WHITE_NITS * 1.0001
    raised = intensity_code(hdr) - intensity_code(base) > FALSE_LIGHT_STEP
    return int((raised & eligible).sum()), int(eligible.sum())


def delta_e_itp(a, b):
    """Mean ΔE_ITP (ITU-R BT.2124) between two BT.2020 PQ images [3,H,W]."""
    x, y = ictcp_from_pq2020(a), ictcp_from_pq2020(b)
    d = np.stack([x[0] - y[0], 0.5 * (x[1] - y[1]), x[2] - y[2]])
    return float(np.mean(720.0 * np.sqrt(np.sum(d * d, axis=0))))


_LMS_T = torch.tensor(_LMS, dtype=torch.float32)
_ICTCP_T = torch.tensor(_ICTCP, dtype=torch.float32)


def ictcp_torch(pq):
    """Differentiable ictcp_from_pq2020 for [N,3,H,W] tensors (for a chroma loss). The clamps keep the PQ curve's
    infinite slope at 0 out of the gradients."""
    p = torch.pow(pq.clamp(1e-6, 1.0), 1.0 / sdrhdr.PQ_M2)
    y = torch.pow((p - sdrhdr.PQ_C1).clamp(min=0.0) / (sdrhdr.PQ_C2 - sdrhdr.PQ_C3 * p), 1.0 / sdrhdr.PQ_M1)
    lms = torch.einsum('ij,njhw->nihw', _LMS_T.to(pq.device), y).clamp(min=1e-10)
    return torch.einsum('ij,njhw->nihw', _ICTCP_T.to(pq.device), pq_torch(lms * 10000.0))


# ------------------------------------------------------------------------------------- rendered scenes
# Blender scenes (blender/README.md) whose seed % RENDER_RESERVED_MOD == RENDER_RESERVED_RESIDUE are reserved for
# the held-out report (heldout.py): this is the one place that says which, training and checkpoint choice ask it.
RENDER_RESERVED_MOD, RENDER_RESERVED_RESIDUE = 10, 9
RENDER_CODES = {'sky': 0, 'diffuse_white': 1, 'emitter': 2, 'other': 3}   # scene-SSSSS.mask.png
WHITE_QUANTILE = 0.99   # share of a scene's diffuse-white pixels kept at or below SDR white by white_safe_exposure


def render_reserved(seed):
    """True for a render seed kept for the held-out report: never for training or checkpoint choice."""
    return int(seed) % RENDER_RESERVED_MOD == RENDER_RESERVED_RESIDUE


RENDER_CHOICE_RESIDUE = 8   # seed % RENDER_RESERVED_MOD == 8: train --val-renders' checkpoint-choice scenes


def render_choice(seed):
    """True for a render seed that train --val-renders keeps out of training to choose checkpoints on."""
    return int(seed) % RENDER_RESERVED_MOD == RENDER_CHOICE_RESIDUE


def render_choice_set(folder, scale):
    """train --val-renders: the checkpoint-choice scenes of a render folder as validation entries ('render' kind):
    the clean input (Keys downscale, 8-bit) of the scene's SDR, the rendered radiance as the target (exposure 1:
    the generator's camera operator set it), cropped to a multiple of 4."""
    out = []
    for seed in render_seeds(folder):
        if not render_choice(seed):
            continue
        stem = os.path.join(folder, f'scene-{seed:05d}')
        lin = torch.from_numpy(np.ascontiguousarray(read_exr(stem + '.exr'), dtype=np.float32)).permute(2, 0, 1)
        h, w = lin.shape[-2:]
        sdr, tgt = hdr_pair(lin[None, :, :h - h % 4, :w - w % 4], 1.0)
        out.append({'name': f'scene-{seed:05d}', 'kind': 'render', 'lr': clean_lr(sdr, scale)[0].numpy(),
                    'target': tgt[0].numpy()})
    return out


def render_seeds(folder, reserved=False):
    """Seeds of the complete, usable scenes in `folder` (sidecar written last, EXR and mask present, `usable` not
    false): the training ones (not reserved) by default, only the reserved ones with reserved=True."""
    seeds = []
    for f in sorted(os.listdir(folder)):
        if not (f.startswith('scene-') and f.endswith('.json')):
            continue
        seed = int(f[6:-5])
        stem = os.path.join(folder, f[:-5])
        if render_reserved(seed) != reserved:
            continue
        with open(stem + '.json') as fh:
            if json.load(fh).get('usable') is False:
                continue
        if os.path.exists(stem + '.exr') and os.path.exists(stem + '.mask.png'):
            seeds.append(seed)
    return seeds


def read_render(folder, seed):
    """(scene-linear BT.709 HxWx3 float32 with the camera exposure baked in, HxW uint8 mask codes)."""
    stem = os.path.join(folder, f'scene-{int(seed):05d}')
    lin = read_exr(stem + '.exr')
    mask = np.asarray(Image.open(stem + '.mask.png').convert('L'), dtype=np.uint8)
    if mask.shape != lin.shape[:2]:
        raise ValueError(f'{stem}: mask {mask.shape} does not match the EXR {lin.shape[:2]}')
    return lin, mask


def white_safe_exposure(lin709, white_mask, exposure, quantile=WHITE_QUANTILE):
    """`exposure` lowered (never raised) so that the `quantile` of the diffuse-white pixels' largest BT.709 channel
    lands at or below SDR white: the SDR frame does not clip them and the target keeps them at 203 cd/m2, so the
    pair teaches 'white stays white' while emitters, sky and speculars may still go above it. The largest channel,
    not the luminance: a tinted white clips in one channel first. lin709: [..,3,H,W] tensor, white_mask: [H,W]."""
    m = torch.as_tensor(np.asarray(white_mask, dtype=bool))
    if not bool(m.any()):
        return exposure
    w = lin709.reshape(-1, *lin709.shape[-3:])[0].amax(0)[m]
    q = float(torch.quantile(w[:: max(1, w.numel() // 200000)].double(), quantile))
    return min(exposure, 1.0 / q) if q > 0 else exposure


def render_cache(folder):
    """Where prepare_data --renders caches the training scenes of `folder` (one subfolder per render folder)."""
    return os.path.join(DATA, 'renders', os.path.basename(os.path.normpath(folder)))
