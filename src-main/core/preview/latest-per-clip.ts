// Network frames while the colorist scrubs: requests for the same frame share one run, and a request for
// another frame of the same clip drops the one before it (its queued tiles leave the worker's queue), so
// scrubbing never piles up network runs behind the frame the viewer now shows.
import { ServiceError } from '../../common/contract';

interface Run<T> {
  promise: Promise<T>;
  abort: AbortController;
}

export class LatestPerClip<T> {
  private runs = new Map<string, Run<T>>();
  /** The key each clip last asked for, while its run is pending. */
  private latest = new Map<string, string>();

  /** `work` must reject with 'cancelled' once its signal aborts (decode and inference both do). */
  run(clipId: string, key: string, work: (signal: AbortSignal) => Promise<T>): Promise<T> {
    const previous = this.latest.get(clipId);
    this.latest.set(clipId, key);
    const shared = this.runs.get(key);
    if (shared) return shared.promise;
    if (previous !== undefined && previous !== key) this.runs.get(previous)?.abort.abort();
    const abort = new AbortController();
    const promise = work(abort.signal)
      .catch((e: unknown) => {
        if (abort.signal.aborted && !(e instanceof ServiceError && e.code !== 'cancelled'))
          throw new ServiceError('cancelled', 'A newer frame of this clip was asked for');
        throw e;
      })
      .finally(() => {
        this.runs.delete(key);
        if (this.latest.get(clipId) === key) this.latest.delete(clipId);
      });
    this.runs.set(key, { promise, abort });
    return promise;
  }

  /** Runs still pending (for tests and logs). */
  get pending(): number {
    return this.runs.size;
  }
}
