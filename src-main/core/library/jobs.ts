// Background jobs (import, proxies; later renders and exports): one at a time (the machine is small and
// ffmpeg uses every core), progress pushed as `job.progress` events (throttled), cancellable, kept in the
// jobs table with their owner (the process running them) so that every process sharing the library (the
// host, a CLI import) can tell a job whose process died, and says so, whenever it reads the jobs.
import { randomUUID } from 'node:crypto';
import { ServiceError, type Job } from '../../common/contract';
import type { EventHub } from '../events';
import type { Logger } from '../log';
import type { Db } from './db';
import { INTERRUPTED, isOwnerAlive, ownerOfThisProcess, HEARTBEAT_MS } from './db-job-owner';
import {
  beatJobs,
  insertJob,
  markJobInterrupted,
  parseDetail,
  selectOpenJobs,
  selectRecentJobs,
  toJob,
  updateJob,
  updateJobDetail,
} from './jobs-repo';

export interface RunningJob {
  readonly id: string;
  readonly signal: AbortSignal;
  progress(fraction: number, message?: string, secondsLeftIfKnown?: number): void;
  /** Merges facts into the job's stored detail (e.g. the clip an import created), for whoever finds it interrupted. */
  setDetail(patch: Record<string, unknown>): void;
  /** Resolves at once unless the job is paused, else when it is resumed; rejects when it is cancelled meanwhile. */
  whilePaused(): Promise<void>;
}

/** A job found interrupted (its process gone) and marked failed, with the detail its process stored. */
export interface InterruptedJob {
  job: Job;
  detail: Record<string, unknown>;
}

type Kind = Job['kind'];

interface Entry {
  job: Job;
  ctl: AbortController;
  started: number;
  lastEmit: number;
  detail: Record<string, unknown>;
  /** Set while paused: resolves on resume or cancel. */
  resumed: { promise: Promise<void>; resolve(): void } | null;
}

const THROTTLE_MS = 200;
const INTERRUPTED_BY_CLOSE = 'Interrupted: the library was closed while the job ran';
/** States of a job that has not finished ('paused' included: its process still holds it). */
const isOpen = (s: Job['state']): boolean => s === 'queued' || s === 'running' || s === 'paused';

export class JobManager {
  private entries = new Map<string, Entry>();
  private chain: Promise<unknown> = Promise.resolve();
  private heartbeat: NodeJS.Timeout | null = null;
  /** See watchOthers. */
  private othersWatch: NodeJS.Timeout | null = null;
  private interruptedListeners: ((jobs: InterruptedJob[]) => void)[] = [];
  private readonly owner = ownerOfThisProcess();

  constructor(
    private readonly db: Db,
    private readonly events: EventHub,
    private readonly log: Logger,
    private readonly readOnly: boolean,
    /** Told of the jobs found interrupted at once, as onInterrupted's listeners are later. */
    onInterrupted?: (jobs: InterruptedJob[]) => void,
  ) {
    if (onInterrupted) this.interruptedListeners.push(onInterrupted);
    // Only jobs whose process is gone were interrupted: a CLI import or a second host on the same library may be
    // running its own jobs right now.
    this.reapInterrupted();
  }

  /** Called with the jobs found interrupted, each time some are (at open, and whenever jobs are read). */
  onInterrupted(listener: (jobs: InterruptedJob[]) => void): () => void {
    this.interruptedListeners.push(listener);
    return () => (this.interruptedListeners = this.interruptedListeners.filter((l) => l !== listener));
  }

  /**
   * Marks failed every unfinished job in the library whose owner is gone (its process exited or was killed, in
   * this or any other process's view), emits them, and returns them. Cheap: reads the few unfinished rows.
   */
  reapInterrupted(): InterruptedJob[] {
    if (this.readOnly) return [];
    const found: InterruptedJob[] = [];
    let othersOpen = false;
    try {
      for (const r of selectOpenJobs(this.db)) {
        if (this.entries.has(r.id)) continue;
        if (isOwnerAlive(r, this.owner)) {
          othersOpen = true;
          continue;
        }
        const at = new Date().toISOString();
        if (!markJobInterrupted(this.db, r.id, INTERRUPTED, at)) continue; // another process got there first
        const job = { ...toJob(r), state: 'failed' as const, error: INTERRUPTED, message: INTERRUPTED, finishedAt: at };
        found.push({ job, detail: parseDetail(r.detail_json) });
        this.log.warn(
          `job ${r.kind} ${r.id} was interrupted: the process that ran it (pid ${r.owner_pid ?? parseDetail(r.detail_json).pid ?? '?'}) stopped`,
        );
      }
    } catch (e) {
      this.log.warn('could not check for interrupted jobs', e);
      return [];
    }
    this.watchOthers(othersOpen);
    for (const f of found) this.emit({ job: f.job } as Entry);
    if (found.length) {
      for (const l of this.interruptedListeners) {
        try {
          l(found);
        } catch (e) {
          this.log.warn('interrupted-job listener failed', e);
        }
      }
    }
    return found;
  }

