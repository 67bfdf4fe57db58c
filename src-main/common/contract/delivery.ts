// Renders and exports as the renderer sees them: each shot's render state, the render queue, and HDR10
// masters with their verification reports. Implemented by src-main/core/library (renders.ts, exports.ts).
import { z } from 'zod';
import { JobId, ProjectId, ShotId } from './library';

const FilePath = z.string().min(1).max(4096);

/**
 * none: never rendered; rendered: the cache holds this grade, model and source; stale: a render exists but
 * the grade, model or source changed since; rendering: in the queue now; failed: the last render failed.
 */
export const ShotRenderState = z.enum(['none', 'rendered', 'stale', 'rendering', 'failed']);
export type ShotRenderState = z.infer<typeof ShotRenderState>;

export const ShotRenderStatus = z.object({
  shotId: ShotId,
  state: ShotRenderState,
  /** Why a shot is stale ("grade changed", "model changed", "source changed") or why it failed. */
  reason: z.string().nullable(),
  /** The shot's measured light (CTA-861.3, active picture), once rendered. */
  maxCll: z.number().nullable(),
  maxFall: z.number().nullable(),
  frames: z.number().int().nullable(),
  renderedAt: z.string().nullable(),
});
export type ShotRenderStatus = z.infer<typeof ShotRenderStatus>;

export const MasterFormat = z.enum(['hdr10-hevc', 'prores4444xq', 'prores422hq', 'tiff16']);
export type MasterFormat = z.infer<typeof MasterFormat>;

/** The grading display the master declares (ST 2086): gamut and peak; black 0.005 nits. */
export const MasteringPreset = z.enum(['p3-1000', 'bt2020-1000', 'p3-4000']);
export type MasteringPreset = z.infer<typeof MasteringPreset>;

/** Frames of the programme (the timeline of the chosen shots, counted from 0), inclusive. */
export const ProgrammeRange = z
  .object({ first: z.number().int().min(0), last: z.number().int().min(0) })
  .strict()
  .refine((r) => r.last >= r.first, 'the range ends before it starts');

export const RenderRequest = z
  .object({
    projectId: ProjectId,
    /** Default: every shot of the project, in timeline order. */
    shotIds: z.array(ShotId).min(1).max(100000).optional(),
    /** Re-render shots whose render is current too. */
    force: z.boolean().optional(),
  })
  .strict();

export const ExportRaster = z.enum(['rendered', 'uhd']);
export type ExportRaster = z.infer<typeof ExportRaster>;

export const ExportRequest = z
  .object({
    projectId: ProjectId,
    format: MasterFormat,
    mastering: MasteringPreset.default('p3-1000'),
    /** The master file (.mp4/.mov; .mov for ProRes) or, for tiff16, the folder to create. */
    out: FilePath,
    shotIds: z.array(ShotId).min(1).max(100000).optional(),
    frames: ProgrammeRange.optional(),
    /** Replace an existing master (it is replaced only once the new one is complete). */
    force: z.boolean().optional(),
    /** The picture's size: as rendered (the network's output), or UHD 3840x2160 (resized to fit, on black). */
    raster: ExportRaster.optional(),
  })
  .strict();
export type ExportRequest = z.input<typeof ExportRequest>;

export const VerifyCheck = z.object({
  name: z.string(),
  expected: z.string(),
  actual: z.string(),
  ok: z.boolean(),
});
export type VerifyCheck = z.infer<typeof VerifyCheck>;

export const VerifyReport = z.object({
  ok: z.boolean(),
  checks: z.array(VerifyCheck),
  /** What was written (measured from the rendered frames) and what the decoded master measures. */
  maxCll: z.number().int(),
  maxFall: z.number().int(),
  /** The light re-measured from the decoded master, nits (within the stated tolerance of what was written). */
  measured: z.object({ maxCll: z.number(), maxFall: z.number() }).optional(),
});
export type VerifyReport = z.infer<typeof VerifyReport>;

export const ExportRecord = z.object({
  id: z.string(),
  projectId: ProjectId,
  jobId: JobId.nullable(),
  format: MasterFormat,
  mastering: MasteringPreset,
  outputPath: z.string(),
  state: z.enum(['running', 'done', 'failed', 'cancelled']),
  frames: z.number().int(),
  /** What the master carries for sound: audio comes only from one clip's contiguous range ("none: ..." says why not). */
  audio: z.string(),
  report: VerifyReport.nullable(),
  error: z.string().nullable(),
  createdAt: z.string(),
});
export type ExportRecord = z.infer<typeof ExportRecord>;

export const ExportEstimate = z.object({
  frames: z.number().int(),
  width: z.number().int(),
  height: z.number().int(),
  /** Shots that must be rendered (or re-rendered) first. */
  shotsToRender: z.number().int(),
  estimatedBytes: z.number(),
  freeBytes: z.number().nullable(),
  /** Rough: render time of the shots still to render plus encoding, from this machine's recent speed. */
  estimatedSeconds: z.number().nullable(),
});
export type ExportEstimate = z.infer<typeof ExportEstimate>;

const ProjectRef = z.object({ projectId: ProjectId }).strict();
const JobRef = z.object({ jobId: JobId }).strict();

export const deliveryMethods = {
  'renders.status': { request: ProjectRef, response: z.array(ShotRenderStatus) },
  /** Queues a render job for the shots that are not rendered or stale (all with force). */
  'renders.start': { request: RenderRequest, response: z.object({ jobId: JobId.nullable(), shots: z.number().int() }) },
  'exports.estimate': { request: ExportRequest, response: ExportEstimate },
  /** Renders what is missing, then writes and verifies the master; progress by job.progress. */
  'exports.start': { request: ExportRequest, response: z.object({ jobId: JobId, exportId: z.string() }) },
  'exports.list': { request: ProjectRef, response: z.array(ExportRecord) },
  /** Pause a render or export between frames (the worker finishes the frame in hand); resume continues it. */
  'jobs.pause': { request: JobRef, response: z.object({ paused: z.boolean() }) },
  'jobs.resume': { request: JobRef, response: z.object({ paused: z.boolean() }) },
} as const;

export const deliveryEvents = {} as const;
