// Salvage of a damaged library, in the spirit of sqlite3's `.recover` (which better-sqlite3 lacks): every table
// is read row by row (rowid ranges, skipping past pages that fail to read), what reads is copied into a fresh
// database built by our own migrations, a backup fills in only the rows that could not be read, and foreign
// keys are made consistent again. The damaged file is only read.
import Database from 'better-sqlite3';
import { existsSync, unlinkSync } from 'node:fs';

type Db = Database.Database;
type Row = Record<string, unknown>;

export interface TableSalvage {
  table: string;
  /** Rows read from the damaged file and kept. */
  salvaged: number;
  /** Rows that could not be read, taken from the backup. */
  fromBackup: number;
  /** Rows the damaged file's primary-key index lists that are in neither (a lower bound unless `lostExact`). */
  lost: number;
  /** False when the primary-key index itself was (partly) unreadable, so more rows may be lost. */
  lostExact: boolean;
  /** Rows dropped (or references cleared) because the row they belong to is gone. */
  orphans: number;
}

export interface SalvageReport {
  schemaVersion: number;
  backup: string | null;
  tables: TableSalvage[];
}

/** How far past a page that fails to read the next readable rowid is looked for, one rowid at a time. */
const PROBE_WINDOW = 100_000;
const q = (name: string): string => `"${name.replace(/"/g, '""')}"`;

function tablesOf(db: Db): string[] {
  const rows = db
    .prepare("SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' ORDER BY rowid")
    .all() as { name: string }[];
  return rows.map((r) => r.name);
}

function columnsOf(db: Db, table: string): { name: string; pk: number }[] {
  return db.prepare(`PRAGMA table_info(${q(table)})`).all() as { name: string; pk: number }[];
}

/** Reads as many rows as a possibly corrupt statement yields before it fails; `complete` says whether it ended. */
function readUntilError(stmt: Database.Statement, args: unknown[], onRow: (r: Row) => void): boolean {
  try {
    for (const r of stmt.iterate(...args)) onRow(r as Row);
    return true;
  } catch {
    return false;
  }
}

function tryGet<T>(fn: () => T): T | undefined {
  try {
    return fn();
  } catch {
    return undefined;
  }
}

/** Primary keys (and their rowids) as the damaged file's pk index lists them: it lives in pages of its own. */
function indexedKeys(db: Db, table: string, pk: string[]): { keys: Map<string, number>; complete: boolean } | null {
  const idx = tryGet(() =>
    (db.prepare(`PRAGMA index_list(${q(table)})`).all() as { name: string; origin: string }[]).find(
      (i) => i.origin === 'pk',
    ),
  );
  if (!idx || pk.length === 0) return null;
  const keys = new Map<string, number>();
  const stmt = tryGet(() =>
    db.prepare(`SELECT ${pk.map(q).join(', ')}, rowid AS __rowid FROM ${q(table)} INDEXED BY ${q(idx.name)}`),
  );
  if (!stmt) return { keys, complete: false };
  const complete = readUntilError(stmt, [], (r) => keys.set(keyOf(r, pk), r.__rowid as number));
  return { keys, complete };
}

const keyOf = (r: Row, pk: string[]): string => JSON.stringify(pk.map((c) => r[c]));

/** Every row of `table` that reads, by rowid: a range scan, and past a page that fails, point reads until one works. */
function readTable(db: Db, table: string, cols: string[], hintRowids: number[]): Map<number, Row> {
  const list = ['rowid AS __rowid', ...cols.map(q)].join(', ');
  const scan = db.prepare(`SELECT ${list} FROM ${q(table)} WHERE rowid > ? ORDER BY rowid`);
  const one = db.prepare(`SELECT ${list} FROM ${q(table)} WHERE rowid = ?`);
  const rows = new Map<number, Row>();
  const take = (r: Row): void => {
    rows.set(r.__rowid as number, r);
    after = r.__rowid as number;
  };
  let after = Number.MIN_SAFE_INTEGER;
  const maxRowid =
    tryGet(() => (db.prepare(`SELECT max(rowid) AS m FROM ${q(table)}`).get() as { m: number | null }).m) ?? null;
  const bound = Math.max(maxRowid ?? 0, ...hintRowids, 0);
  for (;;) {
    if (readUntilError(scan, [after], take)) break;
    // The scan stopped at a page that does not read: look for the next rowid that does, one at a time.
    const from = Math.max(after, 0);
    const candidates = [...hintRowids.filter((r) => r > from + PROBE_WINDOW && !rows.has(r))].sort((a, b) => a - b);
    let found = false;
    for (let r = from + 1; r <= Math.min(bound, from + PROBE_WINDOW) && !found; r++) found = probe(r);
    for (const r of candidates) if (!found) found = probe(r);
    if (!found) break;
  }
  return rows;

  function probe(rowid: number): boolean {
    const r = tryGet(() => one.get(rowid) as Row | undefined);
    if (!r) return false;
    take(r);
    return true;
  }
}

