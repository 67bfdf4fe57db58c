// The farm's queue on Redis, through BullMQ: the only file that imports it (.layers.mjs confines it here), so
// the rest of the farm speaks in shots and renders, not in BullMQ's terms.
import { FlowProducer, Queue, Worker, type ConnectionOptions, type Job } from 'bullmq';
import { connect } from 'node:net';
import { ServiceError } from '../../common/contract';
import { FARM_QUEUE } from './jobs';

/** A job as `farm status` shows it. */
export interface FarmJobView {
  id: string;
  name: string;
  state: string;
  progress: unknown;
  attemptsMade: number;
  failedReason: string | null;
  returnValue: unknown;
  data: unknown;
  /** The job this one's completion is waited for by (a shot's export job). */
  parentId: string | null;
}

export interface NewShotJob {
  id: string;
  data: unknown;
}

/** Shot jobs are tried 3 times (a failure, or a worker killed or cut off twice) before they fail for good. */
const SHOT_ATTEMPTS = 3;
const RETRY_DELAY_MS = 2000;

/**
 * `redis://[user:password@]host:port[/db]`, or `rediss://…` for TLS. A command that talks to Redis once gives up
 * after a few tries; a worker (`persistent`) keeps reconnecting, so a network cut only pauses it.
 */
export function redisConnection(url: string, persistent = false): ConnectionOptions {
  let u: URL;
  try {
    u = new URL(url);
  } catch {
    throw new ServiceError('bad_input', `--redis ${url}: not a URL (redis://host:6379, or rediss://host:6380 for TLS)`);
  }
  if (u.protocol !== 'redis:' && u.protocol !== 'rediss:')
    throw new ServiceError('bad_input', `--redis ${url}: use redis://host:port or rediss://host:port (TLS)`);
  return {
    url,
    maxRetriesPerRequest: null, // BullMQ's blocking calls need it
    retryStrategy: (times: number) => (persistent ? Math.min(200 * times, 2000) : times > 3 ? null : 200 * times),
  };
}

function view(job: Job, state: string): FarmJobView {
  return {
    id: job.id ?? '',
    name: job.name,
    state,
    progress: job.progress,
    attemptsMade: job.attemptsMade,
    failedReason: job.failedReason || null,
    returnValue: job.returnvalue,
    data: job.data,
    parentId: job.parent?.id ?? null,
  };
}

/** What a submitter or `farm status` needs of the queue. */
export class FarmQueue {
  private readonly queue: Queue;
  private readonly flows: FlowProducer;

  private constructor(url: string) {
    const connection = redisConnection(url);
    this.queue = new Queue(FARM_QUEUE, { connection });
    this.flows = new FlowProducer({ connection });
    // Connection errors surface through open() and the calls that fail; unhandled they would end the process.
    this.queue.on('error', () => undefined);
    this.flows.on('error', () => undefined);
  }

  /** Connects, or fails with a clear message when Redis cannot be reached. */
  static async open(url: string): Promise<FarmQueue> {
    redisConnection(url); // checks the URL
    const u = new URL(url);
    // A plain TCP check first: BullMQ's clients, given an unreachable server, raise errors after they are closed.
    await new Promise<void>((resolve, reject) => {
      const socket = connect({ host: u.hostname, port: Number(u.port || 6379), timeout: 5000 });
      socket.once('connect', () => socket.end(resolve));
      socket.once('timeout', () => socket.destroy(new Error('no answer in 5 s')));
      socket.once('error', (e) => reject(new ServiceError('io', `Redis at ${u.host} cannot be reached: ${e.message}`)));
    });
    const q = new FarmQueue(url);
    try {
      await Promise.race([
        Promise.all([q.queue.waitUntilReady(), q.flows.waitUntilReady()]),
        new Promise((_, reject) => setTimeout(() => reject(new Error('no answer in 10 s')), 10_000).unref()),
      ]);
    } catch (e) {
      await q.close();
      throw new ServiceError('io', `Redis at ${u.host} cannot be used: ${(e as Error).message}`);
    }
    return q;
  }

