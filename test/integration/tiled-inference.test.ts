// Tiled inference: seamless (tiled == whole frame within one 10-bit code), cancellable, previews first.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { InferenceClient } from '../../src-main/core/inference/client';
import { forkLauncher } from '../../src-main/core/inference/launcher';
import { defaultTilePixels, FrameBuffers, planTiles, upconvertFrame } from '../../src-main/core/inference/tiled';
import { createLogger } from '../../src-main/core/log';
import { appRoot } from '../../src-main/core/paths';
import { ServiceError } from '../../src-main/common/contract';
import * as ort from 'onnxruntime-node';

const log = createLogger({ quiet: true, level: 'error' });

/** Deterministic textured picture: gradients, fine detail and a few near-white highlights. */
function texturedFrame(w: number, h: number): Float32Array {
  const f = new Float32Array(3 * w * h);
  let seed = 12345;
  const rnd = () => (seed = (seed * 1103515245 + 12345) & 0x7fffffff) / 0x7fffffff;
  for (let y = 0; y < h; y++)
    for (let x = 0; x < w; x++) {
      const g = 0.5 + 0.35 * Math.sin(x / 7) * Math.cos(y / 11) + 0.1 * (rnd() - 0.5);
      const hi = (x - 60) ** 2 + (y - 40) ** 2 < 120 ? 1 : 0;
      f[y * w + x] = Math.min(1, Math.max(0, hi || g * (0.9 + 0.1 * Math.sin(y / 3))));
      f[w * h + y * w + x] = Math.min(1, Math.max(0, hi || g * 0.8));
      f[2 * w * h + y * w + x] = Math.min(1, Math.max(0, hi || (x / w) * 0.7 + 0.1 * rnd()));
    }
  return f;
}

test('tile plan covers the frame exactly once, with aligned padded origins, within the memory budget', () => {
  const tiles = planTiles(1000, 563, { maxPixels: Infinity, maxSide: 256 }, 44, 16);
  const covered = new Uint8Array(1000 * 563);
  for (const t of tiles) {
    assert.equal(t.px0 % 16, 0);
    assert.equal(t.py0 % 16, 0);
    assert.ok(t.x1 - t.x0 <= 256 && t.y1 - t.y0 <= 256);
    assert.ok(t.px0 <= Math.max(0, t.x0 - 44) && t.px1 >= Math.min(1000, t.x1 + 44));
    for (let y = t.y0; y < t.y1; y++) for (let x = t.x0; x < t.x1; x++) covered[y * 1000 + x]++;
  }
  assert.ok(covered.every((c) => c === 1));
  const area = (t: { px0: number; px1: number; py0: number; py1: number }) => (t.px1 - t.px0) * (t.py1 - t.py0);
  // As few tiles as the budget allows, of even width: 1080p at x2 is two 960x1080 halves (1056x1080 padded) on a
  // 16 GB machine, one whole frame with 24 GB (a quarter of the memory for the worker); never under 2.4 M / scale.
  const GB = 1e9;
  const halves = planTiles(1920, 1080, { maxPixels: defaultTilePixels(2, 'cpu', 16 * GB) }, 96, 16);
  assert.deepEqual(
    halves.map((t) => [t.x0, t.x1, t.y0, t.y1, t.px0, t.px1]),
    [
      [0, 960, 0, 1080, 0, 1056],
      [960, 1920, 0, 1080, 864, 1920],
    ],
  );
  assert.equal(planTiles(1920, 1080, { maxPixels: defaultTilePixels(2, 'cpu', 24 * GB) }, 96, 16).length, 1);
  assert.equal(defaultTilePixels(2, 'cpu', 4 * GB), 1_200_000);
  assert.equal(defaultTilePixels(4, 'cpu', 4 * GB), 600_000);
  // x4: a 960x540 frame (UHD out) is one tile; 1080p (8K out) is six, none over the budget.
  assert.equal(planTiles(960, 540, { maxPixels: defaultTilePixels(4, 'cpu', 4 * GB) }, 96, 16).length, 1);
  const x4hd = planTiles(1920, 1080, { maxPixels: defaultTilePixels(4, 'cpu', 4 * GB) }, 96, 16);
  assert.equal(x4hd.length, 6);
  assert.ok(x4hd.every((t) => area(t) <= defaultTilePixels(4, 'cpu', 4 * GB)));
  // UHD at x2 (8K out): every tile within the budget, and planning stays cheap.
  const t0 = performance.now();
  const uhd = planTiles(3840, 2160, { maxPixels: defaultTilePixels(2) }, 96, 16);
  assert.ok(performance.now() - t0 < 500);
  assert.ok(uhd.every((t) => area(t) <= defaultTilePixels(2)) && uhd.length <= 12, `${uhd.length} tiles`);
  // A margin that rivals the budget does not explode into tiny tiles: a padded tile may reach (4 x margin)^2.
  const huge = planTiles(16384, 16384, { maxPixels: defaultTilePixels(4) }, 400, 16);
  assert.ok(huge.length < 500 && huge.every((t) => area(t) <= 1600 ** 2), `${huge.length} tiles`);
  assert.throws(() => planTiles(0, 10, { maxPixels: 1e6 }, 4, 1), /Cannot tile a 0x10 frame/);
});

