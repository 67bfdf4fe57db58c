// Background jobs (import, proxies; later renders and exports): one at a time (the machine is small and
// ffmpeg uses every core), progress pushed as `job.progress` events (throttled), cancellable, kept in the
// jobs table so a restart can say what was interrupted.
import { randomUUID } from 'node:crypto';
import { ServiceError, type Job } from '../../common/contract';
import type { EventHub } from '../events';
import type { Logger } from '../log';
import type { Db } from './db';

export interface RunningJob {
  readonly id: string;
  readonly signal: AbortSignal;
  progress(fraction: number, message?: string): void;
}

type Kind = Job['kind'];

interface Entry {
  job: Job;
  ctl: AbortController;
  started: number;
  lastEmit: number;
}

const THROTTLE_MS = 200;

export class JobManager {
  private entries = new Map<string, Entry>();
  private chain: Promise<unknown> = Promise.resolve();

  constructor(
    private readonly db: Db,
    private readonly events: EventHub,
    private readonly log: Logger,
    private readonly readOnly: boolean,
  ) {
    if (!readOnly) {
      try {
        // Only jobs whose process is gone were interrupted: a CLI import or a second host on the same
        // library may be running its own jobs right now.
        const open = db.prepare("SELECT id, detail_json FROM jobs WHERE state IN ('queued', 'running')").all() as { id: string; detail_json: string | null }[];
        const mark = db.prepare("UPDATE jobs SET state = 'failed', error = 'Interrupted: Remaster stopped while the job ran', finished_at = ? WHERE id = ?");
        for (const j of open) if (!ownerAlive(j.detail_json)) mark.run(new Date().toISOString(), j.id);
      } catch (e) {
        log.warn('could not mark interrupted jobs', e);
      }
    }
  }

  /** True when another live process has unfinished jobs in this library. */
  othersRunning(): boolean {
    try {
      const open = this.db.prepare("SELECT detail_json FROM jobs WHERE state IN ('queued', 'running')").all() as { detail_json: string | null }[];
      return open.some((j) => ownerAlive(j.detail_json) && ownerPid(j.detail_json) !== process.pid);
    } catch {
      return true; // when unsure, assume someone is
    }
  }

  start<T>(kind: Kind, projectId: string | null, message: string, fn: (job: RunningJob) => Promise<{ value: T; message: string; warning?: string }>): { id: string; done: Promise<T> } {
    const id = randomUUID();
    const job: Job = { id, kind, projectId, state: 'queued', fraction: 0, etaSeconds: null, message, error: null, createdAt: new Date().toISOString(), finishedAt: null };
    const e: Entry = { job, ctl: new AbortController(), started: 0, lastEmit: 0 };
    this.entries.set(id, e);
    this.persist(e, true);
    this.emit(e);
    const running: RunningJob = {
      id,
      signal: e.ctl.signal,
      progress: (fraction, msg) => {
        if (e.job.state !== 'running') return;
        const f = Math.max(0, Math.min(1, fraction));
        e.job.fraction = f;
        if (msg) e.job.message = msg;
        const elapsed = (Date.now() - e.started) / 1000;
        e.job.etaSeconds = f > 0.02 ? Math.round((elapsed / f) * (1 - f) * 10) / 10 : null;
        if (Date.now() - e.lastEmit >= THROTTLE_MS) this.emit(e);
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
        throw cancelled && !(err instanceof ServiceError && err.code === 'cancelled') ? new ServiceError('cancelled', `${message}: cancelled`) : err;
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
    e.job.state = state;
    e.job.message = message;
    e.job.error = error;
    if (state === 'done') e.job.fraction = 1;
    e.job.etaSeconds = state === 'done' ? 0 : null;
    e.job.finishedAt = new Date().toISOString();
    this.persist(e);
    this.emit(e);
  }

  private emit(e: Entry): void {
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
      if (insert) {
        this.db.prepare('INSERT INTO jobs (id, kind, project_id, state, fraction, message, error, created_at, finished_at, detail_json) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)').run(j.id, j.kind, j.projectId, j.state, j.fraction, j.message, j.error, j.createdAt, j.finishedAt, JSON.stringify({ pid: process.pid }));
      } else {
        this.db.prepare('UPDATE jobs SET state = ?, fraction = ?, message = ?, error = ?, finished_at = ? WHERE id = ?').run(j.state, j.fraction, j.message, j.error, j.finishedAt, j.id);
      }
    } catch (err) {
      // The project may have been deleted meanwhile (its jobs go with it); the event still tells the UI.
      this.log.debug('job not persisted', { id: j.id, err: (err as Error).message });
    }
  }

  list(projectId?: string, activeOnly = false): Job[] {
    const live = [...this.entries.values()].map((e) => ({ ...e.job }));
    const ids = new Set(live.map((j) => j.id));
    let stored: Job[] = [];
    if (!activeOnly) {
      try {
        stored = (this.db.prepare('SELECT * FROM jobs ORDER BY created_at DESC LIMIT 200').all() as { id: string; kind: Job['kind']; project_id: string | null; state: Job['state']; fraction: number; message: string; error: string | null; created_at: string; finished_at: string | null }[])
          .filter((r) => !ids.has(r.id))
          .map((r) => ({ id: r.id, kind: r.kind, projectId: r.project_id, state: r.state, fraction: r.fraction, etaSeconds: null, message: r.message, error: r.error, createdAt: r.created_at, finishedAt: r.finished_at }));
      } catch {
        stored = [];
      }
    }
    return [...live, ...stored]
      .filter((j) => (projectId ? j.projectId === projectId : true))
      .filter((j) => (activeOnly ? j.state === 'queued' || j.state === 'running' : true))
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
    if (e.job.state === 'queued' || e.job.state === 'running') {
      e.ctl.abort();
      if (e.job.state === 'queued') this.finish(e, 'cancelled', 'Cancelled', null);
    }
    return { ...e.job };
  }
}

function ownerPid(detail: string | null): number | null {
  try {
    const pid = (JSON.parse(detail ?? '{}') as { pid?: unknown }).pid;
    return typeof pid === 'number' ? pid : null;
  } catch {
    return null;
  }
}

/** Whether the process that started a job still exists (signal 0 only checks). */
function ownerAlive(detail: string | null): boolean {
  const pid = ownerPid(detail);
  if (pid === null || pid === process.pid) return false;
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === 'EPERM';
  }
}
