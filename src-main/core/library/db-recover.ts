// Recovery of a library SQLite calls corrupt: the file is moved aside (kept), what can be read is salvaged into a
// new library with the backup filling in only what could not be read; only when nothing at all can be read is
// the latest good backup restored whole, or a new library started.
import type Database from 'better-sqlite3';
import { copyFileSync, existsSync, renameSync, unlinkSync } from 'node:fs';
import { ServiceError } from '../../common/contract';
import type { Logger } from '../log';
import { describeSalvage, salvageLibrary, type SalvageReport } from './salvage';

type Db = Database.Database;

export interface Recovered {
  db: Db;
  recovery: string;
  salvage: SalvageReport | null;
}

export function recoverLibrary(o: {
  file: string;
  problem: string;
  stamp: string;
  log: Logger;
  backups: string[];
  maxSchema: number;
  /** Builds an empty library at a schema version (the migrations). */
  build: (db: Db, schemaVersion: number) => void;
  /** Opens and checks a library file: a db, or why not. */
  open: (file: string) => { db: Db | null; problem: string | null };
}): Recovered {
  const { file, problem, log } = o;
  const aside = `${file}.corrupt-${o.stamp}`;
  for (const suffix of ['', '-wal', '-shm']) {
    if (existsSync(file + suffix)) renameSync(file + suffix, aside + suffix);
  }
  const tmp = `${file}.salvaging`;
  let salvage: SalvageReport | null = null;
  try {
    salvage = salvageLibrary({ damaged: aside, into: tmp, backups: o.backups, maxSchema: o.maxSchema, build: o.build });
  } catch (e) {
    log.error(`salvaging ${aside} failed`, e instanceof Error ? e.message : e);
  }
  if (salvage) {
    renameSync(tmp, file);
    const t = o.open(file);
    if (t.db) {
      const lost = salvage.tables.reduce((n, t) => n + t.lost, 0);
      const unknown = salvage.tables.filter((t) => !t.lostExact).map((t) => t.table);
      const from = salvage.backup
        ? `, and rows that could not be read were taken from the backup ${salvage.backup}`
        : '; no backup was available for rows that could not be read';
      const verdict = `${lost ? `${lost} row${lost === 1 ? ' was' : 's were'} lost` : 'No row was lost'}${unknown.length ? ` (more of ${unknown.join(', ')} may be)` : ''}.`;
      const recovery = `The library ${file} was corrupt (${problem}). It was moved to ${aside}; every row that could be read was salvaged into a new library${from}. ${describeSalvage(salvage)}. ${verdict}`;
      log.error(recovery);
      return { db: t.db, recovery, salvage };
    }
    log.error(`the salvaged library does not open (${t.problem}); restoring a backup instead`);
    unlinkSync(file);
  }
  for (const f of [tmp, `${tmp}-wal`, `${tmp}-shm`]) if (existsSync(f)) unlinkSync(f);

  let restored: string | null = null;
  let db: Db | null = null;
  for (const b of o.backups) {
    // Through a temporary file, so a full disk mid-copy never leaves a half library in place.
    const restoring = `${file}.restoring`;
    try {
      copyFileSync(b, restoring);
      renameSync(restoring, file);
    } catch (e) {
      if (existsSync(restoring)) unlinkSync(restoring);
      throw new ServiceError(
        'io',
        `Library ${file} was corrupt and moved to ${aside}; restoring backup ${b} failed (${(e as Error).message}). Free some disk space and start again.`,
      );
    }
    const t = o.open(file);
    if (t.db) {
      db = t.db;
      restored = b;
      break;
    }
    unlinkSync(file);
  }
  if (!db) {
    const t = o.open(file);
    if (!t.db) throw new ServiceError('io', `Cannot create a library at ${file}: ${t.problem}`);
    db = t.db;
  }
  const recovery = restored
    ? `The library ${file} was corrupt (${problem}) and nothing in it could be read. It was moved to ${aside} and the latest good backup ${restored} was restored; changes made after that backup are lost.`
    : `The library ${file} was corrupt (${problem}). It was moved to ${aside} and a new, empty library was started; nothing in it could be read and no backup was available.`;
  log.error(recovery);
  return { db, recovery, salvage: null };
}
