// Shot renders into the render cache: real ffmpeg decode and lossless (FFVHuff) encode, the real worker with the analytic
// baseline model, the real grade. Frames are read back from the cache and checked against an independent
// up-conversion; a render killed with SIGKILL resumes and ends byte-identical to an uninterrupted one.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { applyGradeFrame, measureFrame, pqFloatPlanesToFrame } from '../../src-main/common/colour';
import { RenderResult, type RenderManifest, type RenderProgress } from '../../src-main/common/contract/render';
import { InferenceClient } from '../../src-main/core/inference/client';
import { forkLauncher } from '../../src-main/core/inference/launcher';
import { upconvertFrame } from '../../src-main/core/inference/tiled';
import { createLogger } from '../../src-main/core/log';
import { createMediaService } from '../../src-main/core/media';
import { run } from '../../src-main/core/media/ffmpeg';
import { appRoot } from '../../src-main/core/paths';
import {
  BoundedQueue,
  manifestHash,
  mediaInputOf,
  readManifestFile,
  renderShot,
  runRenderShot,
  segmentFile,
  segmentRecordFile,
} from '../../src-main/core/render';
import { BACKGROUND_PRIORITY } from '../../src-main/core/media';
import { openSegmentEncoder } from '../../src-main/core/render/segment-encoder';
import { shotJobData } from '../../src-main/core/farm/jobs';
import { tempDir } from '../helpers/core';
import { BASELINE_X2, demoManifest } from '../helpers/render-fixture';

const log = createLogger({ quiet: true, level: 'error' });
const media = createMediaService({ log, cacheDir: '/nonexistent' });
const tmp = tempDir('remaster-render-');
const manifestFile = join(tmp.dir, 'manifest.json');
const FRAMES = 30;
let manifest: RenderManifest;
let hash: string;
let client: InferenceClient;

const sha256 = (file: string) => createHash('sha256').update(readFileSync(file)).digest('hex');
const filesOf = (dir: string) => readdirSync(dir).sort();

/** A segment decoded back by ffmpeg: rgb48le frames. */
async function decodeSegment(file: string, width: number, height: number): Promise<Uint16Array[]> {
  const r = await run(media.binaries.ffmpeg, ['-v', 'error', '-i', file, '-f', 'rawvideo', '-pix_fmt', 'rgb48le', '-']);
  assert.equal(r.code, 0, r.stderr);
  const bytes = width * height * 6;
  assert.equal(r.stdout.length % bytes, 0);
  const frames: Uint16Array[] = [];
  for (let off = 0; off < r.stdout.length; off += bytes)
    frames.push(new Uint16Array(Uint8Array.from(r.stdout.subarray(off, off + bytes)).buffer));
  return frames;
}

before(async () => {
  // 320x180 in, 640x360 out: the whole pipeline at a size two shared cores render in seconds.
  manifest = await demoManifest(log, { first: 0, last: FRAMES - 1, inputWidth: 320, segmentFrames: 6 });
  hash = manifestHash(manifest);
  writeFileSync(manifestFile, JSON.stringify(manifest));
  client = new InferenceClient({ launcher: forkLauncher(), modelPath: BASELINE_X2, log });
});

after(async () => {
  await client.close();
  tmp.cleanup();
});

test('the manifest hash is the cache key: canonical, blind to file locations, sensitive to the grade', () => {
  assert.equal(manifest.output.width, 640);
  assert.equal(manifest.output.height, 360);
  const shuffled = Object.fromEntries(Object.entries(manifest).reverse()) as RenderManifest;
  assert.equal(manifestHash(shuffled), hash);
  assert.equal(manifestHash({ ...manifest, source: { ...manifest.source, path: '/mnt/farm/demo.mp4' } }), hash);
  assert.notEqual(
    manifestHash({ ...manifest, grade: { ...manifest.grade, params: { ...manifest.grade.params, exposure: 0.55 } } }),
    hash,
  );
  assert.notEqual(manifestHash({ ...manifest, frames: { first: 0, last: FRAMES } }), hash);
});

