// The library's side of the farm: which shots need rendering, freezing their manifests into the render cache,
// submitting them, and merging what the farm rendered back into the library. Only this side opens the library.
import { createHash } from 'node:crypto';
import { mkdirSync } from 'node:fs';
import { basename, join, relative } from 'node:path';
import { cta861Value } from '../../common/colour';
import { canonicalJson } from '../../common/contract/render';
import type { Library } from '../library';
import { now } from '../library/context';
import { readRenderResult, type ModelRef, type RenderTarget } from '../library/renders';
import type { CompletedRender } from '../library/renders-repo';
import { selectRenders } from '../library/renders-repo';
import { MANIFEST_FILE } from '../render';
import { writeFileAtomic } from '../render/cache';
import { shotJobResult, shotProgress, type ExportJobData, type ShotJobData } from './jobs';
import type { FarmJobView, FarmQueue } from './queue';

const cacheRootOf = (lib: Library): string => join(lib.dataDir, 'cache');

/** `cache/<projectId>/renders`, relative to the cache root: the same on every machine. */
const rendersDirOf = (lib: Library, t: RenderTarget): string => relative(cacheRootOf(lib), join(t.dir, '..'));

const labelOf = (t: RenderTarget, order: number): string =>
  `shot ${order + 1} (${basename(t.clip.path)} ${t.shot.first_frame}-${t.shot.last_frame})`;

/**
 * The shots' renders that the cache holds complete and the library does not record yet, recorded in one
 * transaction (the library's own merge). Returns the shot ids merged.
 */
export function mergeFarmRenders(lib: Library, projectId: string, targets: RenderTarget[]): string[] {
  const rows = new Map(selectRenders(lib.db, projectId).map((r) => [r.shot_id, r]));
  const merged: CompletedRender[] = [];
  for (const t of targets) {
    const row = rows.get(t.shot.id);
    if (row?.state === 'done' && row.manifest_hash === t.hash) continue;
    const r = readRenderResult(t);
    if (!r) continue;
    merged.push({
      project_id: projectId,
      shot_id: t.shot.id,
      job_id: null, // the farm's jobs live in Redis, not in the library's jobs table
      grade_version: t.manifest.grade.version,
      model: t.manifest.model.path,
      model_sha: t.manifest.model.sha256,
      fingerprint: t.manifest.source.fingerprint,
      manifest_hash: t.hash,
      cache_path: t.dir,
      max_cll: cta861Value(r.maxCll),
      max_fall: cta861Value(r.maxFall),
      frames: r.frameCount,
      created_at: now(),
    });
  }
  if (merged.length) lib.mergeRenders(projectId, merged);
  return merged.map((m) => m.shot_id);
}

export interface SubmitOptions {
  project: string;
  model: ModelRef;
  shotIds?: string[];
}

export interface SubmitSummary {
  projectId: string;
  /** Shots that needed rendering. */
  stale: number;
  /** Shot jobs added now (0 when the same submission is already in the queue). */
  added: number;
  /** Renders found complete in the cache and merged before submitting. */
  merged: number;
  exportJobId: string | null;
}

