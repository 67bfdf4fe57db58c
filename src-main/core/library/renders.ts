// Each shot's render as the library sees it: the manifest it would render now (source, frames, clip options,
// model, grade), whether the cache holds that render, and rendering stale shots as one job through renderShot.
import { existsSync, readFileSync, rmSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import { cta861Value } from '../../common/colour';
import {
  GradeParams,
  ServiceError,
  type ClipOptions,
  type ProbeResult,
  type ShotRenderStatus,
} from '../../common/contract';
import { RENDER_FORMAT_VERSION, RenderManifest, RenderResult, type RenderProgress } from '../../common/contract/render';
import type { InferenceClient } from '../inference/client';
import { modelForContent } from '../inference/models';
import type { ModelPool } from '../inference/pool';
import { buildRenderManifest, manifestHash, modelSha, renderShot, RESULT_FILE } from '../render';
import { requireClip, type ClipRow } from './clips-repo';
import { now, type LibraryContext } from './context';
import type { DeliverySpeed } from './delivery-speed';
import { selectGradeVersion } from './grades-repo';
import type { RunningJob } from './jobs';
import { requireProject } from './projects-repo';
import { markRenderFailed, selectRenders, upsertCompletedRender } from './renders-repo';
import { selectShotsInOrder, type ShotRow } from './shots-repo';

export interface ModelRef {
  path: string;
  scale: 2 | 4;
}

/** A shot and the render it needs now. */
export interface RenderTarget {
  shot: ShotRow;
  clip: ClipRow;
  probe: ProbeResult;
  manifest: RenderManifest;
  hash: string;
  /** Its cache folder, <renders>/<hash>. */
  dir: string;
}

/** Where a project's renders are cached; the manifest hash names each render's folder inside. */
export const rendersDir = (ctx: LibraryContext, projectId: string): string =>
  join(ctx.projectCache(projectId), 'renders');

/** What each shot would render now, in timeline order (all shots, or those named, which must be the project's). */
export class RenderPlanner {
  /** A clip's manifest without its frames and grade, per clip content, options and model. */
  private bases = new Map<string, RenderManifest>();

  constructor(
    private readonly ctx: LibraryContext,
    private readonly model: ModelRef,
  ) {}

  targets(projectId: string, shotIds?: string[]): RenderTarget[] {
    const { ctx } = this;
    return ctx.read(() => {
      requireProject(ctx.db, projectId);
      const all = selectShotsInOrder(ctx.db, projectId);
      let shots = all;
      if (shotIds) {
        const known = new Set(all.map((s) => s.id));
        const missing = shotIds.find((id) => !known.has(id));
        if (missing) throw new ServiceError('not_found', `No shot ${missing} in this project`);
        const wanted = new Set(shotIds);
        shots = all.filter((s) => wanted.has(s.id));
      }
      const clips = new Map<string, ClipRow>();
      return shots.map((shot) => {
        let clip = clips.get(shot.clip_id);
        if (!clip) clips.set(shot.clip_id, (clip = requireClip(ctx.db, shot.clip_id)));
        return this.target(projectId, shot, clip);
      });
    });
  }

  private target(projectId: string, shot: ShotRow, clip: ClipRow): RenderTarget {
    const probe = JSON.parse(clip.probe_json) as ProbeResult;
    const params =
      shot.grade_version > 0 ? (selectGradeVersion(this.ctx.db, shot.id, shot.grade_version) ?? null) : null;
    const grade = GradeParams.parse(params ?? {});
    // The shot's content picks the model file (the graphics variant beside the model, when there is one).
    const model: ModelRef = { path: modelForContent(this.model.path, grade.content), scale: this.model.scale };
    const { sha, key } = modelSha(model.path);
    const baseKey = [clip.id, clip.fingerprint, clip.options_json, probe.durationFrames, key].join('\0');
    let base = this.bases.get(baseKey);
    if (!base) {
      base = buildRenderManifest(this.ctx.media, {
        file: clip.path,
        fingerprint: clip.fingerprint,
        probe,
        clip: JSON.parse(clip.options_json) as ClipOptions,
        frames: { first: shot.first_frame, last: shot.last_frame },
        model,
        grade: { version: 0, params: {} },
      });
      this.bases.set(baseKey, base);
    }
    if (base.model.sha256 !== sha) throw new ServiceError('internal', 'model hash cache out of step');
    const manifest = RenderManifest.parse({
      ...base,
      frames: { first: shot.first_frame, last: shot.last_frame },
      grade: { version: shot.grade_version, params: grade },
    });
    const hash = manifestHash(manifest);
    return { shot, clip, probe, manifest, hash, dir: join(rendersDir(this.ctx, projectId), hash) };
  }

  /**
   * Every shot's render state, or these shots' (in timeline order); `rendering` holds the shots queued or
   * rendering in this process.
   */
  status(projectId: string, rendering: ReadonlySet<string>, shotIds?: string[]): ShotRenderStatus[] {
    const targets = this.targets(projectId, shotIds);
    const rows = new Map(this.ctx.read(() => selectRenders(this.ctx.db, projectId)).map((r) => [r.shot_id, r]));
    return targets.map((t) => {
      const r = rows.get(t.shot.id);
      const rendered = r?.manifest_hash === t.hash && existsSync(join(t.dir, RESULT_FILE));
      const base = {
        shotId: t.shot.id,
        maxCll: r?.max_cll ?? null,
        maxFall: r?.max_fall ?? null,
        frames: r?.frames ?? null,
        renderedAt: r?.manifest_hash ? r.created_at : null,
      };
      if (rendering.has(t.shot.id)) return { ...base, state: 'rendering', reason: null };
      if (!r) return { ...base, state: 'none', reason: null };
      if (r.state === 'failed') return { ...base, state: 'failed', reason: r.error };
      if (rendered) return { ...base, state: 'rendered', reason: null };
      return { ...base, state: 'stale', reason: staleReason(t, r) };
    });
  }
}

export function staleReason(
  t: RenderTarget,
  r: {
    fingerprint: string | null;
    model_sha: string | null;
    grade_version: number | null;
    manifest_hash: string | null;
  },
): string {
  if (r.manifest_hash === t.hash) return 'render cache missing';
  const why: string[] = [];
  if (r.fingerprint !== t.manifest.source.fingerprint) why.push('source changed');
  if (r.model_sha !== t.manifest.model.sha256) why.push('model changed');
  if (r.grade_version !== t.manifest.grade.version) why.push('grade changed');
  if (why.length) return why.join(', ');
  const heldFormat = r.manifest_hash ? renderFormatOf(join(dirname(t.dir), r.manifest_hash)) : null;
  if (heldFormat === null || heldFormat === RENDER_FORMAT_VERSION) return 'frames or clip options changed';
  return `render cache format changed (rendered by ${heldFormat < RENDER_FORMAT_VERSION ? 'an earlier' : 'a later'} version)`;
}

/** The format version a render folder's result record names, or null when it has none to read. */
function renderFormatOf(dir: string): number | null {
  try {
    const v = (JSON.parse(readFileSync(join(dir, RESULT_FILE), 'utf8')) as { formatVersion?: unknown }).formatVersion;
    return typeof v === 'number' ? v : null;
  } catch {
    return null;
  }
}

/** The completed render's result record (what renderShot wrote last), or null when it is not complete. */
export function readRenderResult(t: RenderTarget): RenderResult | null {
  try {
    const r = RenderResult.parse(JSON.parse(readFileSync(join(t.dir, RESULT_FILE), 'utf8')));
    return r.manifestHash === t.hash ? r : null;
  } catch {
    return null;
  }
}

/**
 * The inference client as a job sees it: each model run first waits while the job is paused, so a paused
 * render stops after the tile in hand and holds nothing in the worker's queue.
 */
function pausable(inference: InferenceClient, job: RunningJob): InferenceClient {
  return new Proxy(inference, {
    get(target, prop) {
      if (prop === 'run') {
        return async (...a: Parameters<InferenceClient['run']>) => {
          await job.whilePaused();
          return target.run(...a);
        };
      }
      const v = Reflect.get(target, prop, target) as unknown;
      return typeof v === 'function' ? (v as (...x: unknown[]) => unknown).bind(target) : v;
    },
  });
}

export interface RenderRun {
  /** The workers: each shot runs on the one for its manifest's model file. */
  models: ModelPool;
  force?: boolean;
  /** Where this part of the job sits in the job's progress, 0..1 (an export renders first, then encodes). */
  share?: [number, number];
  /** Called as shots leave the queue (done or failed). */
  onShotDone?(shotId: string): void;
  /** Where the render's speed is noted, for the export dialog's estimate. */
  speed?: DeliverySpeed;
}

export interface RenderSummary {
  rendered: number;
  skipped: number;
  failures: { shotId: string; message: string }[];
}

/**
 * Renders the targets in order inside a running job; each completed shot's record is merged in its own
 * transaction, so a killed job leaves the finished shots rendered and the rest to resume from their segments.
 */
export async function renderTargets(
  ctx: LibraryContext,
  job: RunningJob,
  targets: RenderTarget[],
  run: RenderRun,
): Promise<RenderSummary> {
  const total = targets.reduce((n, t) => n + t.manifest.frames.last - t.manifest.frames.first + 1, 0);
  const [from, to] = run.share ?? [0, 1];
  const summary: RenderSummary = { rendered: 0, skipped: 0, failures: [] };
  let before = 0;
  for (const [i, t] of targets.entries()) {
    const frames = t.manifest.frames.last - t.manifest.frames.first + 1;
    // The timeline's own shot number, and how far through this job's shots it is.
    const of = targets.length > 1 ? `, ${i + 1} of ${targets.length}` : '';
    const label = `Rendering Shot ${t.shot.ord + 1} (${basename(t.clip.path)}${of})`;
    job.progress(from + ((to - from) * before) / Math.max(1, total), label);
    try {
      await job.whilePaused();
      if (run.force) rmSync(t.dir, { recursive: true, force: true });
      const out = await renderShot(t.manifest, rendersDir(ctx, t.shot.project_id), {
        inference: pausable(run.models.client(t.manifest.model.path), job),
        log: ctx.log,
        media: ctx.media,
        signal: job.signal,
        hold: () => job.whilePaused(),
        onProgress: (p: RenderProgress) => {
          const done = before + p.framesDone;
          // Time left from the render's own speed (the job's elapsed-time guess counts pauses and other phases).
          job.progress(
            from + ((to - from) * done) / Math.max(1, total),
            `${label}: frame ${p.framesDone}/${p.framesTotal}, ${p.fps.toFixed(2)} fps`,
            p.fps > 0 ? (total - done) / p.fps : undefined,
          );
          const { width, height } = t.manifest.output;
          if (p.fps > 0) run.speed?.noteRender(basename(t.manifest.model.path), p.fps * width * height);
        },
      });
      const r = out.result;
      ctx.write(() =>
        upsertCompletedRender(ctx.db, {
          project_id: t.shot.project_id,
          shot_id: t.shot.id,
          job_id: job.id,
          grade_version: t.manifest.grade.version,
          model: t.manifest.model.path,
          model_sha: t.manifest.model.sha256,
          fingerprint: t.manifest.source.fingerprint,
          manifest_hash: t.hash,
          cache_path: out.dir,
          max_cll: cta861Value(r.maxCll),
          max_fall: cta861Value(r.maxFall),
          frames: r.frameCount,
          created_at: now(),
        }),
      );
      if (out.skipped) summary.skipped++;
      else {
        summary.rendered++;
        run.speed?.save();
      }
    } catch (e) {
      if (job.signal.aborted || (e instanceof ServiceError && e.code === 'cancelled')) throw e;
      const message = e instanceof Error ? e.message : String(e);
      ctx.log.warn(`render of shot ${t.shot.id} failed: ${message}`);
      summary.failures.push({ shotId: t.shot.id, message });
      try {
        ctx.write(() => markRenderFailed(ctx.db, t.shot.project_id, t.shot.id, job.id, message, now()));
      } catch (e2) {
        ctx.log.warn('could not record the failed render', e2); // the shot may have been deleted meanwhile
      }
    } finally {
      run.onShotDone?.(t.shot.id);
      ctx.changed(t.shot.project_id);
    }
    before += frames;
  }
  return summary;
}
