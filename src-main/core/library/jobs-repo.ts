// SQL for the jobs table (the job manager keeps the logic: owners, heartbeats, interruption).
import type { Job } from '../../common/contract';
import type { Db } from './db';
import type { JobOwnerRow } from './db-job-owner';

export interface StoredJob {
  id: string;
  kind: Job['kind'];
  project_id: string | null;
  state: Job['state'];
  fraction: number;
  message: string;
  error: string | null;
  detail_json: string | null;
  created_at: string;
  finished_at: string | null;
}

const OPEN_SQL = "('queued', 'running', 'paused')";

export const toJob = (r: StoredJob): Job => ({
  id: r.id,
  kind: r.kind,
  projectId: r.project_id,
  state: r.state,
  fraction: r.fraction,
  etaSeconds: null,
  message: r.message,
  error: r.error,
  createdAt: r.created_at,
  finishedAt: r.finished_at,
});

export function parseDetail(detail: string | null): Record<string, unknown> {
  try {
    const d = JSON.parse(detail ?? '{}') as unknown;
    return d && typeof d === 'object' ? (d as Record<string, unknown>) : {};
  } catch {
    return {};
  }
}

export function selectOpenJobs(db: Db): (JobOwnerRow & StoredJob)[] {
  return db.prepare(`SELECT * FROM jobs WHERE state IN ${OPEN_SQL}`).all() as (JobOwnerRow & StoredJob)[];
}

export function selectRecentJobs(db: Db, limit = 200): StoredJob[] {
  return db.prepare('SELECT * FROM jobs ORDER BY created_at DESC LIMIT ?').all(limit) as StoredJob[];
}

/** Marks an open job failed; false when another process finished or reaped it first. */
export function markJobInterrupted(db: Db, id: string, why: string, at: string): boolean {
  return (
    db
      .prepare(
        `UPDATE jobs SET state = 'failed', error = ?, message = ?, finished_at = ? WHERE id = ? AND state IN ${OPEN_SQL}`,
      )
      .run(why, why, at, id).changes > 0
  );
}

export function insertJob(
  db: Db,
  j: Job,
  detail: Record<string, unknown>,
  owner: { pid: number; start: string | null; host: string },
): void {
  db.prepare(
    'INSERT INTO jobs (id, kind, project_id, state, fraction, message, error, created_at, finished_at, detail_json, owner_pid, owner_start, owner_host, heartbeat_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)',
  ).run(
    j.id,
    j.kind,
    j.projectId,
    j.state,
    j.fraction,
    j.message,
    j.error,
    j.createdAt,
    j.finishedAt,
    JSON.stringify(detail),
    owner.pid,
    owner.start,
    owner.host,
    Date.now(),
  );
}

export function updateJob(db: Db, j: Job): void {
  db.prepare('UPDATE jobs SET state = ?, fraction = ?, message = ?, error = ?, finished_at = ? WHERE id = ?').run(
    j.state,
    j.fraction,
    j.message,
    j.error,
    j.finishedAt,
    j.id,
  );
}

export function updateJobDetail(db: Db, id: string, detail: Record<string, unknown>): void {
  db.prepare('UPDATE jobs SET detail_json = ? WHERE id = ?').run(JSON.stringify(detail), id);
}

/** The heartbeat carries the progress, so other processes listing jobs see how far this one got. */
export function beatJobs(db: Db, jobs: readonly Job[]): void {
  const up = db.prepare(
    `UPDATE jobs SET heartbeat_at = ?, fraction = ?, message = ? WHERE id = ? AND state IN ${OPEN_SQL}`,
  );
  for (const j of jobs) up.run(Date.now(), j.fraction, j.message, j.id);
}
