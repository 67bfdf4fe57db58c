// SQL for the exports table: each master asked for, its settings, and the read-back report once verified.
import type { Db } from './db';

export interface ExportRow {
  id: string;
  project_id: string;
  job_id: string | null;
  format: string;
  output_path: string;
  /** ExportSettings as JSON. */
  settings_json: string | null;
  /** The contract's VerifyReport as JSON, once the master was read back. */
  verify_json: string | null;
  state: 'running' | 'done' | 'failed' | 'cancelled';
  frames: number;
  error: string | null;
  created_at: string;
}

export interface ExportSettings {
  mastering: string;
  shotIds: string[] | null;
  frames: { first: number; last: number } | null;
  /** What the master carries for sound, in words (audio is taken only from one clip's contiguous range). */
  audio: string;
}

export function insertExport(db: Db, r: Omit<ExportRow, 'verify_json' | 'error'>): void {
  db.prepare(
    `INSERT INTO exports (id, project_id, job_id, format, output_path, settings_json, state, frames, created_at)
     VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)`,
  ).run(r.id, r.project_id, r.job_id, r.format, r.output_path, r.settings_json, r.state, r.frames, r.created_at);
}

export function updateExport(
  db: Db,
  id: string,
  patch: Partial<Pick<ExportRow, 'state' | 'frames' | 'error' | 'verify_json' | 'settings_json'>>,
): void {
  const keys = Object.keys(patch) as (keyof typeof patch)[];
  if (!keys.length) return;
  db.prepare(`UPDATE exports SET ${keys.map((k) => `${k} = ?`).join(', ')} WHERE id = ?`).run(
    ...keys.map((k) => patch[k] ?? null),
    id,
  );
}

export const selectExports = (db: Db, projectId: string): ExportRow[] =>
  db.prepare('SELECT * FROM exports WHERE project_id = ? ORDER BY created_at DESC').all(projectId) as ExportRow[];

export const selectExport = (db: Db, id: string): ExportRow | undefined =>
  db.prepare('SELECT * FROM exports WHERE id = ?').get(id) as ExportRow | undefined;

/** Exports whose job was interrupted (its process died): they never finished. */
export function failExportsOfJobs(db: Db, jobIds: string[], error: string): number {
  const up = db.prepare("UPDATE exports SET state = 'failed', error = ? WHERE job_id = ? AND state = 'running'");
  return jobIds.reduce((n, id) => n + up.run(error, id).changes, 0);
}