test('the bounded queue holds producers back when full, keeps order, and fails both sides', async () => {
  const q = new BoundedQueue<number>(2);
  const accepted: number[] = [];
  const pushes = [1, 2, 3, 4].map((v) => q.push(v).then(() => accepted.push(v)));
  await new Promise((r) => setImmediate(r));
  assert.deepEqual(accepted, [1, 2], 'a full queue holds the third producer');
  assert.equal(await q.pop(), 1);
  await new Promise((r) => setImmediate(r));
  assert.deepEqual(accepted, [1, 2, 3]);
  q.close();
  assert.deepEqual([await q.pop(), await q.pop(), await q.pop(), await q.pop()], [2, 3, 4, undefined]);
  await Promise.all(pushes);
  const f = new BoundedQueue<number>(1);
  await f.push(1);
  const waiting = f.push(2);
  f.fail(new Error('stage failed'));
  await assert.rejects(waiting, /stage failed/);
  await assert.rejects(f.pop(), /stage failed/);
});

const dirA = join(tmp.dir, 'a');
const dirB = join(tmp.dir, 'b');
let resultA: RenderResult;

test('render-shot writes lossless FFVHuff segments whose frames are the graded model output, with their light levels', async () => {
  const progress: RenderProgress[] = [];
  const t0 = performance.now();
  const out = await runRenderShot(manifestFile, dirA, { log, onProgress: (p) => progress.push(p) });
  const seconds = (performance.now() - t0) / 1000;
  assert.equal(out.skipped, false);
  assert.equal(out.hash, hash);
  assert.equal(out.renderedSegments, 5);
  resultA = RenderResult.parse(JSON.parse(readFileSync(join(out.dir, 'result.json'), 'utf8')));
  assert.deepEqual(resultA, out.result);
  assert.equal(resultA.frameCount, FRAMES);
  assert.deepEqual(
    resultA.segments.map((s) => [s.file, s.firstFrame, s.lastFrame]),
    [0, 1, 2, 3, 4].map((i) => [segmentFile(i), 6 * i, 6 * i + 5]),
  );
  assert.deepEqual(
    progress.map((p) => p.framesDone),
    Array.from({ length: FRAMES }, (_, i) => i + 1),
  );
  assert.ok(progress.every((p) => p.framesTotal === FRAMES && p.fps > 0) && progress.at(-1)!.etaSeconds === 0);
  assert.deepEqual(filesOf(out.dir), [
    'manifest.json',
    'result.json',
    ...[0, 1, 2, 3, 4].flatMap((i) => [segmentRecordFile(i), segmentFile(i)]),
  ]);

  // What ffprobe says about a segment.
  const probe = await media.probe(join(out.dir, segmentFile(0)));
  assert.deepEqual(
    [probe.codec, probe.pixFmt, probe.width, probe.height, probe.frameRate],
    ['ffvhuff', 'gbrp16le', 640, 360, '24000/1001'],
  );
  assert.deepEqual(resultA.cache, { container: 'matroska', codec: 'ffvhuff', pixFmt: 'gbrp16le' });
  assert.deepEqual([probe.colour.primaries, probe.colour.transfer], ['bt2020', 'smpte2084']);

  // Every frame read back: checksums, frame count, and light levels re-measured from the decoded pictures.
  const decoded: Uint16Array[] = [];
  for (const s of resultA.segments) {
    assert.equal(sha256(join(out.dir, s.file)), s.sha256);
    decoded.push(...(await decodeSegment(join(out.dir, s.file), 640, 360)));
  }
  assert.equal(decoded.length, FRAMES);
  decoded.forEach((data, i) => {
    const m = measureFrame({ width: 640, height: 360, data, layout: 'rgb48' }, { gamut: false });
    assert.equal(m.maxCll, resultA.light[i].maxCll, `frame ${i} MaxCLL`);
    assert.ok(Math.abs(m.fall - resultA.light[i].frameAverage) < 1e-9 * m.fall, `frame ${i} frame average`);
  });
  assert.equal(resultA.maxCll, Math.max(...resultA.light.map((l) => l.maxCll)));
  assert.equal(resultA.maxFall, Math.max(...resultA.light.map((l) => l.frameAverage)));
  assert.ok(
    resultA.maxCll > 1000 && resultA.maxFall > 50,
    `MaxCLL ${resultA.maxCll}, MaxFALL ${resultA.maxFall}: the grade expands highlights`,
  );
  assert.deepEqual(resultA.active, { x: 0, y: 0, width: 640, height: 360 });

  // Frame 7 (inside segment 1) up-converted and graded here, from a frame-accurate decode of its own.
  const src = await media.decodeFrame(mediaInputOf(manifest), 7, { width: 320 });
  const codes = new Uint16Array(Uint8Array.from(src.data).buffer);
  const n = 320 * 180;
  const sdr = new Float32Array(3 * n);
  for (let i = 0; i < n; i++) for (let c = 0; c < 3; c++) sdr[c * n + i] = codes[3 * i + c] / 65535;
  const up = await upconvertFrame(client, sdr, 320, 180);
  const N = 640 * 360;
  const planes = (a: Float32Array) => ({ r: a.subarray(0, N), g: a.subarray(N, 2 * N), b: a.subarray(2 * N) });
  const graded = applyGradeFrame(planes(up.hdr), planes(up.base), manifest.grade.params);
  const want = pqFloatPlanesToFrame(graded.r, graded.g, graded.b, 640, 360).data;
  const model = planes(up.hdr);
  const ungraded = pqFloatPlanesToFrame(model.r, model.g, model.b, 640, 360).data;
  let maxDiff = 0,
    gradeMoved = 0;
  for (let i = 0; i < N; i++) {
    for (let c = 0; c < 3; c++) {
      const got = decoded[7][3 * i + c];
      maxDiff = Math.max(maxDiff, Math.abs(got - want[c * N + i]));
      gradeMoved = Math.max(gradeMoved, Math.abs(got - ungraded[c * N + i]));
    }
  }
  assert.ok(maxDiff <= 1, `cache frame 7 differs from the independent render by ${maxDiff} 16-bit codes`);
  assert.ok(gradeMoved > 64 * 64, 'the grade was applied');
  console.log(
    `render of ${FRAMES} frames 320x180 -> 640x360: ${seconds.toFixed(1)} s; independent frame within ${maxDiff} code(s)`,
  );
});

