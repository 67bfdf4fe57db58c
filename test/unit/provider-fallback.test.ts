// Provider choice and fallback, with scripted providers standing in for GPUs this machine does not have.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  ContractError,
  ModelRunner,
  firstLine,
  providerOrder,
  type Dims,
  type Engine,
  type EngineOutput,
} from '../../src-main/worker/runner';
import type { ExecutionProvider } from '../../src-main/common/contract';
import { gpuDevicePresent } from '../../src-main/node/gpu-device';
import { existsSync, readdirSync } from 'node:fs';

type Fault = 'create' | 'probe' | 'first-run' | 'probe-shape' | 'run-shape' | 'nan' | null;

interface Scripted {
  id: number;
  file: string;
  provider: ExecutionProvider;
  runs: number;
}

/** A x2 "model" whose output is the input's nearest-neighbour upscale plus `offset` (per provider), or a fault. */
function scriptedEngine(
  faults: Partial<Record<string, Fault>>,
  offset: Partial<Record<ExecutionProvider, number>> = {},
) {
  const log: string[] = [];
  let next = 0;
  const engine: Engine<Scripted> = {
    async create(file, provider) {
      log.push(`create ${provider} ${file}`);
      if (faults[`${provider} ${file}`] === 'create' || faults[provider] === 'create')
        throw new Error(`${provider}: Failed to get an adapter\nstack line`);
      return { id: next++, file, provider, runs: 0 };
    },
    names: () => ({ inputs: ['sdr'], outputs: ['hdr', 'base'] }),
    async run(s, input, dims): Promise<EngineOutput> {
      s.runs++;
      log.push(`run ${s.provider} ${dims.join('x')}`);
      const fault = faults[`${s.provider} ${s.file}`] ?? faults[s.provider] ?? null;
      const probe = dims[2] === 16 && dims[3] === 16 && s.runs === 1;
      if (fault === 'probe' && probe) throw new Error('kernel compile failed');
      if (fault === 'first-run' && !probe) throw new Error('device lost');
      const [n, c, h, w] = dims;
      let H = 2 * h;
      const W = 2 * w;
      if ((fault === 'probe-shape' && probe) || (fault === 'run-shape' && !probe)) H = h; // a broken resize
      const out = new Float32Array(n * c * H * W);
      const add = offset[s.provider] ?? 0;
      for (let p = 0; p < n * c; p++)
        for (let y = 0; y < H; y++)
          for (let x = 0; x < W; x++) out[(p * H + y) * W + x] = input[(p * h + (y >> 1)) * w + (x >> 1)] + add;
      if (fault === 'nan' && !probe) out.fill(NaN);
      return { hdr: out, base: out.slice(), hdrDims: [n, c, H, W], baseDims: [n, c, H, W] };
    },
    async release(s) {
      log.push(`release ${s.provider}`);
    },
  };
  return { engine, log };
}

const fp32Only = () => [{ file: 'm.onnx', precision: 'fp32' as const }];
const halfThenFull = (ep: ExecutionProvider) =>
  ep === 'cpu'
    ? fp32Only()
    : [
        { file: 'm.fp16.onnx', precision: 'fp16' as const },
        { file: 'm.onnx', precision: 'fp32' as const },
      ];
const frame = (): { input: Float32Array; dims: Dims } => ({
  input: Float32Array.from({ length: 3 * 4 * 6 }, (_, i) => i / 100),
  dims: [1, 3, 4, 6],
});