/** Freezes each stale shot's manifest into the render cache and enqueues a shot job per render plus the export. */
export async function submitToFarm(lib: Library, queue: FarmQueue, o: SubmitOptions): Promise<SubmitSummary> {
  const project = lib.findProject(o.project);
  const planner = lib.renderPlanner(o.model);
  const all = planner.targets(project.id, o.shotIds);
  const merged = mergeFarmRenders(lib, project.id, all).length;
  const state = new Map(planner.status(project.id, new Set()).map((s) => [s.shotId, s.state]));
  const order = new Map(planner.targets(project.id).map((t, i) => [t.shot.id, i]));
  const stale = all.filter((t) => state.get(t.shot.id) !== 'rendered');
  if (!stale.length) return { projectId: project.id, stale: 0, added: 0, merged, exportJobId: null };

  const hashes = stale.map((t) => t.hash);
  // Named by the set of renders: the same submission sent again finds its export job and adds nothing.
  const exportId = `export-${createHash('sha256')
    .update([project.id, ...[...hashes].sort()].join('\0'))
    .digest('hex')
    .slice(0, 32)}`;
  const existing = await queue.get(exportId);
  if (existing && !['completed', 'failed'].includes(existing.state))
    return { projectId: project.id, stale: stale.length, added: 0, merged, exportJobId: exportId };
  // Finished, yet the shots need rendering (it failed, or their renders were deleted since): submitted again.
  if (existing) await queue.remove(exportId);

  const shots: { id: string; data: ShotJobData }[] = [];
  for (const t of stale) {
    // Frozen where render-shot and an OpenJD task read it: <renders>/<hash>/manifest.json.
    mkdirSync(t.dir, { recursive: true });
    writeFileAtomic(join(t.dir, MANIFEST_FILE), canonicalJson(t.manifest) + '\n');
    const job = await queue.get(t.hash);
    // A finished job whose render is not in the cache (deleted, or failed for good) is queued again; one still
    // waiting or rendering for another submission is left to finish, and the export checks its render too.
    if (job && (job.state === 'completed' || job.state === 'failed')) await queue.remove(t.hash);
    else if (job) continue;
    const rendersDir = rendersDirOf(lib, t);
    shots.push({
      id: t.hash,
      data: {
        projectId: project.id,
        shotId: t.shot.id,
        label: labelOf(t, order.get(t.shot.id) ?? 0),
        rendersDir,
        manifest: t.manifest,
      },
    });
  }
  const exportData: ExportJobData = {
    projectId: project.id,
    project: project.name,
    rendersDir: rendersDirOf(lib, stale[0]),
    hashes,
  };
  await queue.addFlow({ id: exportId, data: exportData }, shots);
  return { projectId: project.id, stale: stale.length, added: shots.length, merged, exportJobId: exportId };
}

export interface ShotFarmStatus {
  shotId: string;
  order: number;
  label: string;
  hash: string;
  /** rendered (in the library), or the farm job's state (waiting, active, completed, failed…), or not submitted. */
  state: string;
  framesDone: number | null;
  framesTotal: number;
  node: string | null;
  error: string | null;
}

export interface FarmStatus {
  projectId: string;
  shots: ShotFarmStatus[];
  /** Shot ids merged into the library by this call. */
  merged: string[];
  exportJob: FarmJobView | null;
}

/**
 * Every shot's farm progress; completed renders found in the cache are merged into the library first (without
 * a queue, only that: the cache is the record of what was rendered, Redis only of who is doing what).
 */
export async function farmStatus(
  lib: Library,
  queue: FarmQueue | null,
  o: { project: string; model: ModelRef },
): Promise<FarmStatus> {
  const project = lib.findProject(o.project);
  const planner = lib.renderPlanner(o.model);
  const targets = planner.targets(project.id);
  const merged = mergeFarmRenders(lib, project.id, targets);
  const state = new Map(planner.status(project.id, new Set()).map((s) => [s.shotId, s]));
  const shots: ShotFarmStatus[] = [];
  const jobs: (FarmJobView | null)[] = [];
  for (const [i, t] of targets.entries()) {
    const framesTotal = t.manifest.frames.last - t.manifest.frames.first + 1;
    const base = { shotId: t.shot.id, order: i, label: labelOf(t, i), hash: t.hash, framesTotal };
    const job = queue ? await queue.get(t.hash) : null;
    jobs.push(job);
    const node = shotJobResult(job?.returnValue)?.node ?? null;
    if (state.get(t.shot.id)?.state === 'rendered') {
      shots.push({ ...base, state: 'rendered', framesDone: framesTotal, node, error: null });
      continue;
    }
    const p = shotProgress(job?.progress);
    shots.push({
      ...base,
      state: job?.state ?? 'not submitted',
      framesDone: p ? p.framesDone : null,
      node,
      error: job?.failedReason ?? null,
    });
  }
  const exportJob = queue ? await findExportJob(queue, jobs) : null;
  return { projectId: project.id, shots, merged, exportJob };
}

/** The export job that waits for the shots' renders (their jobs' parent in BullMQ's flow). */
async function findExportJob(queue: FarmQueue, jobs: (FarmJobView | null)[]): Promise<FarmJobView | null> {
  const parent = jobs.find((j) => j?.parentId)?.parentId;
  return parent ? queue.get(parent) : null;
}
