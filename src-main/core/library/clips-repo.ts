// SQL for the clips table, and a clip row as the contract shows it.
import { statSync } from 'node:fs';
import { basename } from 'node:path';
import { ServiceError, type Clip, type ClipOptions, type ProbeResult } from '../../common/contract';
import { sourceColourWarning } from '../../common/colour/source-colour';
import type { Db } from './db';

export interface ClipRow {
  id: string;
  project_id: string;
  path: string;
  size: number;
  mtime_ms: number;
  fingerprint: string;
  probe_json: string;
  imported_at: string;
  options_json: string;
  proxy_state: string;
}

export const DEFAULT_OPTIONS: ClipOptions = { deinterlace: 'auto', squarePixels: true };
type ProxyState = Clip['proxyState'];

/** 'changed' from size and modification time only; checkMedia looks at the content before believing it. */
export function clipStatus(r: ClipRow): Clip['status'] {
  try {
    const st = statSync(r.path);
    if (!st.isFile()) return 'missing';
    return st.size === r.size && Math.abs(st.mtimeMs - r.mtime_ms) < 1 ? 'ok' : 'changed';
  } catch {
    return 'missing';
  }
}

export function toClip(r: ClipRow): Clip {
  // The full ffprobe JSON stays in the database; responses carry the normalised probe only.
  const { raw: _raw, ...probe } = JSON.parse(r.probe_json) as ProbeResult;
  const options = { ...DEFAULT_OPTIONS, ...(JSON.parse(r.options_json) as Partial<ClipOptions>) };
  return {
    id: r.id,
    projectId: r.project_id,
    path: r.path,
    name: basename(r.path),
    size: r.size,
    mtimeMs: r.mtime_ms,
    fingerprint: r.fingerprint,
    status: clipStatus(r),
    width: probe.width,
    height: probe.height,
    frameRate: probe.frameRate,
    frameCount: probe.durationFrames,
    startTimecode: probe.startTimecode,
    options,
    proxyState: (['none', 'building', 'ready', 'failed'].includes(r.proxy_state)
      ? r.proxy_state
      : 'none') as ProxyState,
    probe,
    importedAt: r.imported_at,
    incomplete: probe.declaredFrames ? incompleteReason(probe.durationFrames, probe.declaredFrames) : null,
    colourWarning: sourceColourWarning(probe.colour),
  };
}

/** The warning for a file that decoded to fewer frames than its container declares. */
export const incompleteReason = (decoded: number, declared: number): string =>
  `incomplete: ${decoded} of the ${declared} frames its file declares could be decoded (truncated or damaged file)`;

/** The clip, or a not_found error. */
export function requireClip(db: Db, id: string): ClipRow {
  const r = db.prepare('SELECT * FROM clips WHERE id = ?').get(id) as ClipRow | undefined;
  if (!r) throw new ServiceError('not_found', `No clip with id ${id}`);
  return r;
}

/** In import order. */
export const selectClips = (db: Db, projectId: string): ClipRow[] =>
  db.prepare('SELECT * FROM clips WHERE project_id = ? ORDER BY imported_at, rowid').all(projectId) as ClipRow[];

export const selectClipIdByFingerprint = (db: Db, projectId: string, fingerprint: string): string | undefined =>
  (
    db.prepare('SELECT id FROM clips WHERE project_id = ? AND fingerprint = ?').get(projectId, fingerprint) as
      { id: string } | undefined
  )?.id;

/** Clips whose import never finished: they have no shots. */
export const selectClipsWithoutShots = (db: Db): Pick<ClipRow, 'id' | 'project_id' | 'path'>[] =>
  db
    .prepare('SELECT id, project_id, path FROM clips c WHERE NOT EXISTS (SELECT 1 FROM shots s WHERE s.clip_id = c.id)')
    .all() as Pick<ClipRow, 'id' | 'project_id' | 'path'>[];

export function insertClip(db: Db, r: ClipRow): void {
  db.prepare(
    'INSERT INTO clips (id, project_id, path, size, mtime_ms, fingerprint, probe_json, imported_at, options_json, proxy_state) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)',
  ).run(
    r.id,
    r.project_id,
    r.path,
    r.size,
    r.mtime_ms,
    r.fingerprint,
    r.probe_json,
    r.imported_at,
    r.options_json,
    r.proxy_state,
  );
}

/** Where the file is now and what it looked like then (size and mtime: the cheap half of the status check). */
export function updateClipFile(db: Db, id: string, f: { path?: string; size: number; mtimeMs: number }): void {
  if (f.path === undefined)
    db.prepare('UPDATE clips SET size = ?, mtime_ms = ? WHERE id = ?').run(f.size, f.mtimeMs, id);
  else db.prepare('UPDATE clips SET path = ?, size = ?, mtime_ms = ? WHERE id = ?').run(f.path, f.size, f.mtimeMs, id);
}

export function updateClipContent(
  db: Db,
  id: string,
  c: { size: number; mtimeMs: number; fingerprint: string; probe: ProbeResult },
): void {
  db.prepare('UPDATE clips SET size = ?, mtime_ms = ?, fingerprint = ?, probe_json = ? WHERE id = ?').run(
    c.size,
    c.mtimeMs,
    c.fingerprint,
    JSON.stringify(c.probe),
    id,
  );
}

export function updateClipProbe(db: Db, id: string, probe: ProbeResult): void {
  db.prepare('UPDATE clips SET probe_json = ? WHERE id = ?').run(JSON.stringify(probe), id);
}

export function updateClipOptions(db: Db, id: string, options: ClipOptions): void {
  db.prepare('UPDATE clips SET options_json = ? WHERE id = ?').run(JSON.stringify(options), id);
}

export function updateProxyState(db: Db, id: string, state: ProxyState): void {
  db.prepare('UPDATE clips SET proxy_state = ? WHERE id = ?').run(state, id);
}

/** Proxy builds cut short by a quit are failed, not building. */
export function failUnfinishedProxies(db: Db): void {
  db.prepare("UPDATE clips SET proxy_state = 'failed' WHERE proxy_state = 'building'").run();
}

export function deleteClipRow(db: Db, id: string): void {
  db.prepare('DELETE FROM clips WHERE id = ?').run(id);
}
