// SQL for the shots table: a shot is a frame range of one clip with a place on the project's timeline.
import { randomUUID } from 'node:crypto';
import { ServiceError } from '../../common/contract';
import type { Db } from './db';

export interface ShotRow {
  id: string;
  project_id: string;
  clip_id: string;
  first_frame: number;
  last_frame: number;
  ord: number;
  grade_version: number;
}

export type FrameRange = { firstFrame: number; lastFrame: number };

/** The shot, or a not_found error. */
export function requireShot(db: Db, id: string): ShotRow {
  const r = db.prepare('SELECT * FROM shots WHERE id = ?').get(id) as ShotRow | undefined;
  if (!r) throw new ServiceError('not_found', `No shot with id ${id}`);
  return r;
}

/** In timeline order, with what the listing needs of each shot's clip. */
type TimelineRow = ShotRow & { clip_path: string; probe_json: string; grade_json: string | null };

/** The shots in order with their clip and their current grade's values (null: never graded). */
export const selectTimeline = (db: Db, projectId: string): TimelineRow[] =>
  db
    .prepare(
      'SELECT s.*, c.path AS clip_path, c.probe_json, g.params_json AS grade_json FROM shots s ' +
        'JOIN clips c ON c.id = s.clip_id ' +
        'LEFT JOIN grades g ON g.shot_id = s.id AND g.version = s.grade_version ' +
        'WHERE s.project_id = ? ORDER BY s.ord',
    )
    .all(projectId) as TimelineRow[];

export const selectShotsInOrder = (db: Db, projectId: string): ShotRow[] =>
  db.prepare('SELECT * FROM shots WHERE project_id = ? ORDER BY ord').all(projectId) as ShotRow[];

export const selectShotIds = (db: Db, projectId: string): string[] =>
  (db.prepare('SELECT id FROM shots WHERE project_id = ?').all(projectId) as { id: string }[]).map((r) => r.id);

/** New shots for a clip, at the end of the timeline. */
export function appendShots(db: Db, projectId: string, clipId: string, ranges: FrameRange[]): void {
  const max = (
    db.prepare('SELECT COALESCE(MAX(ord), -1) AS m FROM shots WHERE project_id = ?').get(projectId) as { m: number }
  ).m;
  const ins = db.prepare(
    'INSERT INTO shots (id, project_id, clip_id, first_frame, last_frame, ord) VALUES (?, ?, ?, ?, ?, ?)',
  );
  ranges.forEach((r, i) => ins.run(randomUUID(), projectId, clipId, r.firstFrame, r.lastFrame, max + 1 + i));
}

export function insertShot(db: Db, s: Omit<ShotRow, 'grade_version'>): void {
  db.prepare(
    'INSERT INTO shots (id, project_id, clip_id, first_frame, last_frame, ord, grade_version) VALUES (?, ?, ?, ?, ?, ?, 0)',
  ).run(s.id, s.project_id, s.clip_id, s.first_frame, s.last_frame, s.ord);
}

/** Makes room on the timeline after position `ord`. */
export function shiftShotsAfter(db: Db, projectId: string, ord: number): void {
  db.prepare('UPDATE shots SET ord = ord + 1 WHERE project_id = ? AND ord > ?').run(projectId, ord);
}

export function updateLastFrame(db: Db, id: string, lastFrame: number): void {
  db.prepare('UPDATE shots SET last_frame = ? WHERE id = ?').run(lastFrame, id);
}

export function updateGradeVersion(db: Db, id: string, version: number): void {
  db.prepare('UPDATE shots SET grade_version = ? WHERE id = ?').run(version, id);
}

export function deleteShotRow(db: Db, id: string): void {
  db.prepare('DELETE FROM shots WHERE id = ?').run(id);
}

/** Puts the shots in this order, 0-based. */
export function setOrder(db: Db, ids: string[]): void {
  const up = db.prepare('UPDATE shots SET ord = ? WHERE id = ?');
  // Two passes avoid transient duplicates if a unique index is ever added.
  ids.forEach((id, i) => up.run(-1 - i, id));
  ids.forEach((id, i) => up.run(i, id));
}

/** Closes the gaps a removal leaves: positions 0..n-1 again, in the same order. */
export function renumber(db: Db, projectId: string): void {
  setOrder(
    db,
    (
      db.prepare('SELECT id FROM shots WHERE project_id = ? ORDER BY ord, first_frame').all(projectId) as {
        id: string;
      }[]
    ).map((r) => r.id),
  );
}

/** For a clip that became shorter: drops the shots that start past its new last frame, trims the one that runs past it. */
export function trimClipShots(db: Db, clipId: string, lastFrame: number): number {
  const dropped = db.prepare('SELECT id FROM shots WHERE clip_id = ? AND first_frame > ?').all(clipId, lastFrame) as {
    id: string;
  }[];
  for (const d of dropped) deleteShotRow(db, d.id);
  db.prepare('UPDATE shots SET last_frame = ? WHERE clip_id = ? AND last_frame > ?').run(lastFrame, clipId, lastFrame);
  return dropped.length;
}
