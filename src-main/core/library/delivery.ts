// The delivery methods (renders, exports, pausing jobs) over the library: they need the inference client,
// which the core (or a CLI command) owns, so they are opened on a library rather than with it.
import { basename, join } from 'node:path';
import type { GradeParams } from '../../common/colour/grade';
import type { deliveryMethods, ParsedRequest, Response } from '../../common/contract';
import { ServiceError } from '../../common/contract';
import type { ModelPool } from '../inference/pool';
import type { LibraryContext } from './context';
import { DeliverySpeed } from './delivery-speed';
import { checkMasterOutput, estimateExport, listExports, startExport, type ExportRequest } from './exports';
import type { ExportRecord } from '../../common/contract';
import { readRenderResult, RenderPlanner, renderTargets, type ModelRef, type RenderSummary } from './renders';

export type DeliveryMethodName = keyof typeof deliveryMethods;

/** One handler per delivery method, taking the request as the contract parsed it. */
export type DeliveryApi = {
  [M in DeliveryMethodName]: (request: ParsedRequest<M>) => Promise<Response<M>> | Response<M>;
};

export interface DeliveryDeps {
  /** The workers: the primary one's model file (or its content variant) goes into every manifest. */
  models: ModelPool;
}

export interface DeliveryService {
  readonly api: DeliveryApi;
  /** Queues a render of the stale shots (all named ones with force); jobId null when nothing needs it. */
  startRender(
    projectId: string,
    o?: { shotIds?: string[]; force?: boolean },
  ): Promise<{ jobId: string | null; shots: number; done: Promise<RenderSummary> }>;
  startExport(req: ExportRequest): Promise<{ jobId: string; exportId: string; done: Promise<ExportRecord> }>;
  /** Where a frame of a shot's current render lies; 'not_found' when the render is missing or stale. */
  renderedFrameSource(projectId: string, shotId: string, frame: number): Promise<RenderedFrameSource>;
}

export interface RenderedFrameSource {
  clipId: string;
  /** The cache segment holding the frame, and the frame's index in it. */
  file: string;
  index: number;
  /** The render's manifest hash: names the frame's pixels. */
  hash: string;
  grade: GradeParams;
  gradeVersion: number;
  model: string;
  width: number;
  height: number;
}