test('a complete render is skipped: nothing is rewritten', async () => {
  const dir = join(dirA, hash);
  const before = new Map(filesOf(dir).map((f) => [f, statSync(join(dir, f)).mtimeMs]));
  const out = await runRenderShot(manifestFile, dirA, { log });
  assert.equal(out.skipped, true);
  assert.deepEqual(out.result, resultA);
  assert.deepEqual(new Map(filesOf(dir).map((f) => [f, statSync(join(dir, f)).mtimeMs])), before);
});

test('a render killed with SIGKILL resumes from its completed segments and ends byte-identical', async () => {
  const dir = join(dirB, hash);
  const child = spawn(
    process.execPath,
    ['--import', 'tsx', join(appRoot(), 'test', 'helpers', 'render-child.ts'), manifestFile, dirB],
    { stdio: 'ignore' },
  );
  const exited = new Promise<NodeJS.Signals | null>((resolve) => child.on('exit', (_code, signal) => resolve(signal)));
  const deadline = Date.now() + 120_000;
  while (!existsSync(join(dir, segmentRecordFile(1)))) {
    assert.ok(Date.now() < deadline && child.exitCode === null, 'the child never completed two segments');
    await new Promise((r) => setTimeout(r, 20));
  }
  child.kill('SIGKILL');
  assert.equal(await exited, 'SIGKILL');
  assert.ok(!existsSync(join(dir, 'result.json')), 'killed before the end');
  const keptRecords = filesOf(dir).filter((f) => /^segment-\d+\.json$/.test(f));
  assert.ok(keptRecords.length >= 2 && keptRecords.length < 5, `${keptRecords.length} records at the kill`);
  const keptMtimes = keptRecords.map((f) => statSync(join(dir, f.replace('.json', '.mkv'))).mtimeMs);
  // Leftovers that must never pass for complete: a whole-looking .partial segment, a half-written result,
  // and a segment file without its record.
  writeFileSync(join(dir, segmentFile(4) + '.partial'), readFileSync(join(dirA, hash, segmentFile(4))));
  writeFileSync(join(dir, 'result.json.partial'), readFileSync(join(dirA, hash, 'result.json')).subarray(0, 100));
  writeFileSync(join(dir, segmentFile(3)), 'not a segment');

  const out = await runRenderShot(manifestFile, dirB, { log });
  assert.equal(out.skipped, false);
  assert.equal(out.renderedSegments, 5 - keptRecords.length);
  assert.deepEqual(
    keptRecords.map((f) => statSync(join(dir, f.replace('.json', '.mkv'))).mtimeMs),
    keptMtimes,
    'completed segments kept',
  );
  assert.deepEqual(filesOf(dir), filesOf(join(dirA, hash)));
  for (const f of filesOf(dir))
    assert.equal(sha256(join(dir, f)), sha256(join(dirA, hash, f)), `${f} differs from the uninterrupted render`);
});

