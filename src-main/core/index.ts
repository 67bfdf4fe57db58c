// The core: every service the renderer can reach, assembled once and shared by both hosts
// (Electron adapter and headless host). Plain Node; nothing here imports 'electron'.
import { mkdirSync, realpathSync, statSync } from 'node:fs';
import { join, resolve, sep } from 'node:path';
import type { InferenceStatus } from '../common/contract';
import { createDispatch, type Dispatch, type Handlers } from './dispatch';
import { EventHub } from './events';
import type { InferenceClient } from './inference/client';
import { forkLauncher, type WorkerLauncher } from './inference/launcher';
import { defaultModelPath } from './inference/models';
import { ModelPool } from './inference/pool';
import { ensureDemoProject, openLibrary, type DeliveryService, type Library } from './library';
import { createLogger, type Logger } from './log';
import { createMediaService, type MediaService } from './media';
import { appVersion } from './paths';
import { previewApi } from './preview';

export interface CoreOptions {
  host: 'electron' | 'headless';
  dataDir: string;
  /** How to start the inference worker: utilityProcess under Electron, fork under Node. */
  launcher?: WorkerLauncher;
  modelPath?: string;
  log?: Logger;
  /** Create the demo project on first start (the app does; tests usually do not). */
  demo?: boolean;
  /** Folders the headless host's media browser may show (default: home and the demo assets). */
  mediaRoots?: string[];
  /** The desktop's file dialog (Electron only). */
  pickFiles?: (o: { title?: string; multiple?: boolean }) => Promise<string[]>;
}

export interface Core {
  dispatch: Dispatch;
  events: EventHub;
  inference: InferenceClient;
  library: Library;
  /** Renders and exports (the contract's delivery methods), for in-process callers. */
  delivery: DeliveryService;
  media: MediaService;
  log: Logger;
  /** Rebuildable caches (proxies, thumbnails, renders): the only files the UI may fetch by path. */
  cacheRoot: string;
  /** The real path of a cache file the renderer asked for, or null if it is not one of ours. */
  cacheFile(path: string): string | null;
  close(): Promise<void>;
}

export function createCore(opts: CoreOptions): Core {
  mkdirSync(opts.dataDir, { recursive: true });
  const log = opts.log ?? createLogger({ dir: join(opts.dataDir, 'logs') });
  const events = new EventHub();
  const modelPath = opts.modelPath ?? defaultModelPath();
  // The status bar follows the primary worker; a variant's worker (animation & graphics shots) reports in the log.
  const models = new ModelPool({
    launcher: opts.launcher ?? forkLauncher(),
    modelPath,
    log,
    onStatus: (s: InferenceStatus) => events.emit('inference.state', s),
  });
  const inference = models.primary;
  const cacheRoot = join(opts.dataDir, 'cache');
  mkdirSync(cacheRoot, { recursive: true });
  const media = createMediaService({ log: log.child('media'), cacheDir: cacheRoot });
  // The headless host's paths come from a remote browser: only inside the media roots. Electron's come from its own dialog.
  const restrictToRoots = opts.host === 'headless';
  const library = openLibrary({
    dataDir: opts.dataDir,
    log: log.child('library'),
    events,
    media,
    mediaRoots: opts.mediaRoots,
    restrictToRoots,
  });
  // Renders and exports share the core's workers (one per model file); previews overtake render tiles on all of them.
  const delivery = library.delivery({ models });
  if (opts.demo) {
    // Runs as an ordinary import job in the background; the library screen shows its progress.
    ensureDemoProject(library).catch((e: unknown) =>
      log.warn('could not create the demo project', e instanceof Error ? e.message : e),
    );
  }

  const handlers: Handlers = {
    'app.info': () => ({
      name: 'Remaster',
      version: appVersion(),
      host: opts.host,
      platform: process.platform,
      dataDir: opts.dataDir,
    }),
    'inference.status': () => inference.status(),
    'inference.restart': async () => {
      await models.restart().catch(() => undefined); // the status carries the error
      return inference.status();
    },
    'dialog.pickMedia': async (r) => ({ files: opts.pickFiles ? await opts.pickFiles(r) : null }),
    ...library.api,
    ...delivery.api,
    ...previewApi({
      library,
      models,
      cacheRoot,
      log: log.child('preview'),
      rendered: delivery.renderedFrameSource,
    }),
  };
  // The worker starts in the background; its state reaches the status bar through events.
  inference.start().catch(() => undefined);

  return {
    dispatch: createDispatch(handlers, log.child('contract')),
    events,
    inference,
    library,
    delivery,
    media,
    log,
    cacheRoot,
    cacheFile(path: string) {
      try {
        const real = realpathSync(resolve(path));
        const root = realpathSync(cacheRoot);
        return real.startsWith(root + sep) && statSync(real).isFile() ? real : null;
      } catch {
        return null;
      }
    },
    async close() {
      await models.close();
      library.close();
    },
  };
}
