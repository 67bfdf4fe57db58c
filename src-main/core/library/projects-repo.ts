// SQL for the projects table.
import { ServiceError, type ProjectSummary } from '../../common/contract';
import type { Db } from './db';

export interface ProjectRow {
  id: string;
  name: string;
  created_at: string;
  updated_at: string;
  last_opened_at: string | null;
  is_demo: number;
  clip_count: number;
  shot_count: number;
}

const SELECT = `SELECT p.*, (SELECT COUNT(*) FROM clips c WHERE c.project_id = p.id) AS clip_count,
    (SELECT COUNT(*) FROM shots s WHERE s.project_id = p.id) AS shot_count FROM projects p`;

export const toProject = (r: ProjectRow): ProjectSummary => ({
  id: r.id,
  name: r.name,
  createdAt: r.created_at,
  updatedAt: r.updated_at,
  lastOpenedAt: r.last_opened_at,
  clipCount: r.clip_count,
  shotCount: r.shot_count,
  isDemo: r.is_demo === 1,
});

export const selectProject = (db: Db, id: string): ProjectRow | undefined =>
  db.prepare(`${SELECT} WHERE p.id = ?`).get(id) as ProjectRow | undefined;

export const selectProjectByName = (db: Db, name: string): ProjectRow | undefined =>
  db.prepare(`${SELECT} WHERE p.name = ?`).get(name) as ProjectRow | undefined;

/** The project, or a not_found error. */
export function requireProject(db: Db, id: string): ProjectRow {
  const r = selectProject(db, id);
  if (!r) throw new ServiceError('not_found', `No project with id ${id}`);
  return r;
}

export const selectProjectsByName = (db: Db): ProjectRow[] =>
  db.prepare(`${SELECT} ORDER BY p.name COLLATE NOCASE`).all() as ProjectRow[];

export const selectRecentProjects = (db: Db, limit: number): ProjectRow[] =>
  db.prepare(`${SELECT} ORDER BY COALESCE(p.last_opened_at, p.updated_at) DESC LIMIT ?`).all(limit) as ProjectRow[];

export const selectProjectIds = (db: Db): string[] =>
  (db.prepare('SELECT id FROM projects').all() as { id: string }[]).map((r) => r.id);

/** Whether another project (not `exceptId`) has this name. */
export const projectNameTaken = (db: Db, name: string, exceptId = ''): boolean =>
  !!db.prepare('SELECT 1 FROM projects WHERE name = ? AND id <> ?').get(name, exceptId);

/** The error for a name another project has. */
export const nameTaken = (n: string): ServiceError =>
  new ServiceError('conflict', `A project named "${n}" already exists`);

export function insertProject(db: Db, p: { id: string; name: string; at: string; isDemo: boolean }): void {
  db.prepare('INSERT INTO projects (id, name, created_at, updated_at, is_demo) VALUES (?, ?, ?, ?, ?)').run(
    p.id,
    p.name,
    p.at,
    p.at,
    p.isDemo ? 1 : 0,
  );
}

export function updateProjectName(db: Db, id: string, name: string, at: string): void {
  db.prepare('UPDATE projects SET name = ?, updated_at = ? WHERE id = ?').run(name, at, id);
}

export function touchProject(db: Db, id: string, at: string): void {
  db.prepare('UPDATE projects SET updated_at = ? WHERE id = ?').run(at, id);
}

export function markProjectOpened(db: Db, id: string, at: string): void {
  db.prepare('UPDATE projects SET last_opened_at = ? WHERE id = ?').run(at, id);
}

/** Its clips, shots and grades go with it (foreign keys cascade). */
export function deleteProjectRow(db: Db, id: string): void {
  db.prepare('DELETE FROM projects WHERE id = ?').run(id);
}