/** A render of the test manifest into `dir`, cancelled once `frames` frames are encoded. */
async function cancelledAt(dir: string, frames: number): Promise<void> {
  const ctl = new AbortController();
  await assert.rejects(
    renderShot(manifest, dir, {
      inference: client,
      log,
      signal: ctl.signal,
      onProgress: (p) => p.framesDone === frames && ctl.abort(),
    }),
    (e: Error & { code?: string }) => e.code === 'cancelled',
  );
}

test('cancel stops a render promptly and leaves nothing that passes for complete', async () => {
  const dirC = join(tmp.dir, 'c');
  const t0 = performance.now();
  await cancelledAt(dirC, 3);
  assert.ok(performance.now() - t0 < 30_000);
  assert.ok(!existsSync(join(dirC, hash, 'result.json')));
  assert.ok(!existsSync(join(dirC, hash, segmentRecordFile(0))));

  // Cancelled after its first segment: that segment's record (hashed on a thread) is on disk when the render
  // returns, and the next render keeps the segment.
  await cancelledAt(dirC, 7);
  assert.ok(existsSync(join(dirC, hash, segmentRecordFile(0))), 'the finished segment is recorded before the return');
  assert.ok(!existsSync(join(dirC, hash, segmentRecordFile(1))));
  const resumed = await renderShot(manifest, dirC, { inference: client, log });
  assert.equal(resumed.renderedSegments, 4);
});

test("a render at full model strength asks the worker for the model's result alone; below it, for both", async () => {
  const asked: (boolean | undefined)[] = [];
  const spy = new Proxy(client, {
    get(target, prop) {
      if (prop === 'run')
        return (...a: Parameters<InferenceClient['run']>) => {
          asked.push(a[2]?.hdrOnly);
          return target.run(...a);
        };
      const v = Reflect.get(target, prop) as unknown;
      return typeof v === 'function' ? (v as (...x: unknown[]) => unknown).bind(target) : v;
    },
  });
  const short = await demoManifest(log, { first: 0, last: 1, inputWidth: 160, segmentFrames: 2 });
  for (const [strength, want] of [
    [1, true],
    [0.7, false],
  ] as const) {
    asked.length = 0;
    const m = { ...short, grade: { ...short.grade, params: { ...short.grade.params, modelStrength: strength } } };
    await renderShot(m, join(tmp.dir, `strength-${strength}`), { inference: spy, log });
    assert.deepEqual(asked, [want, want], `strength ${strength}`);
  }
});

test('time held by a pause is not rendering time: the speed and ETA leave it out', async () => {
  const dirP = join(tmp.dir, 'p');
  const PAUSE_MS = 3000;
  let holds = 0;
  const last: RenderProgress[] = [];
  const t0 = performance.now();
  await renderShot(manifest, dirP, {
    inference: client,
    log,
    // Paused once, before the fourth frame is written, for three seconds.
    hold: () => (++holds === 4 ? new Promise((r) => setTimeout(r, PAUSE_MS)) : Promise.resolve()),
    onProgress: (p) => last.push(p),
  });
  const wallS = (performance.now() - t0) / 1000;
  const fps = last[last.length - 1].fps;
  // The whole wall time's speed would be FRAMES / wallS; the reported one is at least that with the pause taken out.
  assert.ok(fps > (FRAMES / (wallS - PAUSE_MS / 1000)) * 0.9, `${fps} fps over ${wallS} s with a 3 s pause`);
  assert.ok(fps > (FRAMES / wallS) * 1.05, `${fps} fps, ${FRAMES / wallS} counting the pause`);
});

