// SQL for the renders table: one row per shot, the last render that completed (or the last that failed).
import { randomUUID } from 'node:crypto';
import type { Db } from './db';

export interface RenderRow {
  id: string;
  project_id: string;
  shot_id: string;
  job_id: string | null;
  grade_version: number | null;
  /** The model file's path when it rendered (for people; the SHA-256 is what counts). */
  model: string | null;
  model_sha: string | null;
  fingerprint: string | null;
  manifest_hash: string | null;
  cache_path: string | null;
  /** CTA-861.3 values of the shot (whole nits, as an export of the shot writes them). */
  max_cll: number | null;
  max_fall: number | null;
  frames: number | null;
  state: 'done' | 'failed';
  error: string | null;
  created_at: string;
}

export const selectRenders = (db: Db, projectId: string): RenderRow[] =>
  db.prepare('SELECT * FROM renders WHERE project_id = ?').all(projectId) as RenderRow[];

export const selectRender = (db: Db, shotId: string): RenderRow | undefined =>
  db.prepare('SELECT * FROM renders WHERE shot_id = ?').get(shotId) as RenderRow | undefined;

export type CompletedRender = Omit<RenderRow, 'id' | 'state' | 'error'>;

/** The shot's render completed: replaces whatever was recorded for it. */
export function upsertCompletedRender(db: Db, r: CompletedRender): void {
  db.prepare(
    `INSERT INTO renders (id, project_id, shot_id, job_id, grade_version, model, model_sha, fingerprint, manifest_hash,
       cache_path, max_cll, max_fall, frames, state, error, created_at)
     VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, 'done', NULL, ?)
     ON CONFLICT (shot_id) DO UPDATE SET job_id = excluded.job_id, grade_version = excluded.grade_version,
       model = excluded.model, model_sha = excluded.model_sha, fingerprint = excluded.fingerprint,
       manifest_hash = excluded.manifest_hash, cache_path = excluded.cache_path, max_cll = excluded.max_cll,
       max_fall = excluded.max_fall, frames = excluded.frames, state = 'done', error = NULL,
       created_at = excluded.created_at`,
  ).run(
    randomUUID(),
    r.project_id,
    r.shot_id,
    r.job_id,
    r.grade_version,
    r.model,
    r.model_sha,
    r.fingerprint,
    r.manifest_hash,
    r.cache_path,
    r.max_cll,
    r.max_fall,
    r.frames,
    r.created_at,
  );
}

/** The shot's last render failed; what an earlier one recorded stays, for the reason "stale" would give. */
export function markRenderFailed(
  db: Db,
  projectId: string,
  shotId: string,
  jobId: string,
  error: string,
  at: string,
): void {
  db.prepare(
    `INSERT INTO renders (id, project_id, shot_id, job_id, state, error, created_at) VALUES (?, ?, ?, ?, 'failed', ?, ?)
     ON CONFLICT (shot_id) DO UPDATE SET job_id = excluded.job_id, state = 'failed', error = excluded.error`,
  ).run(randomUUID(), projectId, shotId, jobId, error, at);
}
