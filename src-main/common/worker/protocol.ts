// Messages between the inference client (main side) and the inference worker process.
// The same protocol runs over Electron's utilityProcess port and Node's child_process IPC
// (both structured-clone, so Float32Array travels without JSON).
import { z } from 'zod';
import { ErrorCode, ExecutionProvider, ModelInfo } from '../contract';

const Id = z.number().int().nonnegative();
const Dims = z.tuple([
  z.number().int().positive(),
  z.number().int().positive(),
  z.number().int().positive(),
  z.number().int().positive(),
]);

export const ProviderChoice = z.enum(['auto', 'cpu', 'cuda', 'dml', 'coreml', 'webgpu']);
export type ProviderChoice = z.infer<typeof ProviderChoice>;

/** `auto`: the model's float16 variant (`NAME.fp16.onnx`) on GPU providers when it exists, float32 on the CPU. */
export const PrecisionChoice = z.enum(['auto', 'fp32', 'fp16']);
export type PrecisionChoice = z.infer<typeof PrecisionChoice>;

export const OutputWindow = z.object({
  x: z.number().int().nonnegative(),
  y: z.number().int().nonnegative(),
  width: z.number().int().positive(),
  height: z.number().int().positive(),
});
export type OutputWindow = z.infer<typeof OutputWindow>;

/** Scratch files for run inputs and results: shared memory (/dev/shm) where it exists. */
export const SCRATCH_FILE_NAME = /(^|[\\/])remaster-worker-[A-Za-z0-9-]+\.f32$/;

export const WorkerRequest = z.discriminatedUnion('type', [
  z.object({ id: Id, type: z.literal('info') }),
  z.object({ id: Id, type: z.literal('load'), modelPath: z.string().min(1) }),
  z
    .object({
      id: Id,
      type: z.literal('run'),
      /** NCHW float32, BT.709 R'G'B' in [0,1]. */
      input: z.instanceof(Float32Array).optional(),
      /** Or the same values in this scratch file (from offset 0, float32 little-endian, as many as `dims` say):
       *  an HD tile is 14 MB, which structured clone copies several times through the pipe, while the file
       *  costs one write and one read. Same naming rule as `outputFile`, which may be the same file. */
      inputFile: z.string().regex(SCRATCH_FILE_NAME).optional(),
      dims: Dims,
      /** Output window to send back (output pixels); default the whole output. Tiles ask for their interior only:
       *  the margins never cross the process boundary (a UHD frame's outputs are ~200 MB of float32). */
      keep: OutputWindow.optional(),
      /** Only the model's result comes back, as both hdr and base (one array): for a render whose grade takes the
       *  model at full strength and never reads the baseline, half of a UHD frame's 200 MB hand-over. */
      hdrOnly: z.boolean().optional(),
      /** Where to write the result instead of sending it in the reply (see RunFileOutput). Named by the main side,
       *  in its scratch folder, and only a `remaster-worker-*.f32` name is accepted. */
      outputFile: z.string().regex(SCRATCH_FILE_NAME).optional(),
    })
    .refine((r) => (r.input === undefined) !== (r.inputFile === undefined), {
      message: 'needs exactly one of input and inputFile',
    }),
  z.object({ id: Id, type: z.literal('cancel'), target: Id }),
]);
export type WorkerRequest = z.infer<typeof WorkerRequest>;

export const WorkerInfo = z.object({
  pid: z.number().int(),
  provider: ExecutionProvider,
  /** Human-readable, e.g. "CPU fp32, 2 threads (onnxruntime 1.30.0)" or "WebGPU fp16 (…)". */
  device: z.string(),
  runtimeVersion: z.string(),
  model: ModelInfo.nullable(),
  /** Why a faster provider was not used, if one was asked for. */
  providerNote: z.string().nullable(),
});
export type WorkerInfo = z.infer<typeof WorkerInfo>;

/** Any Float32Array: a result read into a caller's shared buffer (a render's FrameBuffers) included. */
const Floats = z.custom<Float32Array>((v) => v instanceof Float32Array, 'expected a Float32Array');
export const RunOutput = z.object({
  hdr: Floats,
  base: Floats,
  dims: Dims,
  ms: z.number(),
});
export type RunOutput = z.infer<typeof RunOutput>;

/**
 * A run's result written to the request's `outputFile`: `hdr` then `base`, float32 little-endian, `bytes` in all.
 * Why: structured clone through the IPC pipe copied a UHD frame's ~200 MB about five times (0.6-1 s per frame on
 * the 2-core dev machine); a file in shared memory is one write and one read. The worker falls back to sending
 * the arrays when the file cannot be written (a full /dev/shm, say).
 */
export const RunFileOutput = z.object({
  file: z.string().regex(SCRATCH_FILE_NAME),
  bytes: z.number().int().nonnegative(),
  dims: Dims,
  ms: z.number(),
  /** The model's result is its baseline (an analytic model): the file holds `base` only, and `hdr` is it. */
  hdrIsBase: z.literal(true).optional(),
});
export type RunFileOutput = z.infer<typeof RunFileOutput>;

export const RunReply = z.union([RunOutput, RunFileOutput]);

export const WorkerError = z.object({ code: ErrorCode, message: z.string() });

export const WorkerReply = z.union([
  z.object({ type: z.literal('hello'), pid: z.number().int() }),
  /** The worker's state changed on its own: a provider failed its first real run and the work moved on. */
  z.object({ type: z.literal('info'), value: WorkerInfo }),
  z.object({ type: z.literal('reply'), id: Id, ok: z.literal(true), value: z.unknown() }),
  z.object({ type: z.literal('reply'), id: Id, ok: z.literal(false), error: WorkerError }),
]);
export type WorkerReply = z.infer<typeof WorkerReply>;
