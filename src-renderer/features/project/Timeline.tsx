// The shot timeline: each shot a strip of its thumbnail, as wide as it is long; zoom, click or drag to scrub,
// Shift/Ctrl+click to select shots; in/out marks shaded. The keys are the project screen's (keys.ts).
import { Box, IconButton, Stack, Tooltip, Typography } from '@mui/material';
import CloseIcon from '@mui/icons-material/Close';
import KeyboardIcon from '@mui/icons-material/KeyboardOutlined';
import ZoomInIcon from '@mui/icons-material/ZoomIn';
import ZoomOutIcon from '@mui/icons-material/ZoomOut';
import { memo, useEffect, useRef, type PointerEvent as ReactPointerEvent } from 'react';
import type { Clip, Shot, ShotRenderStatus } from '../../../src-main/common/contract';
import { programmeFrame, programmeLength, shotLength, shotStarts, type Marks, type Playhead } from './programme';
import { ShotStrip } from './ShotStrip';
import { frameToTimecode } from './timecode';

export const MAX_ZOOM = 64;
export type SelectMode = 'only' | 'range' | 'toggle';

export function Timeline({
  shots,
  clips,
  renders,
  playhead,
  selected,
  marks,
  zoom,
  onZoom,
  onSeek,
  onSelect,
  onClearMarks,
  onShowShortcuts,
}: {
  shots: Shot[];
  clips: Map<string, Clip>;
  /** Each shot's render state, drawn as a bar on its strip. */
  renders: Map<string, ShotRenderStatus>;
  playhead: Playhead | null;
  selected: ReadonlySet<string>;
  marks: Marks;
  /** 1: the whole timeline in view; n: n times wider, scrolled. */
  zoom: number;
  onZoom(zoom: number): void;
  /** To a programme frame. */
  onSeek(frame: number): void;
  onSelect(shotId: string, mode: SelectMode): void;
  onClearMarks(): void;
  onShowShortcuts(): void;
}) {
  const total = programmeLength(shots);
  const starts = shotStarts(shots);
  const scroller = useRef<HTMLDivElement>(null);
  const strip = useRef<HTMLDivElement>(null);
  const scrubbing = useRef(false);
  const at = playhead ? programmeFrame(shots, playhead) : 0;
  const pct = (f: number) => `${(f / Math.max(1, total)) * 100}%`;

  const frameAt = (clientX: number): number => {
    const rect = strip.current!.getBoundingClientRect();
    return Math.floor(((clientX - rect.left) / rect.width) * total);
  };
  const shotAt = (frame: number): Shot | undefined =>
    shots.find((s, i) => frame < starts[i] + shotLength(s)) ?? shots.at(-1);

  const onPointerDown = (e: ReactPointerEvent) => {
    if (total === 0 || e.button !== 0) return;
    const f = frameAt(e.clientX);
    const shot = shotAt(f);
    if (shot && (e.shiftKey || e.ctrlKey || e.metaKey)) return onSelect(shot.id, e.shiftKey ? 'range' : 'toggle');
    e.currentTarget.setPointerCapture(e.pointerId);
    scrubbing.current = true;
    onSeek(f);
  };

  // Zoomed in, the playhead stays in view as it moves.
  useEffect(() => {
    const el = scroller.current;
    if (!el || zoom === 1 || total === 0) return;
    const x = (at / total) * el.scrollWidth;
    if (x < el.scrollLeft || x > el.scrollLeft + el.clientWidth) el.scrollLeft = x - el.clientWidth / 2;
  }, [at, total, zoom]);

  // Ctrl+wheel zooms about the pointer (a non-passive listener: React's wheel handler cannot preventDefault).
  useEffect(() => {
    const el = scroller.current;
    if (!el) return;
    const onWheel = (e: WheelEvent) => {
      if (!e.ctrlKey) return;
      e.preventDefault();
      const next = Math.max(1, Math.min(MAX_ZOOM, zoom * (e.deltaY < 0 ? 1.25 : 0.8)));
      const x = e.clientX - el.getBoundingClientRect().left;
      const anchor = (el.scrollLeft + x) / el.scrollWidth;
      onZoom(next);
      requestAnimationFrame(() => (el.scrollLeft = anchor * el.scrollWidth - x));
    };
    el.addEventListener('wheel', onWheel, { passive: false });
    return () => el.removeEventListener('wheel', onWheel);
  }, [zoom, onZoom]);

  const clip = playhead ? clips.get(playhead.shot.clipId) : undefined;
  const shotIndex = playhead ? shots.findIndex((s) => s.id === playhead.shot.id) : -1;
  const marked = marks.in !== null || marks.out !== null;
  const from = marks.in ?? 0;
  const to = marks.out ?? total - 1;

  return (
    <Box sx={{ height: '100%', display: 'flex', flexDirection: 'column', bgcolor: 'background.paper', minHeight: 0 }}>
      <Stack direction="row" sx={{ alignItems: 'center', gap: 2, px: 1, minHeight: 30 }}>
        <Typography variant="caption" sx={{ fontFamily: 'monospace' }} data-testid="playhead-readout">
          {playhead && clip
            ? `Shot ${shotIndex + 1}/${shots.length} · frame ${playhead.frame} · ${frameToTimecode(playhead.frame, clip.frameRate, clip.startTimecode)}`
            : 'No shots'}
        </Typography>
        {marked && (
          <Stack direction="row" sx={{ alignItems: 'center' }}>
            <Typography variant="caption" sx={{ fontFamily: 'monospace', color: '#e8c170' }} data-testid="marks">
              In {marks.in ?? '–'} · Out {marks.out ?? '–'}
              {marks.in !== null && marks.out !== null
                ? ` · ${marks.out - marks.in + 1} frame${marks.out === marks.in ? '' : 's'}`
                : ''}
            </Typography>
            <Tooltip title="Clear in and out (X)">
              <IconButton size="small" onClick={onClearMarks} aria-label="Clear in and out">
                <CloseIcon sx={{ fontSize: 14 }} />
              </IconButton>
            </Tooltip>
          </Stack>
        )}
        {selected.size > 1 && (
          <Typography variant="caption" color="text.secondary" data-testid="selection-count">
            {selected.size} shots selected
          </Typography>
        )}
        <Box sx={{ flex: 1 }} />
        <ZoomControls zoom={zoom} onZoom={onZoom} onShowShortcuts={onShowShortcuts} />
      </Stack>
      <Box
        ref={scroller}
        data-timeline-scroller
        sx={{ flex: 1, minHeight: 0, overflowX: zoom > 1 ? 'auto' : 'hidden', overflowY: 'hidden', px: 1, pb: 1 }}
      >
        <Box
          ref={strip}
          data-testid="timeline"
          data-zoom={zoom}
          sx={{
            position: 'relative',
            display: 'flex',
            height: '100%',
            width: `${zoom * 100}%`,
            cursor: 'pointer',
            userSelect: 'none',
            touchAction: 'none',
          }}
          onPointerDown={onPointerDown}
          onPointerMove={(e) => scrubbing.current && onSeek(frameAt(e.clientX))}
          onPointerUp={() => (scrubbing.current = false)}
          onPointerCancel={() => (scrubbing.current = false)}
        >
          {shots.map((s, i) => (
            <ShotStrip
              key={s.id}
              shot={s}
              index={i}
              clip={clips.get(s.clipId)}
              render={renders.get(s.id)}
              current={playhead?.shot.id === s.id}
              selected={selected.has(s.id)}
            />
          ))}
          {marked && total > 0 && (
            <Box
              data-testid="marked-range"
              sx={{
                position: 'absolute',
                top: 0,
                bottom: 0,
                left: pct(from),
                width: pct(Math.max(0, to - from + 1)),
                bgcolor: 'rgba(232,193,112,0.18)',
                borderLeft: marks.in !== null ? '2px solid #e8c170' : undefined,
                borderRight: marks.out !== null ? '2px solid #e8c170' : undefined,
                pointerEvents: 'none',
              }}
            />
          )}
          {playhead && total > 0 && (
            <Box
              data-testid="playhead"
              sx={{
                position: 'absolute',
                top: -2,
                bottom: -2,
                width: 2,
                bgcolor: '#e8c170',
                left: pct(at),
                pointerEvents: 'none',
              }}
            />
          )}
        </Box>
      </Box>
    </Box>
  );
}

