"""Reads the licensed sources into /work/.cache/remaster-training/data (not committed) and builds the fixed
validation set (x2 and x4), deterministic (seeded).

Sources: Blender studio-light HDRIs (Debian blender-data, CC0) and photographs from Debian
plasma-workspace-wallpapers (LGPLv3 / CC-BY-SA-4.0 per metadata.json). Needs python3-opencv (EXR reader).
Usage (from models/training): /usr/bin/python3 -m remaster_train.prepare_data   ($REMASTER_TRAIN_CACHE picks the folder)
  [--renders /work/data/renders]   (also caches the Blender renders for train --renders, reserved seeds left out)
Also writes val_clean_x2/x4.pt: the validation photos with the clean input (train reports 'clean photo').
"""
import argparse
import json
import os

import numpy as np
import torch
from PIL import Image

from . import data as D

PHOTO_VAL_CROP = (512, 768)   # HR crop (centre) of validation photos
HDR_VAL_ROWS = (64, 448)      # HR rows of validation HDRIs (drop the poles of the equirectangular map)
HDR_VAL_P90 = {'interior': 0.35, 'sunset': 0.45}


def main():
    ap = argparse.ArgumentParser(prog=f'python3 -m {__spec__.name}', description=__doc__,
                                 formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument('--renders', default='', metavar='DIR',
                    help='also cache the Blender renders of DIR for train --renders (reserved seeds left out)')
    a = ap.parse_args()
    os.makedirs(D.DATA, exist_ok=True)
    manifest = {'photos': [], 'hdris': []}
    for name in D.PHOTO_TRAIN + D.PHOTO_VAL:
        path = D.photo_file(name)
        im = np.asarray(Image.open(path).convert('RGB'), dtype=np.uint8)
        np.save(os.path.join(D.DATA, f'photo_{name}.npy'), im)
        lic, author = D.photo_licence(name)
        manifest['photos'].append({'name': name, 'file': path, 'licence': lic, 'author': author,
                                   'size': list(im.shape[:2]), 'split': 'val' if name in D.PHOTO_VAL else 'train'})
    for name in D.HDRI_TRAIN + D.HDRI_VAL:
        path = os.path.join(D.HDRI_DIR, name + '.exr')
        npy = os.path.join(D.DATA, f'hdri_{name}.npy')
        if os.path.exists(npy):   # already converted (or carried to a machine whose OpenCV lacks OpenEXR)
            im = np.load(npy)
        else:
            im = D.read_exr(path)
            np.save(npy, im)
        manifest['hdris'].append({'name': name, 'file': path, 'licence': 'CC0-1.0 (Greg Zaal, HDRI Haven; see '
                                  'license.txt)', 'size': list(im.shape[:2]), 'max': float(im.max()),
                                  'split': 'val' if name in D.HDRI_VAL else 'train'})
    # fixed validation set
    for s in (2, 4):
        rng = np.random.default_rng(1234 + s)
        val = [photo_item(name, s, rng) for name in D.PHOTO_VAL] + \
              [hdri_item(name, s, rng, HDR_VAL_P90[name]) for name in D.HDRI_VAL]
        torch.save(val, os.path.join(D.DATA, f'val_x{s}.pt'))
        print(f'val x{s}:', [(v['name'], v['lr'].shape, v.get('clipped_fraction')) for v in val])
        # the same photos with the clean input (issue 19's 'clean' condition), so checkpoint choice sees it too;
        # a file of its own: val_x{s}.pt and the runs that read it stay as they were
        torch.save([clean_photo_item(name, s) for name in D.PHOTO_VAL], os.path.join(D.DATA, f'val_clean_x{s}.pt'))
    if a.renders:
        manifest['renders'] = prepare_renders(a.renders)
    with open(os.path.join(D.DATA, 'manifest.json'), 'w') as f:
        json.dump(manifest, f, indent=1)
    print('wrote', D.DATA)


def val_photo_crop(name):
    """[1,3,h,w] R'G'B' of a validation photo's centre crop (PHOTO_VAL_CROP)."""
    im = np.load(os.path.join(D.DATA, f'photo_{name}.npy')).astype(np.float32) / 255.0
    h, w = PHOTO_VAL_CROP
    y0, x0 = (im.shape[0] - h) // 2, (im.shape[1] - w) // 2
    return torch.from_numpy(np.ascontiguousarray(im[y0:y0 + h, x0:x0 + w])).permute(2, 0, 1)[None]


def photo_item(name, scale, rng):
    """A validation-style item from a photograph: its centre crop, degraded (D.degrade) and mapped to the target."""
    hr = val_photo_crop(name)
    lr = D.degrade(hr, scale, rng)
    return {'name': name, 'kind': 'photo', 'lr': lr[0].numpy(), 'target': D.target_from_sdr(hr)[0].numpy()}


def clean_photo_item(name, scale):
    """photo_item's crop and target with the clean input (data.clean_lr: Keys downscale, 8-bit; no rng)."""
    hr = val_photo_crop(name)
    return {'name': name, 'kind': 'photo', 'condition': 'clean', 'lr': D.clean_lr(hr, scale)[0].numpy(),
            'target': D.target_from_sdr(hr)[0].numpy()}


def prepare_renders(folder):
    """Caches the training scenes of `folder` (D.render_seeds: the reserved seeds are never read) as
    scene-SSSSS.npy (HxWx3 float32 linear BT.709) and scene-SSSSS.mask.npy (HxW uint8 codes), with index.json."""
    out = D.render_cache(folder)
    os.makedirs(out, exist_ok=True)
    seeds = D.render_seeds(folder)
    for seed in seeds:
        lin, mask = D.read_render(folder, seed)
        np.save(os.path.join(out, f'scene-{seed:05d}.npy'), lin)
        np.save(os.path.join(out, f'scene-{seed:05d}.mask.npy'), mask)
    index = {'folder': os.path.abspath(folder), 'seeds': seeds, 'reserved_left_out': len(D.render_seeds(folder, True)),
             'rule': f'seed % {D.RENDER_RESERVED_MOD} == {D.RENDER_RESERVED_RESIDUE} reserved (heldout.py)'}
    with open(os.path.join(out, 'index.json'), 'w') as f:
        json.dump(index, f, indent=1)
    print(f'renders: {len(seeds)} training scenes of {folder} -> {out} '
          f'({index["reserved_left_out"]} reserved left out)')
    return index


def hdri_item(name, scale, rng, p90):
    """A validation-style item from an HDRI: rows HDR_VAL_ROWS exposed so that the 90th luminance percentile is at
    `p90` x SDR white; SDR clipped, encoded and degraded; the target keeps the highlights."""
    im = np.load(os.path.join(D.DATA, f'hdri_{name}.npy'))[HDR_VAL_ROWS[0]:HDR_VAL_ROWS[1]]
    lin = torch.from_numpy(np.ascontiguousarray(im)).permute(2, 0, 1)[None]
    k = D.exposure_for(lin, p90)
    sdr, tgt = D.hdr_pair(lin, k)
    lr = D.degrade(sdr, scale, rng)
    clipped = float((sdr.max(1)[0] >= 0.999).float().mean())
    return {'name': name, 'kind': 'hdr', 'lr': lr[0].numpy(), 'target': tgt[0].numpy(), 'exposure': k,
            'clipped_fraction': clipped}


if __name__ == '__main__':
    torch.set_num_threads(1)
    main()
