// Which execution provider runs the model, and falling back from one that fails. Written against a small
// `Engine` interface so the choice and every fallback can be tested with scripted providers (no GPU here).
import type { ExecutionProvider } from '../common/contract';

export type Dims = [number, number, number, number];
export type Precision = 'fp32' | 'fp16';

export interface EngineOutput {
  hdr: Float32Array<ArrayBuffer>;
  base: Float32Array<ArrayBuffer>;
  hdrDims: readonly number[];
  baseDims: readonly number[];
}

/** What the runner needs from onnxruntime (or from a test's scripted provider). */
export interface Engine<S> {
  create(file: string, provider: ExecutionProvider): Promise<S>;
  names(session: S): { inputs: readonly string[]; outputs: readonly string[] };
  /** `expect`: the output dims the model's scale implies, so the engine may write into buffers it keeps. */
  run(session: S, input: Float32Array, dims: Dims, expect?: Dims): Promise<EngineOutput>;
  release(session: S): Promise<void>;
}

export const providerNames: Record<ExecutionProvider, string> = {
  cpu: 'CPU',
  cuda: 'CUDA',
  dml: 'DirectML',
  coreml: 'CoreML',
  webgpu: 'WebGPU',
};

/** The model itself is unusable (not ONNX, wrong inputs or outputs): no provider can help. */
export class ContractError extends Error {}

/** A provider misbehaved (threw, wrong shapes, non-finite values) where the CPU would not have. */
class ProviderFault extends Error {}

export interface ProviderOrderInput {
  platform: NodeJS.Platform | string;
  choice: ExecutionProvider | 'auto';
  /** Providers this onnxruntime build carries (onnxruntime's listSupportedBackends, `bundled` or installed). */
  available: ReadonlySet<ExecutionProvider>;
  /** Whether the machine shows a GPU at all (Linux: /dev/dri/renderD*, /dev/nvidia*). Without one, auto mode does
   *  not try WebGPU: Dawn would only find Mesa's software Vulkan and refuse it, after ~0.4 s per attempt. */
  gpuPresent: boolean;
}

/**
 * Providers to try, best first: a vendor API the user installed or the OS ships (CUDA after `npm run setup:cuda`,
 * DirectML on Windows, CoreML on macOS), then WebGPU (Dawn, in onnxruntime-node's own library), then the CPU,
 * which always exists. A forced choice is tried alone, then the CPU.
 */
export function providerOrder(p: ProviderOrderInput): { order: ExecutionProvider[]; notes: string[] } {
  const notes: string[] = [];
  const wanted: ExecutionProvider[] =
    p.choice !== 'auto'
      ? [p.choice]
      : p.platform === 'win32'
        ? ['cuda', 'dml', 'webgpu']
        : p.platform === 'darwin'
          ? ['coreml', 'webgpu']
          : ['cuda', 'webgpu'];
  const order: ExecutionProvider[] = [];
  for (const ep of wanted) {
    if (ep === 'cpu') continue;
    if (ep === 'webgpu' && p.choice === 'auto' && p.platform === 'linux' && !p.gpuPresent) continue;
    if (p.available.has(ep)) order.push(ep);
    else if (ep === 'cuda' && p.gpuPresent) notes.push('CUDA libraries not installed (npm run setup:cuda)');
    else if (p.choice !== 'auto') notes.push(`${providerNames[ep]} is not in this onnxruntime build`);
  }
  order.push('cpu');
  return { order, notes };
}

export interface Loaded {
  provider: ExecutionProvider;
  precision: Precision;
  file: string;
  scale: number;
  inputs: string[];
  outputs: string[];
}

/** The first line of an error, without onnxruntime's source location and failed assertion (said to colorists). */
export function firstLine(e: unknown): string {
  const line = (e instanceof Error ? e.message : String(e)).split('\n')[0];
  return line.replace(/^\S+\.(?:cc|cpp|h):\d+ .*? was false\. /, '').replace(/^\S+\.(?:cc|cpp|h):\d+ /, '');
}

/**
 * One model on the best provider that works. A provider that fails at session creation, at the probe run, or at
 * its first real run (throws, gives wrong shapes or non-finite values) is reported once in `notes` and skipped
 * for the rest of the worker's life; the run is repeated on the next provider, so the caller sees no error.
 */
export class ModelRunner<S> {
  private session: S | null = null;
  private current: Loaded | null = null;
  private readonly failed = new Set<ExecutionProvider>();
  private readonly noteSet = new Set<string>();
  private modelPath = '';
  private files: (ep: ExecutionProvider, notes: Set<string>) => { file: string; precision: Precision }[] = () => [];
  /** Providers whose first real run has been checked. */
  private readonly proven = new Set<ExecutionProvider>();

  constructor(
    private readonly engine: Engine<S>,
    private readonly order: ExecutionProvider[],
    initialNotes: readonly string[] = [],
  ) {
    for (const n of initialNotes) this.noteSet.add(n);
  }

  get loaded(): Loaded | null {
    return this.current;
  }

  /** Why a faster provider is not running, or null. */
  get notes(): string | null {
    return this.noteSet.size ? [...this.noteSet].join('; ') : null;
  }

  /**
   * Opens `modelPath` on the first provider that works. `files` lists, per provider, the files to try (the
   * float16 variant before float32 on GPUs); it may add notes (a variant not vouched for by its card).
   */
  async load(
    modelPath: string,
    files: (ep: ExecutionProvider, notes: Set<string>) => { file: string; precision: Precision }[],
  ): Promise<Loaded> {
    this.modelPath = modelPath;
    this.files = files;
    this.proven.clear();
    return this.open();
  }