/** The newest backup that opens and passes a quick check, open read-only. */
function openBackup(backups: string[]): { db: Db; file: string } | null {
  for (const file of backups) {
    try {
      const db = new Database(file, { readonly: true, fileMustExist: true });
      const ok = (db.pragma('quick_check') as { quick_check: string }[]).map((r) => r.quick_check);
      if (ok.length === 1 && ok[0] === 'ok') return { db, file };
      db.close();
    } catch {
      /* next one */
    }
  }
  return null;
}

/**
 * Salvages `damaged` into a new database at `into`, built by `build(db, schemaVersion)` at the damaged file's
 * schema version (the caller migrates it on). Returns null when nothing can be read (not even the schema).
 */
export function salvageLibrary(opts: {
  damaged: string;
  into: string;
  backups: string[];
  maxSchema: number;
  build: (db: Db, schemaVersion: number) => void;
}): SalvageReport | null {
  let damaged: Db;
  let damagedTables: string[];
  let version: number;
  try {
    damaged = new Database(opts.damaged, { readonly: true, fileMustExist: true });
  } catch {
    return null;
  }
  try {
    version = damaged.pragma('user_version', { simple: true }) as number;
    damagedTables = tablesOf(damaged);
  } catch {
    damaged.close();
    return null;
  }
  if (version < 1 || version > opts.maxSchema) {
    damaged.close();
    return null;
  }
  for (const f of [opts.into, `${opts.into}-wal`, `${opts.into}-shm`]) if (existsSync(f)) unlinkSync(f);
  const out = new Database(opts.into);
  const backup = openBackup(opts.backups);
  try {
    opts.build(out, version);
    out.pragma('foreign_keys = OFF');
    const report: SalvageReport = { schemaVersion: version, backup: backup?.file ?? null, tables: [] };
    const origin = new Map<string, Map<number, 'salvage' | 'backup'>>();
    const known = new Map<string, { keys: Map<string, number>; complete: boolean } | null>();
    out.transaction(() => {
      for (const table of tablesOf(out)) {
        const outCols = columnsOf(out, table);
        const pk = outCols
          .filter((c) => c.pk > 0)
          .sort((a, b) => a.pk - b.pk)
          .map((c) => c.name);
        const from = new Map<number, 'salvage' | 'backup'>();
        origin.set(table, from);
        const have = new Set<string>();
        const index = damagedTables.includes(table) ? indexedKeys(damaged, table, pk) : null;
        known.set(table, index);
        if (damagedTables.includes(table)) {
          const inDamaged = new Set(tryGet(() => columnsOf(damaged, table).map((c) => c.name)) ?? []);
          const cols = outCols.map((c) => c.name).filter((c) => inDamaged.has(c));
          const ins = out.prepare(
            `INSERT INTO ${q(table)} (rowid, ${cols.map(q).join(', ')}) VALUES (${['?', ...cols.map(() => '?')].join(', ')})`,
          );
          for (const [rowid, r] of readTable(damaged, table, cols, [...(index?.keys.values() ?? [])])) {
            // A row that no longer fits the schema (garbage read as data) is not kept.
            if (tryGet(() => ins.run(rowid, ...cols.map((c) => r[c]))) === undefined) continue;
            from.set(rowid, 'salvage');
            if (pk.length) have.add(keyOf(r, pk));
          }
        }
        if (!backup || pk.length === 0) continue;
        const inBackup = new Set(tryGet(() => columnsOf(backup.db, table).map((c) => c.name)) ?? []);
        if (inBackup.size === 0) continue;
        const cols = outCols.map((c) => c.name).filter((c) => inBackup.has(c));
        const ins = out.prepare(
          `INSERT INTO ${q(table)} (${cols.map(q).join(', ')}) VALUES (${cols.map(() => '?').join(', ')})`,
        );
        for (const r of backup.db
          .prepare(`SELECT ${cols.map(q).join(', ')} FROM ${q(table)}`)
          .iterate() as IterableIterator<Row>) {
          const key = keyOf(r, pk);
          if (have.has(key)) continue;
          // Where the damaged file's own index is whole, a row it does not list was deleted after the backup.
          if (index?.complete && !index.keys.has(key)) continue;
          const res = tryGet(() => ins.run(...cols.map((c) => r[c])));
          if (res) from.set(Number(res.lastInsertRowid), 'backup');
        }
      }
      const orphans = dropOrphans(out);
      for (const [table, from] of origin) {
        const drop = orphans.get(table) ?? { deleted: new Set<number>(), cleared: new Set<number>() };
        for (const rowid of drop.deleted) from.delete(rowid);
        const values = [...from.values()];
        const index = known.get(table);
        let lost = 0;
        if (index) {
          const pk = columnsOf(out, table)
            .filter((c) => c.pk > 0)
            .sort((a, b) => a.pk - b.pk)
            .map((c) => c.name);
          const kept = new Set(
            (out.prepare(`SELECT ${pk.map(q).join(', ')} FROM ${q(table)}`).all() as Row[]).map((r) => keyOf(r, pk)),
          );
          lost = [...index.keys.keys()].filter((k) => !kept.has(k)).length;
        }
        report.tables.push({
          table,
          salvaged: values.filter((v) => v === 'salvage').length,
          fromBackup: values.filter((v) => v === 'backup').length,
          lost,
          lostExact: !!index?.complete,
          orphans: drop.deleted.size + drop.cleared.size,
        });
      }
    })();
    out.pragma('foreign_keys = ON');
    const check = (out.pragma('integrity_check') as { integrity_check: string }[]).map((r) => r.integrity_check);
    if (check.length !== 1 || check[0] !== 'ok')
      throw new Error(`the salvaged library fails its integrity check: ${check.slice(0, 3).join('; ')}`);
    return report;
  } finally {
    out.close();
    backup?.db.close();
    damaged.close();
  }
}

