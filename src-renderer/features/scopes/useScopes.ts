// Feeds frames to the scopes worker: one at a time, and while it is busy only the newest waits (the
// frames in between are dropped, so the scopes keep up with scrubbing instead of queueing behind it).
import { useEffect, useRef, useState } from 'react';
import type { ScopesReply, ScopesResult } from './protocol';

export interface ScopeFrame {
  width: number;
  height: number;
  /** Interleaved BT.2020 PQ R'G'B', 16-bit full range (0 = 0 nits, 65535 = 10000 nits). */
  pq: Uint16Array;
}

export function useScopes(frame: ScopeFrame | null): { result: ScopesResult | null; error: string | null } {
  const [result, setResult] = useState<ScopesResult | null>(null);
  const [error, setError] = useState<string | null>(null);
  const worker = useRef<Worker | null>(null);
  const busy = useRef(false);
  const waiting = useRef<ScopeFrame | null>(null);
  const nextId = useRef(1);

  const send = (w: Worker, f: ScopeFrame) => {
    busy.current = true;
    waiting.current = null;
    // A copy to transfer: the frame stays the viewer's.
    const pq = f.pq.slice();
    w.postMessage({ id: nextId.current++, width: f.width, height: f.height, pq }, [pq.buffer]);
  };

  useEffect(() => {
    const w = new Worker(new URL('./scopes.worker.ts', import.meta.url), { type: 'module' });
    worker.current = w;
    w.onmessage = (e: MessageEvent<ScopesReply>) => {
      busy.current = false;
      const r = e.data;
      if (r.ok) {
        setError(null);
        setResult((old) => {
          old?.waveform.close();
          old?.parade.close();
          old?.cie.close();
          return r;
        });
      } else setError(r.message);
      if (waiting.current) send(w, waiting.current);
    };
    w.onerror = (e) => {
      busy.current = false;
      setError(e.message || 'The scopes worker failed to start');
    };
    return () => {
      w.terminate();
      worker.current = null;
      busy.current = false;
    };
  }, []);

  useEffect(() => {
    const w = worker.current;
    if (!frame) {
      waiting.current = null;
      setResult(null);
      return;
    }
    if (frame.pq.length < frame.width * frame.height * 3) {
      setError(
        `Frame of ${frame.width}×${frame.height} has ${frame.pq.length} samples, not ${frame.width * frame.height * 3}`,
      );
      return;
    }
    if (!w || busy.current) waiting.current = frame;
    else send(w, frame);
  }, [frame]);

  return { result, error };
}
