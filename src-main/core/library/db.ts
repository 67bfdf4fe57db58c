// The library database: one SQLite file, WAL, foreign keys, numbered migrations with a backup before each,
// integrity check at open with recovery (every readable row salvaged, a backup for the rest; the bad file kept
// aside), and writability judged on what SQLite can really write.
import Database from 'better-sqlite3';
import {
  accessSync,
  constants,
  copyFileSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  rmSync,
  statSync,
  unlinkSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { ServiceError } from '../../common/contract';
import type { Logger } from '../log';
import { recoverLibrary } from './db-recover';
import { probeWritable, readOnlyFiles, repairSideFiles } from './db-sidefiles';
import type { SalvageReport } from './salvage';

export type Db = Database.Database;

/** Numbered migrations. Never edit a shipped one: add the next. Index i holds migration i+1. */
export const MIGRATIONS: string[] = [
  // 1: projects, clips, shots
  `
  CREATE TABLE projects (
    id TEXT PRIMARY KEY,
    name TEXT NOT NULL UNIQUE,
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL,
    is_demo INTEGER NOT NULL DEFAULT 0
  );
  CREATE TABLE clips (
    id TEXT PRIMARY KEY,
    project_id TEXT NOT NULL REFERENCES projects(id) ON DELETE CASCADE,
    path TEXT NOT NULL,
    size INTEGER NOT NULL,
    mtime_ms REAL NOT NULL,
    fingerprint TEXT NOT NULL,
    probe_json TEXT NOT NULL,
    imported_at TEXT NOT NULL
  );
  CREATE INDEX clips_project ON clips(project_id);
  CREATE INDEX clips_fingerprint ON clips(fingerprint);
  CREATE TABLE shots (
    id TEXT PRIMARY KEY,
    project_id TEXT NOT NULL REFERENCES projects(id) ON DELETE CASCADE,
    clip_id TEXT NOT NULL REFERENCES clips(id) ON DELETE CASCADE,
    first_frame INTEGER NOT NULL,
    last_frame INTEGER NOT NULL,
    ord INTEGER NOT NULL,
    CHECK (last_frame >= first_frame AND first_frame >= 0)
  );
  CREATE INDEX shots_project ON shots(project_id, ord);
  `,
  // 2: recent projects, per-clip options, grade history, jobs, renders, exports
  `
  ALTER TABLE projects ADD COLUMN last_opened_at TEXT;
  ALTER TABLE clips ADD COLUMN options_json TEXT NOT NULL DEFAULT '{"deinterlace":"auto","squarePixels":true}';
  ALTER TABLE clips ADD COLUMN proxy_state TEXT NOT NULL DEFAULT 'none';
  ALTER TABLE shots ADD COLUMN grade_version INTEGER NOT NULL DEFAULT 0;
  CREATE TABLE grades (
    shot_id TEXT NOT NULL REFERENCES shots(id) ON DELETE CASCADE,
    version INTEGER NOT NULL,
    params_json TEXT,
    created_at TEXT NOT NULL,
    PRIMARY KEY (shot_id, version)
  );
  CREATE TABLE jobs (
    id TEXT PRIMARY KEY,
    kind TEXT NOT NULL,
    project_id TEXT REFERENCES projects(id) ON DELETE CASCADE,
    state TEXT NOT NULL,
    fraction REAL NOT NULL DEFAULT 0,
    message TEXT NOT NULL DEFAULT '',
    error TEXT,
    detail_json TEXT,
    created_at TEXT NOT NULL,
    finished_at TEXT
  );
  CREATE INDEX jobs_project ON jobs(project_id);
  CREATE TABLE renders (
    id TEXT PRIMARY KEY,
    project_id TEXT NOT NULL REFERENCES projects(id) ON DELETE CASCADE,
    shot_id TEXT REFERENCES shots(id) ON DELETE CASCADE,
    job_id TEXT REFERENCES jobs(id) ON DELETE SET NULL,
    grade_version INTEGER,
    model TEXT,
    cache_path TEXT,
    max_cll INTEGER,
    max_fall INTEGER,
    state TEXT NOT NULL,
    detail_json TEXT,
    created_at TEXT NOT NULL
  );
  CREATE TABLE settings (key TEXT PRIMARY KEY, value TEXT NOT NULL);
  CREATE TABLE exports (
    id TEXT PRIMARY KEY,
    project_id TEXT NOT NULL REFERENCES projects(id) ON DELETE CASCADE,
    job_id TEXT REFERENCES jobs(id) ON DELETE SET NULL,
    format TEXT NOT NULL,
    output_path TEXT NOT NULL,
    settings_json TEXT,
    verify_json TEXT,
    state TEXT NOT NULL,
    created_at TEXT NOT NULL
  );
  `,
  // 3: job owners (pid, that process's start identity, host) and a heartbeat, so every process sharing the
  // library can tell a job whose process died from one still running
  `
  ALTER TABLE jobs ADD COLUMN owner_pid INTEGER;
  ALTER TABLE jobs ADD COLUMN owner_start TEXT;
  ALTER TABLE jobs ADD COLUMN owner_host TEXT;
  ALTER TABLE jobs ADD COLUMN heartbeat_at INTEGER;
  CREATE INDEX jobs_open ON jobs(state) WHERE state IN ('queued', 'running');
  `,
  // 4: what a shot's last render was made from (so a changed grade, model or source shows it stale), one row
  // per shot; an export's frame count, audio and failure
  `
  ALTER TABLE renders ADD COLUMN manifest_hash TEXT;
  ALTER TABLE renders ADD COLUMN model_sha TEXT;
  ALTER TABLE renders ADD COLUMN fingerprint TEXT;
  ALTER TABLE renders ADD COLUMN frames INTEGER;
  ALTER TABLE renders ADD COLUMN error TEXT;
  DELETE FROM renders WHERE rowid NOT IN (SELECT MAX(rowid) FROM renders GROUP BY shot_id);
  CREATE UNIQUE INDEX renders_shot ON renders(shot_id);
  ALTER TABLE exports ADD COLUMN frames INTEGER NOT NULL DEFAULT 0;
  ALTER TABLE exports ADD COLUMN error TEXT;
  `,
];

export const SCHEMA_VERSION = MIGRATIONS.length;

export interface OpenedDb {
  db: Db;
  file: string;
  readOnly: boolean;
  /** Why the library is read-only (null when it is writable). */
  readOnlyReason: string | null;
  recovery: string | null;
  /** What a recovery salvaged, took from a backup and lost, per table (null when none ran or nothing read). */
  salvage: SalvageReport | null;
  schemaVersion: number;
}

const stamp = (): string => new Date().toISOString().replace(/[:.]/g, '-');

export function backupDir(dataDir: string): string {
  return join(dataDir, 'backups');
}

/** Applies migrations up to `target` (default: all), copying the database aside before each one. */
export function migrate(db: Db, opts: { dataDir: string; log: Logger; target?: number }): number {
  const target = opts.target ?? SCHEMA_VERSION;
  let version = db.pragma('user_version', { simple: true }) as number;
  const startVersion = version;
  if (version > SCHEMA_VERSION) {
    throw new ServiceError(
      'conflict',
      `The library was written by a newer Remaster (schema ${version}, this version knows ${SCHEMA_VERSION}); update Remaster or use another --data folder.`,
    );
  }
  while (version < target) {
    const next = version + 1;
    if (startVersion > 0) {
      // A library with data in it: keep a copy of it as it was before this migration.
      mkdirSync(backupDir(opts.dataDir), { recursive: true });
      const to = join(backupDir(opts.dataDir), `library-v${version}-${stamp()}.sqlite`);
      db.exec(`VACUUM INTO '${to.replace(/'/g, "''")}'`);
      opts.log.info(`backed up library (schema ${version}) to ${to} before migration ${next}`);
    }
    db.transaction(() => {
      db.exec(MIGRATIONS[next - 1]);
      db.pragma(`user_version = ${next}`);
    })();
    version = next;
  }
  return version;
}

function check(db: Db): string | null {
  const rows = db.pragma('integrity_check') as { integrity_check: string }[];
  const msgs = rows.map((r) => r.integrity_check);
  return msgs.length === 1 && msgs[0] === 'ok' ? null : msgs.slice(0, 5).join('; ');
}

function isWritable(file: string): boolean {
  try {
    accessSync(file, constants.W_OK);
    return true;
  } catch {
    return false;
  }
}

function configure(db: Db, readOnly: boolean, busyTimeoutMs: number): void {
  db.pragma(`busy_timeout = ${busyTimeoutMs}`);
  db.pragma('foreign_keys = ON');
  if (!readOnly) {
    db.pragma('journal_mode = WAL');
    db.pragma('synchronous = NORMAL');
  }
}

function tryOpen(file: string, readOnly: boolean, busyTimeoutMs: number): { db: Db | null; problem: string | null } {
  let db: Db | null = null;
  try {
    db = new Database(file, { readonly: readOnly, fileMustExist: readOnly });
    configure(db, readOnly, busyTimeoutMs);
    const problem = check(db);
    if (problem) {
      db.close();
      return { db: null, problem };
    }
    return { db, problem: null };
  } catch (e) {
    const err = e as { code?: string; message?: string };
    // Only a file SQLite calls corrupt (or not a database) is treated as corrupt. Locked, full disk, no
    // permission, I/O errors: the library is left exactly as it is and the user is told.
    if (!/^SQLITE_(CORRUPT|NOTADB)/.test(err.code ?? '')) throw e;
    try {
      db?.close();
    } catch {
      /* ignore */
    }
    return { db: null, problem: err.message ?? String(e) };
  }
}

/** A copy of the library and its -wal in a private temporary folder (removed at exit), for reading only. */
function readOnlyCopy(file: string): string {
  const dir = mkdtempSync(join(tmpdir(), 'remaster-library-'));
  process.once('exit', () => rmSync(dir, { recursive: true, force: true }));
  const copy = join(dir, 'library.sqlite');
  copyFileSync(file, copy);
  if (existsSync(`${file}-wal`)) copyFileSync(`${file}-wal`, `${copy}-wal`);
  return copy;
}

/** Opens (creating or recovering) `dataDir/library.sqlite`. */
export function openDatabase(opts: {
  dataDir: string;
  log: Logger;
  busyTimeoutMs?: number;
  readOnly?: boolean;
}): OpenedDb {
  const { dataDir, log } = opts;
  const busy = opts.busyTimeoutMs ?? 5000;
  mkdirSync(dataDir, { recursive: true });
  const file = join(dataDir, 'library.sqlite');
  const exists = existsSync(file);
  let readOnlyReason =
    opts.readOnly === true
      ? 'opened read-only on request'
      : exists && !isWritable(file)
        ? `${file} is not writable`
        : null;
  if (!readOnlyReason && exists) readOnlyReason = repairSideFiles(file, log);
  let readOnly = readOnlyReason !== null;

  let recovery: string | null = null;
  let salvage: SalvageReport | null = null;
  let opened: { db: Db | null; problem: string | null };
  try {
    try {
      opened = tryOpen(file, readOnly, busy);
    } catch (e) {
      // A WAL library SQLite cannot make its side files for (a folder this user may not write, no -shm
      // there): it cannot be opened in place even to read, so browsing reads a private copy instead.
      const code = (e as { code?: string }).code ?? '';
      if (!exists || !/^SQLITE_(READONLY|CANTOPEN)/.test(code) || isWritable(dirname(file))) throw e;
      const folder = `the folder ${dirname(file)} is not writable, so the library is read from a copy taken at open`;
      readOnlyReason = readOnlyReason ? `${readOnlyReason}; ${folder}` : folder;
      readOnly = true;
      opened = tryOpen(readOnlyCopy(file), true, busy);
    }
  } catch (e) {
    const code = (e as { code?: string }).code ?? '';
    const why = /BUSY|LOCKED/.test(code)
      ? 'is locked by another process; close the other Remaster or wait'
      : /FULL/.test(code)
        ? 'cannot be opened: the disk is full'
        : /CANTOPEN|PERM|READONLY/.test(code)
          ? 'cannot be opened: check the folder exists and you may write to it'
          : 'cannot be opened';
    throw new ServiceError('io', `Library ${file} ${why} (${(e as Error).message}). It was not changed.`);
  }
  if (!opened.db) {
    const problem = opened.problem ?? 'unknown';
    if (readOnly)
      throw new ServiceError(
        'io',
        `Library ${file} is corrupt (${problem}) and read-only, so it cannot be recovered here; make it writable or restore a backup from ${backupDir(dataDir)}.`,
      );
    const r = recoverLibrary({
      file,
      problem,
      stamp: stamp(),
      log,
      backups: listBackups(dataDir),
      maxSchema: SCHEMA_VERSION,
      build: (db, target) => migrate(db, { dataDir, log, target }),
      open: (f) => tryOpen(f, false, busy),
    });
    opened = { db: r.db, problem: null };
    recovery = r.recovery;
    salvage = r.salvage;
  }
  const db = opened.db!;
  if (!readOnly) {
    // Permissions can pass while SQLite still cannot write (side files it cannot write, a read-only mount).
    const probe = probeWritable(db);
    if (!probe.writable) {
      readOnly = true;
      const files = readOnlyFiles(file);
      readOnlyReason = `${probe.why}${files.length ? ` (not writable: ${files.join(', ')})` : ''}`;
    }
  }
  if (readOnly) log.warn(`library ${file} is read-only (${readOnlyReason}): browsing works, changes will be refused`);
  let schemaVersion = db.pragma('user_version', { simple: true }) as number;
  if (!readOnly) schemaVersion = migrate(db, { dataDir, log });
  else if (schemaVersion < SCHEMA_VERSION) {
    db.close();
    throw new ServiceError(
      'io',
      `Library ${file} is read-only (${readOnlyReason}) and needs upgrading (schema ${schemaVersion} → ${SCHEMA_VERSION}); make it writable.`,
    );
  }
  if (!readOnly) dailyBackup(db, dataDir, log);
  return { db, file, readOnly, readOnlyReason, recovery, salvage, schemaVersion };
}

const DAY_MS = 24 * 3600 * 1000;
const KEEP_DAILY = 5;

/** A copy at most once a day (kept: the last five), so a corrupt library can be recovered without a migration. */
function dailyBackup(db: Db, dataDir: string, log: Logger): void {
  try {
    const has = db.prepare('SELECT 1 FROM projects LIMIT 1').get();
    if (!has) return;
    const latest = listBackups(dataDir)[0];
    if (latest && Date.now() - statSync(latest).mtimeMs < DAY_MS) return;
    mkdirSync(backupDir(dataDir), { recursive: true });
    const to = join(backupDir(dataDir), `library-daily-${stamp()}.sqlite`);
    db.exec(`VACUUM INTO '${to.replace(/'/g, "''")}'`);
    const daily = listBackups(dataDir).filter((f) => f.includes('library-daily-'));
    for (const old of daily.slice(KEEP_DAILY)) unlinkSync(old);
  } catch (e) {
    log.warn('daily library backup failed', e instanceof Error ? e.message : e);
  }
}

/** Backups, newest first. */
export function listBackups(dataDir: string): string[] {
  const dir = backupDir(dataDir);
  if (!existsSync(dir)) return [];
  return readdirSync(dir)
    .filter((f) => f.endsWith('.sqlite'))
    .map((f) => join(dir, f))
    .sort((a, b) => statSync(b).mtimeMs - statSync(a).mtimeMs || (a < b ? 1 : -1));
}

/** Turns SQLite's own errors into typed, readable ones naming the library file. */
export function dbError(e: unknown, file: string): unknown {
  const err = e as { code?: string; message?: string };
  if (typeof err?.code !== 'string' || !err.code.startsWith('SQLITE_')) return e;
  if (err.code.startsWith('SQLITE_READONLY'))
    return new ServiceError('io', `Library ${file} is read-only: the change was not saved.`);
  if (err.code.startsWith('SQLITE_BUSY') || err.code.startsWith('SQLITE_LOCKED'))
    return new ServiceError('io', `Library ${file} is locked by another process: the change was not saved; try again.`);
  if (err.code.startsWith('SQLITE_FULL'))
    return new ServiceError('io', `Disk full writing library ${file}: the change was not saved.`);
  if (err.code.startsWith('SQLITE_CORRUPT') || err.code.startsWith('SQLITE_NOTADB'))
    return new ServiceError(
      'io',
      `Library ${file} is corrupt (${err.message}); restart Remaster to recover it from a backup.`,
    );
  if (err.code.startsWith('SQLITE_CONSTRAINT_UNIQUE'))
    return new ServiceError('conflict', err.message ?? 'already exists');
  return e;
}