test("quality 'best' tile plan: padded tiles end on the far edge's alignment grid and stay within the budget", () => {
  // Sizes off the 16 px grid, so that the reach to the far edge's grid matters.
  for (const [w, h, scale] of [
    [1000, 563, 2],
    [1918, 1078, 2],
    [957, 541, 4],
    [3838, 2158, 2],
  ]) {
    const budget = defaultTilePixels(scale);
    const tiles = planTiles(w, h, { maxPixels: budget, mirrored: true }, 96, 16);
    for (const t of tiles) {
      assert.equal(t.px0 % 16, 0);
      assert.equal((w - t.px1) % 16, 0, `tile ending at ${t.px1} of ${w}`);
      assert.equal((h - t.py1) % 16, 0, `tile ending at ${t.py1} of ${h}`);
      assert.ok(t.px1 >= Math.min(w, t.x1 + 96) && t.py1 >= Math.min(h, t.y1 + 96));
      assert.ok(
        (t.px1 - t.px0) * (t.py1 - t.py0) <= budget,
        `${w}x${h}: padded ${t.px1 - t.px0}x${t.py1 - t.py0} over ${budget}`,
      );
    }
  }
});

for (const name of ['baseline-x2', 'srItm-x2', 'srItm-x4']) {
  const model = join(appRoot(), 'models', `${name}.onnx`);
  test(
    `${name}: tiled and whole-frame results agree within one 10-bit code`,
    { skip: !existsSync(model) && `${name}.onnx not present` },
    async (t) => {
      const client = new InferenceClient({ launcher: forkLauncher(), modelPath: model, log });
      t.after(() => client.close());
      const w = 210;
      const h = 150;
      const frame = texturedFrame(w, h);
      const whole = await upconvertFrame(client, frame, w, h, { maxTileSide: 4096 });
      let progress = 0;
      const tiled = await upconvertFrame(client, frame, w, h, { maxTileSide: 64, onProgress: (d) => (progress = d) });
      assert.equal(
        progress,
        planTiles(
          w,
          h,
          { maxPixels: Infinity, maxSide: 64 },
          client.status().model!.tileMargin,
          client.status().model!.tileAlign,
        ).length,
      );
      assert.ok(progress > 4);
      let worst = 0;
      for (let i = 0; i < whole.hdr.length; i++)
        worst = Math.max(worst, Math.abs(whole.hdr[i] - tiled.hdr[i]), Math.abs(whole.base[i] - tiled.base[i]));
      assert.ok(worst * 876 < 1, `largest difference ${(worst * 876).toFixed(3)} 10-bit codes`);
      assert.equal(whole.width, w * client.status().model!.scale);
    },
  );
}

