// The real inference worker process running a real ONNX model on real pixels.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { copyFileSync, existsSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { InferenceClient } from '../../src-main/core/inference/client';
import { forkLauncher, type WorkerLauncher } from '../../src-main/core/inference/launcher';
import { createLogger } from '../../src-main/core/log';
import { appRoot } from '../../src-main/core/paths';
import { inferenceThreads, threadsNote } from '../../src-main/node/cpu-cores';
import { newScratchFile, removeStaleScratch } from '../../src-main/core/inference/scratch';
import { ServiceError, type InferenceStatus } from '../../src-main/common/contract';
import { sessionOptions } from '../../src-main/worker/ort-engine';
import { flatSdrToPq, to10bitNarrow } from '../helpers/reference';

const model = join(appRoot(), 'models', 'baseline-x2.onnx');
const log = createLogger({ quiet: true, level: 'error' });

test('sessions keep their threads from spinning, so the grade and cache encode fill the gaps', () => {
  for (const ep of ['cpu', 'cuda', 'webgpu'] as const) {
    const o = sessionOptions(ep);
    assert.deepEqual(o.executionProviders, [ep]);
    assert.deepEqual(o.extra, { session: { intra_op: { allow_spinning: '0' }, inter_op: { allow_spinning: '0' } } });
    assert.equal(o.intraOpNumThreads, inferenceThreads());
  }
});

function flatFrame(w: number, h: number, rgb: [number, number, number]): Float32Array {
  const f = new Float32Array(3 * w * h);
  for (let c = 0; c < 3; c++) f.fill(rgb[c], c * w * h, (c + 1) * w * h);
  return f;
}

test('worker loads the model, reports its device and runs real pixels', async (t) => {
  const states: InferenceStatus[] = [];
  const client = new InferenceClient({
    launcher: forkLauncher(),
    modelPath: model,
    log,
    onStatus: (s) => states.push(s),
  });
  t.after(() => client.close());
  await client.start();
  const info = await client.workerInfo();
  assert.equal(info.provider, 'cpu');
  // The thread count this machine's cores give (Linux), said as the status bar shows it.
  assert.match(
    info.device,
    new RegExp(`^CPU fp32${threadsNote(inferenceThreads())} \\(onnxruntime 1\\.\\d+\\.\\d+\\)$`),
  );
  assert.equal(info.model?.scale, 2);
  assert.deepEqual(info.model?.outputs.slice().sort(), ['base', 'hdr']);
  assert.equal(client.status().state, 'ready');
  assert.ok(states.some((s) => s.state === 'starting'));

  // A frame with a colour bar on the left and grey on the right: check the mapped code values.
  const w = 32;
  const h = 16;
  const colour: [number, number, number] = [0.8, 0.4, 0.2];
  const grey: [number, number, number] = [0.5, 0.5, 0.5];
  const input = new Float32Array(3 * w * h);
  for (let c = 0; c < 3; c++)
    for (let y = 0; y < h; y++)
      for (let x = 0; x < w; x++) input[c * w * h + y * w + x] = x < w / 2 ? colour[c] : grey[c];
  const out = await client.run(input, [1, 3, h, w]);
  assert.deepEqual(out.dims, [1, 3, 2 * h, 2 * w]);
  const W = 2 * w;
  const H = 2 * h;
  const at = (c: number, x: number, y: number) => out.hdr[c * W * H + y * W + x];
  // Far from the edge between the halves the bicubic is flat, so the value is the pure mapping.
  const wantColour = flatSdrToPq(colour).map(to10bitNarrow);
  const wantGrey = flatSdrToPq(grey).map(to10bitNarrow);
  for (let c = 0; c < 3; c++) {
    assert.ok(
      Math.abs(to10bitNarrow(at(c, 4, 10)) - wantColour[c]) <= 1,
      `colour ch${c}: ${to10bitNarrow(at(c, 4, 10))} vs ${wantColour[c]}`,
    );
    assert.ok(Math.abs(to10bitNarrow(at(c, W - 4, 10)) - wantGrey[c]) <= 1, `grey ch${c}`);
  }
  // SDR 100% white maps to 203 cd/m2 = PQ 10-bit 573 (ITU-R BT.2408); check with a white frame.
  const white = await client.run(flatFrame(8, 8, [1, 1, 1]), [1, 3, 8, 8]);
  assert.equal(to10bitNarrow(white.hdr[0]), 573);
  assert.ok(
    white.base.every((v, i) => v === white.hdr[i]),
    'the baseline model outputs hdr == base',
  );

  // A tile asks for its interior only: the window comes back bit-identical to that part of the whole output.
  const keep = { x: 10, y: 3, width: 37, height: 21 };
  const part = await client.run(input, [1, 3, h, w], { keep });
  assert.deepEqual(part.dims, [1, 3, 21, 37]);
  assert.equal(part.hdr.length, 3 * 21 * 37);
  for (let c = 0; c < 3; c++)
    for (let y = 0; y < keep.height; y++)
      for (let x = 0; x < keep.width; x++) {
        const i = (c * keep.height + y) * keep.width + x;
        assert.equal(part.hdr[i], at(c, keep.x + x, keep.y + y));
        assert.equal(part.base[i], out.base[c * W * H + (keep.y + y) * W + keep.x + x]);
      }
  await assert.rejects(
    client.run(input, [1, 3, h, w], { keep: { x: 40, y: 0, width: 30, height: 4 } }),
    (e: unknown) => e instanceof ServiceError && e.code === 'bad_input' && /outside the 64x32 output/.test(e.message),
  );
});

