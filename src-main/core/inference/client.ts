// Talks to the inference worker: starts it, loads the model, restarts it when it dies, and fails in-flight
// requests cleanly instead of leaving them hanging.
import { ServiceError, type InferenceStatus, type WorkerState } from '../../common/contract';
import {
  RunReply,
  WorkerReply,
  type OutputWindow,
  type RunOutput,
  type WorkerInfo,
} from '../../common/worker/protocol';
import type { Logger } from '../log';
import type { WorkerHandle, WorkerLauncher } from './launcher';
import { copyRunOutput, newScratchFile, readRunFile, removeScratchFile, writeScratchFile } from './scratch';

export interface RunOptions {
  /** 'preview' requests overtake queued 'render' requests. */
  priority?: 'preview' | 'render';
  signal?: AbortSignal;
  /** Only this window of the output comes back (see WorkerRequest 'run'). */
  keep?: OutputWindow;
  /** Only the model's result, as both hdr and base (see WorkerRequest 'run'). */
  hdrOnly?: boolean;
  /** Where the result goes (hdr then base): the caller's reused buffer, not a fresh array (a UHD result is 200 MB
   *  of page faults); read there from the scratch file, or copied there when it came inline through IPC. */
  into?: Float32Array<ArrayBufferLike>;
}

interface QueuedRun extends Pick<RunOptions, 'keep' | 'hdrOnly' | 'into' | 'signal'> {
  input: Float32Array;
  dims: [number, number, number, number];
  priority: 'preview' | 'render';
  seq: number;
  resolve(v: RunOutput): void;
  reject(e: unknown): void;
  onAbort?: () => void;
}

interface Pending {
  resolve(v: unknown): void;
  reject(e: unknown): void;
  timer?: ReturnType<typeof setTimeout>;
}

export interface InferenceClientOptions {
  launcher: WorkerLauncher;
  modelPath: string;
  log: Logger;
  onStatus?: (s: InferenceStatus) => void;
  /** Starts (first start included) allowed within `restartWindowMs` before the worker is declared failed. */
  maxRestarts?: number;
  restartWindowMs?: number;
  /** A run that takes longer than this is treated as a hung worker: base ms plus ms per input pixel. */
  runTimeout?: { baseMs: number; perPixelMs: number };
  /** Scratch file that carries run inputs to the worker and results back (default: a fresh one in shared memory);
   *  null: both travel inside the IPC messages. */
  scratchFile?: string | null;
}

export class InferenceClient {
  private worker: WorkerHandle | null = null;
  private pending = new Map<number, Pending>();
  private nextId = 1;
  private state: WorkerState = 'stopped';
  private info: WorkerInfo | null = null;
  private error: string | null = null;
  private restarts = 0;
  private recentStarts: number[] = [];
  private closing = false;
  private ready: Promise<void> | null = null;
  /** Set when the model cannot be used at all (not a model, wrong contract): no retry until restart(). */
  private fatal: ServiceError | null = null;
  private queue: QueuedRun[] = [];
  private seq = 0;
  private running = false;
  /** Null once the scratch file could not be written, here or by the worker (a full or unwritable folder). */
  private scratchFile: string | null;

  constructor(private readonly opts: InferenceClientOptions) {
    this.scratchFile = opts.scratchFile === undefined ? newScratchFile() : opts.scratchFile;
  }

  status(): InferenceStatus {
    return {
      state: this.state,
      provider: this.info?.provider ?? null,
      device: this.info?.device ?? (this.state === 'failed' ? 'unavailable' : 'starting…'),
      runtimeVersion: this.info?.runtimeVersion ?? null,
      model: this.info?.model ?? null,
      restarts: this.restarts,
      error: this.error,
      providerNote: this.info?.providerNote ?? null,
    };
  }

  /** Starts the worker and loads the model; resolves when it is ready (or rejects if it cannot be). */
  start(): Promise<void> {
    if (this.closing) return Promise.reject(new ServiceError('worker_failed', 'Inference is shutting down'));
    if (this.fatal) return Promise.reject(this.fatal);
    if (!this.ready) {
      if (!this.mayStart()) {
        this.error = 'Inference worker keeps failing; restart it from the status bar or check the log';
        this.setState('failed');
        return Promise.reject(new ServiceError('worker_failed', this.error));
      }
      this.ready = this.launch();
    }
    return this.ready;
  }

