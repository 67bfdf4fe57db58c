// The library's WAL side files (-wal, -shm). SQLite creates them with the main file's mode, so a command run
// while library.sqlite was read-only leaves them read-only; once the user makes the main file writable again,
// SQLite still opens the library read-only through them and every write fails. Writability is therefore
// judged on all three files and proved by taking the write lock.
import type Database from 'better-sqlite3';
import { accessSync, chmodSync, constants, existsSync, statSync } from 'node:fs';
import type { Logger } from '../log';

export const SIDE_SUFFIXES = ['-wal', '-shm'] as const;

function writable(file: string): boolean {
  try {
    accessSync(file, constants.W_OK);
    return true;
  } catch {
    return false;
  }
}

/**
 * Where the main file is writable and a side file is not, gives the side file the main file's permissions (a
 * mode change is harmless to any process that has the library open, so no checkpoint or exclusive access is
 * needed). Returns why the library must stay read-only when that is not possible, else null.
 */
export function repairSideFiles(file: string, log: Logger): string | null {
  if (!existsSync(file) || !writable(file)) return null;
  const problems: string[] = [];
  for (const suffix of SIDE_SUFFIXES) {
    const side = file + suffix;
    if (!existsSync(side) || writable(side)) continue;
    const st = statSync(side);
    const mode = (st.mode & 0o777).toString(8).padStart(4, '0');
    try {
      chmodSync(side, statSync(file).mode & 0o777);
      if (!writable(side)) throw new Error('still not writable');
      log.warn(
        `${side} was read-only (mode ${mode}, left by a run while the library was read-only); gave it the permissions of ${file}`,
      );
    } catch (e) {
      problems.push(
        `${side} is not writable (mode ${mode}, owner uid ${st.uid}) though ${file} is, and Remaster cannot change it (${(e as Error).message})`,
      );
    }
  }
  if (!problems.length) return null;
  // Removing the files is not safe from here: a -wal can hold committed changes not yet in the main file.
  return `${problems.join('; ')}. It was left by a run while the library was read-only: have its owner (or an administrator) make it writable, e.g. chmod a+w, then restart.`;
}

/**
 * Whether this connection can really write: takes and releases the write lock without waiting. A lock held
 * by another process means writable (just busy); only SQLite's read-only answer means read-only.
 */
export function probeWritable(db: Database.Database): { writable: boolean; why: string | null } {
  const busy = db.pragma('busy_timeout', { simple: true }) as number;
  db.pragma('busy_timeout = 0');
  try {
    db.exec('BEGIN IMMEDIATE');
    db.exec('ROLLBACK');
    return { writable: true, why: null };
  } catch (e) {
    const code = (e as { code?: string }).code ?? '';
    if (/^SQLITE_(BUSY|LOCKED)/.test(code)) return { writable: true, why: null };
    if (/^SQLITE_(READONLY|PERM|CANTOPEN|AUTH)/.test(code)) return { writable: false, why: (e as Error).message };
    throw e;
  } finally {
    db.pragma(`busy_timeout = ${busy}`);
  }
}

/** A one-line description of who may not write which of the library's files, for the read-only message. */
export function readOnlyFiles(file: string): string[] {
  return [file, ...SIDE_SUFFIXES.map((s) => file + s)].filter((f) => existsSync(f) && !writable(f));
}
