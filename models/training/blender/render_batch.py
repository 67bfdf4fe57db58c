"""Render a seed range in chunks, one Blender process per chunk, skipping scenes already rendered.

    /usr/bin/python3 models/training/blender/render_batch.py --out /work/data/renders --first 0 --count 1000 \
        [--chunk 25] [--threads 1] [--jobs 1] [--size 256] [--samples 32] [--nice 10]

A scene counts as rendered when its sidecar scene-SSSSS.json exists (written last, atomically), so the batch can
be stopped and started again at any time. Each chunk's Blender log goes to OUT/logs/.
"""
import argparse
import os
import subprocess
import sys
import time
from concurrent.futures import ThreadPoolExecutor

HERE = os.path.dirname(os.path.abspath(__file__))


def missing(out, seeds):
    return [s for s in seeds if not os.path.exists(os.path.join(out, f'scene-{s:05d}.json'))]


def run_chunk(a, start, n):
    todo = missing(a.out, range(start, start + n))
    if not todo:
        return start, 0, 0.0, 0
    log = os.path.join(a.out, 'logs', f'chunk-{start:05d}-{start + n - 1:05d}.log')
    cmd = ['nice', '-n', str(a.nice), a.blender, '-b', '--factory-startup', '-P', os.path.join(HERE, 'scenes.py'),
           '--', '--out', a.out, '--first', str(todo[0]), '--count', str(todo[-1] - todo[0] + 1),
           '--size', str(a.size), '--samples', str(a.samples), '--threads', str(a.threads), '--skip-existing',
           '--adaptive', str(a.adaptive), '--max-samples', str(a.max_samples)]
    t0 = time.time()
    with open(log, 'a') as f:
        # a stuck Blender must not hang the batch: a generous limit per scene
        rc = subprocess.run(cmd, stdout=f, stderr=subprocess.STDOUT, timeout=a.timeout_per_scene * len(todo)
                            ).returncode
    left = missing(a.out, todo)
    if rc != 0 or left:
        print(f'chunk {start}: Blender exit {rc}, {len(left)} scenes not written (see {log})', file=sys.stderr)
    return start, len(todo) - len(left), time.time() - t0, len(left)


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument('--out', required=True)
    ap.add_argument('--first', type=int, default=0)
    ap.add_argument('--count', type=int, required=True)
    ap.add_argument('--chunk', type=int, default=25, help='scenes per Blender process')
    ap.add_argument('--threads', type=int, default=1, help='Cycles threads per Blender process')
    ap.add_argument('--jobs', type=int, default=1, help='Blender processes at once')
    ap.add_argument('--size', type=int, default=256)
    ap.add_argument('--samples', type=int, default=64)
    ap.add_argument('--adaptive', type=float, default=0.0, help='Cycles adaptive threshold (0 = off)')
    ap.add_argument('--max-samples', type=int, default=0, help='with --adaptive: the most samples per pixel')
    ap.add_argument('--nice', type=int, default=10)
    ap.add_argument('--timeout-per-scene', type=float, default=600)
    ap.add_argument('--blender', default='blender')
    a = ap.parse_args()
    if a.count < 1 or a.chunk < 1 or a.threads < 1 or a.jobs < 1:
        ap.error('--count, --chunk, --threads and --jobs must be >= 1')
    os.makedirs(os.path.join(a.out, 'logs'), exist_ok=True)
    chunks = [(s, min(a.chunk, a.first + a.count - s)) for s in range(a.first, a.first + a.count, a.chunk)]
    t0 = time.time()
    done = failed = 0
    with ThreadPoolExecutor(a.jobs) as ex:
        for start, ok, sec, bad in ex.map(lambda c: run_chunk(a, *c), chunks):
            done += ok
            failed += bad
            if ok or bad:
                print(f'chunk {start}: {ok} rendered in {sec:.0f} s ({sec / max(ok, 1):.1f} s/scene)', flush=True)
    print(f'{done} rendered, {failed} failed, {len(missing(a.out, range(a.first, a.first + a.count)))} missing '
          f'of {a.count}, {time.time() - t0:.0f} s')
    sys.exit(1 if failed else 0)


if __name__ == '__main__':
    main()
