// Media roots: the only folders the headless host's file browser may show or import from.
// Every path is resolved (symlinks included) before the check, so a link cannot lead outside.
import { accessSync, constants, existsSync, readdirSync, realpathSync, statSync } from 'node:fs';
import { homedir } from 'node:os';
import { dirname, extname, join, resolve, sep } from 'node:path';
import { ServiceError, type BrowseResult } from '../../common/contract';
import { appRoot } from '../paths';

export const MEDIA_EXTENSIONS = new Set([
  '.mov',
  '.mp4',
  '.m4v',
  '.mkv',
  '.mxf',
  '.avi',
  '.mts',
  '.m2ts',
  '.ts',
  '.webm',
  '.mpg',
  '.mpeg',
  '.y4m',
  '.dv',
  '.nut',
  '.ogv',
  '.wmv',
  '.flv',
  '.3gp',
]);

export function defaultMediaRoots(): string[] {
  const roots = [homedir()];
  try {
    roots.push(join(appRoot(), 'assets'));
  } catch {
    // no package.json above us: no demo assets
  }
  return roots;
}

/** A root the browser cannot offer, and why in a colorist's words. */
export interface UnusableRoot {
  root: string;
  reason: 'missing' | 'not a folder' | 'unreadable';
}

/** The roots' real paths (symlinks resolved, duplicates once), and the ones that cannot be offered. */
export function inspectMediaRoots(roots: readonly string[]): { usable: string[]; unusable: UnusableRoot[] } {
  const usable: string[] = [];
  const unusable: UnusableRoot[] = [];
  for (const root of roots) {
    let p: string;
    try {
      p = realpathSync(resolve(root));
    } catch {
      unusable.push({ root, reason: 'missing' });
      continue;
    }
    try {
      if (!statSync(p).isDirectory()) {
        unusable.push({ root, reason: 'not a folder' });
        continue;
      }
      accessSync(p, constants.R_OK | constants.X_OK);
    } catch {
      unusable.push({ root, reason: 'unreadable' });
      continue;
    }
    if (!usable.includes(p)) usable.push(p);
  }
  return { usable, unusable };
}

export class MediaRoots {
  readonly roots: string[];
  /** Named but not offered: the host says so at start-up rather than showing less without a word. */
  readonly unusable: UnusableRoot[];

  constructor(roots: readonly string[]) {
    ({ usable: this.roots, unusable: this.unusable } = inspectMediaRoots(roots));
  }

  inside(real: string): boolean {
    return this.roots.some((r) => real === r || real.startsWith(r.endsWith(sep) ? r : r + sep));
  }

  /** The real path of `p`, or a typed error when it does not exist or lies outside every root. */
  resolve(p: string): string {
    let real: string;
    try {
      real = realpathSync(resolve(p));
    } catch {
      throw new ServiceError('not_found', `${p}: no such file or folder`);
    }
    if (!this.inside(real))
      throw new ServiceError(
        'bad_request',
        `${p}: outside the media folders this host may use (${this.roots.join(', ') || 'none configured'})`,
      );
    // Hidden folders (~/.ssh, ~/.config…) hold keys and settings, never footage: not even inside a root.
    const root = this.roots.find((r) => real === r || real.startsWith(r + sep)) ?? '';
    if (
      real
        .slice(root.length)
        .split(sep)
        .some((part) => part.startsWith('.'))
    )
      throw new ServiceError('bad_request', `${p}: hidden files and folders are not shown`);
    return real;
  }

  browse(path?: string): BrowseResult {
    if (!path) {
      return {
        path: null,
        parent: null,
        roots: this.roots,
        entries: this.roots.map((r) => ({ name: r, path: r, kind: 'dir' as const, size: null, looksLikeMedia: false })),
      };
    }
    const real = this.resolve(path);
    if (!statSync(real).isDirectory()) throw new ServiceError('bad_request', `${path}: not a folder`);
    const entries: BrowseResult['entries'] = [];
    let names: string[];
    try {
      names = readdirSync(real);
    } catch (e) {
      throw new ServiceError(
        'io',
        `${real}: cannot list (${(e as NodeJS.ErrnoException).code ?? (e as Error).message})`,
      );
    }
    for (const name of names) {
      if (name.startsWith('.')) continue;
      const p = join(real, name);
      let target: string;
      try {
        target = realpathSync(p);
      } catch {
        continue; // dangling link
      }
      if (!this.inside(target)) continue;
      try {
        const st = statSync(target);
        if (st.isDirectory()) entries.push({ name, path: p, kind: 'dir', size: null, looksLikeMedia: false });
        else if (st.isFile())
          entries.push({
            name,
            path: p,
            kind: 'file',
            size: st.size,
            looksLikeMedia: MEDIA_EXTENSIONS.has(extname(name).toLowerCase()),
          });
      } catch {
        // unreadable entry: skip
      }
    }
    entries.sort((a, b) => (a.kind === b.kind ? a.name.localeCompare(b.name) : a.kind === 'dir' ? -1 : 1));
    const parent = this.roots.includes(real) ? null : dirname(real);
    return {
      path: real,
      parent: parent && existsSync(parent) && this.inside(parent) ? parent : null,
      roots: this.roots,
      entries,
    };
  }
}