  async get(id: string): Promise<FarmJobView | null> {
    const job = await this.queue.getJob(id);
    return job ? view(job, await job.getState()) : null;
  }

  /** Removes a finished job (and its children) so the same id can be submitted again. */
  async remove(id: string): Promise<void> {
    try {
      await this.queue.remove(id, { removeChildren: true });
    } catch (e) {
      // BullMQ refuses while a worker holds the job or one of its children.
      throw new ServiceError(
        'conflict',
        `${id} is still being rendered; submit again once it ends (${(e as Error).message})`,
      );
    }
  }

  /**
   * One flow: the export job waits for its shot jobs (BullMQ's parent-child dependencies). Job ids are the
   * callers' (the manifest hash for a shot), so adding an id Redis already holds adds nothing.
   */
  async addFlow(exportJob: NewShotJob, shots: NewShotJob[]): Promise<void> {
    const opts = { attempts: SHOT_ATTEMPTS, backoff: { type: 'fixed', delay: RETRY_DELAY_MS } };
    await this.flows.add({
      name: 'export',
      queueName: FARM_QUEUE,
      data: exportJob.data,
      opts: { ...opts, jobId: exportJob.id },
      children: shots.map((s) => ({
        name: 'shot',
        queueName: FARM_QUEUE,
        data: s.data,
        // A shot that fails for good fails its export, which `farm status` then shows.
        opts: { ...opts, jobId: s.id, failParentOnFailure: true },
      })),
    });
  }

  /** Jobs by state: waiting, active, delayed, completed, failed, waiting-children… */
  counts(): Promise<Record<string, number>> {
    return this.queue.getJobCounts();
  }

  async close(): Promise<void> {
    await Promise.allSettled([this.flows.close(), this.queue.close()]);
  }
}

/** A job as the worker's processor sees it. */
export interface TakenJob {
  id: string;
  name: string;
  data: unknown;
  attemptsMade: number;
  progress(p: object): Promise<void>;
  /**
   * Renews the job's lock and says whether this worker still held it. A worker stopped past its lock may find
   * its render finished (the render runs in a child) before it hears the lock was lost: this asks Redis itself.
   */
  holdsLock(): Promise<boolean>;
}

export interface FarmWorkerOptions {
  url: string;
  /**
   * How long a job stays locked to a worker without a heartbeat: a killed or cut-off worker's job goes back to
   * the queue for another machine after about this long.
   */
  lockMs: number;
  process(job: TakenJob): Promise<unknown>;
  onFailed?(id: string, message: string): void;
  /** The worker could not renew these jobs' locks (it was cut off or stopped): another machine may have them. */
  onLockLost?(ids: string[]): void;
  onError?(e: Error): void;
}

/** One BullMQ worker taking one job at a time (a render uses the whole machine). */
export function startFarmWorker(o: FarmWorkerOptions): { close(force?: boolean): Promise<void> } {
  const worker = new Worker(
    FARM_QUEUE,
    (job: Job, token?: string) =>
      o.process({
        id: job.id ?? '',
        name: job.name,
        data: job.data,
        attemptsMade: job.attemptsMade,
        progress: (p) => job.updateProgress(p),
        holdsLock: async () => token !== undefined && (await job.extendLock(token, o.lockMs)) === 1,
      }),
    {
      connection: redisConnection(o.url, true),
      concurrency: 1,
      lockDuration: o.lockMs,
      stalledInterval: Math.max(1000, Math.round(o.lockMs / 2)),
      maxStalledCount: 2,
    },
  );
  worker.on('failed', (job, err) => job && o.onFailed?.(job.id ?? '', err.message));
  worker.on('error', (e) => o.onError?.(e));
  worker.on('lockRenewalFailed', (ids) => o.onLockLost?.(ids));
  return { close: (force) => worker.close(force) };
}