test('inputs and results travel through the scratch file, bit-identical to the IPC path, with a fallback when it cannot be written', async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'remaster-scratch-'));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  const file = newScratchFile(dir)!;
  // What the client sends the worker, to see that the pixels went through the file.
  const sent: { type?: string; input?: unknown; inputFile?: string; outputFile?: string }[] = [];
  const watched: WorkerLauncher = () => {
    const h = forkLauncher()();
    return { ...h, post: (m) => (sent.push(m as (typeof sent)[number]), h.post(m)) };
  };
  const viaFile = new InferenceClient({ launcher: watched, modelPath: model, log, scratchFile: file });
  const viaIpc = new InferenceClient({ launcher: forkLauncher(), modelPath: model, log, scratchFile: null });
  // A folder that does not exist: nothing can be written there, so input and result travel inline.
  const unwritable = new InferenceClient({
    launcher: forkLauncher(),
    modelPath: model,
    log,
    scratchFile: join(dir, 'missing', 'remaster-worker-1-x.f32'),
  });
  t.after(() => Promise.all([viaFile.close(), viaIpc.close(), unwritable.close()]));
  const w = 48;
  const h = 40;
  const input = new Float32Array(3 * w * h).map((_, i) => ((i * 2654435761) % 997) / 997);
  const keep = { x: 6, y: 4, width: 70, height: 50 };
  const a = await viaFile.run(input, [1, 3, h, w], { keep });
  // The analytic model declares hdr == base (remaster.kind): one plane set, float32, and hdr is the same array.
  assert.equal(statSync(file).size, 4 * 3 * 70 * 50, 'base only, float32');
  assert.ok(a.hdr === a.base);
  const runs = sent.filter((m) => m.type === 'run');
  assert.deepEqual(
    runs.map((m) => [m.input, m.inputFile, m.outputFile]),
    [[undefined, file, file]],
    'the pixels went through the file, not the pipe',
  );
  const b = await viaIpc.run(input, [1, 3, h, w], { keep });
  const c = await unwritable.run(input, [1, 3, h, w], { keep });
  const c2 = await unwritable.run(input, [1, 3, h, w], { keep });
  assert.ok(c2.hdr.every((v, i) => v === c.hdr[i]));
  assert.deepEqual(a.dims, [1, 3, 50, 70]);
  for (const o of [b, c]) {
    assert.deepEqual(o.dims, a.dims);
    assert.ok(o.hdr.every((v, i) => v === a.hdr[i]) && o.base.every((v, i) => v === a.base[i]));
  }
  assert.equal(to10bitNarrow(a.hdr[0]), to10bitNarrow(b.hdr[0]));
  // A smaller result reuses the file: only the bytes the reply names are read.
  const white = await viaFile.run(flatFrame(8, 8, [1, 1, 1]), [1, 3, 8, 8]);
  assert.equal(white.hdr.length, 3 * 16 * 16);
  assert.ok(white.hdr.every((v) => to10bitNarrow(v) === 573));
  await viaFile.close();
  assert.equal(existsSync(file), false, 'closing the client removes its scratch file');

  // The client can write the input but the worker cannot write the result (a full /dev/shm, say; here its
  // requests name a file in a folder that does not exist): the result comes back inline, the client removes its
  // file and sends everything through IPC from then on.
  const resultFails = newScratchFile(dir)!;
  const posted: typeof sent = [];
  const failing: WorkerLauncher = () => {
    const h = forkLauncher()();
    const redirect = (m: (typeof sent)[number]) =>
      m.type === 'run' && m.outputFile ? { ...m, outputFile: join(dir, 'missing', 'remaster-worker-1-x.f32') } : m;
    return {
      ...h,
      post: (m) => (posted.push(m as (typeof sent)[number]), h.post(redirect(m as (typeof sent)[number]))),
    };
  };
  const halfway = new InferenceClient({ launcher: failing, modelPath: model, log, scratchFile: resultFails });
  t.after(() => halfway.close());
  const d1 = await halfway.run(input, [1, 3, h, w], { keep });
  assert.equal(existsSync(resultFails), false, 'the scratch file is given back once the worker could not use it');
  const d2 = await halfway.run(input, [1, 3, h, w], { keep });
  for (const o of [d1, d2]) assert.ok(o.hdr.every((v, i) => v === a.hdr[i]) && o.base.every((v, i) => v === a.base[i]));
  assert.deepEqual(
    posted.filter((m) => m.type === 'run').map((m) => [m.input instanceof Float32Array, m.inputFile, m.outputFile]),
    [
      [false, resultFails, resultFails],
      [true, undefined, undefined],
    ],
  );

  // Files left by a crashed app (a pid that no longer runs) are swept; a live process's file is kept.
  const dead = join(dir, 'remaster-worker-999999999-dead.f32');
  const live = join(dir, `remaster-worker-${process.pid}-live.f32`);
  writeFileSync(dead, 'x');
  writeFileSync(live, 'x');
  assert.equal(removeStaleScratch(dir), 1);
  assert.equal(existsSync(dead), false);
  assert.equal(existsSync(live), true);
});