// Quality 'best': the model on eight orientations, averaged. Against PyTorch's average on the golden fixture
// (models/golden, written by export.py), and seamless when tiled.
const golden = JSON.parse(readFileSync(join(appRoot(), 'models', 'golden', 'manifest.json'), 'utf8')) as {
  fixture: { file: string; shape: number[] };
  tolerance_max_abs: number;
  best?: Record<string, { file: string; shape: number[] }>;
};
const readGolden = (ref: { file: string }) => {
  const buf = readFileSync(join(appRoot(), 'models', 'golden', ref.file));
  return new Float32Array(buf.buffer.slice(buf.byteOffset, buf.byteOffset + buf.byteLength));
};
for (const file of ['srItm-x2.onnx', 'srItm-x4.onnx']) {
  const ref = golden.best?.[file];
  test(
    `${file}, quality best: the golden 8-orientation average within ${golden.tolerance_max_abs}; tiled agrees within one 10-bit code`,
    { skip: !ref && 'no golden output' },
    async (t) => {
      const client = new InferenceClient({ launcher: forkLauncher(), modelPath: join(appRoot(), 'models', file), log });
      t.after(() => client.close());
      const [, , h, w] = golden.fixture.shape;
      const fixture = readGolden(golden.fixture);
      let runs = 0;
      const best = await upconvertFrame(client, fixture, w, h, { quality: 'best', onProgress: (d) => (runs = d) });
      assert.equal(runs, 8, 'one tile, eight orientations');
      const expected = readGolden(ref!);
      assert.equal(best.hdr.length, expected.length);
      let worst = 0;
      for (let i = 0; i < expected.length; i++) worst = Math.max(worst, Math.abs(best.hdr[i] - expected[i]));
      assert.ok(worst <= golden.tolerance_max_abs, `max abs difference ${worst}`);
      // The average differs from one run (else the test would prove nothing), by a fraction of a code on average.
      const one = await upconvertFrame(client, fixture, w, h);
      let moved = 0;
      for (let i = 0; i < expected.length; i++) moved += Math.abs(one.hdr[i] - best.hdr[i]);
      assert.ok(moved / expected.length > 1e-4, `mean change ${moved / expected.length}`);
      for (let i = 0; i < one.base.length; i++) assert.equal(best.base[i], one.base[i]);

      const W = 210;
      const H = 150;
      const frame = texturedFrame(W, H);
      const whole = await upconvertFrame(client, frame, W, H, { quality: 'best', maxTileSide: 4096 });
      const tiled = await upconvertFrame(client, frame, W, H, { quality: 'best', maxTileSide: 96 });
      worst = 0;
      for (let i = 0; i < whole.hdr.length; i++) worst = Math.max(worst, Math.abs(whole.hdr[i] - tiled.hdr[i]));
      assert.ok(worst * 876 < 1, `largest tiled difference ${(worst * 876).toFixed(3)} 10-bit codes`);
      t.diagnostic(`quality best: tiled vs whole frame at most ${(worst * 876).toFixed(3)} 10-bit codes`);
    },
  );
}

test('a cancelled render stops between tiles; a preview overtakes queued render tiles', async (t) => {
  const client = new InferenceClient({
    launcher: forkLauncher(),
    modelPath: join(appRoot(), 'models', 'baseline-x2.onnx'),
    log,
  });
  t.after(() => client.close());
  await client.start();
  const order: string[] = [];
  const tile = (tag: string, priority: 'render' | 'preview', signal?: AbortSignal) =>
    client.run(texturedFrame(320, 240), [1, 3, 240, 320], { priority, signal }).then(() => order.push(tag));
  const renders = [tile('r1', 'render'), tile('r2', 'render'), tile('r3', 'render')];
  const preview = tile('p', 'preview');
  await Promise.all([...renders, preview]);
  // r1 was already running when the preview arrived; the preview comes before r2 and r3.
  assert.deepEqual(order, ['r1', 'p', 'r2', 'r3']);

  const abort = new AbortController();
  const job = upconvertFrame(client, texturedFrame(400, 300), 400, 300, {
    maxTileSide: 64,
    signal: abort.signal,
    onProgress: (d) => d === 2 && abort.abort(),
  });
  await assert.rejects(job, (e: unknown) => e instanceof ServiceError && e.code === 'cancelled');
  assert.equal(client.queued, 0);
});

