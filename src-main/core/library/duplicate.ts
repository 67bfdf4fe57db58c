// Duplicating a project: its clips, shots and each shot's grade history up to the current version (so undo
// works in the copy as it did in the original), then its scrub proxies and its completed renders as files.
// The copy's shots plan the same render manifests as the original's (same source, frames, options, model and
// grade version), so a render is carried by hard-linking its cache folder: no render again, no second copy of
// gigabytes. Files go after the rows: without them (a full disk) the copy is whole, its shots simply unrendered.
import { randomUUID } from 'node:crypto';
import { cpSync, existsSync, linkSync, mkdirSync, readdirSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { insertClip, selectClips, updateProxyState } from './clips-repo';
import { now, type LibraryContext } from './context';
import { selectGradeHistory, insertGradeVersion } from './grades-repo';
import { insertProject, nameTaken, projectNameTaken, requireProject } from './projects-repo';
import { RESULT_FILE } from '../render';
import { rendersDir } from './renders';
import { selectRender, upsertCompletedRender, type RenderRow } from './renders-repo';
import { insertShot, selectShotsInOrder, updateGradeVersion } from './shots-repo';

/** `base`, or `base 2`, `base 3`... whichever is free first. */
function uniqueName(ctx: LibraryContext, base: string): string {
  if (!projectNameTaken(ctx.db, base)) return base;
  for (let i = 2; ; i++) if (!projectNameTaken(ctx.db, `${base} ${i}`)) return `${base} ${i}`;
}

/**
 * A render folder's files hard-linked into `to`. Where links cannot be made (a file system without them) the
 * render is not carried: copying gigabytes inside a library call would hold everything up; the shot renders again.
 */
function linkFolder(from: string, to: string): void {
  mkdirSync(to, { recursive: true });
  for (const name of readdirSync(from)) if (!name.endsWith('.partial')) linkSync(join(from, name), join(to, name));
}

export function duplicateProject(ctx: LibraryContext, projectId: string, name: string | undefined): string {
  const { db } = ctx;
  const newId = randomUUID();
  const proxies: { from: string; to: string; clipId: string }[] = [];
  const renders: { from: string; to: string; row: RenderRow; shotId: string }[] = [];
  ctx.write(() => {
    const src = requireProject(db, projectId);
    const n = name?.trim() ? name.trim() : uniqueName(ctx, `${src.name} copy`);
    if (projectNameTaken(db, n)) throw nameTaken(n);
    insertProject(db, { id: newId, name: n, at: now(), isDemo: false });
    const clipIds = new Map<string, string>();
    for (const c of selectClips(db, projectId)) {
      const id = randomUUID();
      clipIds.set(c.id, id);
      // Proxies live under their clip's id: the copy marks them ready once its own copy of them is in place.
      insertClip(db, { ...c, id, project_id: newId, proxy_state: 'none' });
      if (c.proxy_state === 'ready')
        proxies.push({ from: ctx.proxyDir(projectId, c.id), to: ctx.proxyDir(newId, id), clipId: id });
    }
    for (const s of selectShotsInOrder(db, projectId)) {
      const id = randomUUID();
      insertShot(db, {
        id,
        project_id: newId,
        clip_id: clipIds.get(s.clip_id)!,
        first_frame: s.first_frame,
        last_frame: s.last_frame,
        ord: s.ord,
      });
      // The history up to the current version; a redo branch beyond it is the original's alone.
      for (const g of selectGradeHistory(db, s.id, s.grade_version))
        insertGradeVersion(db, id, g.version, g.params, g.created_at);
      updateGradeVersion(db, id, s.grade_version);
      const r = selectRender(db, s.id);
      if (r?.state === 'done' && r.manifest_hash) {
        const from = join(rendersDir(ctx, projectId), r.manifest_hash);
        if (existsSync(join(from, RESULT_FILE)))
          renders.push({ from, to: join(rendersDir(ctx, newId), r.manifest_hash), row: r, shotId: id });
      }
    }
  });
  // The copy's filmstrips and thumbnail: the source's proxy files, a few MB a clip. Without them (a full disk) the
  // copy is still whole, with grey strips, as a project whose proxies were never built.
  for (const p of proxies) {
    try {
      if (!existsSync(p.from)) continue;
      cpSync(p.from, p.to, { recursive: true });
      ctx.write(() => updateProxyState(ctx.db, p.clipId, 'ready'));
    } catch (e) {
      rmSync(p.to, { recursive: true, force: true });
      ctx.log.warn(`duplicate: the scrub proxies of a clip could not be copied: ${(e as Error).message}`);
    }
  }
  for (const r of renders) {
    try {
      linkFolder(r.from, r.to);
      ctx.write(() =>
        upsertCompletedRender(ctx.db, {
          ...r.row,
          project_id: newId,
          shot_id: r.shotId,
          job_id: null,
          cache_path: r.to,
        }),
      );
    } catch (e) {
      rmSync(r.to, { recursive: true, force: true });
      ctx.log.warn(
        `duplicate: a shot's render could not be linked into the copy (it renders again): ${(e as Error).message}`,
      );
    }
  }
  return newId;
}