test('a killed worker fails the in-flight request cleanly and is restarted', async (t) => {
  const client = new InferenceClient({ launcher: forkLauncher(), modelPath: model, log });
  t.after(() => client.close());
  await client.start();
  const firstPid = client.pid;
  // A large frame keeps the worker busy long enough to kill it mid-request.
  const w = 1280;
  const h = 720;
  const inFlight = client.run(flatFrame(w, h, [0.3, 0.3, 0.3]), [1, 3, h, w]);
  await new Promise((r) => setTimeout(r, 150));
  client.killWorker();
  await assert.rejects(
    inFlight,
    (e: unknown) => e instanceof ServiceError && e.code === 'worker_failed' && /stopped unexpectedly/.test(e.message),
  );
  // The next request waits for the restarted worker and succeeds.
  const out = await client.run(flatFrame(8, 8, [1, 1, 1]), [1, 3, 8, 8]);
  assert.equal(to10bitNarrow(out.hdr[0]), 573);
  assert.notEqual(client.pid, firstPid);
  assert.equal(client.status().restarts, 1);
});

test('a file that is not a Remaster model is refused with a clear error', async (t) => {
  const client = new InferenceClient({ launcher: forkLauncher(), modelPath: join(appRoot(), 'package.json'), log });
  t.after(() => client.close());
  await assert.rejects(client.start(), (e: unknown) => e instanceof ServiceError && /package/.test(e.message));
  assert.equal(client.status().state, 'failed');
});