test('a render node refuses a model file other than the manifest names', async () => {
  const wrong = join(tmp.dir, 'wrong-model.json');
  writeFileSync(wrong, JSON.stringify({ ...manifest, model: { ...manifest.model, sha256: '0'.repeat(64) } }));
  await assert.rejects(runRenderShot(wrong, join(tmp.dir, 'd'), { log }), (e: Error & { code?: string }) => {
    return e.code === 'conflict' && /not the model this render was planned with/.test(e.message);
  });
  assert.ok(!existsSync(join(tmp.dir, 'd')));
});

test('the cache encoder runs below normal priority, so it takes what the network leaves', async (t) => {
  if (process.platform !== 'linux') return t.skip('reads the nice value from /proc');
  const file = join(tmp.dir, 'priority.mkv');
  const encoder = openSegmentEncoder(media.binaries, file, { width: 16, height: 8 }, '24/1');
  try {
    assert.ok(encoder.pid);
    // Every thread of it (field 19 of each task's stat), the encoder's own included, once a frame is in.
    await encoder.write({ width: 16, height: 8, data: new Uint16Array(3 * 16 * 8).fill(30000), layout: 'planar' });
    const nices = readdirSync(`/proc/${encoder.pid}/task`).map((tid) => {
      const stat = readFileSync(`/proc/${encoder.pid}/task/${tid}/stat`, 'utf8');
      return Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[16]);
    });
    assert.equal(BACKGROUND_PRIORITY, 10);
    assert.deepEqual([...new Set(nices)], [10], `nice of each thread: ${nices.join(' ')}`);
    await encoder.finish();
    const [frame] = await decodeSegment(file, 16, 8);
    assert.deepEqual([...new Set(frame)], [30000]);
  } finally {
    encoder.abort();
  }
});

test("a manifest from another render format is refused as such, by render-shot and by a farm node's job", () => {
  const older = { ...manifest, formatVersion: 1 };
  const file = join(tmp.dir, 'older-manifest.json');
  writeFileSync(file, JSON.stringify(older));
  const why = /render manifest of format 1, from another version of Remaster \(this one renders format 2\)/;
  assert.throws(
    () => readManifestFile(file),
    (e: Error & { code?: string }) => why.test(e.message) && e.code === 'bad_input',
  );
  const job = { projectId: 'p', shotId: 's', label: 'Shot 1', rendersDir: 'r', manifest: older };
  assert.throws(
    () => shotJobData(job),
    (e: Error) => /^shot job Shot 1: a render manifest of format 1/.test(e.message),
  );
  // This format's manifest reads back whole; anything else names the fields.
  writeFileSync(file, JSON.stringify(manifest));
  assert.deepEqual(readManifestFile(file), manifest);
  assert.deepEqual(shotJobData({ ...job, manifest }).manifest, manifest);
  writeFileSync(file, JSON.stringify({ ...manifest, frames: { first: 3 } }));
  assert.throws(() => readManifestFile(file), /not a render manifest: frames.last/);
});

test('a cache segment has the same bytes whatever the encoder thread count (a resume on another machine)', async () => {
  const w = 64,
    h = 36,
    n = w * h;
  const frames = [0, 1, 2, 3, 4].map((k) => ({
    width: w,
    height: h,
    layout: 'planar' as const,
    data: Uint16Array.from({ length: 3 * n }, (_, i) => (i * 2654435761 + k * 40503) % 65536),
  }));
  const hashes: string[] = [];
  for (const threads of [1, 3, 8]) {
    const file = join(tmp.dir, `threads-${threads}.mkv`);
    const encoder = openSegmentEncoder(media.binaries, file, { width: w, height: h }, '24000/1001', threads);
    for (const f of frames) await encoder.write(f);
    await encoder.finish();
    hashes.push(sha256(file));
    assert.deepEqual((await decodeSegment(file, w, h)).length, frames.length);
  }
  assert.deepEqual(new Set(hashes).size, 1, `one file at 1, 3 and 8 threads: ${hashes.join(' ')}`);
});
