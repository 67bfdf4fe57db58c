// Projects: create, find, open, rename, duplicate (duplicate.ts), delete (rows and caches).
import { randomUUID } from 'node:crypto';
import { rmSync } from 'node:fs';
import { ServiceError, type ProjectSummary } from '../../common/contract';
import type { LibraryApiPart } from './api';
import { listClips } from './clips';
import { now, type LibraryContext } from './context';
import { duplicateProject } from './duplicate';
import {
  deleteProjectRow,
  insertProject,
  nameTaken,
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
      const id = duplicateProject(ctx, projectId, name);
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