test('malformed messages to the worker get a typed error and do not crash it', async (t) => {
  const launcher = forkLauncher();
  const handle = launcher();
  t.after(() => handle.kill());
  const replies: unknown[] = [];
  handle.onMessage((m) => replies.push(m));
  await new Promise((r) => setTimeout(r, 50));
  while (!replies.some((m) => (m as { type: string }).type === 'hello')) await new Promise((r) => setTimeout(r, 50));
  handle.post({ id: 6, type: 'load', modelPath: model });
  handle.post({ id: 7, type: 'run', input: 'not pixels', dims: [1, 3, 2, 2] });
  handle.post({ id: 8, type: 'explode' });
  // The worker writes results only to a scratch file name the protocol allows: never to an arbitrary path.
  handle.post({ id: 10, type: 'run', input: new Float32Array(12), dims: [1, 3, 2, 2], outputFile: '/etc/passwd' });
  // Nor read its input from anywhere else; and a run names exactly one input.
  handle.post({ id: 11, type: 'run', inputFile: '/etc/passwd', dims: [1, 3, 2, 2] });
  handle.post({ id: 12, type: 'run', dims: [1, 3, 2, 2] });
  const dir = mkdtempSync(join(tmpdir(), 'remaster-scratch-'));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  const short = join(dir, 'remaster-worker-1-short.f32');
  writeFileSync(short, Buffer.alloc(40));
  handle.post({ id: 13, type: 'run', inputFile: short, dims: [1, 3, 2, 2] });
  handle.post({ id: 14, type: 'run', input: new Float32Array(12), inputFile: short, dims: [1, 3, 2, 2] });
  // A result file the worker cannot write (here: one the main side never made): the arrays come back inline.
  handle.post({
    id: 15,
    type: 'run',
    input: new Float32Array(12).fill(1),
    dims: [1, 3, 2, 2],
    outputFile: join(dir, 'remaster-worker-1-never-made.f32'),
  });
  handle.post('garbage');
  handle.post({ id: 9, type: 'info' });
  while (replies.length < 11) await new Promise((r) => setTimeout(r, 50));
  const byId = (id: number) =>
    replies.find((m) => (m as { id?: number }).id === id) as {
      ok: boolean;
      error?: { code: string };
      value?: { pid: number };
    };
  assert.equal(byId(7).ok, false);
  assert.equal(byId(7).error?.code, 'bad_request');
  assert.equal(byId(8).error?.code, 'bad_request');
  assert.equal(byId(10).error?.code, 'bad_request');
  assert.equal(byId(11).error?.code, 'bad_request');
  assert.equal(byId(12).error?.code, 'bad_request');
  assert.equal(byId(14).error?.code, 'bad_request');
  assert.equal(byId(13).error?.code, 'worker_failed');
  assert.match(
    (byId(13) as unknown as { error: { message: string } }).error.message,
    /holds 40 bytes; 1x3x2x2 float32 needs 48/,
  );
  const inline = byId(15) as unknown as { ok: boolean; value: { hdr: Float32Array; dims: number[] } };
  assert.equal(inline.ok, true);
  assert.deepEqual(inline.value.dims, [1, 3, 4, 4]);
  assert.equal(to10bitNarrow(inline.value.hdr[0]), 573);
  assert.equal(byId(9).ok, true, 'still answering after garbage');
  assert.equal(byId(9).value?.pid, handle.pid);
});

