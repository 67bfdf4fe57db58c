// Which pictures the viewer holds for the playhead: the proxy at once (latest wins: while one decodes, only the
// newest wanted frame is fetched next, so playback drops frames instead of queueing them; the next few in the
// direction of travel are read ahead); once the playhead has rested ~150 ms (or twice what the last full frame
// cost, where that is more), the full-resolution source frame, then a rendered shot's frame from its render, or
// else after ~1 s the network's output (all held per frame, and never fetched twice at once). Each replaces the
// picture on screen only when it is ready, and only if the playhead is still on its frame.
import { useCallback, useEffect, useRef, useState } from 'react';
import type { ShotContent } from '../../../src-main/common/colour/grade';
import type { Clip, InferenceStatus } from '../../../src-main/common/contract';
import { useCall, useEvent, type ConnectedApi } from '../../api';
import {
  loadNetworkFrame,
  loadProxy,
  loadRenderedFrame,
  loadSourceFrame,
  networkCache,
  proxyCache,
  renderedCache,
  sourceCache,
  type Loaded,
  type RenderedShot,
} from './frames';
import type { SdrPicture, ViewerPipeline } from './pipeline';

export const SETTLE_MS = 150;
/** The longest rest asked for before the full-resolution frame, however slow it proved. */
const MAX_SETTLE_MS = 800;
/** Rest before the network's output is asked for (after the full-resolution frame). */
export const NETWORK_SETTLE_MS = 1000;
/** Proxies fetched ahead of the playhead in the direction it moves. */
const READ_AHEAD = 12;
/**
 * Reads ahead at once: a proxy costs two round trips to the host (its path, its bytes) and a decode, so two in
 * flight keep up with a playhead moving a frame per animation frame where one at a time falls behind.
 */
const READ_AHEAD_LANES = 2;

export interface PictureState {
  /** What the SDR picture is: the 8-bit proxy or the full-resolution frame. */
  sdr: 'proxy' | 'full' | null;
  hdr: 'analytic' | 'network' | 'rendered';
  /** The network's model file, when hdr is 'network' or 'rendered'. */
  model: string | null;
  /** Why a better picture is not on screen (source frame or network unavailable), or why none is. */
  notes: string[];
}

const EMPTY: PictureState = { sdr: null, hdr: 'analytic', model: null, notes: [] };

const modelOf = (s: InferenceStatus | undefined) => (s?.model ? `${s.model.file}:${s.model.precision}` : null);

/**
 * The worker's model (file and precision), part of the network frames' cache key: after a switch of model the
 * viewer asks again instead of showing the old model's frame. While the worker restarts (no model), the last one.
 */
function useModelKey(): string {
  const initial = useCall('inference.status', {});
  const [live, setLive] = useState<string | null>(null);
  useEvent(
    'inference.state',
    useCallback((s: InferenceStatus) => {
      const k = modelOf(s);
      if (k) setLive(k);
    }, []),
  );
  return live ?? modelOf(initial.value ?? undefined) ?? '';
}

/**
 * The same clip object while its content is the same: the project is fetched anew after every change in the
 * library (a grade among them), and a new but equal clip would restart its frame's pictures from the proxy.
 */
function useStableClip(clip: Clip | null): Clip | null {
  const held = useRef<{ clip: Clip | null; json: string }>({ clip: null, json: 'null' });
  const json = JSON.stringify(clip);
  if (json !== held.current.json) held.current = { clip, json };
  return held.current.clip;
}