  /** A fresh worker on request (the UI's "restart worker"), forgetting earlier failures. */
  async restart(): Promise<void> {
    this.fatal = null;
    this.recentStarts = [];
    const w = this.worker;
    this.worker = null;
    this.ready = null;
    this.failPending('worker_failed', 'Inference worker restarted');
    w?.kill();
    return this.start();
  }

  /**
   * Runs the model on one NCHW frame or tile. Requests wait in a priority queue here, not in the worker, so a
   * preview can overtake queued render tiles and a cancelled job leaves nothing behind.
   */
  run(input: Float32Array, dims: [number, number, number, number], opts: RunOptions = {}): Promise<RunOutput> {
    const signal = opts.signal;
    if (signal?.aborted) return Promise.reject(new ServiceError('cancelled', 'Cancelled'));
    return new Promise<RunOutput>((resolve, reject) => {
      const { keep, hdrOnly, into, priority = 'render' } = opts;
      const job: QueuedRun = { input, dims, keep, hdrOnly, into, priority, resolve, reject, seq: this.seq++ };
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

  async workerInfo(): Promise<WorkerInfo> {
    await this.start();
    return (await this.request({ type: 'info' })) as WorkerInfo;
  }

  /** Kills the worker process as a crash would (used by tests). */
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
    this.ready = null;
    this.failPending('worker_failed', 'Inference worker stopped');
    for (const job of this.queue.splice(0)) job.reject(new ServiceError('worker_failed', 'Inference worker stopped'));
    if (w) {
      const exited = new Promise<void>((r) => w.onExit(() => r()));
      w.kill();
      await Promise.race([exited, new Promise((r) => setTimeout(r, 2000))]);
    }
    if (this.scratchFile) removeScratchFile(this.scratchFile);
    this.setState('stopped');
  }

  private mayStart(): boolean {
    const now = Date.now();
    const window = this.opts.restartWindowMs ?? 60_000;
    this.recentStarts = this.recentStarts.filter((t) => now - t < window);
    if (this.recentStarts.length >= (this.opts.maxRestarts ?? 5)) return false;
    this.recentStarts.push(now);
    return true;
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
          const t = this.opts.runTimeout ?? { baseMs: 60_000, perPixelMs: 0.05 };
          const timeout = t.baseMs + t.perPixelMs * job.dims[0] * job.dims[2] * job.dims[3];
          // One request at a time: the file carries this run's input, then its result.
          const input = this.stageInput(job.input);
          const reply = await this.request(
            {
              type: 'run',
              ...input,
              dims: job.dims,
              keep: job.keep,
              hdrOnly: job.hdrOnly,
              outputFile: this.scratchFile ?? undefined,
            },
            timeout,
          );
          job.resolve(await this.runOutput(reply, job.into));
        } catch (e) {
          job.reject(e);
        }
      }
    } finally {
      this.running = false;
      if (this.state === 'busy') this.setState('ready');
    }
  }

  /** The run's input through the scratch file when there is one, else inline. */
  private stageInput(input: Float32Array): { input: Float32Array } | { inputFile: string } {
    if (!this.scratchFile) return { input };
    try {
      writeScratchFile(this.scratchFile, input);
      return { inputFile: this.scratchFile };
    } catch (e) {
      this.dropScratch(`cannot write ${this.scratchFile} (${(e as Error).message})`);
      return { input };
    }
  }

  /** Checks a run reply at the process boundary; reads the scratch file when the result went there. */
  private async runOutput(reply: unknown, into?: Float32Array<ArrayBufferLike>): Promise<RunOutput> {
    const r = RunReply.safeParse(reply);
    if (!r.success) throw new ServiceError('worker_failed', 'Inference worker sent a malformed run result');
    if ('file' in r.data) {
      if (r.data.file !== this.scratchFile)
        throw new ServiceError('worker_failed', 'Inference worker wrote its result to an unexpected file');
      return readRunFile(r.data, into);
    }
    if (this.scratchFile) this.dropScratch(`inference worker could not write ${this.scratchFile}`);
    return copyRunOutput(r.data, into);
  }

  /** From now on inputs and results travel through IPC (slower), and the file's memory is given back. */
  private dropScratch(why: string): void {
    this.opts.log.warn(`${why}; frames travel through IPC from now on (slower)`);
    removeScratchFile(this.scratchFile!);
    this.scratchFile = null;
  }

  private async launch(): Promise<void> {
    this.setState(this.restarts > 0 ? 'restarting' : 'starting');
    const w = this.opts.launcher();
    this.worker = w;
    let loaded = false;
    const hello = new Promise<void>((resolve, reject) => {
      const timer = setTimeout(
        () => reject(new ServiceError('worker_failed', 'Inference worker did not start within 30 s')),
        30_000,
      );
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
        if (m.type === 'info') {
          if (this.worker === w) this.info = m.value;
          else return;
          this.opts.log.warn(`inference moved to ${m.value.device}: ${m.value.providerNote ?? 'provider failed'}`);
          this.opts.onStatus?.(this.status());
          return;
        }
        const p = this.pending.get(m.id);
        if (!p) return;
        this.pending.delete(m.id);
        if (p.timer) clearTimeout(p.timer);
        if (m.ok) p.resolve(m.value);
        else p.reject(new ServiceError(m.error.code, m.error.message));
      });
      w.onExit((code) => {
        clearTimeout(timer);
        reject(new ServiceError('worker_failed', `Inference worker exited during start (code ${code})`));
        // Exits during start are handled by the catch below; only a ready worker's death means a restart.
        if (loaded) this.onExit(w, code);
        else if (this.worker === w) {
          this.worker = null;
          this.failPending('worker_failed', `Inference worker exited during start (code ${code})`);
        }
      });
    });
    try {
      await hello;
      this.info = (await this.request({ type: 'load', modelPath: this.opts.modelPath }, 120_000)) as WorkerInfo;
      if (this.worker !== w)
        throw new ServiceError('worker_failed', 'Inference worker stopped while loading the model');
      loaded = true;
      this.error = null;
      this.setState('ready');
      this.opts.log.info(`inference worker ready: ${this.info.device}, model ${this.info.model?.name ?? '-'}`, {
        pid: w.pid,
      });
      // Reported once per worker: why a faster provider was skipped (not installed, failed at creation or run).
      if (this.info.providerNote) this.opts.log.warn(`inference provider: ${this.info.providerNote}`);
    } catch (e) {
      // Never leave a half-started worker behind.
      if (this.worker === w) this.worker = null;
      w.kill();
      const err =
        e instanceof ServiceError ? e : new ServiceError('worker_failed', e instanceof Error ? e.message : String(e));
      if (err.code === 'bad_input') this.fatal = err; // the model itself is unusable: retrying cannot help
      this.error = err.message;
      this.opts.log.error('inference worker failed to start', this.error);
      if (!this.closing) this.setState('failed');
      this.ready = null;
      throw err;
    }
  }

  private onExit(w: WorkerHandle, code: number | null): void {
    if (this.worker !== w) return;
    this.worker = null;
    this.ready = null;
    this.failPending(
      'worker_failed',
      `Inference worker stopped unexpectedly (exit code ${code ?? 'signal'}); it is being restarted`,
    );
    if (this.closing) return;
    this.restarts++;
    this.opts.log.warn(`inference worker exited (code ${code}); restarting`);
    this.start().catch(() => undefined);
  }

  private failPending(code: 'worker_failed' | 'cancelled', message: string): void {
    const all = [...this.pending.values()];
    this.pending.clear();
    for (const p of all) {
      if (p.timer) clearTimeout(p.timer);
      p.reject(new ServiceError(code, message));
    }
  }

  private request(body: Record<string, unknown>, timeoutMs?: number): Promise<unknown> {
    const w = this.worker;
    if (!w) return Promise.reject(new ServiceError('worker_failed', 'Inference worker is not running'));
    const id = this.nextId++;
    return new Promise((resolve, reject) => {
      const p: Pending = { resolve, reject };
      if (timeoutMs) {
        // A hung worker (a stuck GPU driver, say) must not block every later request: kill and restart it.
        p.timer = setTimeout(() => {
          if (!this.pending.has(id)) return;
          this.pending.delete(id);
          reject(
            new ServiceError(
              'worker_failed',
              `Inference worker did not answer within ${Math.round(timeoutMs / 1000)} s; restarting it`,
            ),
          );
          this.opts.log.error(`inference request ${String(body.type)} timed out; killing the worker`);
          if (this.worker === w) {
            // Detach first, so the next request starts a fresh worker instead of reaching the dying one.
            this.worker = null;
            this.ready = null;
            this.restarts++;
            this.failPending('worker_failed', 'Inference worker was restarted after it stopped answering');
          }
          w.kill();
        }, timeoutMs);
      }
      this.pending.set(id, p);
      w.post({ id, ...body });
    });
  }

  private setState(s: WorkerState): void {
    if (this.state === s) return;
    this.state = s;
    this.opts.onStatus?.(this.status());
  }
}
