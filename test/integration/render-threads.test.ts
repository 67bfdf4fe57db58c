// What a render runs beside the network, and at what priority: the grade on threads of its own (shared memory,
// below normal priority on Linux, a frame's rows shared among them) and the source decode below normal priority, so both take the CPU the
// network's threads leave between their parallel sections (README, "Render overhead").
import { spawnSync } from 'node:child_process';
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { GradeParams, gradeFrameToCodes, measureFrame, prepareGrade } from '../../src-main/common/colour';
import { FrameBuffers, sharedFrames, type HdrFrame } from '../../src-main/core/inference/tiled';
import { createLogger } from '../../src-main/core/log';
import { createMediaService } from '../../src-main/core/media';
import { mediaInputOf } from '../../src-main/core/render';
import {
  gradeOnThread,
  releaseCodes,
  setGradeThreads,
  sha256OnThread,
  sharedCodes,
  stopGradeThread,
} from '../../src-main/core/render/grade-thread';
import { renderThreads } from '../../src-main/node/cpu-cores';
import { sha256File } from '../../src-main/node/file-io';
import { demoManifest, TEST_GRADE } from '../helpers/render-fixture';

const log = createLogger({ quiet: true, level: 'error' });
const W = 96;
const H = 54;
const n = W * H;
const params = GradeParams.parse(TEST_GRADE);

/** Field 19 of a task's stat: its nice value. */
function niceOf(statFile: string): number {
  const stat = readFileSync(statFile, 'utf8');
  return Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[16]);
}

/** A network frame with highlights, shadows and colour, in the given float arrays. */
function fill(frame: HdrFrame): HdrFrame {
  for (let i = 0; i < 3 * n; i++) {
    const p = i % n;
    const c = (i / n) | 0;
    frame.hdr[i] = Math.min(1, 0.1 + (0.8 * (p % W)) / W + 0.05 * c + ((p * 7919) % 13) / 200);
    frame.base[i] = frame.hdr[i] * 0.97;
  }
  return frame;
}

function expected(frame: HdrFrame) {
  const planes = (a: Float32Array) => ({ r: a.subarray(0, n), g: a.subarray(n, 2 * n), b: a.subarray(2 * n) });
  const picture = gradeFrameToCodes(planes(frame.hdr), planes(frame.base), prepareGrade(params), W, H);
  return { picture, level: measureFrame(picture, { gamut: false }) };
}

test('the grade thread writes the in-process grade into shared codes, with its light, below normal priority', async (t) => {
  const pool = new FrameBuffers();
  const whole = pool.take(6 * n);
  assert.ok(whole.buffer instanceof SharedArrayBuffer, 'the pool hands out shared memory');
  const frame = fill({ width: W, height: H, hdr: whole.subarray(0, 3 * n), base: whole.subarray(3 * n) });
  const want = expected(frame);
  const codes = sharedCodes(W, H);
  const got = await gradeOnThread(frame, params, codes);
  assert.equal(got.picture.data, codes, 'graded into the buffer it was given');
  assert.deepEqual([got.picture.width, got.picture.height, got.picture.layout], [W, H, 'planar']);
  assert.deepEqual(Buffer.from(codes.buffer), Buffer.from(want.picture.data.buffer), 'the same codes, bit for bit');
  assert.ok(codes.some((c) => c > 40000) && codes.some((c) => c < 20000), 'a frame with highlights and shadows');
  assert.deepEqual(got.light, { maxCll: want.level.maxCll, frameAverage: want.level.fall });
  assert.deepEqual(got.active, want.level.active);
  // Its frame stays where it was: the next frame reuses it from the pool.
  pool.give(frame);
  assert.equal(pool.take(6 * n).buffer, whole.buffer);

  if (process.platform !== 'linux') return t.skip('reads the nice values from /proc');
  const nices = readdirSync('/proc/self/task').map((tid) => niceOf(`/proc/self/task/${tid}/stat`));
  assert.equal(niceOf('/proc/self/stat'), 0, 'the main thread keeps its priority');
  // A 54-row frame is shared among up to 3 threads (16 rows or more each), one per core by default.
  const started = Math.min(renderThreads(), 3);
  assert.equal(nices.filter((v) => v === 10).length, started, `${started} below normal (nice 10): ${nices.join(' ')}`);
});

test("a frame's rows graded by 1, 2 or 3 threads give the same codes and light as one in-process grade", async (t) => {
  const whole = new FrameBuffers().take(6 * n);
  const frame = fill({ width: W, height: H, hdr: whole.subarray(0, 3 * n), base: whole.subarray(3 * n) });
  const want = expected(frame);
  t.after(() => setGradeThreads(renderThreads()));
  for (const threads of [3, 1, 2]) {
    await setGradeThreads(threads);
    const got = await gradeOnThread(frame, params, sharedCodes(W, H));
    assert.deepEqual(Buffer.from(got.picture.data.buffer), Buffer.from(want.picture.data.buffer), `${threads} threads`);
    assert.deepEqual(got.light, { maxCll: want.level.maxCll, frameAverage: want.level.fall });
    assert.deepEqual(got.active, want.level.active);
    if (process.platform === 'linux') {
      const niced = readdirSync('/proc/self/task').filter((tid) => niceOf(`/proc/self/task/${tid}/stat`) === 10);
      assert.equal(niced.length, threads, `${threads} grade threads running`);
    }
  }
  await assert.rejects(setGradeThreads(0), RangeError);
});

test('a frame outside shared memory is copied to the thread and graded the same', async () => {
  const frame = fill({ width: W, height: H, hdr: new Float32Array(3 * n), base: new Float32Array(3 * n) });
  const want = expected(frame);
  const got = await gradeOnThread(frame, params, sharedCodes(W, H));
  assert.deepEqual(Buffer.from(got.picture.data.buffer), Buffer.from(want.picture.data.buffer));
  assert.equal(frame.hdr.length, 3 * n, 'the caller keeps its arrays');
});

