// SQL for the grade history: version n of a shot's grade; the shot's grade_version says which one is current.
import type { GradeParams } from '../../common/contract';
import type { Db } from './db';

/** The parameters of this version, null for the default (no grade); undefined when there is no such version. */
export function selectGradeVersion(db: Db, shotId: string, version: number): GradeParams | null | undefined {
  const r = db.prepare('SELECT params_json FROM grades WHERE shot_id = ? AND version = ?').get(shotId, version) as
    { params_json: string | null } | undefined;
  return r ? (r.params_json ? (JSON.parse(r.params_json) as GradeParams) : null) : undefined;
}

export const hasLaterVersion = (db: Db, shotId: string, version: number): boolean =>
  !!db.prepare('SELECT 1 FROM grades WHERE shot_id = ? AND version > ? LIMIT 1').get(shotId, version);

/** Drops this version and every later one (the redo branch). */
export function deleteVersionsFrom(db: Db, shotId: string, version: number): void {
  db.prepare('DELETE FROM grades WHERE shot_id = ? AND version >= ?').run(shotId, version);
}

export function insertGradeVersion(
  db: Db,
  shotId: string,
  version: number,
  params: GradeParams | null,
  at: string,
): void {
  db.prepare('INSERT INTO grades (shot_id, version, params_json, created_at) VALUES (?, ?, ?, ?)').run(
    shotId,
    version,
    params === null ? null : JSON.stringify(params),
    at,
  );
}

/** Versions 1..`upTo` in order, as stored. */
export function selectGradeHistory(
  db: Db,
  shotId: string,
  upTo: number,
): { version: number; params: GradeParams | null; created_at: string }[] {
  const rows = db
    .prepare('SELECT version, params_json, created_at FROM grades WHERE shot_id = ? AND version <= ? ORDER BY version')
    .all(shotId, upTo) as { version: number; params_json: string | null; created_at: string }[];
  return rows.map((r) => ({
    version: r.version,
    params: r.params_json ? (JSON.parse(r.params_json) as GradeParams) : null,
    created_at: r.created_at,
  }));
}