test('on a GPU provider one HD frame with its margins is one run, at either scale', () => {
  for (const scale of [2, 4]) {
    const tiles = planTiles(1920, 1080, { maxPixels: defaultTilePixels(scale, 'webgpu') }, 96, 16);
    assert.equal(tiles.length, 1, `x${scale}`);
    assert.equal(defaultTilePixels(scale, null), defaultTilePixels(scale, 'cpu'), 'unknown provider: the CPU budget');
  }
});

test('reused frame buffers give the same pixels as fresh ones, and are really reused; the model result alone', async (t) => {
  const client = new InferenceClient({
    launcher: forkLauncher(),
    modelPath: join(appRoot(), 'models', 'srItm-x2.onnx'),
    log,
  });
  t.after(() => client.close());
  const w = 200;
  const h = 120;
  const frame = texturedFrame(w, h);
  const buffers = new FrameBuffers();
  for (const limits of [{}, { maxTileSide: 80 }]) {
    const fresh = await upconvertFrame(client, frame, w, h, limits);
    const a = await upconvertFrame(client, frame, w, h, { ...limits, buffers });
    assert.ok(a.hdr.buffer === a.base.buffer, 'one pooled buffer holds the frame');
    assert.deepEqual([...a.hdr], [...fresh.hdr]);
    assert.deepEqual([...a.base], [...fresh.base]);
    const used = a.hdr.buffer;
    buffers.give(a);
    buffers.give(fresh); // not the pool's: ignored
    // Dirty the returned buffer: the next frame must overwrite every value.
    new Float32Array(used).fill(-1);
    const b = await upconvertFrame(client, frame, w, h, { ...limits, buffers });
    assert.ok(b.hdr.buffer === used, 'the given-back buffer served the next frame');
    assert.deepEqual([...b.hdr], [...fresh.hdr]);
    assert.deepEqual([...b.base], [...fresh.base]);
    buffers.give(b);
    // A render at full model strength asks for the model's result alone: the same values, handed over once.
    assert.notDeepEqual([...fresh.hdr.subarray(0, 5000)], [...fresh.base.subarray(0, 5000)], 'a trained model');
    const alone = await upconvertFrame(client, frame, w, h, { ...limits, buffers, hdrOnly: true });
    assert.ok(alone.hdr === alone.base, 'one array stands for both');
    assert.equal(alone.hdr.length, 3 * 4 * w * h);
    assert.deepEqual([...alone.hdr], [...fresh.hdr]);
    buffers.give(alone);
  }
  const one = await client.run(frame, [1, 3, h, w], { hdrOnly: true });
  assert.ok(one.hdr === one.base, 'a single run likewise: one array comes back');
});

test("an analytic model's result is its baseline: handed over once, equal to onnxruntime's in-process output", async (t) => {
  const file = join(appRoot(), 'models', 'baseline-x2.onnx');
  const client = new InferenceClient({ launcher: forkLauncher(), modelPath: file, log });
  t.after(() => client.close());
  const w = 200;
  const h = 120;
  const frame = texturedFrame(w, h);
  const session = await ort.InferenceSession.create(file);
  t.after(() => session.release());
  const ref = await session.run({ sdr: new ort.Tensor('float32', frame, [1, 3, h, w]) });
  const want = ref.base.data as Float32Array;
  assert.deepEqual([...(ref.hdr.data as Float32Array)], [...want], 'the file says hdr = base');
  const buffers = new FrameBuffers();
  for (const limits of [{}, { maxTileSide: 80 }]) {
    const a = await upconvertFrame(client, frame, w, h, { ...limits, buffers });
    assert.ok(a.hdr === a.base, 'one array is both');
    assert.equal(a.hdr.length, 3 * 4 * w * h);
    assert.deepEqual([...a.hdr], [...want]);
    const used = a.hdr.buffer;
    buffers.give(a);
    new Float32Array(used).fill(-1);
    const b = await upconvertFrame(client, frame, w, h, { ...limits, buffers });
    assert.ok(b.hdr.buffer === used, 'the given-back buffer served the next frame');
    assert.deepEqual([...b.base], [...want]);
    buffers.give(b);
  }
});