/**
 * Rows whose parent row is gone: deleted (or, for ON DELETE SET NULL references, the reference cleared), again
 * until none is left, as the schema's own cascade would. Returns the rowids touched per table.
 */
function dropOrphans(db: Db): Map<string, { deleted: Set<number>; cleared: Set<number> }> {
  const touched = new Map<string, { deleted: Set<number>; cleared: Set<number> }>();
  for (let round = 0; round < 32; round++) {
    const bad = db.pragma('foreign_key_check') as { table: string; rowid: number; parent: string; fkid: number }[];
    if (bad.length === 0) break;
    for (const v of bad) {
      const fk = (
        db.prepare(`PRAGMA foreign_key_list(${q(v.table)})`).all() as { id: number; from: string; on_delete: string }[]
      ).filter((f) => f.id === v.fkid);
      if (!touched.has(v.table)) touched.set(v.table, { deleted: new Set(), cleared: new Set() });
      const t = touched.get(v.table)!;
      if (fk.length && fk.every((f) => f.on_delete === 'SET NULL')) {
        for (const f of fk) db.prepare(`UPDATE ${q(v.table)} SET ${q(f.from)} = NULL WHERE rowid = ?`).run(v.rowid);
        t.cleared.add(v.rowid);
      } else {
        db.prepare(`DELETE FROM ${q(v.table)} WHERE rowid = ?`).run(v.rowid);
        t.deleted.add(v.rowid);
      }
    }
  }
  return touched;
}

/** One line per table that had anything: what was salvaged, what came from the backup, what was lost. */
export function describeSalvage(r: SalvageReport): string {
  const parts = r.tables
    .filter((t) => t.salvaged || t.fromBackup || t.lost || t.orphans || !t.lostExact)
    .map((t) => {
      const lost = t.lostExact ? `${t.lost} lost` : `at least ${t.lost} lost (its index was unreadable)`;
      const orphans = t.orphans ? ` (${t.orphans} dropped or unlinked: the row they belonged to is gone)` : '';
      return `${t.table}: ${t.salvaged} salvaged, ${t.fromBackup} from backup, ${lost}${orphans}`;
    });
  return parts.length ? parts.join('; ') : 'no rows';
}