// Its own memoised component: the playhead moves on every key, the zoom buttons (MUI tooltips) only with the zoom.
const ZoomControls = memo(function ZoomControls({
  zoom,
  onZoom,
  onShowShortcuts,
}: {
  zoom: number;
  onZoom(zoom: number): void;
  onShowShortcuts(): void;
}) {
  return (
    <>
      <Tooltip title="Zoom out (−)">
        <span>
          <IconButton
            size="small"
            disabled={zoom <= 1}
            onClick={() => onZoom(Math.max(1, zoom / 2))}
            aria-label="Zoom out"
          >
            <ZoomOutIcon fontSize="small" />
          </IconButton>
        </span>
      </Tooltip>
      <Typography
        variant="caption"
        color="text.secondary"
        sx={{ minWidth: 32, textAlign: 'center' }}
        data-testid="timeline-zoom"
      >
        {zoom >= 10 ? Math.round(zoom) : Math.round(zoom * 10) / 10}×
      </Typography>
      <Tooltip title="Zoom in (+)">
        <span>
          <IconButton
            size="small"
            disabled={zoom >= MAX_ZOOM}
            onClick={() => onZoom(Math.min(MAX_ZOOM, zoom * 2))}
            aria-label="Zoom in"
          >
            <ZoomInIcon fontSize="small" />
          </IconButton>
        </span>
      </Tooltip>
      <Tooltip title="Keyboard shortcuts (?)">
        <IconButton size="small" onClick={onShowShortcuts} aria-label="Keyboard shortcuts" data-testid="open-shortcuts">
          <KeyboardIcon fontSize="small" />
        </IconButton>
      </Tooltip>
    </>
  );
});
