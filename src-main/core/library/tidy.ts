// Tidying at open, after a quit or crash: only when no other live process is working on this library.
import { existsSync, readdirSync, rmSync } from 'node:fs';
import { basename, join } from 'node:path';
import { deleteClipRow, failUnfinishedProxies, selectClipsWithoutShots } from './clips-repo';
import type { LibraryContext } from './context';
import { failExportsOfJobs } from './exports-repo';
import type { InterruptedJob } from './jobs';
import { selectProjectIds } from './projects-repo';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

export function tidyAfterInterruption(ctx: LibraryContext): void {
  recoverInterruptedImports(ctx);
  removeDeletedProjectCaches(ctx);
}

/**
 * An import that never finished (Remaster quit or crashed mid-way) leaves a clip without shots: remove it
 * and its partial cache so the file can be imported again. Proxy builds that were cut short are marked failed.
 */
function recoverInterruptedImports(ctx: LibraryContext): void {
  try {
    for (const o of selectClipsWithoutShots(ctx.db)) {
      deleteClipRow(ctx.db, o.id);
      rmSync(ctx.clipCache(o.project_id, o.id), { recursive: true, force: true });
      ctx.log.warn(`removed ${basename(o.path)}: its import was interrupted; import it again`);
    }
    failUnfinishedProxies(ctx.db);
  } catch (e) {
    ctx.log.warn('could not tidy interrupted imports', e);
  }
}

/**
 * Jobs whose process died (found at open or whenever jobs are read, in any process sharing the library): an
 * import's clip that got no shots is removed with its cache, so the file can be imported again; an export is
 * marked failed. A render needs nothing: its shot was never marked rendered and resumes from its segments.
 */
export function tidyInterruptedJobs(ctx: LibraryContext, jobs: InterruptedJob[]): void {
  const changed = new Set<string | null>();
  for (const { job, detail } of jobs) {
    try {
      if (job.kind === 'import' && typeof detail.clipId === 'string' && typeof detail.projectId === 'string') {
        const clipId = detail.clipId;
        const orphan = ctx.read(() => selectClipsWithoutShots(ctx.db).find((c) => c.id === clipId));
        if (!orphan) continue;
        ctx.write(() => deleteClipRow(ctx.db, clipId));
        rmSync(ctx.clipCache(detail.projectId, clipId), { recursive: true, force: true });
        ctx.log.warn(`removed ${basename(orphan.path)}: its import was interrupted; import it again`);
        changed.add(detail.projectId);
      } else if (job.kind === 'export') {
        ctx.write(() => failExportsOfJobs(ctx.db, [job.id], job.error ?? 'interrupted'));
        changed.add(job.projectId);
      }
    } catch (e) {
      ctx.log.warn(`could not tidy after interrupted job ${job.id}`, e);
    }
  }
  for (const projectId of changed) ctx.changed(projectId, projectId ? 'clips' : undefined);
}

/** A project deleted while its jobs still ran, just before Remaster quit, can leave its cache folder behind. */
function removeDeletedProjectCaches(ctx: LibraryContext): void {
  try {
    const known = new Set(selectProjectIds(ctx.db));
    for (const name of existsSync(ctx.cacheRoot) ? readdirSync(ctx.cacheRoot) : []) {
      if (UUID.test(name) && !known.has(name)) rmSync(join(ctx.cacheRoot, name), { recursive: true, force: true });
    }
  } catch (e) {
    ctx.log.warn('could not tidy the cache folder', e);
  }
}
