// Import + shot detection throughput beside ffmpeg's own scene-score pass over the same clip, and scrub latency.
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { EventHub } from '../../src-main/core/events';
import { openLibrary } from '../../src-main/core/library';
import type { Logger } from '../../src-main/core/log';
import { appRoot } from '../../src-main/core/paths';
import type { BenchContext } from './run';

const quiet: Logger = { debug() {}, info() {}, warn() {}, error() {}, child: () => quiet };

function pct(v: number[], p: number): number {
  const s = [...v].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.floor((p / 100) * s.length))];
}

export default async function (ctx: BenchContext): Promise<void> {
  const clip = join(appRoot(), 'assets', 'demo', 'demo.mp4');
  const dir = mkdtempSync(join(tmpdir(), 'remaster-bench-'));
  try {
    const lib = openLibrary({ dataDir: dir, log: quiet, events: new EventHub() });
    const frames = 240;

    // ffmpeg's own scene detection over the same clip (decode + scene score), same process run.
    let t = performance.now();
    const r = spawnSync(
      lib.media.binaries.ffmpeg,
      ['-v', 'info', '-nostdin', '-i', clip, '-an', '-vf', "select='gt(scene,0.3)',metadata=print", '-f', 'null', '-'],
      { encoding: 'utf8' },
    );
    const ffSec = (performance.now() - t) / 1000;
    if (r.status !== 0) throw new Error(`ffmpeg baseline failed: ${r.stderr}`);
    const ffFps = frames / ffSec;
    const ffCuts = (r.stderr.match(/pts_time:([\d.]+)/g) ?? []).length;

    const p1 = lib.createProject('bench detect');
    t = performance.now();
    await lib.importClips(p1.id, [clip], { proxies: false }).done;
    const detSec = (performance.now() - t) / 1000;
    ctx.report({
      name: 'import + shot detection (720p demo clip)',
      value: frames / detSec,
      unit: 'fps',
      baseline: { name: "ffmpeg select='gt(scene,0.3)'", value: ffFps, unit: 'fps' },
      ratio: frames / detSec / ffFps,
      note: `${lib.api['shots.list']({ projectId: p1.id }).length} shots found; ffmpeg's pass flagged ${ffCuts} frames`,
    });

    const p2 = lib.createProject('bench full');
    t = performance.now();
    const { clips } = await lib.importClips(p2.id, [clip]).done;
    const fullSec = (performance.now() - t) / 1000;
    ctx.report({
      name: 'import + shot detection + scrub proxies',
      value: frames / fullSec,
      unit: 'fps',
      baseline: { name: "ffmpeg select='gt(scene,0.3)'", value: ffFps, unit: 'fps' },
      ratio: frames / fullSec / ffFps,
    });

    // Scrubbing: look up the proxy frame and read its JPEG, in random order.
    const lat: number[] = [];
    for (let i = 0; i < 300; i++) {
      const f = Math.floor(Math.random() * frames);
      const s = performance.now();
      const px = lib.api['media.proxyFrame']({ clipId: clips[0].id, frame: f });
      if (!px.path) throw new Error(`no proxy for frame ${f}`);
      readFileSync(px.path);
      lat.push(performance.now() - s);
    }
    ctx.report({ name: 'scrub proxy frame p50', value: pct(lat, 50), unit: 'ms' });
    ctx.report({ name: 'scrub proxy frame p95', value: pct(lat, 95), unit: 'ms' });

    // For comparison: a frame-accurate full-resolution decode from the source (what a render or a still uses).
    const dec: number[] = [];
    for (let i = 0; i < 8; i++) {
      const s = performance.now();
      await lib.decodeFrame(clips[0].id, Math.floor(Math.random() * frames));
      dec.push(performance.now() - s);
    }
    ctx.report({
      name: 'frame-accurate 1280x720 rgb48 decode p50',
      value: pct(dec, 50),
      unit: 'ms',
      note: 'from source, seek + decode',
    });
    lib.close();
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
