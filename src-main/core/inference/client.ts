// Talks to the inference worker: starts it, loads the model, restarts it when it dies, and fails in-flight
// requests cleanly instead of leaving them hanging.
import { ServiceError, type InferenceStatus, type WorkerState } from '../../common/contract';
import { WorkerReply, type RunOutput, type WorkerInfo } from '../../common/worker/protocol';
import type { Logger } from '../log';
import type { WorkerHandle, WorkerLauncher } from './launcher';

export interface RunOptions {
  /** 'preview' requests overtake queued 'render' requests. */
  priority?: 'preview' | 'render';
  signal?: AbortSignal;
}

interface QueuedRun {
  input: Float32Array;
  dims: [number, number, number, number];
  priority: 'preview' | 'render';
  seq: number;
  resolve(v: RunOutput): void;
  reject(e: unknown): void;
  signal?: AbortSignal;
  onAbort?: () => void;
}

interface Pending {
  resolve(v: unknown): void;
  reject(e: unknown): void;
}

export interface InferenceClientOptions {
  launcher: WorkerLauncher;
  modelPath: string;
  log: Logger;
  onStatus?: (s: InferenceStatus) => void;
  /** Restarts allowed within `restartWindowMs` before the worker is declared failed. */
  maxRestarts?: number;
  restartWindowMs?: number;
}

export class InferenceClient {
  private worker: WorkerHandle | null = null;
  private pending = new Map<number, Pending>();
  private nextId = 1;
  private state: WorkerState = 'stopped';
  private info: WorkerInfo | null = null;
  private error: string | null = null;
  private restarts = 0;
  private recentRestarts: number[] = [];
  private closing = false;
  private ready: Promise<void> | null = null;
  private queue: QueuedRun[] = [];
  private seq = 0;
  private running = false;

  constructor(private readonly opts: InferenceClientOptions) {}

  status(): InferenceStatus {
    return {
      state: this.state,
      provider: this.info?.provider ?? null,
      device: this.info?.device ?? (this.state === 'failed' ? 'unavailable' : 'starting…'),
      runtimeVersion: this.info?.runtimeVersion ?? null,
      model: this.info?.model ?? null,
      restarts: this.restarts,
      error: this.error,
    };
  }

  /** Starts the worker and loads the model; resolves when it is ready (or rejects if it cannot be). */
  start(): Promise<void> {
    if (!this.ready) this.ready = this.launch();
    return this.ready;
  }

  /**
   * Runs the model on one NCHW frame or tile. Requests wait in a priority queue here, not in the worker, so a
   * preview can overtake queued render tiles and a cancelled job leaves nothing behind.
   */
  run(input: Float32Array, dims: [number, number, number, number], opts: RunOptions = {}): Promise<RunOutput> {
    const signal = opts.signal;
    if (signal?.aborted) return Promise.reject(new ServiceError('cancelled', 'Cancelled'));
    return new Promise<RunOutput>((resolve, reject) => {
      const job: QueuedRun = { input, dims, priority: opts.priority ?? 'render', resolve, reject, seq: this.seq++ };
      if (signal) {
        job.onAbort = () => {
          const i = this.queue.indexOf(job);
          if (i >= 0) {
            this.queue.splice(i, 1);
            reject(new ServiceError('cancelled', 'Cancelled'));
          }
        };
        signal.addEventListener('abort', job.onAbort, { once: true });
        job.signal = signal;
      }
      this.queue.push(job);
      // Previews first, then first-come first-served.
      this.queue.sort((a, b) => (a.priority === b.priority ? a.seq - b.seq : a.priority === 'preview' ? -1 : 1));
      void this.pumpRuns();
    });
  }

  /** Requests waiting for the worker (not counting the one it is running). */
  get queued(): number {
    return this.queue.length;
  }

  private async pumpRuns(): Promise<void> {
    if (this.running) return;
    this.running = true;
    try {
      while (this.queue.length) {
        const job = this.queue.shift()!;
        if (job.signal && job.onAbort) job.signal.removeEventListener('abort', job.onAbort);
        try {
          await this.start();
          this.setState('busy');
          job.resolve((await this.request({ type: 'run', input: job.input, dims: job.dims })) as RunOutput);
        } catch (e) {
          job.reject(e);
        }
      }
    } finally {
      this.running = false;
      if (this.state === 'busy') this.setState('ready');
    }
  }

