// Shared by the fault-injection suite: the built CLI, a small real tmpfs for full-disk cases, a library's
// integrity and row counts read from outside, the files a case leaves, and pages of a table overwritten.
import Database from 'better-sqlite3';
import { spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { closeSync, existsSync, mkdirSync, openSync, readdirSync, statSync, writeSync } from 'node:fs';
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

/** The library file's `PRAGMA integrity_check` and row counts, read by a connection of the test's own. */
export function libraryFacts(dataDir: string): LibraryFacts {
  const db = new Database(join(dataDir, 'library.sqlite'), { readonly: true });
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
  const walk = (d: string): void => {
    for (const name of readdirSync(d)) {
      const p = join(d, name);
      if (statSync(p).isDirectory()) walk(p);
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