export function usePictures(
  api: ConnectedApi,
  pipeline: ViewerPipeline | null,
  clipProp: Clip | null,
  frame: number | null,
  moving: boolean,
  /** Draws the pipeline's new picture: at once, or on the next animation frame when this one was already drawn. */
  show: () => void,
  networkWidth: () => number,
  /** The shot's content (its grade's): which network variant's frame to show. */
  content: ShotContent,
  /** The playhead's shot when its render is current: its frames then come from the render, not the network. */
  rendered: RenderedShot | null,
  /**
   * Zoomed in past the source's own pixels: a rendered frame is then fetched at the render's full size (the
   * network's real output); otherwise at the viewer's picture size, which a fit view draws without aliasing.
   */
  closeUp: boolean,
): PictureState {
  const clip = useStableClip(clipProp);
  const [state, setState] = useState<PictureState>(EMPTY);
  const token = useRef(0);
  const proxy = useRef<{
    busy: boolean;
    wanted: { clip: Clip; frame: number; token: number } | null;
    /** The playhead position (token) whose proxy is on screen. */
    shown: number;
  }>({ busy: false, wanted: null, shown: 0 });
  const proxies = useRef(proxyCache());
  const ahead = useRef<{ running: number; clip: Clip | null; from: number; step: number }>({
    running: 0,
    clip: null,
    from: 0,
    step: 1,
  });
  const sources = useRef(sourceCache());
  const networks = useRef(networkCache());
  const renders = useRef(renderedCache());
  // The same shot and render give the same key, so a new but equal object does not restart the frame's pictures.
  const renderedKey = rendered ? `${rendered.shotId}|${rendered.key}` : '';
  const renderedShot = useRef(rendered);
  renderedShot.current = rendered;
  const level = useRef<'proxy' | 'full' | null>(null);
  /**
   * What the last full-resolution frame cost, from the rest's end to its picture on screen (load, upload, grade).
   * The playhead must rest twice that before the next one: where it costs more than the rest itself (software
   * WebGL takes 200-400 ms), a walk of key presses would otherwise queue each press behind a full frame.
   */
  const fullCost = useRef(0);
  // The cache key: the worker's model, and the variant the shot's content picks from it.
  const model = `${useModelKey()}|${content}`;
  /** The width the HDR pictures are asked for at: the full-resolution frame's, else the viewer's. */
  const hdrWidth = useRef(0);
  const closeUpNow = useRef(closeUp);
  closeUpNow.current = closeUp;
  /** Which size of HDR picture the view wants: the full output zoomed in, else the viewer's picture size. */
  const sizeKey = () => (closeUpNow.current ? 'full' : String(hdrWidth.current));
  const renderKey = (shot: RenderedShot) => `${shot.shotId}|${shot.key}|${sizeKey()}`;

  /**
   * After the full-resolution frame (`t`: the playhead position it is for): a rendered shot's frame from its
   * render (one decode of the render cache, asked for at once, and the network not run for it); otherwise, once
   * the playhead has clearly stopped (`wait` ms: the network runs for seconds and takes the CPU from everything
   * else where there is no GPU), the network's output.
   */
  const upgradeHdr = useCallback(
    async (t: number, c: Clip, f: number, notes: string[], wait: number): Promise<void> => {
      if (!pipeline) return;
      const shot = renderedShot.current;
      const width = hdrWidth.current;
      if (shot) {
        const r = await renders.current.load(
          c,
          f,
          () => loadRenderedFrame(api, shot, f, closeUpNow.current ? undefined : width),
          renderKey(shot),
        );
        if (t !== token.current) return;
        if (r.ok) {
          pipeline.setRendered(r.value);
          setState((s) => ({ ...s, hdr: 'rendered', model: r.value.model, notes }));
          show();
          return;
        }
        if (r.code !== 'cancelled') notes.push(`Rendered frame unavailable (${r.message}): asking the network`);
        setState((s) => ({ ...s, notes: [...notes] }));
      }
      await new Promise((r) => setTimeout(r, wait));
      if (t !== token.current) return;
      const net = await networks.current.load(
        c,
        f,
        () => loadNetworkFrame(api, c, f, closeUpNow.current ? undefined : width, content),
        `${model}|${sizeKey()}`,
      );
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
      show();
    },
    [api, pipeline, show, model, content],
  );

  useEffect(() => {
    const t = ++token.current;
    level.current = null;
    if (!pipeline || !clip || frame === null) return;

    const showProxy = (r: Loaded<SdrPicture>, of: number) => {
      if (r.ok) {
        pipeline.setSdr(r.value);
        pipeline.setNetwork(null);
        pipeline.setRendered(null);
        proxy.current.shown = of;
        if (of === token.current) level.current = 'proxy';
        setState((s) =>
          s.sdr === 'proxy' && s.hdr === 'analytic' && s.notes.length === 0
            ? s
            : { sdr: 'proxy', hdr: 'analytic', model: null, notes: [] },
        );
        show();
      } else setState((s) => ({ ...s, notes: [r.message] }));
    };
    const fetchProxy = async (want: { clip: Clip; frame: number; token: number }) => {
      proxy.current.busy = true;
      const r = await proxies.current.load(want.clip, want.frame, () => loadProxy(api, want.clip, want.frame));
      proxy.current.busy = false;
      // A frame the playhead has since left is still shown while nothing newer is on screen: scrubbing faster
      // than proxies arrive then moves through the frames it passes instead of freezing until it stops. The
      // playhead's own frame replaces it when it arrives (and the full-resolution frame once it rests).
      const current = want.token === token.current;
      const passed = r.ok && want.clip.id === clip.id && want.token > proxy.current.shown;
      if (level.current === null && (current || passed)) showProxy(r, want.token);
      const next = proxy.current.wanted;
      proxy.current.wanted = null;
      if (next && next.token === token.current) void fetchProxy(next);
      else startReadAhead();
    };
    // The proxies the playhead is heading for, fetched while the colorist looks at this one: the next key press
    // then paints from memory instead of waiting for the host. Each lane takes the nearest frame ahead of the
    // playhead (as it is now) that is neither held nor already on its way.
    const readAhead = async () => {
      const a = ahead.current;
      if (a.running >= READ_AHEAD_LANES) return;
      a.running++;
      try {
        for (;;) {
          const { clip: c, from, step } = a;
          let f = -1;
          for (let k = 1; c && k <= READ_AHEAD; k++) {
            const g = from + step * k;
            if (g < 0 || g >= c.frameCount) break;
            if (!proxies.current.has(c, g)) {
              f = g;
              break;
            }
          }
          if (!c || f < 0) break;
          const r = await proxies.current.load(c, f, () => loadProxy(api, c, f));
          if (!r.ok) break;
        }
      } finally {
        a.running--;
      }
    };
    const startReadAhead = () => {
      for (let i = 0; i < READ_AHEAD_LANES; i++) void readAhead();
    };
    const a = ahead.current;
    a.step = a.clip === clip && frame < a.from ? -1 : 1;
    a.clip = clip;
    a.from = frame;

    const held = proxies.current.get(clip, frame);
    if (held) {
      showProxy({ ok: true, value: held }, t);
      startReadAhead();
    } else {
      const want = { clip, frame, token: t };
      if (proxy.current.busy) proxy.current.wanted = want;
      else void fetchProxy(want);
    }

    if (moving) return;
    const settle = Math.min(MAX_SETTLE_MS, Math.max(SETTLE_MS, 2 * fullCost.current));
    const timer = setTimeout(async () => {
      const started = performance.now();
      const notes: string[] = [];
      const loadSource = () =>
        sources.current.load(clip, frame, () => loadSourceFrame(api, clip, frame, () => t === token.current));
      let src = await loadSource();
      if (t !== token.current) return;
      // A load shared with an earlier visit to this frame, dropped when the playhead left it: ask again.
      if (!src.ok && src.code === 'cancelled') src = await loadSource();
      if (t !== token.current) return;
      hdrWidth.current = src.ok ? src.value.width : networkWidth();
      const shot = renderedShot.current;
      if (src.ok) {
        const cached = networks.current.get(clip, frame, `${model}|${sizeKey()}`);
        const render = shot ? renders.current.get(clip, frame, renderKey(shot)) : undefined;
        pipeline.setSdr(src.value);
        pipeline.setNetwork(cached ?? null);
        pipeline.setRendered(render ?? null);
        level.current = 'full';
        const hdr = render ? 'rendered' : cached ? 'network' : 'analytic';
        setState({ sdr: 'full', hdr, model: render?.model ?? cached?.model ?? null, notes });
        show();
        // Drawn now (or on the next animation frame); the frame after that one starts once the draw is done.
        requestAnimationFrame(() => requestAnimationFrame(() => (fullCost.current = performance.now() - started)));
        // A rendered shot wants its render's frame even where the network's is held.
        if (render || (cached && !shot)) return;
      } else {
        notes.push(`Full-resolution frame unavailable (${src.message}): showing the proxy`);
        setState((s) => ({ ...s, notes: [...notes] }));
      }
      await upgradeHdr(t, clip, frame, notes, Math.max(0, NETWORK_SETTLE_MS - settle));
    }, settle);
    return () => clearTimeout(timer);
  }, [api, pipeline, clip, frame, moving, show, networkWidth, model, upgradeHdr]);

  // The shot rendered, or its render no longer standing (a grade saved since), or a rendered shot zoomed past or
  // back to its source's pixels, while the playhead rests on a full frame: only the HDR picture changes, without
  // starting over from the proxy.
  const seen = useRef({ renderedKey, closeUp });
  useEffect(() => {
    const was = seen.current;
    if (was.renderedKey === renderedKey && was.closeUp === closeUp) return;
    seen.current = { renderedKey, closeUp };
    if (!pipeline || !clip || frame === null || level.current !== 'full') return; // the chain above reads them
    if (!renderedKey) {
      pipeline.setRendered(null);
      setState((s) => (s.hdr === 'rendered' ? { ...s, hdr: pipeline.hasNetwork ? 'network' : 'analytic' } : s));
      show();
    }
    // A new position for the same frame: what the chain above still had on its way for it is dropped. A zoom
    // asks at once; a render gone stale waits the usual rest before the network.
    const wait = renderedKey || was.closeUp !== closeUp ? 0 : NETWORK_SETTLE_MS;
    void upgradeHdr(++token.current, clip, frame, [], wait);
  }, [renderedKey, closeUp, pipeline, clip, frame, show, upgradeHdr]);

  return clip && frame !== null ? state : EMPTY;
}
