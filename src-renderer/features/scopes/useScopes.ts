// Feeds frames to the scopes worker, one at a time: the feed asks the viewer for the next frame only when the
// worker is done with the last, so the scopes keep up with scrubbing instead of queueing behind it.
import { useEffect, useState } from 'react';
import type { ScopeFeed } from './feed';
import type { ScopesReply, ScopesResult } from './protocol';

export interface ScopeFrame {
  width: number;
  height: number;
  /** Interleaved BT.2020 PQ R'G'B', 16-bit full range (0 = 0 nits, 65535 = 10000 nits); transferred to the worker. */
  pq: Uint16Array<ArrayBuffer>;
  /** What the pixels are (proxy, full frame, how sampled), shown under the scopes as real scopes do. */
  sampling?: string;
}

export type ShownScopes = ScopesResult & { sampling: string | null };

export function useScopes(feed: ScopeFeed): { result: ShownScopes | null; error: string | null } {
  const [result, setResult] = useState<ShownScopes | null>(null);
  const [error, setError] = useState<string | null>(null);

  useEffect(() => {
    const w = new Worker(new URL('./scopes.worker.ts', import.meta.url), { type: 'module' });
    let nextId = 1;
    /** Request id -> the feed's epoch it was sent in (a result from before clear() is not shown), and its sampling. */
    const sent = new Map<number, { epoch: number; sampling: string | null }>();
    feed.onClear = () => setResult(null);
    w.onmessage = (e: MessageEvent<ScopesReply>) => {
      const r = e.data;
      const s = sent.get(r.id);
      sent.delete(r.id);
      if (s?.epoch === feed.epoch) {
        if (r.ok) {
          setError(null);
          setResult((old) => {
            old?.waveform.close();
            old?.parade.close();
            old?.cie.close();
            return { ...r, sampling: s.sampling };
          });
        } else setError(r.message);
      } else if (r.ok) {
        r.waveform.close();
        r.parade.close();
        r.cie.close();
      }
      feed.done();
    };
    w.onerror = (e) => {
      setError(e.message || 'The scopes worker failed to start');
      feed.done();
    };
    feed.attach((f) => {
      if (f.pq.length < f.width * f.height * 3) {
        setError(`Frame of ${f.width}×${f.height} has ${f.pq.length} samples, not ${f.width * f.height * 3}`);
        return feed.done();
      }
      const id = nextId++;
      sent.set(id, { epoch: feed.epoch, sampling: f.sampling ?? null });
      // The frame is the feed's to give: its buffer moves to the worker without a copy.
      w.postMessage({ id, width: f.width, height: f.height, pq: f.pq }, [f.pq.buffer]);
    });
    return () => {
      feed.attach(null);
      feed.onClear = null;
      w.terminate();
    };
  }, [feed]);

  return { result, error };
}
