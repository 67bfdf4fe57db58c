// The inference worker: loads an ONNX model with onnxruntime-node and runs it, one request at a time.
// Runs as an Electron utilityProcess under Electron and as a child_process.fork under the headless host;
// it cannot tell the difference except for which port it talks through.
import { createHash } from 'node:crypto';
import { closeSync, constants, existsSync, fstatSync, openSync, readFileSync, unlinkSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import * as ort from 'onnxruntime-node';
import {
  PrecisionChoice,
  ProviderChoice,
  WorkerRequest,
  type WorkerInfo,
  type RunFileOutput,
  type RunOutput,
  type OutputWindow,
} from '../common/worker/protocol';
import { ExecutionProvider, type ModelInfo } from '../common/contract';
import { ContractError, ModelRunner, firstLine, providerNames, providerOrder, type Loaded } from './runner';
import { readFully, writeFully } from '../node/file-io';
import { writeToTerminal } from '../node/terminal';
import { gpuDevicePresent } from '../node/gpu-device';
import { threadsNote } from '../node/cpu-cores';
import { onnxMetadata } from './onnx-metadata';
import { intraOpNumThreads, keptBuffer, ortEngine, setResultIsBase } from './ort-engine';

interface Port {
  post(msg: unknown): void;
  onMessage(cb: (msg: unknown) => void): void;
}

function parentPort(): Port {
  const utility = (
    process as unknown as {
      parentPort?: { on(e: 'message', cb: (ev: { data: unknown }) => void): void; postMessage(m: unknown): void };
    }
  ).parentPort;
  if (utility)
    return { post: (m) => utility.postMessage(m), onMessage: (cb) => utility.on('message', (ev) => cb(ev.data)) };
  if (process.send) {
    const send = process.send.bind(process);
    // The channel closes when the host exits or is killed: a worker left behind would only hold memory and cores.
    process.on('disconnect', () => process.exit(0));
    return { post: (m) => send(m), onMessage: (cb) => process.on('message', cb) };
  }
  throw new Error('The inference worker must be started by Remaster (no parent port).');
}

const runtimeVersion = ort.env.versions.node ?? ort.env.versions.common ?? 'unknown';

function cudaInstalled(): boolean {
  // onnxruntime-node has CUDA support only after `npm run setup:cuda` fetched its provider library.
  const lib = process.platform === 'win32' ? 'onnxruntime_providers_cuda.dll' : 'libonnxruntime_providers_cuda.so';
  const dir = join(
    dirname(require.resolve('onnxruntime-node/package.json')),
    'bin',
    'napi-v6',
    process.platform,
    process.arch,
  );
  return existsSync(join(dir, lib));
}

/** Providers this onnxruntime build can run here: its bundled list, plus CUDA once installed. */
function availableProviders(): Set<ExecutionProvider> {
  const listed = (ort as { listSupportedBackends?: () => { name: string; bundled: boolean }[] }).listSupportedBackends;
  const known = new Set<string>(ExecutionProvider.options);
  const out = new Set<ExecutionProvider>(['cpu']);
  for (const b of listed?.() ?? []) if (b.bundled && known.has(b.name)) out.add(b.name as ExecutionProvider);
  if (cudaInstalled()) out.add('cuda');
  return out;
}

const choice = ProviderChoice.catch('auto').parse(process.env.REMASTER_PROVIDER ?? 'auto');
const precisionChoice = PrecisionChoice.catch('auto').parse(process.env.REMASTER_PRECISION ?? 'auto');

const order = providerOrder({
  platform: process.platform,
  choice,
  available: availableProviders(),
  gpuPresent: gpuDevicePresent(),
});
const runner = new ModelRunner(ortEngine, order.order, order.notes);
let model: ModelInfo | null = null;

/**
 * The float16 variant beside a model (`NAME.fp16.onnx`), used only when the model card vouches for the pair: the
 * card's `fp16.sha256` and `fp16.fp32_sha256` must be the two files' hashes, so a variant left over from an
 * older export, or a float32 file replaced by another, never runs with the wrong partner.
 */
function halfVariant(modelPath: string): { file: string | null; why: string | null } {
  const file = modelPath.replace(/\.onnx$/i, '.fp16.onnx');
  if (!existsSync(file)) return { file: null, why: `no float16 variant of ${basename(modelPath)}` };
  const card = readCard(modelPath)?.fp16;
  const hash = (f: string) => createHash('sha256').update(readFileSync(f)).digest('hex');
  if (!card || card.fp32_sha256 !== hash(modelPath) || card.sha256 !== hash(file)) {
    return { file: null, why: `${basename(file)} was not made from this ${basename(modelPath)} (model card)` };
  }
  return { file, why: null };
}

/** Files to try on a provider, preferred first: the float16 variant on GPUs (or when asked for), then float32. */
function filesFor(
  modelPath: string,
  ep: ExecutionProvider,
  notes: Set<string>,
): { file: string; precision: 'fp32' | 'fp16' }[] {
  if (/\.fp16\.onnx$/i.test(modelPath)) return [{ file: modelPath, precision: 'fp16' }]; // chosen by the user as is
  const full = { file: modelPath, precision: 'fp32' as const };
  const wantHalf = precisionChoice === 'fp16' || (precisionChoice === 'auto' && ep !== 'cpu');
  if (!wantHalf) return [full];
  const half = halfVariant(modelPath);
  if (!half.file) {
    if (precisionChoice === 'fp16' || half.why?.includes('model card')) notes.add(`${half.why}: running float32`);
    return [full];
  }
  return [{ file: half.file, precision: 'fp16' }, full];
}

async function load(modelPath: string): Promise<ModelInfo> {
  let meta: Record<string, string> = {};
  try {
    meta = onnxMetadata(readFileSync(modelPath));
  } catch {
    // unreadable: runner.load reports it
  }
  setResultIsBase(meta['remaster.kind'] === 'baseline');
  const got = await runner.load(modelPath, (ep, notes) => filesFor(modelPath, ep, notes));
  model = describe(modelPath, got);
  return model;
}

function describe(modelPath: string, got: Loaded): ModelInfo {
  const name = basename(modelPath).replace(/(\.fp16)?\.onnx$/i, '');
  return {
    name,
    file: modelPath,
    scale: got.scale,
    inputs: got.inputs,
    outputs: got.outputs,
    precision: got.precision,
    ...tiling(modelPath),
  };
}

interface ModelCard {
  receptive_field_input_px?: number;
  tile_alignment_input_px?: number;
  fp16?: { file?: string; sha256?: string; fp32_sha256?: string };
}

/** The model card beside an ONNX file (`NAME.card.json`, also for `NAME.fp16.onnx`), if there is one. */
function readCard(modelPath: string): ModelCard | null {
  try {
    return JSON.parse(readFileSync(modelPath.replace(/(\.fp16)?\.onnx$/i, '.card.json'), 'utf8')) as ModelCard;
  } catch {
    return null; // no card: a plain analytic or user model
  }
}

/** Tiling needs from the model card; a bicubic-sized default without one. */
function tiling(modelPath: string): { tileMargin: number; tileAlign: number } {
  const c = readCard(modelPath);
  const rf = Number(c?.receptive_field_input_px ?? 0);
  const align = Math.max(1, Math.round(Number(c?.tile_alignment_input_px ?? 1)));
  // The card gives the receptive field's radius in input pixels: a margin of that much makes tiles exact.
  // Rounded up to the alignment grid, as the model card asks (94 px with a 16 px grid: 96).
  if (rf > 0) return { tileMargin: Math.ceil(rf / align) * align, tileAlign: align };
  return { tileMargin: 4, tileAlign: 1 };
}

function info(): WorkerInfo {
  const provider = runner.loaded?.provider ?? 'cpu';
  return {
    pid: process.pid,
    provider,
    device: `${providerNames[provider]} ${model?.precision ?? 'fp32'}${provider === 'cpu' ? threadsNote(intraOpNumThreads) : ''} (onnxruntime ${runtimeVersion})`,
    runtimeVersion,
    model,
    providerNote: runner.notes,
  };
}

async function run(
  input: Float32Array,
  dims: [number, number, number, number],
  keep?: OutputWindow,
  hdrOnly = false,
): Promise<RunOutput> {
  if (!runner.loaded || !model) throw new Error('No model loaded');
  if (dims[1] !== 3) throw new Error(`Expected 3 channels, got ${dims[1]}`);
  if (input.length !== dims[0] * dims[1] * dims[2] * dims[3])
    throw new Error(`Input has ${input.length} values, dims say ${dims.join('x')}`);
  const t0 = performance.now();
  const before = runner.loaded;
  const out = await runner.run(input, dims);
  if (runner.loaded !== before) {
    // The provider failed its first real run and the work moved on: say so once, with the new device.
    model = describe(model.file, runner.loaded!);
    port.post({ type: 'info', value: info() });
  }
  // Asked for the model's result alone: it stands for both, so it is cropped, written and read once.
  const { hdr } = out;
  const base = hdrOnly ? hdr : out.base;
  const [n, c, H, W] = out.hdrDims as [number, number, number, number];
  const whole = !keep || (keep.x === 0 && keep.y === 0 && keep.width === W && keep.height === H);
  if (whole) return { hdr, base, dims: [n, c, H, W], ms: performance.now() - t0 };
  if (keep.x + keep.width > W || keep.y + keep.height > H)
    throw new ContractError(`Window ${keep.width}x${keep.height}+${keep.x}+${keep.y} is outside the ${W}x${H} output`);
  const keptBase = crop(base, n * c, W, H, keep, keptBuffer('crop-base', n * c * keep.width * keep.height));
  return {
    hdr:
      hdr === base ? keptBase : crop(hdr, n * c, W, H, keep, keptBuffer('crop-hdr', n * c * keep.width * keep.height)),
    base: keptBase,
    dims: [n, c, keep.height, keep.width],
    ms: performance.now() - t0,
  };
}

function crop(
  planes: Float32Array,
  count: number,
  W: number,
  H: number,
  k: OutputWindow,
  out: Float32Array<ArrayBuffer>,
): Float32Array<ArrayBuffer> {
  for (let p = 0; p < count; p++) {
    for (let y = 0; y < k.height; y++) {
      const src = p * W * H + (k.y + y) * W + k.x;
      out.set(planes.subarray(src, src + k.width), (p * k.height + y) * k.width);
    }
  }
  return out;
}

/** The run's input: sent inline, or read from the main side's scratch file (see WorkerRequest 'run'). */
function receive(req: {
  input?: Float32Array;
  inputFile?: string;
  dims: [number, number, number, number];
}): Float32Array {
  if (req.input) return req.input;
  const need = 4 * req.dims.reduce((a, b) => a * b, 1);
  // O_NOFOLLOW: never read through a link planted under the scratch file's name.
  const fd = openSync(req.inputFile!, constants.O_RDONLY | (constants.O_NOFOLLOW ?? 0));
  try {
    // A short file is a fault of the hand-over, not of the user's pixels: worker_failed, not bad_input.
    const size = fstatSync(fd).size;
    if (size < need) throw new Error(`Input file holds ${size} bytes; ${req.dims.join('x')} float32 needs ${need}`);
    const out = keptBuffer('input', need / 4);
    if (!readFully(fd, new Uint8Array(out.buffer, out.byteOffset, need), 0)) throw new Error('Input file ended early');
    return out;
  } finally {
    closeSync(fd);
  }
}

/** Hands the result over through the main side's scratch file (one copy instead of the IPC pipe's several). */
function deliver(out: RunOutput, file: string | undefined): RunOutput | RunFileOutput {
  if (!file) return out;
  try {
    // Reused, not truncated: the pages stay allocated between runs; the reply says how many bytes are valid.
    // O_NOFOLLOW: never write through a link planted under the scratch file's name. No O_CREAT: the main side
    // made the file (it wrote the input there), and a worker outliving its client must not re-create it.
    const fd = openSync(file, constants.O_RDWR | (constants.O_NOFOLLOW ?? 0));
    try {
      let pos = 0;
      const hdrIsBase = out.hdr === out.base;
      for (const plane of hdrIsBase ? [out.base] : [out.hdr, out.base])
        pos = writeFully(fd, new Uint8Array(plane.buffer, plane.byteOffset, plane.byteLength), pos);
      return { file, bytes: pos, dims: out.dims, ms: out.ms, ...(hdrIsBase ? { hdrIsBase } : {}) };
    } finally {
      closeSync(fd);
    }
  } catch (e) {
    // A full shared-memory folder (Docker gives /dev/shm 64 MB) must not stay full: give back what was written.
    try {
      unlinkSync(file);
    } catch {
      // never created
    }
    // Said once: the client stops asking for the file after this inline reply.
    writeToTerminal(`inference worker: cannot write ${file} (${firstLine(e)}); sending results through IPC`);
    return out;
  }
}

// One request at a time: onnxruntime already uses every core for one run.
const port = parentPort();
const queue: WorkerRequest[] = [];
let busy = false;

function reply(id: number, result: { ok: true; value: unknown } | { ok: false; code: string; message: string }): void {
  if (result.ok) port.post({ type: 'reply', id, ok: true, value: result.value });
  else port.post({ type: 'reply', id, ok: false, error: { code: result.code, message: result.message } });
}

async function pump(): Promise<void> {
  if (busy) return;
  busy = true;
  while (queue.length) {
    const req = queue.shift()!;
    try {
      if (req.type === 'info') reply(req.id, { ok: true, value: info() });
      else if (req.type === 'load') {
        await load(req.modelPath);
        reply(req.id, { ok: true, value: info() });
      } else if (req.type === 'run')
        reply(req.id, {
          ok: true,
          value: deliver(await run(receive(req), req.dims, req.keep, req.hdrOnly), req.outputFile),
        });
    } catch (e) {
      const code = e instanceof ContractError ? 'bad_input' : 'worker_failed';
      reply(req.id, { ok: false, code, message: e instanceof Error ? e.message : String(e) });
    }
  }
  busy = false;
}

port.onMessage((raw) => {
  const parsed = WorkerRequest.safeParse(raw);
  if (!parsed.success) {
    // Never crash on a bad message: answer it if it carries an id, otherwise drop it.
    const id = (raw as { id?: unknown } | null)?.id;
    const message = `Malformed worker request: ${parsed.error.issues.map((i) => `${i.path.join('.')} ${i.message}`).join('; ')}`;
    if (typeof id === 'number') reply(id, { ok: false, code: 'bad_request', message });
    else writeToTerminal(message);
    return;
  }
  const req = parsed.data;
  if (req.type === 'cancel') {
    const i = queue.findIndex((q) => q.id === req.target);
    if (i >= 0) {
      queue.splice(i, 1);
      reply(req.target, { ok: false, code: 'cancelled', message: 'Cancelled' });
    }
    reply(req.id, { ok: true, value: i >= 0 });
    return;
  }
  queue.push(req);
  void pump();
});

process.on('uncaughtException', (e) => {
  // State after an unexpected exception is unknown: exit, and the parent starts a clean worker.
  process.stderr.write(`inference worker: ${e.stack ?? e.message}\n`);
  process.exit(1);
});

port.post({ type: 'hello', pid: process.pid });
