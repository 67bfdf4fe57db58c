// A render machine's side of the farm: takes shot jobs from the queue and renders each with `render-shot`
// itself (in a child process), into the shared render cache as this machine mounts it. It never opens the library:
// everything it needs travels in the job, and the result record it writes into the cache is what the library
// merges later.
import { createHash } from 'node:crypto';
import { createReadStream, mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { hostname } from 'node:os';
import { join } from 'node:path';
import { ServiceError } from '../../common/contract';
import type { Logger } from '../log';
import { manifestHash } from '../render';
import { PARTIAL, readCompletedResult } from '../render/cache';
import {
  exportJobData,
  mapManifest,
  shotJobData,
  type PathMapping,
  type ShotJobResult,
  type ShotProgress,
} from './jobs';
import { startFarmWorker, type TakenJob } from './queue';
import { renderShotInChild } from './render-child';

export interface FarmWorkerSettings {
  redis: string;
  /** The library's render cache root (its `cache` folder) as this machine mounts it. */
  cacheRoot: string;
  /** The submitter's path prefixes as this machine sees them (media, models, the cache root). */
  mappings: PathMapping[];
  /** Seconds a job stays locked without this worker's heartbeat before another machine takes it. */
  lockSeconds: number;
  log: Logger;
  /** One line of what the worker does (stdout). */
  say(line: string): void;
  /** A progress line (stderr). */
  progress(line: string): void;
}

export interface RunningFarmWorker {
  /** Stops taking jobs; with `abort`, the render in hand stops too (it resumes elsewhere from its segments). */
  stop(abort?: boolean): Promise<void>;
}

/** A file's SHA-256 read as a stream: the event loop stays free to renew the job's lock. */
async function sha256Streamed(file: string): Promise<string> {
  const h = createHash('sha256');
  for await (const chunk of createReadStream(file)) h.update(chunk as Buffer);
  return h.digest('hex');
}

/** Where this process is, for people reading the queue: host and pid. */
const NODE = `${hostname()}:${process.pid}`;

export function runFarmWorker(s: FarmWorkerSettings): RunningFarmWorker {
  const ctl = new AbortController();
  /** The job in hand, stopped alone when its lock is lost. */
  let current: { id: string; ctl: AbortController } | null = null;
  const cache = (rel: string): string => join(s.cacheRoot, rel);
  const lose = (job: { id: string; ctl: AbortController }): void => {
    s.say(`lost ${job.id.slice(0, 12)}: its lock expired, another worker renders it`);
    job.ctl.abort();
  };

  async function renderJob(job: TakenJob): Promise<ShotJobResult> {
    const d = shotJobData(job.data);
    const hash = job.id;
    if (manifestHash(d.manifest) !== hash)
      throw new ServiceError('conflict', `job ${hash.slice(0, 12)} carries another render's manifest`);
    s.say(`take ${hash.slice(0, 12)} ${d.label} (attempt ${job.attemptsMade + 1})`);
    // render-shot reads a manifest file: this machine's copy, with its own paths, written beside the render
    // under a `.partial` name, so that even a killed worker's copy is removed (by the next render of the shot).
    const dir = join(cache(d.rendersDir), hash);
    mkdirSync(dir, { recursive: true });
    const file = join(dir, `farm-manifest-${process.pid}.json${PARTIAL}`);
    let last = 0;
    const mine = { id: hash, ctl: new AbortController() };
    current = mine;
    try {
      writeFileSync(file, JSON.stringify(mapManifest(d.manifest, s.mappings)));
      const dirOut = cache(d.rendersDir);
      const out = await renderShotInChild(file, dirOut, {
        signal: AbortSignal.any([ctl.signal, mine.ctl.signal]),
        onProgress: (framesDone, framesTotal, fps) => {
          if (Date.now() - last < 1000 && framesDone < framesTotal) return;
          last = Date.now();
          const prog: ShotProgress = { framesDone, framesTotal, fps };
          job.progress(prog).catch((e: Error) => s.log.warn(`progress of ${hash} not sent: ${e.message}`));
          s.progress(`${hash.slice(0, 12)} frame ${framesDone}/${framesTotal}, ${fps.toFixed(2)} fps`);
        },
      });
      // Only the holder of the lock reports the render: another worker may have the job by now.
      if (!mine.ctl.signal.aborted && !(await job.holdsLock())) lose(mine);
      if (mine.ctl.signal.aborted) throw new ServiceError('cancelled', `lost the job ${hash.slice(0, 12)}`);
      const r = readCompletedResult(dir, hash);
      if (!r) throw new ServiceError('io', `render-shot ended, yet ${dir} holds no complete render`);
      s.say(
        `done ${hash.slice(0, 12)} ${d.label}: ${r.frameCount} frames, ` +
          (out.skipped ? 'complete already' : `${out.renderedSegments} of ${r.segments.length} segments rendered`),
      );
      return {
        hash,
        frames: r.frameCount,
        maxCll: r.maxCll,
        maxFall: r.maxFall,
        renderedSegments: out.renderedSegments,
        skipped: out.skipped,
        node: NODE,
      };
    } catch (e) {
      if (mine.ctl.signal.aborted) throw new ServiceError('cancelled', `lost the job ${hash.slice(0, 12)}`);
      throw e;
    } finally {
      current = null;
      rmSync(file, { force: true });
    }
  }

  /** The export job: every shot render of the submission is complete in the cache, segments checked by SHA-256. */
  async function verifyExport(job: TakenJob): Promise<{ shots: number; frames: number; node: string }> {
    const d = exportJobData(job.data);
    let frames = 0;
    for (const hash of d.hashes) {
      const dir = join(cache(d.rendersDir), hash);
      const r = readCompletedResult(dir, hash);
      if (!r) throw new ServiceError('io', `the render ${hash.slice(0, 12)} is not complete in the cache`);
      for (const seg of r.segments)
        if ((await sha256Streamed(join(dir, seg.file))) !== seg.sha256)
          throw new ServiceError('io', `${hash.slice(0, 12)}/${seg.file} does not match its record`);
      frames += r.frameCount;
    }
    s.say(`export ${job.id}: ${d.hashes.length} shot renders of "${d.project}" verified, ${frames} frames`);
    return { shots: d.hashes.length, frames, node: NODE };
  }

  const worker = startFarmWorker({
    url: s.redis,
    lockMs: s.lockSeconds * 1000,
    process: async (job) => {
      // Failure injection for the farm's tests: the first attempt at each job fails, once, as a crash would.
      if (process.env.REMASTER_FARM_FAIL_FIRST === '1' && job.attemptsMade === 0 && job.name === 'shot')
        throw new Error('injected failure (REMASTER_FARM_FAIL_FIRST)');
      return job.name === 'export' ? verifyExport(job) : renderJob(job);
    },
    onFailed: (id, message) => s.say(`failed ${id.slice(0, 12)}: ${message}`),
    onError: (e) => s.log.warn(`farm worker: ${e.message}`),
    // Cut off or stopped past the lock: BullMQ has given the job to another machine, so this one stops its copy
    // of the render rather than race it for the same files.
    onLockLost: (ids) => {
      if (current && ids.includes(current.id) && !current.ctl.signal.aborted) lose(current);
    },
  });
  return {
    stop: async (abort) => {
      if (abort) ctl.abort();
      await worker.close(abort);
    },
  };
}