test('a code buffer that does not fit, or is not shared, is refused; a frame that cannot be sent fails alone', async () => {
  const frame = fill({ width: W, height: H, hdr: new Float32Array(3 * n), base: new Float32Array(3 * n) });
  await assert.rejects(
    gradeOnThread(frame, params, sharedCodes(W, H - 1)),
    /code buffer of 15264 values for a 96x54 frame/,
  );
  const unshared = new Uint16Array(3 * n) as unknown as Uint16Array<SharedArrayBuffer>;
  await assert.rejects(gradeOnThread(frame, params, unshared), /shared memory only/);
  // A detached buffer cannot be cloned: the request fails at once and leaves nothing waiting (the process would
  // otherwise be held open by the thread).
  const gone = fill({ width: W, height: H, hdr: new Float32Array(3 * n), base: new Float32Array(3 * n) });
  structuredClone(gone.hdr.buffer, { transfer: [gone.hdr.buffer as ArrayBuffer] });
  await assert.rejects(gradeOnThread(gone, params, sharedCodes(W, H)), /Could not send a frame to the grade thread/);
  // The thread still serves the next frame.
  const got = await gradeOnThread(frame, params, sharedCodes(W, H));
  assert.equal(got.light.maxCll, expected(frame).level.maxCll);
});

test('renders reuse the same shared buffers, and a stopped thread lets them go and starts again', async (t) => {
  // One render after another, each with its own pool, as a batch of shots runs: the same memory every time (a
  // fresh shared buffer per render piled up in the thread, which never collects for shared memory's sake).
  const seen = new Set<SharedArrayBuffer>();
  const codesSeen = new Set<SharedArrayBuffer>();
  for (let render = 0; render < 20; render++) {
    const pool = new FrameBuffers();
    const whole = pool.take(6 * n);
    const frame = fill({ width: W, height: H, hdr: whole.subarray(0, 3 * n), base: whole.subarray(3 * n) });
    const got = await gradeOnThread(frame, params, sharedCodes(W, H));
    seen.add(whole.buffer);
    codesSeen.add(got.picture.data.buffer as SharedArrayBuffer);
    pool.give(frame);
    releaseCodes(got.picture.data);
  }
  assert.equal(seen.size, 1, 'one frame buffer for all 20 renders');
  assert.equal(codesSeen.size, 1, 'one code buffer for all 20 renders');
  assert.equal(sharedFrames.size, 1);

  await stopGradeThread();
  assert.equal(sharedFrames.size, 0, 'the kept frames are let go');
  if (process.platform === 'linux') {
    const niced = () => readdirSync('/proc/self/task').filter((tid) => niceOf(`/proc/self/task/${tid}/stat`) === 10);
    for (let i = 0; i < 50 && niced().length > 0; i++) await new Promise((r) => setTimeout(r, 20));
    assert.equal(niced().length, 0, 'the thread has ended');
  } else t.diagnostic('thread end not checked off Linux');
  const frame = fill({ width: W, height: H, hdr: new Float32Array(3 * n), base: new Float32Array(3 * n) });
  const again = await gradeOnThread(frame, params, sharedCodes(W, H));
  assert.deepEqual(Buffer.from(again.picture.data.buffer), Buffer.from(expected(frame).picture.data.buffer));
});

test("a render's source decode runs below normal priority; other decodes keep theirs", async (t) => {
  if (process.platform !== 'linux') return t.skip('reads the nice values from /proc');
  const manifest = await demoManifest(log, { first: 0, last: 2, inputWidth: 160, segmentFrames: 3 });
  const media = createMediaService({ log, cacheDir: '/nonexistent' });
  /** The nice value of this process's live ffmpeg children, read while ffmpeg waits for a frame to be taken. */
  const ffmpegNices = (): number[] =>
    readdirSync('/proc/self/task')
      .flatMap((tid) => readFileSync(`/proc/self/task/${tid}/children`, 'utf8').trim().split(/\s+/))
      .filter((pid) => pid && readFileSync(`/proc/${pid}/comm`, 'utf8').trim() === 'ffmpeg')
      .map((pid) => niceOf(`/proc/${pid}/stat`));
  for (const background of [true, false]) {
    const seen: number[][] = [];
    const frames = await media.decodeRange(
      mediaInputOf(manifest),
      0,
      2,
      () => {
        seen.push(ffmpegNices());
        return Promise.resolve();
      },
      { width: 160, background },
    );
    assert.equal(frames, 3);
    assert.deepEqual(seen[0], [background ? 10 : 0], `background ${background}: ${JSON.stringify(seen)}`);
  }
});

test('segments are hashed on the threads, as the main thread would hash them; a missing file fails with its name', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'remaster-hash-'));
  try {
    const files = [0, 1, 2].map((k) => {
      const f = join(dir, `segment-${k}.mkv`);
      writeFileSync(f, Buffer.alloc(3_000_000 + k, k + 1));
      return f;
    });
    assert.deepEqual(
      await Promise.all(files.map((f) => sha256OnThread(f))),
      files.map((f) => sha256File(f)),
    );
    // And as coreutils hashes them.
    const sum = spawnSync('sha256sum', [files[2]], { encoding: 'utf8' });
    if (sum.status === 0) assert.equal(await sha256OnThread(files[2]), sum.stdout.split(' ')[0]);
    await assert.rejects(sha256OnThread(join(dir, 'gone.mkv')), /Hashing .*gone\.mkv failed: ENOENT/);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
