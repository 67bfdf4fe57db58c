// Render and export speed on the same frames, each beside its baseline in the same process:
// - a shot render (decode -> model -> grade -> light levels -> FFV1 cache) against the network alone on the
//   same decoded frames (goal: pipeline overhead under 10%, i.e. ratio <= 1.10);
// - an HEVC HDR10 export of that cache (encode phase) against plain ffmpeg x265 encoding the same segments with
//   the same arguments (goal: within 5%).
// Small frames (640x360 -> 1280x720, baseline model) keep it short on a 2-core machine.
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { encodeArgs } from '../../src-main/core/export/ffmpeg-args';
import { exportMaster, MASTERING_DISPLAYS } from '../../src-main/core/export';
import { InferenceClient } from '../../src-main/core/inference/client';
import { forkLauncher } from '../../src-main/core/inference/launcher';
import { upconvertFrame } from '../../src-main/core/inference/tiled';
import { createLogger } from '../../src-main/core/log';
import { createMediaService, resolveBinaries, sdrPlanes } from '../../src-main/core/media';
import { mediaInputOf, renderShot } from '../../src-main/core/render';
import { BASELINE_X2, demoManifest } from '../helpers/render-fixture';
import type { BenchContext } from './run';

const FRAMES = 24;

export default async function delivery(ctx: BenchContext): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), 'remaster-bench-delivery-'));
  const log = createLogger({ dir: join(dir, 'logs'), quiet: true });
  const client = new InferenceClient({ launcher: forkLauncher(), modelPath: BASELINE_X2, log });
  try {
    await client.start();
    const manifest = await demoManifest(log, { first: 0, last: FRAMES - 1, inputWidth: 640, segmentFrames: 12 });
    const media = createMediaService({ log, cacheDir: join(dir, 'cache') });

    // The network alone: the same frames, decoded beforehand, one after another through the same worker.
    const frames: Float32Array[] = [];
    await media.decodeRange(mediaInputOf(manifest), 0, FRAMES - 1, (f) => void frames.push(sdrPlanes(f)), {
      width: manifest.input.width,
    });
    const t0 = performance.now();
    for (const planes of frames) await upconvertFrame(client, planes, manifest.input.width, manifest.input.height);
    const networkSec = (performance.now() - t0) / 1000;

    const t1 = performance.now();
    const outcome = await renderShot(manifest, join(dir, 'renders'), { inference: client, log });
    const renderSec = (performance.now() - t1) / 1000;
    ctx.report({
      name: `shot render ${manifest.input.width}x${manifest.input.height} -> ${manifest.output.width}x${manifest.output.height}, ${FRAMES} frames (baseline-x2)`,
      value: FRAMES / renderSec,
      unit: 'fps',
      baseline: { name: 'the network alone on the same frames', value: FRAMES / networkSec, unit: 'fps' },
      ratio: renderSec / networkSec,
      note: 'ratio = render time / network time (goal <= 1.10)',
    });

    // Export: the encode phase of exportMaster against plain ffmpeg on the same segments, same arguments.
    const r = outcome.result;
    const rate = { num: 24000, den: 1001 };
    const t2 = performance.now();
    const exported = await exportMaster(
      {
        format: 'hdr10-hevc',
        out: join(dir, 'master.mp4'),
        mastering: 'p3-1000',
        frameRate: rate,
        inputs: r.segments.map((s) => ({
          file: join(outcome.dir, s.file),
          firstFrame: 0,
          frames: s.lastFrame - s.firstFrame + 1,
        })),
        light: r.light,
      },
      { log },
    );
    const exportSec = (performance.now() - t2) / 1000;
    const list = join(dir, 'segments.txt');
    writeFileSync(list, r.segments.map((s) => `file '${join(outcome.dir, s.file)}'\n`).join(''));
    const args = encodeArgs({
      format: 'hdr10-hevc',
      width: r.width,
      height: r.height,
      rate,
      mastering: MASTERING_DISPLAYS['p3-1000'],
      maxCll: exported.maxCll,
      maxFall: exported.maxFall,
      crf: 12,
      out: join(dir, 'plain.mp4'),
    });
    const pipeAt = args.indexOf('rawvideo') - 1; // '-f rawvideo ... -i -' becomes the concat demuxer
    const inputEnd = args.indexOf('-', pipeAt) + 1;
    args.splice(pipeAt, inputEnd - pipeAt, '-f', 'concat', '-safe', '0', '-i', list);
    const t3 = performance.now();
    const plain = spawnSync(resolveBinaries().ffmpeg, args, { stdio: ['ignore', 'ignore', 'pipe'] });
    const plainSec = (performance.now() - t3) / 1000;
    if (plain.status !== 0) throw new Error(`plain ffmpeg failed: ${plain.stderr.toString().slice(-400)}`);
    ctx.report({
      name: `HEVC HDR10 export, encode phase (${r.width}x${r.height}, ${FRAMES} frames)`,
      value: FRAMES / exported.seconds.encode,
      unit: 'fps',
      baseline: { name: 'plain ffmpeg x265, same segments and arguments', value: FRAMES / plainSec, unit: 'fps' },
      ratio: exported.seconds.encode / plainSec,
      note: `ratio = export encode / plain encode (goal <= 1.05); whole export with read-back ${exportSec.toFixed(1)} s, verified ${exported.ok}`,
    });
  } finally {
    await client.close();
    rmSync(dir, { recursive: true, force: true });
  }
}
