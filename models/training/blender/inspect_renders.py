"""Statistics over rendered scenes and a tone-mapped contact sheet to look at them.

    /usr/bin/python3 models/training/blender/inspect_renders.py /work/data/renders [--sheet /tmp/sheet.png]

Reads each scene-SSSSS.exr back with OpenCV (python3-opencv, OPENCV_IO_ENABLE_OPENEXR) and its mask PNG, checks
the EXR against the sidecar's statistics, and prints per-set figures: render seconds, peak / median luminance,
share of pixels above diffuse white (luminance > 1), share of diffuse-white and emitter pixels.
"""
import argparse
import glob
import json
import os

import numpy as np
from PIL import Image

os.environ['OPENCV_IO_ENABLE_OPENEXR'] = '1'
import cv2  # noqa: E402

LUMA = np.array([0.2126, 0.7152, 0.0722], np.float32)


def read_exr(path):
    im = cv2.imread(path, cv2.IMREAD_UNCHANGED)
    if im is None:
        raise IOError(path)
    return np.ascontiguousarray(im[..., ::-1].astype(np.float32))


def preview(rgb, mask):
    """Clip at 1 (what SDR shows) | the same 3 EV darker (what HDR holds above white) | mask colours."""
    def srgb(x):
        x = np.clip(x, 0, 1)
        return np.where(x <= 0.0031308, 12.92 * x, 1.055 * x ** (1 / 2.4) - 0.055)
    pal = np.array([[0, 0, 0.5], [1, 1, 1], [1, 0.6, 0], [0.3, 0.3, 0.3]], np.float32)
    m = pal[np.clip(mask, 0, 3)]
    return (np.concatenate([srgb(rgb), srgb(rgb / 8), m], axis=1) * 255 + 0.5).astype(np.uint8)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument('dir')
    ap.add_argument('--sheet', help='write a contact sheet PNG (one row per scene)')
    ap.add_argument('--rows', type=int, default=8, help='scenes on the sheet')
    a = ap.parse_args()
    files = sorted(glob.glob(os.path.join(a.dir, 'scene-*.json')))
    if not files:
        raise SystemExit(f'no scene-*.json in {a.dir}')
    rows, recs = [], []
    for jf in files:
        side = json.load(open(jf))
        base = jf[:-len('.json')]
        rgb = read_exr(base + '.exr')
        mask = np.asarray(Image.open(base + '.mask.png'))
        lum = rgb @ LUMA
        med = float(np.median(lum))
        # the EXR written by Blender must hold what the sidecar says (exposure baked in, float32)
        assert abs(float(lum.max()) - side['stats']['peak_lum']) <= 1e-3 * side['stats']['peak_lum'] + 1e-6, jf
        assert set(np.unique(mask)) <= {0, 1, 2, 3}, (jf, np.unique(mask))
        white = lum[mask == 1]
        recs.append({'seed': side['seed'], 'kind': side['kind'], 'sec': side['render_seconds'],
                     'peak_med': float(lum.max()) / max(med, 1e-9), 'above1': float((lum > 1).mean()),
                     'white': float((mask == 1).mean()), 'emit': float((mask == 2).mean()),
                     'white_above1': float((white > 1).mean()) if white.size else float('nan'),
                     'white_med': float(np.median(white)) if white.size else float('nan'), 'ev': side['exposure_ev'],
                     'usable': side.get('usable', True), 'above1_by_code': np.bincount(mask[lum > 1], minlength=4)})
        if a.sheet and len(rows) < a.rows:
            rows.append(preview(rgb, mask))
    print(f'{len(recs)} scenes; kinds: ' + ', '.join(f'{k} {sum(r["kind"] == k for r in recs)}'
                                                     for k in sorted({r['kind'] for r in recs})))
    for key, label in [('sec', 'render seconds'), ('peak_med', 'peak / median luminance'),
                       ('above1', 'share of pixels above diffuse white (lum > 1)'),
                       ('white', 'share of diffuse-white mask pixels'), ('emit', 'share of emitter mask pixels'),
                       ('white_med', 'median luminance of diffuse-white pixels'),
                       ('white_above1', 'share of diffuse-white pixels above 1'), ('ev', 'exposure EV')]:
        v = np.array([r[key] for r in recs], float)
        v = v[np.isfinite(v)]
        print(f'{label:48s} median {np.median(v):9.4g}  p10 {np.percentile(v, 10):9.4g}  '
              f'p90 {np.percentile(v, 90):9.4g}  min {v.min():9.4g}  max {v.max():9.4g}  (n={v.size})')
    print('scenes with diffuse-white pixels: %d of %d; not usable (no light): %s' % (
        sum(r['white'] > 0 for r in recs), len(recs), [r['seed'] for r in recs if not r['usable']]))
    by = np.sum([r['above1_by_code'] for r in recs], axis=0)
    print('pixels above 1 over the set, by mask code: ' + ', '.join(
        f'{n} {100 * v / max(by.sum(), 1):.1f}%' for n, v in zip(['sky', 'diffuse white', 'emitter', 'other'], by)))
    print('per-kind median render seconds: ' + ', '.join(
        f'{k} {np.median([r["sec"] for r in recs if r["kind"] == k]):.1f}' for k in sorted({r['kind'] for r in recs})))
    if a.sheet:
        Image.fromarray(np.concatenate(rows, axis=0)).save(a.sheet)
        print('sheet', a.sheet)


if __name__ == '__main__':
    main()