test('provider order per platform: vendor API, then WebGPU, then the CPU; forced choices and missing ones', () => {
  const all = new Set<ExecutionProvider>(['cpu', 'webgpu', 'cuda', 'dml', 'coreml']);
  const bundledLinux = new Set<ExecutionProvider>(['cpu', 'webgpu']);
  const o = (platform: string, choice: ExecutionProvider | 'auto', available = all, gpuPresent = true) =>
    providerOrder({ platform, choice, available, gpuPresent });
  assert.deepEqual(o('linux', 'auto').order, ['cuda', 'webgpu', 'cpu']);
  assert.deepEqual(o('win32', 'auto').order, ['cuda', 'dml', 'webgpu', 'cpu']);
  assert.deepEqual(o('darwin', 'auto').order, ['coreml', 'webgpu', 'cpu']);
  // CUDA not installed (the default: onnxruntime-node-install=skip): said, and skipped.
  const linux = o('linux', 'auto', bundledLinux);
  assert.deepEqual(linux.order, ['webgpu', 'cpu']);
  assert.deepEqual(linux.notes, ['CUDA libraries not installed (npm run setup:cuda)']);
  assert.deepEqual(o('linux', 'auto', bundledLinux, false).notes, [], 'no GPU: nothing to explain');
  // No GPU device at all on Linux: WebGPU is not even tried in auto mode, and nothing needs explaining.
  assert.deepEqual(o('linux', 'auto', bundledLinux, false).order, ['cpu']);
  // Forced: tried alone, then the CPU, GPU device or not; a provider this build lacks is said, not tried.
  assert.deepEqual(o('linux', 'webgpu', bundledLinux, false).order, ['webgpu', 'cpu']);
  assert.deepEqual(o('linux', 'cpu').order, ['cpu']);
  const dml = o('linux', 'dml', bundledLinux);
  assert.deepEqual(dml.order, ['cpu']);
  assert.deepEqual(dml.notes, ['DirectML is not in this onnxruntime build']);
});

test('a provider that throws at session creation is reported once and skipped', async () => {
  const { engine, log } = scriptedEngine({ webgpu: 'create' });
  const r = new ModelRunner(engine, ['webgpu', 'cpu']);
  const got = await r.load('m.onnx', halfThenFull);
  assert.equal(got.provider, 'cpu');
  assert.equal(got.precision, 'fp32');
  assert.equal(got.scale, 2);
  // Both files were tried on WebGPU (the variant may be the only thing it cannot do), then the CPU.
  assert.deepEqual(
    log.filter((l) => l.startsWith('create')),
    ['create webgpu m.fp16.onnx', 'create webgpu m.onnx', 'create cpu m.onnx'],
  );
  // Both files failed the same way: one note, about the provider.
  assert.equal(r.notes, 'WebGPU unavailable: webgpu: Failed to get an adapter');
  const { input, dims } = frame();
  const out = await r.run(input, dims);
  assert.deepEqual(out.hdrDims, [1, 3, 8, 12]);
  assert.equal(out.hdr[0], input[0]);
});

test('only the float16 variant failing keeps the provider, in float32', async () => {
  const { engine } = scriptedEngine({ 'webgpu m.fp16.onnx': 'probe' });
  const r = new ModelRunner(engine, ['webgpu', 'cpu']);
  const got = await r.load('m.onnx', halfThenFull);
  assert.deepEqual([got.provider, got.precision, got.file], ['webgpu', 'fp32', 'm.onnx']);
  assert.match(r.notes ?? '', /^m\.fp16\.onnx failed on WebGPU: its first run failed: kernel compile failed$/);
});

test('a provider whose probe gives the wrong shape is skipped; on the CPU the same is the model’s fault', async () => {
  const gpu = scriptedEngine({ webgpu: 'probe-shape' });
  const r = new ModelRunner(gpu.engine, ['webgpu', 'cpu']);
  assert.equal((await r.load('m.onnx', fp32Only)).provider, 'cpu');
  assert.equal(r.notes, 'WebGPU unavailable: it gave output shape 1x3x16x32 for input 1x3x16x16');
  assert.ok(gpu.log.includes('release webgpu'), 'the failed session is released');

  const cpu = scriptedEngine({ cpu: 'probe-shape' });
  await assert.rejects(
    new ModelRunner(cpu.engine, ['cpu']).load('m.onnx', fp32Only),
    (e: Error) =>
      e instanceof ContractError && /does not meet the model contract: output shape 1x3x16x32/.test(e.message),
  );
});