  async workerInfo(): Promise<WorkerInfo> {
    await this.start();
    return (await this.request({ type: 'info' })) as WorkerInfo;
  }

  /** Kills the worker process as a crash would (used by tests and by "restart worker" in the UI). */
  killWorker(): void {
    this.worker?.kill();
  }

  get pid(): number | undefined {
    return this.worker?.pid;
  }

  async close(): Promise<void> {
    this.closing = true;
    const w = this.worker;
    this.worker = null;
    this.failPending('worker_failed', 'Inference worker stopped');
    for (const job of this.queue.splice(0)) job.reject(new ServiceError('worker_failed', 'Inference worker stopped'));
    if (w) {
      const exited = new Promise<void>((r) => w.onExit(() => r()));
      w.kill();
      await Promise.race([exited, new Promise((r) => setTimeout(r, 2000))]);
    }
    this.setState('stopped');
  }

  private async launch(): Promise<void> {
    this.setState(this.restarts > 0 ? 'restarting' : 'starting');
    const w = this.opts.launcher();
    this.worker = w;
    const hello = new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error('Inference worker did not start within 30 s')), 30_000);
      w.onMessage((raw) => {
        const msg = WorkerReply.safeParse(raw);
        if (!msg.success) {
          this.opts.log.warn('ignored malformed message from inference worker');
          return;
        }
        const m = msg.data;
        if (m.type === 'hello') {
          clearTimeout(timer);
          resolve();
          return;
        }
        const p = this.pending.get(m.id);
        if (!p) return;
        this.pending.delete(m.id);
        if (m.ok) p.resolve(m.value);
        else p.reject(new ServiceError(m.error.code, m.error.message));
      });
      w.onExit((code) => {
        clearTimeout(timer);
        reject(new Error(`Inference worker exited during start (code ${code})`));
        this.onExit(w, code);
      });
    });
    try {
      await hello;
      this.info = (await this.request({ type: 'load', modelPath: this.opts.modelPath })) as WorkerInfo;
      this.error = null;
      this.setState('ready');
      this.opts.log.info(`inference worker ready: ${this.info.device}, model ${this.info.model?.name ?? '-'}`, { pid: w.pid });
    } catch (e) {
      this.error = e instanceof Error ? e.message : String(e);
      this.opts.log.error('inference worker failed to start', this.error);
      this.setState('failed');
      this.ready = null;
      throw e instanceof ServiceError ? e : new ServiceError('worker_failed', this.error);
    }
  }

  private onExit(w: WorkerHandle, code: number | null): void {
    if (this.worker !== w) return;
    this.worker = null;
    this.failPending('worker_failed', `Inference worker stopped unexpectedly (exit code ${code ?? 'signal'}); it is being restarted`);
    if (this.closing) return;
    const now = Date.now();
    const window = this.opts.restartWindowMs ?? 60_000;
    this.recentRestarts = this.recentRestarts.filter((t) => now - t < window);
    if (this.recentRestarts.length >= (this.opts.maxRestarts ?? 5)) {
      this.error = 'Inference worker keeps crashing; restart Remaster or check the log';
      this.opts.log.error(this.error);
      this.ready = null;
      this.setState('failed');
      return;
    }
    this.recentRestarts.push(now);
    this.restarts++;
    this.opts.log.warn(`inference worker exited (code ${code}); restarting`);
    this.ready = this.launch();
    this.ready.catch(() => undefined);
  }

  private failPending(code: 'worker_failed' | 'cancelled', message: string): void {
    const all = [...this.pending.values()];
    this.pending.clear();
    for (const p of all) p.reject(new ServiceError(code, message));
  }

  private request(body: Record<string, unknown>): Promise<unknown> {
    const w = this.worker;
    if (!w) return Promise.reject(new ServiceError('worker_failed', 'Inference worker is not running'));
    const id = this.nextId++;
    return new Promise((resolve, reject) => {
      this.pending.set(id, { resolve, reject });
      w.post({ id, ...body });
    });
  }

  private setState(s: WorkerState): void {
    if (this.state === s) return;
    this.state = s;
    this.opts.onStatus?.(this.status());
  }
}
