// Shared by the fault-injection suite: the built CLI, a small real tmpfs for full-disk cases, a library's
// integrity and row counts read from outside, the files a case leaves, and pages of a table overwritten.
import Database from 'better-sqlite3';
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import {
  closeSync,
  copyFileSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  openSync,
  readdirSync,
  rmSync,
  statSync,
  writeSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { appRoot } from '../../src-main/core/paths';

export const CLI = join(appRoot(), '.build', 'main', 'cli.cjs');
export const TABLES = ['projects', 'clips', 'shots', 'grades', 'jobs'] as const;
export type Table = (typeof TABLES)[number];

export interface CliRun {
  code: number | null;
  stdout: string;
  stderr: string;
}

/** The built `remaster` with its own library folder; log lines stay off the terminal as for a user. */
export function remaster(data: string, ...args: string[]): CliRun {
  const r = spawnSync(process.execPath, [CLI, '--data', data, ...args], { encoding: 'utf8', timeout: 120_000 });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

/** The built `remaster` started in the background, for a case that kills it or acts while it runs. */
export function startRemaster(data: string, ...args: string[]): { child: ChildProcess; done: Promise<CliRun> } {
  const child = spawn(process.execPath, [CLI, '--data', data, ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (d: Buffer) => (stdout += String(d)));
  child.stderr.on('data', (d: Buffer) => (stderr += String(d)));
  const done = new Promise<CliRun>((r) => child.once('close', (code) => r({ code, stdout, stderr })));
  return { child, done };
}

/**
 * Waits until `reached()` (polled every 5 ms) says so while `child` runs. Fails if the command ends first or the
 * point is not reached within `timeoutMs`: the case would then never have tested its fault.
 */
export async function whenReached(child: ChildProcess, reached: () => boolean, timeoutMs = 120_000): Promise<void> {
  for (const deadline = Date.now() + timeoutMs; !reached(); await new Promise((r) => setTimeout(r, 5))) {
    if (child.exitCode !== null || child.signalCode !== null || Date.now() > deadline) {
      child.kill('SIGKILL');
      throw new Error(`the fault's point was never reached (exit code ${child.exitCode})`);
    }
  }
}

/** SIGKILLs `child` as soon as `reached()` says so, and waits for it to die. */
export async function killWhen(child: ChildProcess, reached: () => boolean, timeoutMs = 120_000): Promise<void> {
  const exited = new Promise<NodeJS.Signals | null>((r) => child.once('exit', (_c, sig) => r(sig)));
  await whenReached(child, reached, timeoutMs);
  child.kill('SIGKILL');
  if ((await exited) !== 'SIGKILL') throw new Error('the command ended before the SIGKILL');
}

/** Total bytes of the files under `dir` whose names match `name` (0 for a missing folder or a file just renamed). */
export function bytesUnder(dir: string, name: RegExp): number {
  let total = 0;
  for (const f of filesUnder(dir)) {
    if (!name.test(f)) continue;
    try {
      total += statSync(join(dir, f)).size;
    } catch {
      // renamed or removed between the listing and the stat: counted on the next poll
    }
  }
  return total;
}

/** A fresh tmpfs of `size` at `dir` (we run as root in CI), or why not: the caller skips with that reason. */
export function mountTmpfs(dir: string, size = '2m'): string | null {
  mkdirSync(dir, { recursive: true });
  const r = spawnSync('mount', ['-t', 'tmpfs', '-o', `size=${size}`, 'tmpfs', dir], { encoding: 'utf8' });
  return r.status === 0 ? null : `cannot mount a tmpfs (${(r.stderr || r.error?.message || 'not root').trim()})`;
}

/** Remounts read-only or writable, or with a new size (space freed on a full disk). */
export function remount(dir: string, mode: 'ro' | 'rw' | `size=${string}`): void {
  const r = spawnSync('mount', ['-o', `remount,${mode}`, dir], { encoding: 'utf8' });
  if (r.status !== 0) throw new Error(`remount ${mode} ${dir}: ${r.stderr}`);
}

export function unmount(dir: string): void {
  spawnSync('umount', ['-l', dir]);
}

/** Fills a file system to its last block, so the next write of anyone fails with ENOSPC. */
export function fillDisk(file: string): void {
  spawnSync('dd', ['if=/dev/zero', `of=${file}`, 'bs=4k'], { stdio: 'ignore' });
}

export interface LibraryFacts {
  integrity: string;
  counts: Record<Table, number>;
}

/**
 * Opens a library read-only from outside. A WAL library on a read-only mount with no -shm beside it cannot be
 * opened in place even to read (SQLite needs to create the -shm): then a private copy is read.
 */
function openFromOutside(file: string): Database.Database {
  const direct = new Database(file, { readonly: true, fileMustExist: true });
  try {
    direct.pragma('user_version'); // SQLite opens the WAL (and fails) on the first read, not the constructor
    return direct;
  } catch (e) {
    direct.close();
    if (!/^SQLITE_(CANTOPEN|READONLY)/.test((e as { code?: string }).code ?? '')) throw e;
    const dir = mkdtempSync(join(tmpdir(), 'remaster-facts-'));
    copyFileSync(file, join(dir, 'library.sqlite'));
    if (existsSync(`${file}-wal`)) copyFileSync(`${file}-wal`, join(dir, 'library.sqlite-wal'));
    const db = new Database(join(dir, 'library.sqlite'), { readonly: true });
    const close = db.close.bind(db);
    db.close = () => {
      close();
      rmSync(dir, { recursive: true, force: true });
      return db;
    };
    return db;
  }
}

/** The library file's `PRAGMA integrity_check` and row counts, read by a connection of the test's own. */
export function libraryFacts(dataDir: string): LibraryFacts {
  const db = openFromOutside(join(dataDir, 'library.sqlite'));
  try {
    const integrity = (db.pragma('integrity_check') as { integrity_check: string }[])
      .map((r) => r.integrity_check)
      .join('; ');
    const counts = Object.fromEntries(
      TABLES.map((t) => [t, (db.prepare(`SELECT count(*) AS c FROM ${t}`).get() as { c: number }).c]),
    ) as Record<Table, number>;
    return { integrity, counts };
  } finally {
    db.close();
  }
}

/** The id of the library's project called `name`, read from outside. */
export function projectIdOf(dataDir: string, name: string): string {
  const db = new Database(join(dataDir, 'library.sqlite'), { readonly: true });
  try {
    return (db.prepare('SELECT id FROM projects WHERE name = ?').get(name) as { id: string }).id;
  } finally {
    db.close();
  }
}

/** A shot's render row (its state and, when failed, why), read from outside. */
export function renderRowOf(dataDir: string, shotId: string): { state: string; error: string | null } | undefined {
  const db = new Database(join(dataDir, 'library.sqlite'), { readonly: true });
  try {
    return db.prepare('SELECT state, error FROM renders WHERE shot_id = ?').get(shotId) as
      { state: string; error: string | null } | undefined;
  } finally {
    db.close();
  }
}

/** Every file under `dir`, relative to it, sorted. */
export function filesUnder(dir: string): string[] {
  if (!existsSync(dir)) return [];
  const out: string[] = [];
  // Types from the listing itself: a file renamed under a running command must not fail the walk.
  const walk = (d: string): void => {
    for (const e of readdirSync(d, { withFileTypes: true })) {
      const p = join(d, e.name);
      if (e.isDirectory()) walk(p);
      else out.push(relative(dir, p));
    }
  };
  walk(dir);
  return out.sort();
}

/** The pages of a table's b-tree (not its indexes), from SQLite's own dbstat. */
export function tablePages(file: string, table: Table): number[] {
  const db = new Database(file, { readonly: true });
  try {
    const rows = db.prepare('SELECT pageno FROM dbstat WHERE name = ? ORDER BY pageno').all(table) as {
      pageno: number;
    }[];
    return rows.map((r) => r.pageno);
  } finally {
    db.close();
  }
}

/** Random bytes over one page (1-based page number, as dbstat gives it). */
export function scribblePage(file: string, pageno: number, pageSize = 4096): void {
  const fd = openSync(file, 'r+');
  try {
    writeSync(fd, randomBytes(pageSize), 0, pageSize, (pageno - 1) * pageSize);
  } finally {
    closeSync(fd);
  }
}

/** How many times `needle` occurs in `text`. */
export const occurrences = (text: string, needle: string): number => text.split(needle).length - 1;