  private async open(): Promise<Loaded> {
    let lastError: unknown = null;
    for (const ep of this.order) {
      if (this.failed.has(ep)) continue;
      let variantNote: { note: string; where: string } | null = null;
      for (const { file, precision } of this.files(ep, this.noteSet)) {
        let s: S | null = null;
        try {
          s = await this.engine.create(file, ep);
          const scale = await this.probe(s, file, ep);
          if (this.session && this.session !== s) await this.engine.release(this.session);
          this.session = s;
          const { inputs, outputs } = this.engine.names(s);
          this.current = { provider: ep, precision, file, scale, inputs: [...inputs], outputs: [...outputs] };
          return this.current;
        } catch (e) {
          if (s) await this.engine.release(s).catch(() => undefined);
          lastError = e;
          if (e instanceof ContractError) throw e;
          const where = e instanceof ProviderFault ? e.message : firstLine(e);
          if (precision === 'fp16' && file !== this.modelPath) {
            // The variant failed here: the float32 file may still run on this provider.
            variantNote = { note: `${basename(file)} failed on ${providerNames[ep]}: ${where}`, where };
            this.noteSet.add(variantNote.note);
            continue;
          }
          // The CPU provider always exists: when it cannot load or run the file, the file is the problem.
          if (ep === 'cpu') throw new ContractError(`${basename(file)} is not a usable ONNX model: ${where}`);
          // Both files failed the same way: the provider is the problem, said once.
          if (variantNote?.where === where) this.noteSet.delete(variantNote.note);
          this.noteSet.add(`${providerNames[ep]} unavailable: ${where}`);
          this.failed.add(ep);
        }
      }
    }
    throw new Error(`Could not load ${basename(this.modelPath)}: ${firstLine(lastError)}`);
  }

  /** The contract (models/README.md): input `sdr` [N,3,h,w], outputs `hdr` and `base` at an integer scale. */
  private async probe(s: S, file: string, ep: ExecutionProvider): Promise<number> {
    const name = basename(file).replace(/(\.fp16)?\.onnx$/i, '');
    const { inputs, outputs } = this.engine.names(s);
    if (!inputs.includes('sdr'))
      throw new ContractError(
        `${name} does not meet the model contract: no input named "sdr" (has ${inputs.join(', ')})`,
      );
    for (const o of ['hdr', 'base']) {
      if (!outputs.includes(o))
        throw new ContractError(
          `${name} does not meet the model contract: no output named "${o}" (has ${outputs.join(', ')})`,
        );
    }
    let out: EngineOutput;
    try {
      out = await this.engine.run(s, new Float32Array(3 * 16 * 16).fill(0.5), [1, 3, 16, 16]);
    } catch (e) {
      if (ep === 'cpu') throw e;
      throw new ProviderFault(`its first run failed: ${firstLine(e)}`);
    }
    const d = out.hdrDims;
    const scale = d[2] / 16;
    const ok =
      d.length === 4 && d[1] === 3 && Number.isInteger(scale) && scale > 0 && d[3] === 16 * scale && sameDims(out);
    if (!ok) {
      const what = `output shape ${d.join('x')} for input 1x3x16x16`;
      if (ep === 'cpu') throw new ContractError(`${name} does not meet the model contract: ${what}`);
      throw new ProviderFault(`it gave ${what}`);
    }
    if (ep !== 'cpu' && !finite(out)) throw new ProviderFault('it gave non-finite values');
    return scale;
  }

  /** Runs one NCHW batch; on a provider's first real run, a fault moves the work to the next provider. */
  async run(input: Float32Array, dims: Dims): Promise<EngineOutput> {
    for (;;) {
      const s = this.session;
      const cur = this.current;
      if (!s || !cur) throw new Error('No model loaded');
      const firstRun = !this.proven.has(cur.provider);
      const expect: Dims = [dims[0], 3, dims[2] * cur.scale, dims[3] * cur.scale];
      if (cur.provider === 'cpu' || !firstRun) {
        const out = await this.engine.run(s, input, dims, expect);
        this.proven.add(cur.provider);
        return out;
      }
      let fault: string | null = null;
      try {
        // No buffers of ours on a provider's first run: its own output shape is what is being checked.
        const out = await this.engine.run(s, input, dims);
        const want = expect.join('x');
        if (out.hdrDims.join('x') !== want || !sameDims(out))
          fault = `it gave ${out.hdrDims.join('x')} for ${dims.join('x')} (expected ${want})`;
        else if (!finite(out)) fault = 'it gave non-finite values';
        else {
          this.proven.add(cur.provider);
          return out;
        }
      } catch (e) {
        fault = `its first run failed: ${firstLine(e)}`;
      }
      this.noteSet.add(`${providerNames[cur.provider]} dropped: ${fault}`);
      this.failed.add(cur.provider);
      await this.open(); // the next provider; the CPU at the end never fails here for a model that probed fine
    }
  }

  async release(): Promise<void> {
    if (this.session) await this.engine.release(this.session);
    this.session = null;
    this.current = null;
  }
}

function sameDims(o: EngineOutput): boolean {
  return o.baseDims.join('x') === o.hdrDims.join('x') && o.hdr.length === o.hdrDims.reduce((a, b) => a * b, 1);
}

/** A strided look is enough: a broken kernel poisons whole planes, not single pixels. */
function finite(o: EngineOutput): boolean {
  const step = Math.max(1, Math.floor(o.hdr.length / 65536));
  for (let i = 0; i < o.hdr.length; i += step)
    if (!Number.isFinite(o.hdr[i]) || !Number.isFinite(o.base[i])) return false;
  return true;
}

function basename(p: string): string {
  return p.slice(Math.max(p.lastIndexOf('/'), p.lastIndexOf('\\')) + 1);
}
