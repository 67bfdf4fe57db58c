// Exports: a project's shots (or some of them, or a frame range of the programme) as one verified master. The
// job renders what is missing first, then builds the export plan from the shots' render results in timeline
// order and hands it to exportMaster, which writes, reads back and verifies; the report is kept with the export.
import { randomUUID } from 'node:crypto';
import { existsSync, mkdirSync, statSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import {
  ServiceError,
  type ExportEstimate,
  type ExportRecord,
  type MasterFormat,
  type ParsedRequest,
  type VerifyReport,
} from '../../common/contract';
import { DEFAULT_FRAME_RATE, formatTimecode, parseFrameRate } from '../../common/timecode';
import { checkOutputFile, freeBytes } from '../../node/output-path';
import {
  estimateMasterBytes,
  exportMaster,
  RASTERS,
  sidecarPaths,
  type ExportInput,
  type ExportPlan,
  type ExportProgress,
  type ExportResult,
  type FrameRate,
} from '../export';
import { now, type LibraryContext } from './context';
import type { DeliverySpeed } from './delivery-speed';
import {
  insertExport,
  selectExport,
  selectExports,
  updateExport,
  type ExportRow,
  type ExportSettings,
} from './exports-repo';
import type { ModelPool } from '../inference/pool';
import { readRenderResult, renderTargets, type RenderPlanner, type RenderTarget } from './renders';

export type ExportRequest = ParsedRequest<'exports.start'>;

/** A shot's part of the programme: frames `from`..`to` counted from the shot's first frame, inclusive. */
interface Piece {
  target: RenderTarget;
  from: number;
  to: number;
}

const framesOf = (t: RenderTarget): number => t.manifest.frames.last - t.manifest.frames.first + 1;

/** The chosen shots in timeline order, cut to the programme range. */
function programme(planner: RenderPlanner, req: ExportRequest): Piece[] {
  const targets = planner.targets(req.projectId, req.shotIds);
  if (!targets.length) throw new ServiceError('bad_input', 'Nothing to export: the project has no shots');
  const total = targets.reduce((n, t) => n + framesOf(t), 0);
  const range = req.frames ?? { first: 0, last: total - 1 };
  if (range.last >= total)
    throw new ServiceError(
      'bad_input',
      `The programme has ${total} frames (0-${total - 1}); ${range.last} is past its end`,
    );
  const pieces: Piece[] = [];
  let at = 0;
  for (const target of targets) {
    const n = framesOf(target);
    const from = Math.max(range.first, at) - at;
    const to = Math.min(range.last, at + n - 1) - at;
    if (from <= to) pieces.push({ target, from, to });
    at += n;
  }
  return pieces;
}

/** The clip's rate as the export plan takes it (the one frame-rate parser, common/timecode). */
function parseRate(rate: string): FrameRate {
  return parseFrameRate(rate) ?? { num: DEFAULT_FRAME_RATE, den: 1 };
}

/** Audio only from one clip's contiguous range with sound; otherwise none, and the reason. */
function audioOf(
  pieces: Piece[],
  format: MasterFormat,
  rate: FrameRate,
): { audio?: ExportPlan['audio']; note: string } {
  if (format === 'tiff16') return { note: 'none: a TIFF sequence carries no audio' };
  const first = pieces[0];
  const clipFrame = (p: Piece, offset: number): number => p.target.shot.first_frame + offset;
  for (let i = 1; i < pieces.length; i++) {
    const [a, b] = [pieces[i - 1], pieces[i]];
    if (b.target.clip.id !== first.target.clip.id) return { note: 'none: the master spans several clips' };
    if (clipFrame(b, b.from) !== clipFrame(a, a.to) + 1)
      return { note: 'none: the shots are not one contiguous range of the clip' };
  }
  if (!first.target.probe.audio.length) return { note: `none: ${basename(first.target.clip.path)} has no audio` };
  const frames = pieces.reduce((n, p) => n + p.to - p.from + 1, 0);
  const seconds = (f: number): number => (f * rate.den) / rate.num;
  return {
    audio: {
      file: first.target.clip.path,
      startSeconds: seconds(clipFrame(first, first.from)),
      durationSeconds: seconds(frames),
    },
    note: `from ${basename(first.target.clip.path)}`,
  };
}

/** The export plan from the shots' completed renders: each cache segment's frames in programme order. */
/** Each export phase's part of the export's share of the bar. */
const SPANS: Record<ExportProgress['phase'], [number, number]> = {
  measure: [0, 0],
  encode: [0, 0.8],
  verify: [0.8, 1],
};
const RESIZED_SPANS: Record<ExportProgress['phase'], [number, number]> = {
  measure: [0, 0.25],
  encode: [0.25, 0.85],
  verify: [0.85, 1],
};
const PHASE_TEXT: Record<ExportProgress['phase'], (p: ExportProgress) => string> = {
  measure: (p) => `Measuring the resized pictures, frame ${p.done} of ${p.total}`,
  encode: (p) => `Encoding frame ${p.done} of ${p.total}`,
  verify: () => 'Reading the master back',
};

/** The delivery raster asked for; undefined keeps the rendered size. */
const rasterOf = (req: ExportRequest) => (req.raster === 'uhd' ? RASTERS.uhd : undefined);

function buildPlan(req: ExportRequest, out: string, pieces: Piece[]): { plan: ExportPlan; audioNote: string } {
  const rate = parseRate(pieces[0].target.probe.frameRate);
  const inputs: ExportInput[] = [];
  const light: ExportPlan['light'][number][] = [];
  for (const p of pieces) {
    if (p.target.probe.frameRate !== pieces[0].target.probe.frameRate)
      throw new ServiceError(
        'bad_input',
        `Shots of ${pieces[0].target.probe.frameRate} and ${p.target.probe.frameRate} fps cannot share a master`,
      );
    const result = readRenderResult(p.target);
    if (!result) throw new ServiceError('internal', `Shot ${p.target.shot.id} has no complete render`);
    for (const s of result.segments) {
      const segFirst = s.firstFrame - p.target.manifest.frames.first;
      const segLast = s.lastFrame - p.target.manifest.frames.first;
      const a = Math.max(p.from, segFirst);
      const b = Math.min(p.to, segLast);
      if (a <= b) inputs.push({ file: join(p.target.dir, s.file), firstFrame: a - segFirst, frames: b - a + 1 });
    }
    light.push(...result.light.slice(p.from, p.to + 1));
  }
  const first = pieces[0];
  const { audio, note } = audioOf(pieces, req.format, rate);
  const plan: ExportPlan = {
    format: req.format,
    out,
    mastering: req.mastering,
    frameRate: rate,
    inputs,
    light,
    audio,
    startTimecode: formatTimecode(
      first.target.shot.first_frame + first.from,
      first.target.probe.frameRate,
      first.target.probe.startTimecode,
    ),
    force: req.force,
    raster: rasterOf(req),
  };
  return { plan, audioNote: note };
}

/**
 * Where the master goes, checked before any work: the folder exists and takes a file, nothing is replaced
 * without force, and (in browser mode) it is inside the media roots.
 */
export function checkMasterOutput(ctx: LibraryContext, req: ExportRequest): string {
  const force = req.force === true;
  // The media folders first: outside them (browser mode) nothing is looked at, let alone test-written.
  const out = ctx.callerOutputPath(req.out);
  if (req.format === 'tiff16') {
    if (existsSync(out)) {
      if (!statSync(out).isDirectory())
        throw new ServiceError('bad_input', `Cannot write a TIFF sequence to ${req.out}: it is a file`);
      if (!force) throw new ServiceError('conflict', `${req.out} already exists; use --force to replace it`);
    }
    checkOutputFile(sidecarPaths(out).json, { force });
  } else checkOutputFile(out, { force });
  return out;
}

/** An x265 UHD master with its measuring pass and a ProRes one differ in speed several times over. */
const exportKind = (req: ExportRequest): string => `${req.format}/${req.raster ?? 'rendered'}`;

export function estimateExport(
  planner: RenderPlanner,
  req: ExportRequest,
  rendering: ReadonlySet<string>,
  speed: DeliverySpeed,
): ExportEstimate {
  const pieces = programme(planner, req);
  const status = new Map(planner.status(req.projectId, rendering).map((s) => [s.shotId, s.state]));
  const stale = pieces.filter((p) => status.get(p.target.shot.id) !== 'rendered');
  const frames = pieces.reduce((n, p) => n + p.to - p.from + 1, 0);
  const { width, height } = rasterOf(req) ?? pieces[0].target.manifest.output;
  let free: number | null = null;
  try {
    free = freeBytes(dirname(req.out));
  } catch {
    free = null;
  }
  const renderSeconds = stale.reduce((sum, p) => {
    const { model, output } = p.target.manifest;
    const rate = speed.renderRate(basename(model.path));
    return sum + (rate ? (framesOf(p.target) * output.width * output.height) / rate : NaN);
  }, 0);
  const pixelRate = speed.exportRate(exportKind(req));
  const seconds = renderSeconds + (pixelRate ? (frames * width * height) / pixelRate : NaN);
  return {
    frames,
    width,
    height,
    shotsToRender: stale.length,
    estimatedBytes: estimateMasterBytes(req.format, width, height, frames),
    freeBytes: free,
    estimatedSeconds: Number.isFinite(seconds) ? Math.round(seconds) : null,
  };
}

const text = (v: unknown): string => (typeof v === 'string' ? v : (JSON.stringify(v) ?? String(v)));

function contractReport(r: ExportResult): VerifyReport {
  return {
    ok: r.report.ok,
    checks: r.report.checks.map((c) => ({
      name: c.name,
      expected: text(c.expected),
      actual: text(c.actual),
      ok: c.ok,
    })),
    maxCll: r.maxCll,
    maxFall: r.maxFall,
    measured: r.report.measured,
  };
}

export function toExportRecord(r: ExportRow): ExportRecord {
  const settings = (r.settings_json ? JSON.parse(r.settings_json) : {}) as Partial<ExportSettings>;
  return {
    id: r.id,
    projectId: r.project_id,
    jobId: r.job_id,
    format: r.format as ExportRecord['format'],
    mastering: (settings.mastering ?? 'p3-1000') as ExportRecord['mastering'],
    outputPath: r.output_path,
    state: r.state,
    frames: r.frames,
    audio: settings.audio ?? 'none',
    report: r.verify_json ? (JSON.parse(r.verify_json) as VerifyReport) : null,
    error: r.error,
    createdAt: r.created_at,
  };
}

export const listExports = (ctx: LibraryContext, projectId: string): ExportRecord[] =>
  ctx.read(() => selectExports(ctx.db, projectId).map(toExportRecord));

export interface ExportJobDeps {
  planner: RenderPlanner;
  models: ModelPool;
  /** Shots entering and leaving the render queue (for renders.status). */
  queue: { add(ids: string[]): void; remove(id: string): void };
  speed: DeliverySpeed;
}

/** Checks the output, records the export and queues its job; `done` settles with the record when it ends. */
export function startExport(
  ctx: LibraryContext,
  req: ExportRequest,
  deps: ExportJobDeps,
): { jobId: string; exportId: string; done: Promise<ExportRecord> } {
  if (ctx.readOnly) throw new ServiceError('io', `Library ${ctx.file} is read-only: cannot export.`);
  const out = checkMasterOutput(ctx, req);
  const pieces = programme(deps.planner, req);
  const frames = pieces.reduce((n, p) => n + p.to - p.from + 1, 0);
  const exportId = randomUUID();
  const settings: ExportSettings = {
    mastering: req.mastering,
    shotIds: req.shotIds ?? null,
    frames: req.frames ?? null,
    audio: audioOf(pieces, req.format, parseRate(pieces[0].target.probe.frameRate)).note,
  };
  const state = new Map(deps.planner.status(req.projectId, new Set()).map((s) => [s.shotId, s.state]));
  const targets = [...new Map(pieces.map((p) => [p.target.shot.id, p.target])).values()].filter(
    (t) => state.get(t.shot.id) !== 'rendered',
  );
  // Both disks are checked before any work: the master's folder for the master, the cache for the renders
  // still missing (FFVHuff keeps about 70% of the 6 bytes a pixel: 5 allows for noisy pictures), so a full disk
  // fails now, not at 98%.
  const rendered = pieces[0].target.manifest.output;
  const { width, height } = rasterOf(req) ?? rendered;
  checkOutputFile(req.format === 'tiff16' ? sidecarPaths(out).json : out, {
    force: true,
    estimateBytes: estimateMasterBytes(req.format, width, height, frames),
  });
  const cacheBytes = targets.reduce((n, t) => n + framesOf(t), 0) * rendered.width * rendered.height * 5;
  if (cacheBytes > 0) {
    mkdirSync(ctx.projectCache(req.projectId), { recursive: true });
    checkOutputFile(join(ctx.projectCache(req.projectId), '.space-check'), { force: true, estimateBytes: cacheBytes });
  }
  const record = (): ExportRecord => toExportRecord(ctx.read(() => selectExport(ctx.db, exportId)!));
  const { id: jobId, done } = ctx.jobs.start('export', req.projectId, `Export ${basename(out)}`, async (job) => {
    try {
      const renderFrames = targets.reduce((n, t) => n + framesOf(t), 0);
      // Rendering dominates; the encode and read-back take the last part of the bar.
      const split = renderFrames / (renderFrames + frames * 0.25);
      const summary = await renderTargets(ctx, job, targets, {
        models: deps.models,
        share: [0, split],
        onShotDone: (id) => deps.queue.remove(id),
        speed: deps.speed,
      });
      if (summary.failures.length)
        throw new ServiceError(
          'io',
          `Cannot export: ${summary.failures.length} shot(s) failed to render: ${summary.failures[0].message}`,
        );
      const { plan, audioNote } = buildPlan(req, out, pieces);
      const t0 = Date.now();
      const res = await exportMaster(plan, {
        log: ctx.log,
        signal: job.signal,
        onProgress: (p) => {
          // A resized (UHD) programme is measured first, in a pass of its own.
          const [from, to] = (plan.raster ? RESIZED_SPANS : SPANS)[p.phase];
          job.progress(split + (1 - split) * (from + (to - from) * (p.done / p.total)), PHASE_TEXT[p.phase](p));
        },
      });
      deps.speed.noteExport(exportKind(req), (res.frames * width * height) / Math.max(0.001, (Date.now() - t0) / 1000));
      const report = contractReport(res);
      const failed = report.checks
        .filter((c) => !c.ok)
        .map((c) => `${c.name}: expected ${c.expected}, found ${c.actual}`);
      ctx.write(() =>
        updateExport(ctx.db, exportId, {
          state: res.ok ? 'done' : 'failed',
          frames: res.frames,
          verify_json: JSON.stringify(report),
          error: res.ok ? null : `The master failed its read-back: ${failed.join('; ')}`,
          settings_json: JSON.stringify({ ...settings, audio: audioNote }),
        }),
      );
      ctx.changed(req.projectId);
      if (!res.ok) throw new ServiceError('io', `The master failed its read-back: ${failed.join('; ')}`);
      return {
        value: record(),
        message: `Exported ${res.frames} frames to ${basename(out)}: verified, MaxCLL ${res.maxCll}, MaxFALL ${res.maxFall}`,
      };
    } catch (e) {
      const cancelled = job.signal.aborted || (e instanceof ServiceError && e.code === 'cancelled');
      const message = e instanceof Error ? e.message : String(e);
      try {
        const row = ctx.read(() => selectExport(ctx.db, exportId));
        if (row?.state === 'running')
          ctx.write(() =>
            updateExport(ctx.db, exportId, {
              state: cancelled ? 'cancelled' : 'failed',
              error: cancelled ? null : message,
            }),
          );
        ctx.changed(req.projectId);
      } catch (e2) {
        ctx.log.warn('could not record the failed export', e2);
      }
      throw e;
    }
  });
  deps.queue.add(targets.map((t) => t.shot.id));
  done.catch(() => targets.forEach((t) => deps.queue.remove(t.shot.id)));
  ctx.write(() =>
    insertExport(ctx.db, {
      id: exportId,
      project_id: req.projectId,
      job_id: jobId,
      format: req.format,
      output_path: out,
      settings_json: JSON.stringify(settings),
      state: 'running',
      frames,
      created_at: now(),
    }),
  );
  ctx.changed(req.projectId);
  return { jobId, exportId, done };
}
