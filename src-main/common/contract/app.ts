// The application and its inference worker, as the status bar sees them.
import { z } from 'zod';

export const HostKind = z.enum(['electron', 'headless']);

export const AppInfo = z.object({
  name: z.string(),
  version: z.string(),
  host: HostKind,
  platform: z.string(),
  /** Folder that holds the library database and caches. */
  dataDir: z.string(),
});
export type AppInfo = z.infer<typeof AppInfo>;

export const ExecutionProvider = z.enum(['cpu', 'cuda', 'dml', 'coreml', 'webgpu']);
export type ExecutionProvider = z.infer<typeof ExecutionProvider>;

export const WorkerState = z.enum(['starting', 'ready', 'busy', 'restarting', 'failed', 'stopped']);
export type WorkerState = z.infer<typeof WorkerState>;

export const ModelInfo = z.object({
  name: z.string(),
  file: z.string(),
  scale: z.number().int(),
  inputs: z.array(z.string()),
  outputs: z.array(z.string()),
  /** Input pixels a tile needs beyond its own area for exact results (the receptive field radius). */
  tileMargin: z.number().int().nonnegative(),
  /** Tile origins must be multiples of this many input pixels (models with a downsampled context branch). */
  tileAlign: z.number().int().positive(),
  /** Arithmetic of the loaded network: its float16 variant runs on GPU providers (models/README.md). */
  precision: z.enum(['fp32', 'fp16']),
});
export type ModelInfo = z.infer<typeof ModelInfo>;

export const InferenceStatus = z.object({
  state: WorkerState,
  provider: ExecutionProvider.nullable(),
  /** What the status bar shows, e.g. "CPU fp32, 2 threads (onnxruntime 1.30.0)". */
  device: z.string(),
  runtimeVersion: z.string().nullable(),
  model: ModelInfo.nullable(),
  restarts: z.number().int(),
  error: z.string().nullable(),
  /** Why a faster provider is not running (failed at creation or at its first run), said once. */
  providerNote: z.string().nullable(),
});
export type InferenceStatus = z.infer<typeof InferenceStatus>;

const Empty = z.object({}).strict();

export const appMethods = {
  'app.info': { request: Empty, response: AppInfo },
  /** The desktop's own file dialog (Electron); `files: null` where there is none (browser mode: use media.browse). */
  'dialog.pickMedia': {
    request: z.object({ title: z.string().max(200).optional(), multiple: z.boolean().optional() }).strict(),
    response: z.object({ files: z.array(z.string()).nullable() }),
  },
  'inference.status': { request: Empty, response: InferenceStatus },
  /** A fresh worker, forgetting earlier failures (after fixing a model or installing a GPU provider). */
  'inference.restart': { request: Empty, response: InferenceStatus },
} as const;

export const appEvents = {
  'inference.state': InferenceStatus,
} as const;