for (const [fault, why] of [
  ['first-run', /^WebGPU dropped: its first run failed: device lost$/],
  ['run-shape', /^WebGPU dropped: it gave 1x3x4x12 for 1x3x4x6 \(expected 1x3x8x12\)$/],
  ['nan', /^WebGPU dropped: it gave non-finite values$/],
] as const) {
  test(`a provider that fails its first real run (${fault}) hands the same run to the CPU, once`, async () => {
    // The CPU's output is offset so the test can tell whose pixels came back.
    const { engine, log } = scriptedEngine({ webgpu: fault }, { cpu: 0.5 });
    const r = new ModelRunner(engine, ['webgpu', 'cpu']);
    assert.equal((await r.load('m.onnx', fp32Only)).provider, 'webgpu');
    assert.equal(r.notes, null);
    const { input, dims } = frame();
    const out = await r.run(input, dims);
    assert.equal(r.loaded?.provider, 'cpu');
    assert.deepEqual(out.hdrDims, [1, 3, 8, 12]);
    assert.equal(out.hdr[0], input[0] + 0.5, 'the CPU produced the result the caller got');
    assert.match(r.notes ?? '', why);
    // Later runs stay on the CPU and WebGPU is never created again.
    await r.run(input, dims);
    await r.run(input, dims);
    assert.equal(log.filter((l) => l.startsWith('create webgpu')).length, 1);
    assert.equal(log.filter((l) => l === 'run cpu 1x3x4x6').length, 3);
    assert.ok(log.includes('release webgpu'));
  });
}

test('a provider that passed its first real run is trusted: a later error reaches the caller', async () => {
  let calls = 0;
  const { engine } = scriptedEngine({});
  const flaky: Engine<Parameters<typeof engine.run>[0]> = {
    ...engine,
    run: (s, input, dims) =>
      s.provider === 'webgpu' && ++calls === 3
        ? Promise.reject(new Error('out of memory'))
        : engine.run(s, input, dims),
  };
  const r = new ModelRunner(flaky, ['webgpu', 'cpu']);
  await r.load('m.onnx', fp32Only);
  const { input, dims } = frame();
  await r.run(input, dims); // probe was call 1, this is call 2
  await assert.rejects(r.run(input, dims), /out of memory/);
  assert.equal(r.loaded?.provider, 'webgpu');
});

test('a model without the contract’s names fails at once, on any provider', async () => {
  const { engine, log } = scriptedEngine({});
  const bad: Engine<Parameters<typeof engine.run>[0]> = { ...engine, names: () => ({ inputs: ['x'], outputs: ['y'] }) };
  await assert.rejects(
    new ModelRunner(bad, ['webgpu', 'cpu']).load('m.onnx', fp32Only),
    (e: Error) => e instanceof ContractError && /no input named "sdr" \(has x\)/.test(e.message),
  );
  assert.deepEqual(
    log.filter((l) => l.startsWith('create')),
    ['create webgpu m.onnx'],
  );
});

test('onnxruntime errors are said without their source location', () => {
  const raw =
    '/onnxruntime_src/onnxruntime/core/providers/webgpu/webgpu_context.cc:136 onnxruntime::webgpu::WebGpuContext::Initialize(const onnxruntime::webgpu::WebGpuContextConfig&)::<lambda()> adapter_result.status == wgpu::RequestAdapterStatus::Success was false. Failed to get a WebGPU adapter: No supported adapters\nmore';
  assert.equal(firstLine(new Error(raw)), 'Failed to get a WebGPU adapter: No supported adapters');
  assert.equal(firstLine(new Error('plain message\nsecond')), 'plain message');
});

test('a GPU device is looked for only on Linux; elsewhere the OS APIs are always tried', () => {
  assert.equal(gpuDevicePresent('win32'), true);
  assert.equal(gpuDevicePresent('darwin'), true);
  // This machine's answer agrees with what its /dev holds (none on the CI and dev machines, yes on a GPU node).
  const dev = (d: string) => (existsSync(d) ? readdirSync(d) : []);
  const expected =
    dev('/dev/dri').some((n) => n.startsWith('renderD')) || dev('/dev').some((n) => /^nvidia\d+$/.test(n));
  assert.equal(gpuDevicePresent('linux'), expected);
});