export function openDelivery(ctx: LibraryContext, deps: DeliveryDeps): DeliveryService {
  const rendering = new Set<string>();
  const queue = {
    add: (ids: string[]) => ids.forEach((id) => rendering.add(id)),
    remove: (id: string) => rendering.delete(id),
  };
  const speed = new DeliverySpeed(ctx);
  let planner: { key: string; planner: RenderPlanner } | null = null;

  /** The planner for the loaded model; its scale comes from the worker (or the file's name if it cannot start). */
  const plannerNow = async (): Promise<RenderPlanner> => {
    let scale: number | undefined;
    try {
      await deps.models.primary.start();
      scale = deps.models.primary.status().model?.scale;
    } catch {
      scale = undefined;
    }
    const modelPath = deps.models.primaryPath;
    scale ??= /x4\b|-x4/.test(basename(modelPath)) ? 4 : 2;
    if (scale !== 2 && scale !== 4)
      throw new ServiceError('bad_input', `${modelPath} scales x${scale}: renders need x2 or x4`);
    const model: ModelRef = { path: modelPath, scale };
    const key = `${model.path}\0${model.scale}`;
    if (planner?.key !== key) planner = { key, planner: new RenderPlanner(ctx, model) };
    return planner.planner;
  };

  const startRender: DeliveryService['startRender'] = async (projectId, o = {}) => {
    const p = await plannerNow();
    const state = new Map(p.status(projectId, rendering).map((s) => [s.shotId, s.state]));
    const targets = p
      .targets(projectId, o.shotIds)
      .filter((t) =>
        o.force ? state.get(t.shot.id) !== 'rendering' : !['rendered', 'rendering'].includes(state.get(t.shot.id)!),
      );
    if (!targets.length)
      return { jobId: null, shots: 0, done: Promise.resolve({ rendered: 0, skipped: 0, failures: [] }) };
    if (ctx.readOnly) throw new ServiceError('io', `Library ${ctx.file} is read-only: cannot render.`);
    const n = targets.length;
    const { id, done } = ctx.jobs.start('render', projectId, `Render ${n} shot${n === 1 ? '' : 's'}`, async (job) => {
      const summary = await renderTargets(ctx, job, targets, {
        models: deps.models,
        force: o.force,
        onShotDone: queue.remove,
        speed,
      });
      const failed = summary.failures.length;
      if (failed === n) throw new ServiceError('io', `Rendering failed: ${summary.failures[0].message}`);
      const msg = `Rendered ${n - failed} of ${n} shot${n === 1 ? '' : 's'}`;
      return {
        value: summary,
        message: msg,
        warning: failed ? `${msg}; ${failed} failed: ${summary.failures.map((f) => f.message).join('; ')}` : undefined,
      };
    });
    queue.add(targets.map((t) => t.shot.id));
    done.catch(() => targets.forEach((t) => queue.remove(t.shot.id)));
    ctx.changed(projectId);
    return { jobId: id, shots: n, done };
  };

  const exportNow: DeliveryService['startExport'] = async (req) =>
    startExport(ctx, req, { planner: await plannerNow(), models: deps.models, queue, speed });

  const renderedFrameSource: DeliveryService['renderedFrameSource'] = async (projectId, shotId, frame) => {
    const p = await plannerNow();
    // This shot's state only: the viewer asks at every rest on a rendered shot.
    const [status] = p.status(projectId, rendering, [shotId]);
    const [t] = p.targets(projectId, [shotId]);
    const result = status.state === 'rendered' ? readRenderResult(t) : null;
    if (!result)
      throw new ServiceError(
        'not_found',
        `Shot ${t.shot.ord + 1} is not rendered${status.state === 'stale' ? ` (stale: ${status.reason})` : ''}`,
      );
    const seg = result.segments.find((s) => s.firstFrame <= frame && frame <= s.lastFrame);
    if (!seg) throw new ServiceError('bad_input', `Frame ${frame} is outside shot ${t.shot.ord + 1}'s rendered frames`);
    return {
      clipId: t.clip.id,
      file: join(t.dir, seg.file),
      index: frame - seg.firstFrame,
      hash: t.hash,
      grade: t.manifest.grade.params,
      gradeVersion: t.manifest.grade.version,
      model: basename(t.manifest.model.path),
      ...t.manifest.output,
    };
  };

  const api: DeliveryApi = {
    'renders.status': async ({ projectId }) => (await plannerNow()).status(projectId, rendering),
    'renders.start': async ({ projectId, shotIds, force }) => {
      const r = await startRender(projectId, { shotIds, force });
      r.done.catch(() => undefined); // the outcome is reported through job.progress
      return { jobId: r.jobId, shots: r.shots };
    },
    // The output is checked as the export will check it, so the dialog says what is wrong before Export is pressed.
    'exports.estimate': async (req) => {
      checkMasterOutput(ctx, req);
      return estimateExport(await plannerNow(), req, rendering, speed);
    },
    'exports.start': async (req) => {
      const r = await exportNow(req);
      r.done.catch(() => undefined);
      return { jobId: r.jobId, exportId: r.exportId };
    },
    'exports.list': ({ projectId }) => listExports(ctx, projectId),
    'jobs.pause': ({ jobId }) => ({ paused: ctx.jobs.pause(jobId) }),
    'jobs.resume': ({ jobId }) => ({ paused: ctx.jobs.resume(jobId) }),
  };
  return { api, startRender, startExport: exportNow, renderedFrameSource };
}
