// The project library service: projects, clips, shots, grade history and jobs in one SQLite database,
// plus the media work of importing (probe, fingerprint, shot detection, proxies) as cancellable jobs.
// This file assembles it; each subject lives in its own file, its SQL in a *-repo.ts beside it.
import { join } from 'node:path';
import { createMediaService } from '../media';
import type { LibraryApi, LibraryService, OpenLibraryOptions } from './api';
import { clipsApi, getClip, listClips, mediaInput } from './clips';
import { LibraryContext } from './context';
import { openDatabase } from './db';
import { gradesApi } from './grades';
import { importApi, importClips } from './import';
import { JobManager, type InterruptedJob } from './jobs';
import { createProject, findProject, projectsApi } from './projects';
import { proxyApi, rebuildProxies } from './proxies';
import { relinkApi } from './relink';
import { defaultMediaRoots, MediaRoots } from './roots';
import { shotsApi } from './shots';
import { CHANGE_POLL_MS, watchLibraryChanges } from './change-watch';
import { openDelivery, type DeliveryDeps, type DeliveryService } from './delivery';
import { tidyAfterInterruption, tidyInterruptedJobs } from './tidy';
import { RenderPlanner, type ModelRef } from './renders';
import { upsertCompletedRender, type CompletedRender } from './renders-repo';

export type {
  ImportOptions,
  ImportResult,
  LibraryApi,
  LibraryMethodName,
  LibraryService,
  OpenLibraryOptions,
} from './api';
export type { DeliveryApi, DeliveryDeps, DeliveryService } from './delivery';
export type { RenderSummary } from './renders';
export { demoClipPath, ensureDemoProject } from './demo';
export { MEDIA_EXTENSIONS } from './roots';

/** The library with its delivery methods, which need an inference client (the core's, or a CLI command's). */
export interface Library extends LibraryService {
  delivery(deps: DeliveryDeps): DeliveryService;
  /** What each shot would render now with this model, for a render farm (core/farm) to submit. */
  renderPlanner(model: ModelRef): RenderPlanner;
  /** Renders a farm completed, recorded in one transaction. */
  mergeRenders(projectId: string, rows: CompletedRender[]): void;
}

export function openLibrary(opts: OpenLibraryOptions): Library {
  const { dataDir, log, events } = opts;
  const opened = openDatabase({ dataDir, log, busyTimeoutMs: opts.busyTimeoutMs, readOnly: opts.readOnly });
  const cacheRoot = join(dataDir, 'cache');
  const media = opts.media ?? createMediaService({ log, cacheDir: cacheRoot });
  const roots = new MediaRoots(opts.mediaRoots ?? defaultMediaRoots());
  // Jobs found interrupted while the manager opens are tidied once the context exists, later ones at once.
  const interruptedAtOpen: InterruptedJob[] = [];
  const jobs = new JobManager(opened.db, events, log, opened.readOnly, (js) => interruptedAtOpen.push(...js));
  const ctx = new LibraryContext(opened, cacheRoot, media, roots, jobs, events, log, opts.restrictToRoots !== false);
  tidyInterruptedJobs(ctx, interruptedAtOpen);
  jobs.onInterrupted((js) => tidyInterruptedJobs(ctx, js));
  if (!opened.readOnly && !jobs.othersRunning()) tidyAfterInterruption(ctx);
  // Commits by other processes (a CLI import or render beside the host) reach the UI as library.changed.
  const watch = watchLibraryChanges(opened.db, () => ctx.changed(null), CHANGE_POLL_MS);

  const api: LibraryApi = {
    'library.status': () => ({
      file: opened.file,
      schemaVersion: opened.schemaVersion,
      readOnly: opened.readOnly,
      recovery: opened.recovery,
      mediaRoots: roots.roots,
    }),
    ...projectsApi(ctx),
    ...importApi(ctx),
    ...clipsApi(ctx),
    ...relinkApi(ctx),
    ...shotsApi(ctx),
    ...gradesApi(ctx),
    ...proxyApi(ctx),
    'media.browse': ({ path }) => roots.browse(path),
    'media.probe': async ({ path }) => {
      const { raw: _raw, ...p } = await media.probe(ctx.callerPath(path));
      return p;
    },
    'jobs.list': ({ projectId, activeOnly }) => jobs.list(projectId, activeOnly),
    'jobs.get': ({ jobId }) => jobs.get(jobId),
    'jobs.cancel': ({ jobId }) => jobs.cancel(jobId),
  };

  return {
    api,
    dataDir,
    media,
    roots,
    log,
    db: opened.db,
    createProject: (name, o) => createProject(ctx, name, o),
    findProject: (idOrName) => findProject(ctx, idOrName),
    importClips: (projectId, files, o) => importClips(ctx, projectId, files, o),
    listClips: (projectId) => listClips(ctx, projectId),
    getClip: (clipId) => getClip(ctx, clipId),
    mediaInput: (clipId) => mediaInput(ctx, clipId),
    decodeFrame: async (clipId, frame, o) => media.decodeFrame(mediaInput(ctx, clipId), frame, o),
    rebuildProxies: (clipId) => rebuildProxies(ctx, clipId),
    close: () => {
      watch.stop();
      ctx.close();
    },
    delivery: (deps) => openDelivery(ctx, deps),
    renderPlanner: (model) => new RenderPlanner(ctx, model),
    mergeRenders: (projectId, rows) => {
      ctx.write(() => rows.forEach((r) => upsertCompletedRender(ctx.db, r)));
      ctx.changed(projectId);
    },
  };
}