  /** True when another live process has unfinished jobs in this library. */
  othersRunning(): boolean {
    try {
      this.reapInterrupted();
      return selectOpenJobs(this.db).some((j) => !this.entries.has(j.id) && isOwnerAlive(j, this.owner));
    } catch {
      return true; // when unsure, assume someone is
    }
  }

  start<T>(
    kind: Kind,
    projectId: string | null,
    message: string,
    fn: (job: RunningJob) => Promise<{ value: T; message: string; warning?: string }>,
  ): { id: string; done: Promise<T> } {
    const id = randomUUID();
    const job: Job = {
      id,
      kind,
      projectId,
      state: 'queued',
      fraction: 0,
      etaSeconds: null,
      message,
      error: null,
      createdAt: new Date().toISOString(),
      finishedAt: null,
    };
    const e: Entry = {
      job,
      ctl: new AbortController(),
      started: 0,
      lastEmit: 0,
      detail: { pid: process.pid },
      resumed: null,
    };
    this.entries.set(id, e);
    this.persist(e, true);
    this.beat();
    this.emit(e);
    const running: RunningJob = {
      id,
      signal: e.ctl.signal,
      progress: (fraction, msg, eta) => {
        if (e.job.state !== 'running' && e.job.state !== 'paused') return;
        const f = Math.max(0, Math.min(1, fraction));
        e.job.fraction = f;
        if (msg) e.job.message = msg;
        const left = eta ?? (f > 0.02 ? ((Date.now() - e.started) / 1000 / f) * (1 - f) : null);
        e.job.etaSeconds = left === null || !Number.isFinite(left) ? null : Math.round(left * 10) / 10;
        if (Date.now() - e.lastEmit >= THROTTLE_MS) this.emit(e);
      },
      setDetail: (patch) => {
        e.detail = { ...e.detail, ...patch };
        if (this.readOnly) return;
        try {
          updateJobDetail(this.db, id, e.detail);
        } catch (err) {
          this.log.debug('job detail not persisted', { id, err: (err as Error).message });
        }
      },
      whilePaused: async () => {
        while (e.resumed) await e.resumed.promise;
        if (e.ctl.signal.aborted) throw new ServiceError('cancelled', `${message}: cancelled`);
      },
    };
    const done = this.chain.then(async () => {
      if (e.ctl.signal.aborted) throw new ServiceError('cancelled', `${message}: cancelled`);
      e.job.state = 'running';
      e.started = Date.now();
      this.persist(e);
      this.emit(e);
      try {
        const r = await fn(running);
        if (e.ctl.signal.aborted) throw new ServiceError('cancelled', `${message}: cancelled`);
        // A done job may still carry a warning (some files of an import failed): kept in `error` for the UI.
        this.finish(e, 'done', r.message, r.warning ?? null);
        return r.value;
      } catch (err) {
        const cancelled = e.ctl.signal.aborted || (err instanceof ServiceError && err.code === 'cancelled');
        const text = err instanceof Error ? err.message : String(err);
        this.finish(e, cancelled ? 'cancelled' : 'failed', cancelled ? 'Cancelled' : text, cancelled ? null : text);
        if (!cancelled && !(err instanceof ServiceError)) this.log.error(`job ${kind} failed`, err);
        throw cancelled && !(err instanceof ServiceError && err.code === 'cancelled')
          ? new ServiceError('cancelled', `${message}: cancelled`)
          : err;
      }
    });
    this.chain = done.catch(() => undefined);
    return { id, done };
  }

  /** Settles when every job started so far has finished (cancelled ones included). */
  idle(): Promise<void> {
    return this.chain.then(() => undefined);
  }

  private finish(e: Entry, state: Job['state'], message: string, error: string | null): void {
    if (!isOpen(e.job.state)) return; // the first ending stands (interruptAll may have recorded one already)
    e.job.state = state;
    e.job.message = message;
    e.job.error = error;
    if (state === 'done') e.job.fraction = 1;
    e.job.etaSeconds = state === 'done' ? 0 : null;
    e.job.finishedAt = new Date().toISOString();
    this.persist(e);
    this.emit(e);
    this.beat();
  }

  /**
   * The library is closing under this process's unfinished jobs: cancel them and record them as interrupted
   * now, while the database is still open (their own endings would find it closed), so the next open, in this
   * process or another, tidies after them instead of waiting on a job nobody runs.
   */
  interruptAll(): void {
    for (const e of this.entries.values()) {
      if (!isOpen(e.job.state)) continue;
      e.ctl.abort();
      this.finish(e, 'failed', INTERRUPTED_BY_CLOSE, INTERRUPTED_BY_CLOSE);
      // A paused job waits on its resume: let it go, so it sees the abort and stops.
      const r = e.resumed;
      e.resumed = null;
      r?.resolve();
    }
    if (this.heartbeat) clearInterval(this.heartbeat);
    this.heartbeat = null;
    if (this.othersWatch) clearInterval(this.othersWatch);
    this.othersWatch = null;
  }