test('the float16 variant (GPU default) gives the float32 result within a quarter of a 10-bit code', async (t) => {
  const trained = join(appRoot(), 'models', 'srItm-x2.onnx');
  const fixture = new Float32Array(
    readFileSync(join(appRoot(), 'models', 'golden', 'fixture-1x3x24x40.f32')).buffer.slice(0),
  );
  const full = new InferenceClient({ launcher: forkLauncher({ REMASTER_PRECISION: 'auto' }), modelPath: trained, log });
  const half = new InferenceClient({ launcher: forkLauncher({ REMASTER_PRECISION: 'fp16' }), modelPath: trained, log });
  t.after(() => Promise.all([full.close(), half.close()]));
  await Promise.all([full.start(), half.start()]);
  // On the CPU, auto means float32; fp16 asked for loads srItm-x2.fp16.onnx and says so.
  assert.equal((await full.workerInfo()).model?.precision, 'fp32');
  const info = await half.workerInfo();
  assert.equal(info.model?.precision, 'fp16');
  assert.match(info.device, /^CPU fp16(, \d+ threads?)? \(onnxruntime/);
  assert.equal(info.model?.tileMargin, (await full.workerInfo()).model?.tileMargin, 'same card, same tiling');
  const [a, b] = await Promise.all([full.run(fixture, [1, 3, 24, 40]), half.run(fixture, [1, 3, 24, 40])]);
  let worst = 0;
  for (let i = 0; i < a.hdr.length; i++) worst = Math.max(worst, Math.abs(a.hdr[i] - b.hdr[i]) * 876);
  t.diagnostic(`fp16 vs fp32 on the golden fixture: worst ${worst.toFixed(3)} 10-bit codes`);
  assert.ok(worst <= 0.25, `worst ${worst} codes`);
  assert.ok(
    a.base.every((v, i) => v === b.base[i]),
    'the analytic baseline stays float32: identical',
  );
  // And the model's residual is really there in half precision (not a baseline-only file).
  assert.ok(b.hdr.some((v, i) => Math.abs(v - b.base[i]) * 876 > 1));
});

test('a float16 variant the model card does not vouch for is never run; a variant chosen directly keeps its card', async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'remaster-fp16-'));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  const models = join(appRoot(), 'models');
  copyFileSync(join(models, 'srItm-x2.onnx'), join(dir, 'srItm-x2.onnx'));
  copyFileSync(join(models, 'srItm-x2.card.json'), join(dir, 'srItm-x2.card.json'));
  // A variant left over from another export (here: the x4 network's) must not be paired with this x2 file.
  copyFileSync(join(models, 'srItm-x4.fp16.onnx'), join(dir, 'srItm-x2.fp16.onnx'));
  const stale = new InferenceClient({
    launcher: forkLauncher({ REMASTER_PRECISION: 'fp16' }),
    modelPath: join(dir, 'srItm-x2.onnx'),
    log,
  });
  t.after(() => stale.close());
  await stale.start();
  const info = await stale.workerInfo();
  assert.equal(info.model?.precision, 'fp32');
  assert.match(info.providerNote ?? '', /srItm-x2\.fp16\.onnx was not made from this srItm-x2\.onnx/);
  assert.equal(info.model?.scale, 2);

  const direct = new InferenceClient({ launcher: forkLauncher(), modelPath: join(models, 'srItm-x2.fp16.onnx'), log });
  t.after(() => direct.close());
  await direct.start();
  const d = await direct.workerInfo();
  assert.equal(d.model?.precision, 'fp16');
  assert.equal(d.model?.name, 'srItm-x2');
  assert.equal(d.model?.tileMargin, 96, 'tiling from srItm-x2.card.json');
  assert.equal(d.model?.tileAlign, 16);
});

test('a forced WebGPU provider without a usable adapter says why and runs on the CPU, neither crashing nor hanging', async (t) => {
  const states: InferenceStatus[] = [];
  const client = new InferenceClient({
    launcher: forkLauncher({ REMASTER_PROVIDER: 'webgpu' }),
    modelPath: model,
    log,
    onStatus: (s) => states.push(s),
  });
  t.after(() => client.close());
  const t0 = performance.now();
  await client.start();
  const started = performance.now() - t0;
  const info = await client.workerInfo();
  const status = client.status();
  t.diagnostic(`start with forced WebGPU: ${started.toFixed(0)} ms; note: ${status.providerNote}`);
  // This machine: Dawn finds only Mesa's software Vulkan (or none) and onnxruntime refuses; a GPU machine gets
  // WebGPU itself. Either way the worker is ready and says what runs.
  if (info.provider === 'webgpu') {
    assert.match(info.device, /^WebGPU fp(16|32) \(onnxruntime/);
  } else {
    assert.equal(info.provider, 'cpu');
    assert.match(info.device, /^CPU fp32(, \d+ threads?)? \(onnxruntime/);
    assert.match(status.providerNote ?? '', /^WebGPU unavailable: [^/]*adapter/i);
    assert.equal(status.state, 'ready');
  }
  const out = await client.run(flatFrame(8, 8, [0.5, 0.5, 0.5]), [1, 3, 8, 8]);
  assert.deepEqual(out.dims, [1, 3, 16, 16]);
  const want = flatSdrToPq([0.5, 0.5, 0.5]).map(to10bitNarrow);
  assert.equal(to10bitNarrow(out.hdr[8 * 16 + 8]), want[0]);
});
