// Which pictures the viewer holds for the playhead: the proxy at once (latest wins: while one decodes, only the
// newest wanted frame is fetched next, so playback drops frames instead of queueing them); once the playhead has
// rested ~150 ms, the full-resolution source frame, then the network's output for it (both held per frame, and
// never fetched twice at once). Each replaces the picture on screen only when it is ready, and only if the
// playhead is still on its frame.
import { useEffect, useRef, useState } from 'react';
import type { Clip } from '../../../src-main/common/contract';
import type { ConnectedApi } from '../../api';
import { loadNetworkFrame, loadProxy, loadSourceFrame, networkCache, sourceCache } from './frames';
import type { ViewerPipeline } from './pipeline';

export const SETTLE_MS = 150;

export interface PictureState {
  /** What the SDR picture is: the 8-bit proxy or the full-resolution frame. */
  sdr: 'proxy' | 'full' | null;
  hdr: 'analytic' | 'network';
  /** The network's model file, when hdr is 'network'. */
  model: string | null;
  /** Why a better picture is not on screen (source frame or network unavailable), or why none is. */
  notes: string[];
}

const EMPTY: PictureState = { sdr: null, hdr: 'analytic', model: null, notes: [] };

export function usePictures(
  api: ConnectedApi,
  pipeline: ViewerPipeline | null,
  clip: Clip | null,
  frame: number | null,
  moving: boolean,
  repaint: () => void,
  networkWidth: () => number,
): PictureState {
  const [state, setState] = useState<PictureState>(EMPTY);
  const token = useRef(0);
  const proxy = useRef<{ busy: boolean; wanted: { clip: Clip; frame: number; token: number } | null }>({
    busy: false,
    wanted: null,
  });
  const sources = useRef(sourceCache());
  const networks = useRef(networkCache());
  const level = useRef<'proxy' | 'full' | null>(null);

  useEffect(() => {
    const t = ++token.current;
    level.current = null;
    if (!pipeline || !clip || frame === null) return;

    const fetchProxy = async (want: { clip: Clip; frame: number; token: number }) => {
      proxy.current.busy = true;
      const r = await loadProxy(api, want.clip, want.frame);
      proxy.current.busy = false;
      if (want.token === token.current && level.current === null) {
        if (r.ok) {
          pipeline.setSdr(r.value);
          pipeline.setNetwork(null);
          level.current = 'proxy';
          setState({ sdr: 'proxy', hdr: 'analytic', model: null, notes: [] });
          repaint();
        } else setState((s) => ({ ...s, notes: [r.message] }));
      }
      const next = proxy.current.wanted;
      proxy.current.wanted = null;
      if (next && next.token === token.current) void fetchProxy(next);
    };
    const want = { clip, frame, token: t };
    if (proxy.current.busy) proxy.current.wanted = want;
    else void fetchProxy(want);

    if (moving) return;
    const timer = setTimeout(async () => {
      const notes: string[] = [];
      const src = await sources.current.load(clip, frame, () => loadSourceFrame(api, clip, frame));
      if (t !== token.current) return;
      if (src.ok) {
        const cached = networks.current.get(clip, frame);
        pipeline.setSdr(src.value);
        pipeline.setNetwork(cached ?? null);
        level.current = 'full';
        setState({ sdr: 'full', hdr: cached ? 'network' : 'analytic', model: cached?.model ?? null, notes });
        repaint();
        if (cached) return;
      } else {
        notes.push(`Full-resolution frame unavailable (${src.message}): showing the proxy`);
        setState((s) => ({ ...s, notes: [...notes] }));
      }
      const width = src.ok ? src.value.width : networkWidth();
      const net = await networks.current.load(clip, frame, () => loadNetworkFrame(api, clip, frame, width));
      if (t !== token.current) return;
      if (!net.ok) {
        // 'cancelled' means a newer frame superseded this one: expected while scrubbing, nothing to say.
        if (net.code !== 'cancelled')
          notes.push(`Network output unavailable (${net.message}): showing the analytic base`);
        setState((s) => ({ ...s, notes: [...notes] }));
        return;
      }
      pipeline.setNetwork(net.value);
      setState((s) => ({ ...s, hdr: 'network', model: net.value.model, notes }));
      repaint();
    }, SETTLE_MS);
    return () => clearTimeout(timer);
  }, [api, pipeline, clip, frame, moving, repaint, networkWidth]);

  return clip && frame !== null ? state : EMPTY;
}
