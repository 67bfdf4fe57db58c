// Projects: create, find, open, rename, duplicate (clips, shots, current grades and scrub proxies), delete (rows
// and caches).
import { randomUUID } from 'node:crypto';
import { cpSync, existsSync, rmSync } from 'node:fs';
import { ServiceError, type ProjectSummary } from '../../common/contract';
import type { LibraryApiPart } from './api';
import { listClips } from './clips';
import { insertClip, selectClips, updateProxyState } from './clips-repo';
import { now, type LibraryContext } from './context';
import { currentGrade, pushGrade } from './grades';
import {
  deleteProjectRow,
  insertProject,
  markProjectOpened,
  projectNameTaken,
  requireProject,
  selectProject,
  selectProjectByName,
  selectProjectsByName,
  selectRecentProjects,
  toProject,
  updateProjectName,
} from './projects-repo';
import { listShots } from './shots';
import { insertShot, selectShotsInOrder } from './shots-repo';

const nameTaken = (n: string): ServiceError => new ServiceError('conflict', `A project named "${n}" already exists`);

export function createProject(ctx: LibraryContext, name: string, o: { isDemo?: boolean } = {}): ProjectSummary {
  const n = name.trim();
  if (!n) throw new ServiceError('bad_input', 'A project needs a name');
  const id = randomUUID();
  ctx.write(() => {
    if (projectNameTaken(ctx.db, n)) throw nameTaken(n);
    insertProject(ctx.db, { id, name: n, at: now(), isDemo: o.isDemo === true });
  });
  ctx.changed(null, 'projects');
  return toProject(requireProject(ctx.db, id));
}

/** By id, or by exact name (for the CLI). */
export function findProject(ctx: LibraryContext, idOrName: string): ProjectSummary {
  return ctx.read(() => {
    const r = selectProject(ctx.db, idOrName) ?? selectProjectByName(ctx.db, idOrName.trim());
    if (!r) throw new ServiceError('not_found', `No project named "${idOrName}"`);
    return toProject(r);
  });
}

/** `base`, or `base 2`, `base 3`... whichever is free first. */
function uniqueName(ctx: LibraryContext, base: string): string {
  if (!projectNameTaken(ctx.db, base)) return base;
  for (let i = 2; ; i++) if (!projectNameTaken(ctx.db, `${base} ${i}`)) return `${base} ${i}`;
}

function duplicate(ctx: LibraryContext, projectId: string, name: string | undefined): string {
  const { db } = ctx;
  const newId = randomUUID();
  const proxies: { from: string; to: string; clipId: string }[] = [];
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
      const params = currentGrade(ctx, s.id);
      insertShot(db, {
        id,
        project_id: newId,
        clip_id: clipIds.get(s.clip_id)!,
        first_frame: s.first_frame,
        last_frame: s.last_frame,
        ord: s.ord,
      });
      if (params) pushGrade(ctx, id, params);
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
  return newId;
}

export function projectsApi(
  ctx: LibraryContext,
): LibraryApiPart<
  | 'library.listProjects'
  | 'library.recentProjects'
  | 'library.createProject'
  | 'library.getProject'
  | 'library.renameProject'
  | 'library.duplicateProject'
  | 'library.deleteProject'
> {
  const { db, jobs, log } = ctx;
  return {
    'library.listProjects': () => ctx.read(() => selectProjectsByName(db).map(toProject)),
    'library.recentProjects': ({ limit = 10 }) => ctx.read(() => selectRecentProjects(db, limit).map(toProject)),
    'library.createProject': ({ name }) => createProject(ctx, name),
    'library.getProject': ({ projectId }) => {
      ctx.read(() => requireProject(db, projectId));
      if (!ctx.readOnly) {
        try {
          ctx.write(() => markProjectOpened(db, projectId, now()));
        } catch (e) {
          log.warn('could not record the project as opened', e);
        }
      }
      return ctx.read(() => ({
        project: toProject(requireProject(db, projectId)),
        clips: listClips(ctx, projectId),
        shots: listShots(ctx, projectId),
      }));
    },
    'library.renameProject': ({ projectId, name }) => {
      const n = name.trim();
      ctx.write(() => {
        requireProject(db, projectId);
        if (projectNameTaken(db, n, projectId)) throw nameTaken(n);
        updateProjectName(db, projectId, n, now());
      });
      ctx.changed(projectId, 'projects');
      return toProject(requireProject(db, projectId));
    },
    'library.duplicateProject': ({ projectId, name }) => {
      const id = duplicate(ctx, projectId, name);
      ctx.changed(null, 'projects');
      return toProject(requireProject(db, id));
    },
    'library.deleteProject': ({ projectId }) => {
      ctx.read(() => requireProject(db, projectId));
      for (const j of jobs.list(projectId, true)) jobs.cancel(j.id);
      ctx.write(() => deleteProjectRow(db, projectId));
      ctx.changed(null, 'projects');
      // Our caches only; source media are never touched. Removed once the cancelled jobs have stopped, so a proxy
      // build still writing its last frame cannot leave a half-recreated folder behind.
      const dir = ctx.projectCache(projectId);
      rmSync(dir, { recursive: true, force: true });
      void jobs
        .idle()
        .then(() => rmSync(dir, { recursive: true, force: true }))
        .catch((e: unknown) => log.warn(`could not remove ${dir}`, e));
      return { deleted: true };
    },
  };
}
