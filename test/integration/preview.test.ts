// The viewer's raw frames through the core as the renderer calls them (real SQLite, real ffmpeg, the real worker
// with the analytic baseline model), and fetched back through the headless host's cache route.
import assert from 'node:assert/strict';
import { mkdirSync, readdirSync, readFileSync, statSync, utimesSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { sdrToHdrBaseline } from '../../src-main/common/colour';
import type { RawFrame, Result } from '../../src-main/common/contract';
import { ServiceError } from '../../src-main/common/contract';
import { createCore, type Core } from '../../src-main/core';
import { createLogger } from '../../src-main/core/log';
import { pruneFrames } from '../../src-main/core/preview/frame-files';
import { LatestPerClip } from '../../src-main/core/preview/latest-per-clip';
import { startHost, tempDir } from '../helpers/core';
import { BASELINE_X2, DEMO_CLIP } from '../helpers/render-fixture';

const tmp = tempDir('remaster-preview-');
const data = join(tmp.dir, 'data');
let core: Core;
let clipId: string;

const call = (method: string, request: unknown) => core.dispatch(method, request) as Promise<Result<RawFrame>>;

async function frame(method: 'preview.sourceFrame' | 'preview.networkFrame', request: object): Promise<RawFrame> {
  const r = await call(method, request);
  assert.ok(r.ok, `${method}: ${JSON.stringify(r)}`);
  return r.value;
}

/** A raw file's little-endian 16-bit codes. */
const codes = (path: string) => {
  const b = readFileSync(path);
  return new Uint16Array(b.buffer, b.byteOffset, b.length / 2);
};

before(async () => {
  core = createCore({
    host: 'headless',
    dataDir: data,
    modelPath: BASELINE_X2,
    log: createLogger({ dir: join(data, 'logs'), quiet: true }),
  });
  const projectId = core.library.createProject('Preview').id;
  const imported = await core.library.importClips(projectId, [DEMO_CLIP], { detectShots: false, proxies: false }).done;
  clipId = imported.clips[0].id;
});

after(async () => {
  await core?.close();
  tmp.cleanup();
});

test('sourceFrame: frame 37 at full resolution, byte for byte the decoder, cached, served as octet-stream', async () => {
  const t = performance.now();
  const f = await frame('preview.sourceFrame', { clipId, frame: 37 });
  console.log(`source frame 1280x720: ${(performance.now() - t).toFixed(0)} ms`);
  assert.deepEqual([f.layout, f.width, f.height, f.frame, f.model], ['sdr-rgb16', 1280, 720, 37, null]);
  assert.ok(f.path.endsWith('.sdr16') && core.cacheFile(f.path), `${f.path} is not a cache file`);
  const decoded = await core.library.decodeFrame(clipId, 37);
  const raw = readFileSync(f.path);
  assert.equal(raw.length, 1280 * 720 * 6);
  assert.ok(raw.equals(decoded.data), 'the raw file is not the decoded frame');
  const next = await frame('preview.sourceFrame', { clipId, frame: 38 });
  assert.notEqual(next.path, f.path);
  assert.ok(!readFileSync(next.path).equals(raw), 'frames 37 and 38 are the same picture');

  // A second request is a cache hit: the same file, no decode.
  const t0 = performance.now();
  const again = await frame('preview.sourceFrame', { clipId, frame: 37 });
  const hitMs = performance.now() - t0;
  assert.equal(again.path, f.path);
  assert.ok(hitMs < 50, `cache hit took ${hitMs.toFixed(1)} ms`);

  // maxWidth: even, never wider than the clip; the decoder's scaled frame exactly.
  const small = await frame('preview.sourceFrame', { clipId, frame: 37, maxWidth: 641 });
  assert.deepEqual([small.width, small.height], [640, 360]);
  assert.ok(readFileSync(small.path).equals((await core.library.decodeFrame(clipId, 37, { width: 640 })).data));
  const wide = await frame('preview.sourceFrame', { clipId, frame: 37, maxWidth: 4096 });
  assert.equal(wide.path, f.path);

  // The browser fetches it through the host's cache route as bytes.
  const host = await startHost({ core, port: 0 });
  try {
    const url = `http://127.0.0.1:${host.port}/media/${encodeURIComponent(f.path)}?token=${host.token}`;
    const res = await fetch(url);
    assert.equal(res.status, 200);
    assert.equal(res.headers.get('content-type'), 'application/octet-stream');
    assert.ok(Buffer.from(await res.arrayBuffer()).equals(raw));
  } finally {
    await host.close();
  }

  const bad = await call('preview.sourceFrame', { clipId, frame: 100_000 });
  assert.ok(!bad.ok && bad.error.code === 'not_found', JSON.stringify(bad));
});

test('sourceFrame: a newer frame of the same clip stops the decode of the one before; the same frame is shared', async () => {
  // Frames not decoded before in this file (no cache hit): 120 and 121 asked at once, as a scrubbing viewer does.
  const [first, shared, newer] = await Promise.all([
    call('preview.sourceFrame', { clipId, frame: 120 }),
    call('preview.sourceFrame', { clipId, frame: 120 }),
    (async () => {
      await new Promise((r) => setTimeout(r, 20));
      return call('preview.sourceFrame', { clipId, frame: 121 });
    })(),
  ]);
  assert.ok(!first.ok && first.error.code === 'cancelled', JSON.stringify(first));
  assert.deepEqual(shared, first, 'both views of frame 120 got the one answer');
  assert.ok(newer.ok && newer.value.frame === 121, JSON.stringify(newer));
  assert.equal(statSync(newer.value.path).size, newer.value.width * newer.value.height * 6);
  // Asked again, the dropped frame decodes.
  const again = await frame('preview.sourceFrame', { clipId, frame: 120 });
  assert.equal(again.frame, 120);
});

test('networkFrame: 640x360 from a 320x180 decode, base is the analytic baseline, hdr == base for the baseline model', async () => {
  const t0 = performance.now();
  const f = await frame('preview.networkFrame', { clipId, frame: 37, maxWidth: 640 });
  const runMs = performance.now() - t0;
  assert.deepEqual(
    [f.layout, f.width, f.height, f.frame, f.model],
    ['hdr-pair-rgb16', 640, 360, 37, 'baseline-x2.onnx'],
  );
  assert.ok(f.path.endsWith('.hdr16') && core.cacheFile(f.path));
  const c = codes(f.path);
  const n = 640 * 360;
  assert.equal(c.length, 2 * 3 * n);
  const hdr = c.subarray(0, 3 * n);
  const base = c.subarray(3 * n);
  // models/README.md: for baseline-x*.onnx, hdr == base bit for bit.
  assert.deepEqual(hdr, base);

  // base against the TypeScript baseline over the same 320x180 decode: within two 16-bit codes everywhere.
  const src = await core.library.decodeFrame(clipId, 37, { width: 320 });
  assert.deepEqual([src.width, src.height], [320, 180]);
  const s = new Uint16Array(src.data.buffer, src.data.byteOffset, src.data.length / 2);
  const m = 320 * 180;
  const planes = { r: new Float32Array(m), g: new Float32Array(m), b: new Float32Array(m) };
  for (let i = 0; i < m; i++)
    [planes.r[i], planes.g[i], planes.b[i]] = [s[3 * i] / 65535, s[3 * i + 1] / 65535, s[3 * i + 2] / 65535];
  const ref = sdrToHdrBaseline(planes, 320, 180, 2).planes;
  let worst = 0;
  let sum = 0;
  for (let i = 0; i < n; i++) {
    for (const [k, p] of [ref.r, ref.g, ref.b].entries()) {
      const d = Math.abs(base[3 * i + k] - p[i] * 65535);
      worst = Math.max(worst, d);
      sum += base[3 * i + k];
    }
  }
  assert.ok(worst <= 2, `worst |base - reference| ${worst.toFixed(1)} 16-bit codes`);
  assert.ok(sum / (3 * n) > 10000, 'the picture is not black'); // a real picture, not zeros
  console.log(
    `network frame 640x360: ${runMs.toFixed(0)} ms; worst |base - TS baseline| ${worst.toFixed(1)} 16-bit codes`,
  );

  // Cached per clip, frame, width and model: the second call returns the same file at once.
  const t1 = performance.now();
  const again = await frame('preview.networkFrame', { clipId, frame: 37, maxWidth: 640 });
  const hitMs = performance.now() - t1;
  assert.equal(again.path, f.path);
  assert.ok(hitMs < 50, `cache hit took ${hitMs.toFixed(1)} ms (the run took ${runMs.toFixed(0)} ms)`);
  console.log(`network frame cache hit: ${hitMs.toFixed(1)} ms`);

  // Two views asking for the same frame at once share one run and one file.
  const [a, b] = await Promise.all([
    frame('preview.networkFrame', { clipId, frame: 40, maxWidth: 320 }),
    frame('preview.networkFrame', { clipId, frame: 40, maxWidth: 320 }),
  ]);
  assert.equal(a.path, b.path);
  assert.deepEqual([a.width, a.height], [320, 180]);
});

test('networkFrame: a newer frame of the same clip drops the pending one; a preview overtakes queued render tiles', async () => {
  // Scrubbing: frame 50 is superseded by 51 while it still decodes.
  const [older, newer] = await Promise.all([
    call('preview.networkFrame', { clipId, frame: 50, maxWidth: 640 }),
    call('preview.networkFrame', { clipId, frame: 51, maxWidth: 640 }),
  ]);
  assert.ok(!older.ok && older.error.code === 'cancelled', JSON.stringify(older));
  assert.ok(newer.ok && newer.value.frame === 51);
  const dir = join(newer.value.path, '..');
  assert.deepEqual(
    readdirSync(dir).filter((n) => n.startsWith('50-')),
    [],
  );
  assert.ok(!readdirSync(dir).some((n) => n.endsWith('.tmp')));

  // Four full-size render tiles queued first; the preview, asked for after them, finishes before the last ones.
  const order: string[] = [];
  const tile = () => {
    const input = new Float32Array(3 * 1280 * 720).fill(0.5);
    return core.inference.run(input, [1, 3, 720, 1280], {
      priority: 'render',
      keep: { x: 0, y: 0, width: 16, height: 16 },
    });
  };
  const renders = [0, 1, 2, 3].map((i) => tile().then(() => order.push(`render ${i}`)));
  const preview = call('preview.networkFrame', { clipId, frame: 60, maxWidth: 640 }).then((r) => {
    assert.ok(r.ok, JSON.stringify(r));
    order.push('preview');
  });
  await Promise.all([...renders, preview]);
  console.log(`completion order: ${order.join(', ')}`);
  assert.ok(order.indexOf('preview') < order.indexOf('render 2'), order.join(', '));
  assert.equal(order.at(-1), 'render 3');
});

test('LatestPerClip: one run per key, the previous key of a clip is aborted, other clips untouched', async () => {
  const runs = new LatestPerClip<string>();
  let started = 0;
  const work = (v: string) => (signal: AbortSignal) => {
    started++;
    return new Promise<string>((resolve, reject) => {
      const t = setTimeout(() => resolve(v), 30);
      signal.addEventListener('abort', () => {
        clearTimeout(t);
        reject(new ServiceError('cancelled', 'Cancelled'));
      });
    });
  };
  const a1 = runs.run('clip A', 'a1', work('a1'));
  const a1again = runs.run('clip A', 'a1', work('a1 twice'));
  const b1 = runs.run('clip B', 'b1', work('b1'));
  const a2 = runs.run('clip A', 'a2', work('a2'));
  assert.equal(started, 3);
  await assert.rejects(a1, (e: unknown) => e instanceof ServiceError && e.code === 'cancelled');
  await assert.rejects(a1again, (e: unknown) => e instanceof ServiceError && e.code === 'cancelled');
  assert.equal(await b1, 'b1');
  assert.equal(await a2, 'a2');
  assert.equal(runs.pending, 0);
});

test('pruneFrames: keeps the newest frames of a clip within the count and byte limits, and the one just written', () => {
  const dir = join(tmp.dir, 'prune');
  mkdirSync(dir);
  const t = Date.now() / 1000;
  for (let i = 0; i < 8; i++) {
    writeFileSync(join(dir, `${i}-64.sdr16`), Buffer.alloc(100));
    utimesSync(join(dir, `${i}-64.sdr16`), t - 100 + i, t - 100 + i); // frame 7 newest
  }
  writeFileSync(join(dir, 'other.jpg'), 'not a frame');
  pruneFrames(dir, join(dir, '0-64.sdr16'), { files: 4, bytes: 1 << 20 });
  assert.deepEqual(readdirSync(dir).sort(), ['0-64.sdr16', '5-64.sdr16', '6-64.sdr16', '7-64.sdr16', 'other.jpg']);
  pruneFrames(dir, join(dir, '0-64.sdr16'), { files: 64, bytes: 250 });
  assert.deepEqual(readdirSync(dir).sort(), ['0-64.sdr16', '7-64.sdr16', 'other.jpg']);
});