  /** While another process runs jobs here, look again every heartbeat: its death is then noticed, tidied and
   * pushed to the UI (a CLI import killed beside the host) even when nothing here reads the jobs. */
  private watchOthers(needed: boolean): void {
    if (needed && !this.readOnly && this.db.open) {
      this.othersWatch ??= setInterval(
        () => (this.db.open ? this.reapInterrupted() : this.watchOthers(false)),
        HEARTBEAT_MS,
      );
      this.othersWatch.unref(); // never what keeps a process alive
    } else if (this.othersWatch) {
      clearInterval(this.othersWatch);
      this.othersWatch = null;
    }
  }

  /** Keeps this process's unfinished jobs' heartbeat (and progress) fresh, for processes that cannot check our pid. */
  private beat(): void {
    const open = (): Entry[] => [...this.entries.values()].filter((x) => isOpen(x.job.state));
    if (this.readOnly || (open().length === 0 && this.heartbeat)) {
      if (this.heartbeat) clearInterval(this.heartbeat);
      this.heartbeat = null;
      return;
    }
    if (this.heartbeat || open().length === 0) return;
    this.heartbeat = setInterval(() => {
      const beating = open();
      try {
        if (!this.db.open || beating.length === 0) throw new Error('nothing to beat for');
        beatJobs(
          this.db,
          beating.map((x) => x.job),
        );
      } catch {
        if (this.heartbeat) clearInterval(this.heartbeat);
        this.heartbeat = null;
      }
    }, HEARTBEAT_MS);
    this.heartbeat.unref();
  }

  private emit(e: Pick<Entry, 'job'> & { lastEmit?: number }): void {
    e.lastEmit = Date.now();
    try {
      this.events.emit('job.progress', { ...e.job });
    } catch (err) {
      this.log.warn('job.progress listener failed', err);
    }
  }

  private persist(e: Entry, insert = false): void {
    if (this.readOnly) return;
    const j = e.job;
    try {
      if (insert) insertJob(this.db, j, e.detail, this.owner);
      else updateJob(this.db, j);
    } catch (err) {
      // The project may have been deleted meanwhile (its jobs go with it); the event still tells the UI.
      this.log.debug('job not persisted', { id: j.id, err: (err as Error).message });
    }
  }

  list(projectId?: string, activeOnly = false): Job[] {
    this.reapInterrupted();
    const live = [...this.entries.values()].map((e) => ({ ...e.job }));
    const ids = new Set(live.map((j) => j.id));
    let stored: Job[] = [];
    if (!activeOnly) {
      try {
        stored = selectRecentJobs(this.db)
          .filter((r) => !ids.has(r.id))
          .map(toJob);
      } catch {
        stored = [];
      }
    }
    return [...live, ...stored]
      .filter((j) => (projectId ? j.projectId === projectId : true))
      .filter((j) => (activeOnly ? isOpen(j.state) : true))
      .sort((a, b) => (a.createdAt < b.createdAt ? 1 : -1));
  }

  get(id: string): Job {
    const j = this.list().find((x) => x.id === id);
    if (!j) throw new ServiceError('not_found', `No job with id ${id}`);
    return j;
  }

  cancel(id: string): Job {
    const e = this.entries.get(id);
    if (!e) return this.get(id);
    if (isOpen(e.job.state)) {
      e.ctl.abort();
      if (e.job.state === 'queued') this.finish(e, 'cancelled', 'Cancelled', null);
      this.release(e, 'running');
    }
    return { ...e.job };
  }

  /**
   * Pauses a running job: it stops at its next whilePaused() (between frames for renders). Only this process's
   * jobs can be paused; false when the job is not running here.
   */
  pause(id: string): boolean {
    const e = this.entries.get(id);
    if (!e) {
      this.get(id);
      return false;
    }
    if (e.job.state !== 'running') return e.job.state === 'paused';
    let resolve!: () => void;
    const promise = new Promise<void>((r) => (resolve = r));
    e.resumed = { promise, resolve };
    e.job.state = 'paused';
    this.persist(e);
    this.emit(e);
    return true;
  }

  /** Resumes a paused job; returns whether it is still paused (false once resumed). */
  resume(id: string): boolean {
    const e = this.entries.get(id);
    if (!e) {
      this.get(id);
      return false;
    }
    this.release(e, 'running');
    return false;
  }

  private release(e: Entry, state: 'running'): void {
    if (!e.resumed) return;
    const r = e.resumed;
    e.resumed = null;
    if (e.job.state === 'paused') {
      e.job.state = state;
      this.persist(e);
      this.emit(e);
    }
    r.resolve();
  }
}

export { INTERRUPTED, HEARTBEAT_MS };
