// Relinking moved media: by a path the colorist gives, or by searching a folder, always by content fingerprint.
import { lstatSync, readdirSync, statSync } from 'node:fs';
import { basename, join, resolve } from 'node:path';
import { ServiceError, type Clip } from '../../common/contract';
import type { LibraryApiPart } from './api';
import { getClip, listClips } from './clips';
import { requireClip, updateClipFile } from './clips-repo';
import type { LibraryContext } from './context';
import { requireProject } from './projects-repo';

const MAX_DEPTH = 8;
const MAX_ENTRIES = 50000;

function relinkClip(ctx: LibraryContext, clipId: string, path: string): Clip {
  const c = ctx.read(() => requireClip(ctx.db, clipId));
  const p = resolve(path);
  let fp: string;
  try {
    fp = ctx.media.fingerprint(p);
  } catch {
    throw new ServiceError('not_found', `${p}: no such file`);
  }
  if (fp !== c.fingerprint)
    throw new ServiceError(
      'bad_input',
      `${p}: not the same media as ${basename(c.path)} (content fingerprint differs)`,
    );
  const st = statSync(p);
  ctx.write(() => updateClipFile(ctx.db, clipId, { path: p, size: st.size, mtimeMs: st.mtimeMs }));
  ctx.changed(c.project_id, 'clips');
  return getClip(ctx, clipId);
}

/** Walks the folder (bounded, links not followed) for files of a missing clip's size, then compares content. */
function relinkSearch(
  ctx: LibraryContext,
  projectId: string,
  folder: string,
): { relinked: Clip[]; stillMissing: number } {
  ctx.read(() => requireProject(ctx.db, projectId));
  const missing = listClips(ctx, projectId).filter((c) => c.status !== 'ok');
  const bySize = new Map<number, Clip[]>();
  for (const c of missing) bySize.set(c.size, [...(bySize.get(c.size) ?? []), c]);
  const relinked: Clip[] = [];
  let seen = 0;
  const tryFile = (p: string, size: number): void => {
    const cands = bySize.get(size)!;
    let fp: string;
    try {
      fp = ctx.media.fingerprint(p);
    } catch {
      return;
    }
    const hit = cands.find((c) => c.fingerprint === fp);
    if (!hit) return;
    relinked.push(relinkClip(ctx, hit.id, p));
    const rest = cands.filter((c) => c !== hit);
    if (rest.length) bySize.set(size, rest);
    else bySize.delete(size);
  };
  const walk = (dir: string, depth: number): void => {
    if (depth > MAX_DEPTH || seen > MAX_ENTRIES || bySize.size === 0) return;
    let names: string[];
    try {
      names = readdirSync(dir);
    } catch {
      return;
    }
    for (const name of names) {
      if (name.startsWith('.')) continue;
      const p = join(dir, name);
      seen++;
      let st;
      try {
        // lstat: links are not followed, so the search stays inside the folder it was given.
        st = lstatSync(p);
      } catch {
        continue;
      }
      if (st.isDirectory()) walk(p, depth + 1);
      else if (st.isFile() && bySize.has(st.size)) tryFile(p, st.size);
    }
  };
  walk(resolve(folder), 0);
  return { relinked, stillMissing: missing.length - relinked.length };
}

export function relinkApi(ctx: LibraryContext): LibraryApiPart<'library.relinkClip' | 'library.relinkSearch'> {
  return {
    'library.relinkClip': ({ clipId, path }) => relinkClip(ctx, clipId, ctx.callerPath(path)),
    'library.relinkSearch': ({ projectId, folder }) => relinkSearch(ctx, projectId, ctx.callerPath(folder)),
  };
}
