// The inference workers of a core or a command: one per model file, since a worker holds one model. The primary
// one runs the app's model; a shot whose content needs a variant file (animation & graphics) gets a worker of its
// own, started on first use and kept until restart or close. Each worker orders its own queue (previews before
// render tiles), and across workers a render run waits while a preview runs on any of them (PreviewFirst).
import { basename } from 'node:path';
import { ServiceError, type InferenceStatus } from '../../common/contract';
import type { ShotContent } from '../../common/colour';
import type { Logger } from '../log';
import { InferenceClient } from './client';
import type { WorkerLauncher } from './launcher';
import { modelForContent } from './models';

export interface ModelPoolOptions {
  launcher: WorkerLauncher;
  /** The app's model file: the primary worker's. */
  modelPath: string;
  log: Logger;
  /** The primary worker's state (the status bar follows it). */
  onStatus?: (s: InferenceStatus) => void;
}

/**
 * Previews before render runs across workers: a render run starts only while no preview runs on any worker, so a
 * preview on a variant's worker is not slowed by render tiles on the primary (two workers share the cores). A
 * render run already started finishes, as within one worker.
 */
export class PreviewFirst {
  private previews = 0;
  private waiting: (() => void)[] = [];

  async preview<T>(run: () => Promise<T>): Promise<T> {
    this.previews++;
    try {
      return await run();
    } finally {
      if (--this.previews === 0) this.waiting.splice(0).forEach((go) => go());
    }
  }

  async render<T>(run: () => Promise<T>): Promise<T> {
    while (this.previews > 0) await new Promise<void>((go) => this.waiting.push(go));
    return run();
  }
}

/** The client with its runs passed through the pool's PreviewFirst. */
function gated(client: InferenceClient, gate: PreviewFirst): InferenceClient {
  return new Proxy(client, {
    get(target, prop) {
      if (prop === 'run') {
        return (...a: Parameters<InferenceClient['run']>) =>
          a[2]?.priority === 'preview' ? gate.preview(() => target.run(...a)) : gate.render(() => target.run(...a));
      }
      const v = Reflect.get(target, prop, target) as unknown;
      return typeof v === 'function' ? (v as (...x: unknown[]) => unknown).bind(target) : v;
    },
  });
}

export class ModelPool {
  readonly primary: InferenceClient;
  readonly primaryPath: string;
  private readonly others = new Map<string, InferenceClient>();
  private readonly gated = new Map<InferenceClient, InferenceClient>();
  private readonly gate = new PreviewFirst();
  private readonly warned = new Set<ShotContent>();
  private closed = false;

  constructor(private readonly opts: ModelPoolOptions) {
    this.primaryPath = opts.modelPath;
    this.primary = new InferenceClient({
      launcher: opts.launcher,
      modelPath: opts.modelPath,
      log: opts.log.child('inference'),
      onStatus: opts.onStatus,
    });
  }

  /** The model file a shot with this content runs. */
  pathFor(content: ShotContent): string {
    const path = modelForContent(this.primaryPath, content);
    if (content !== 'live' && path === this.primaryPath && !this.warned.has(content)) {
      this.warned.add(content);
      this.opts.log.warn(
        `${basename(this.primaryPath)} has no ${content} variant: shots set to ${content} run it as live action`,
      );
    }
    return path;
  }

  /** The worker for a model file (its runs ordered with the other workers': PreviewFirst). */
  client(modelPath: string): InferenceClient {
    if (this.closed) throw new ServiceError('worker_failed', 'Inference is shutting down');
    let c = modelPath === this.primaryPath ? this.primary : this.others.get(modelPath);
    if (!c) {
      const log = this.opts.log.child(`inference ${basename(modelPath)}`);
      c = new InferenceClient({ launcher: this.opts.launcher, modelPath, log });
      this.others.set(modelPath, c);
    }
    let g = this.gated.get(c);
    if (!g) this.gated.set(c, (g = gated(c, this.gate)));
    return g;
  }

  /** The status bar's Restart: the primary worker starts again; a variant's starts again on its next use. */
  async restart(): Promise<void> {
    const others = [...this.others.values()];
    this.others.clear();
    others.forEach((c) => this.gated.delete(c));
    await Promise.all(others.map((c) => c.close()));
    await this.primary.restart();
  }

  async close(): Promise<void> {
    this.closed = true;
    const all = [this.primary, ...this.others.values()];
    this.others.clear();
    await Promise.all(all.map((c) => c.close()));
  }
}
