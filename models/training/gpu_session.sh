#!/usr/bin/env bash
# Training on a lent GPU machine, which has CUDA PyTorch but neither Debian's data packages nor a network:
#   here:   models/training/gpu_session.sh pack DIR                  (sources + initial checkpoints -> DIR, ~32 MB)
#   there:  models/training/gpu_session.sh train DIR MINUTES OUT     (x2 and x4 side by side on the one GPU)
#   here:   tar -C "$REMASTER_TRAIN_CACHE/runs" -xf OUT/x2-$RUN.tar (and x4-$RUN.tar), then remaster_train.select_checkpoint
# Environment: CONFIG (default medium), INIT_X2 / INIT_X4 (default the shipped models' runs, x2-gfx and x4-gfx;
# a narrower checkpoint is widened), RUN (run names x2-RUN and x4-RUN, default gpu2: x{2,4}-gpu hold session 4's),
# WORKERS per run (default 6), DEVICE (default cuda; cpu to try the script). Training uses --augment and --graphics 0.25
# (remaster_train.train), x2 without synthetic lights (--lights 0), as the shipped models were trained last.
# The Python stages run in this folder as modules of the package (python3 -m remaster_train.<stage>).
set -euo pipefail
HERE=$(cd "$(dirname "$0")" && pwd)
CACHE=${REMASTER_TRAIN_CACHE:-/work/.cache/remaster-training}
PY=${PY:-python3}

case "${1:-}" in
pack)
  mkdir -p "$2/wallpapers"
  D=$(cd "$2" && pwd)
  # the photographs as Debian ships them (JPEG, with their metadata.json: licence and author)
  (cd "$HERE" && /usr/bin/python3 - "$D") <<'EOF'
import os, shutil, sys
from remaster_train import data as D
out = sys.argv[1]
for name in D.PHOTO_TRAIN + D.PHOTO_VAL:
    src = D.photo_file(name)
    dst = os.path.join(out, 'wallpapers', name, 'contents', 'images', os.path.basename(src))
    os.makedirs(os.path.dirname(dst), exist_ok=True)
    shutil.copyfile(src, dst)   # follows Debian's 1920x1080.jpg -> 2560x1600.jpg link
    shutil.copyfile(os.path.join(D.WALLPAPER_DIR, name, 'metadata.json'),
                    os.path.join(out, 'wallpapers', name, 'metadata.json'))
EOF
  # the HDRIs as converted by remaster_train.prepare_data, in float16 (17.8 MB instead of 49; max 33,952 < 65,504):
  # the machine's OpenCV may lack OpenEXR's DWAB codec
  /usr/bin/python3 -c "
import numpy as np, os, sys
d = '$CACHE/data'
np.savez_compressed('$D/hdri16.npz', **{n[5:-4]: np.load(os.path.join(d, n)).astype(np.float16)
                                        for n in os.listdir(d) if n.startswith('hdri_') and n.endswith('.npy')})"
  cp "${INIT_X2:-$CACHE/runs/x2-gfx/selected.pt}" "$D/init-x2.pt"
  cp "${INIT_X4:-$CACHE/runs/x4-gfx/selected.pt}" "$D/init-x4.pt"
  du -sh "$D"
  ;;
train)
  D=$(cd "$2" && pwd); MIN=$3; mkdir -p "$4"; OUT=$(cd "$4" && pwd)
  export REMASTER_TRAIN_CACHE=${REMASTER_TRAIN_CACHE:-/tmp/remaster-gpu} REMASTER_WALLPAPER_DIR=$D/wallpapers
  mkdir -p "$REMASTER_TRAIN_CACHE/data"
  export REMASTER_TRAIN_CACHE=$(cd "$REMASTER_TRAIN_CACHE" && pwd)
  cd "$HERE"   # the stages below: python3 -m remaster_train.<stage> (every path above is absolute)
  "$PY" -c "
import numpy as np
z = np.load('$D/hdri16.npz')
for n in z.files:
    np.save('$REMASTER_TRAIN_CACHE/data/hdri_' + n + '.npy', z[n].astype(np.float32))"
  "$PY" -m remaster_train.prepare_data > "$OUT/prepare.log" 2>&1
  common=(--config "${CONFIG:-medium}" --device "${DEVICE:-cuda}" --workers "${WORKERS:-6}" --minutes "$MIN" --decay-minutes "$MIN"
          --val-minutes 1 --lr 2e-4 --lr-min 2e-5 --overshoot-weight 4 --consistency 6 --augment --graphics 0.25)
  RUN=${RUN:-gpu2}
  "$PY" -m remaster_train.train --run "x2-$RUN" --scale 2 --init-from "$D/init-x2.pt" "${common[@]}" --lights 0 > "$OUT/x2.log" 2>&1 &
  "$PY" -m remaster_train.train --run "x4-$RUN" --scale 4 --init-from "$D/init-x4.pt" "${common[@]}" > "$OUT/x4.log" 2>&1 &
  wait
  for r in "x2-$RUN" "x4-$RUN"; do tar -C "$REMASTER_TRAIN_CACHE/runs" -cf "$OUT/$r.tar" "$r"; done
  ;;
*)
  sed -n 2,8p "$0"; exit 2 ;;
esac
