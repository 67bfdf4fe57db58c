// One shot on the timeline: a filmstrip of its frames (each picture the proxy of the frame under its middle, so a
// missed cut or a merged shot shows), its number and length, its render state as a bar, and a mark when its
// content is animation & graphics (it runs the graphics variant).
import AnimationIcon from '@mui/icons-material/Animation';
import { Box, Tooltip, Typography } from '@mui/material';
import { memo, useEffect, useRef, useState, type RefObject } from 'react';
import type { Clip, Shot, ShotRenderStatus } from '../../../src-main/common/contract';
import { useApi } from '../../api';
import { RenderStateBar } from '../delivery';
import { filmstripCount, filmstripFrames, shotLength } from './programme';

function ShotStripView({
  shot,
  index,
  clip,
  render,
  current,
  selected,
}: {
  shot: Shot;
  index: number;
  clip: Clip | undefined;
  render: ShotRenderStatus | undefined;
  /** Under the playhead. */
  current: boolean;
  selected: boolean;
}) {
  const api = useApi();
  const box = useRef<HTMLDivElement>(null);
  const size = useSize(box);
  // Only a strip in view (or about to be) holds pictures: zoomed in on a long timeline, most are scrolled away.
  const visible = useVisible(box);
  // Pictures as many as fit at the clip's shape, each as wide as the strip divided by their count (at most a
  // little stretched, cropped to fill): the frames then depend on the count alone, not on every pixel of width.
  const count = filmstripCount(size, clip);
  const { clipId, firstFrame, lastFrame } = shot;
  // Pictures of the range and count they were asked for: a strip whose shot changed (a merge keeps the first
  // shot's id) shows none of the old ones while the new ones are on their way.
  const [held, setHeld] = useState<{ key: string; pictures: { frame: number; url: string | null }[] }>({
    key: '',
    pictures: [],
  });
  const key = `${clipId}:${firstFrame}-${lastFrame}/${count}/${clip?.proxyState}`;
  const pictures = held.key === key && visible ? held.pictures : [];
  // What was last asked for: a strip scrolled back into view keeps what it holds instead of asking again.
  const asked = useRef('');
  useEffect(() => {
    if (!count || !visible || asked.current === key) return;
    asked.current = key;
    let stale = false,
      answered = false;
    const frames = filmstripFrames({ firstFrame, lastFrame }, count);
    void api.call('media.proxyFrames', { clipId, frames }).then((r) => {
      answered = true;
      if (stale) return;
      const pictures = r.ok
        ? frames.map((frame, i) => ({ frame, url: r.value.paths[i] ? api.mediaUrl(r.value.paths[i]) : null }))
        : [];
      setHeld({ key, pictures });
    });
    return () => {
      stale = true;
      // Superseded before its answer came: the next run asks again.
      if (!answered && asked.current === key) asked.current = '';
    };
  }, [api, clipId, firstFrame, lastFrame, count, visible, key]);
  return (
    <Box
      data-testid="timeline-shot"
      data-shot-id={shot.id}
      data-selected={selected}
      data-current={current}
      data-render-state={render?.state ?? 'none'}
      data-content={shot.content}
      sx={{
        flex: shotLength(shot),
        minWidth: 6,
        mr: '2px',
        position: 'relative',
        overflow: 'hidden',
        borderRadius: 0.5,
        outline: selected ? '2px solid #8fb4d8' : current ? '1px solid #8fb4d8' : '1px solid rgba(255,255,255,0.12)',
        outlineOffset: -1,
        backgroundColor: '#222',
        filter: selected ? undefined : 'saturate(0.85)',
      }}
      ref={box}
    >
      {pictures.map((p, i) =>
        p.url ? (
          <img
            key={i}
            data-testid="filmstrip-picture"
            data-frame={p.frame}
            src={p.url}
            alt=""
            draggable={false}
            loading="lazy"
            decoding="async"
            style={{
              position: 'absolute',
              top: 0,
              left: `${(100 * i) / pictures.length}%`,
              width: `${100 / pictures.length}%`,
              height: '100%',
              objectFit: 'cover',
              pointerEvents: 'none',
            }}
          />
        ) : null,
      )}
      <RenderStateBar status={render} />
      {shot.content === 'graphics' && (
        <Tooltip title="Content: animation & graphics (the network's graphics variant)">
          <AnimationIcon
            data-testid="timeline-shot-graphics"
            sx={{
              position: 'absolute',
              right: 3,
              bottom: 3,
              fontSize: 14,
              bgcolor: 'rgba(0,0,0,0.6)',
              borderRadius: 0.5,
            }}
          />
        </Tooltip>
      )}
      <Typography
        variant="caption"
        sx={{ position: 'absolute', left: 4, bottom: 2, bgcolor: 'rgba(0,0,0,0.6)', px: 0.5, fontSize: 10 }}
        noWrap
      >
        {index + 1} · {shotLength(shot)}f
      </Typography>
    </Box>
  );
}

function useSize(ref: RefObject<HTMLElement | null>): { width: number; height: number } | null {
  const [size, setSize] = useState<{ width: number; height: number } | null>(null);
  useEffect(() => {
    const el = ref.current;
    if (!el) return;
    const observer = new ResizeObserver(([entry]) => {
      const { width, height } = entry.contentRect;
      setSize((s) => (s && s.width === width && s.height === height ? s : { width, height }));
    });
    observer.observe(el);
    return () => observer.disconnect();
  }, [ref]);
  return size;
}

function useVisible(ref: RefObject<HTMLElement | null>): boolean {
  const [visible, setVisible] = useState(false);
  useEffect(() => {
    const el = ref.current;
    if (!el) return;
    // Against the timeline's scroll box (its margin then reaches past what that box clips); the newest entry wins.
    const observer = new IntersectionObserver((entries) => setVisible(entries.at(-1)!.isIntersecting), {
      root: el.closest('[data-timeline-scroller]'),
      rootMargin: '0px 50%',
    });
    observer.observe(el);
    return () => observer.disconnect();
  }, [ref]);
  return visible;
}

/** Memoised: the project screen re-renders on every playhead move; this only when its own props change. */
export const ShotStrip = memo(ShotStripView);
