// The shot timeline: one block per shot, width by length, thumbnail from the proxy; click or drag to scrub,
// arrow keys step frames (Shift: shots).
import { Box, Typography } from '@mui/material';
import { useEffect, useRef, useState, type MouseEvent } from 'react';
import type { Clip, Shot } from '../../../src-main/common/contract';
import { useApi } from '../../api';
import type { Playhead } from './ProjectScreen';

const HEIGHT = 84;

export function Timeline({ shots, clips, playhead, onSeek }: { shots: Shot[]; clips: Map<string, Clip>; playhead: Playhead | null; onSeek(p: Playhead): void }) {
  const total = shots.reduce((n, s) => n + (s.lastFrame - s.firstFrame + 1), 0);
  const dragging = useRef(false);
  const strip = useRef<HTMLDivElement>(null);

  const seekAt = (e: MouseEvent) => {
    const el = strip.current;
    if (!el || total === 0) return;
    const rect = el.getBoundingClientRect();
    let pos = Math.round(((e.clientX - rect.left) / rect.width) * total);
    pos = Math.max(0, Math.min(total - 1, pos));
    for (const s of shots) {
      const len = s.lastFrame - s.firstFrame + 1;
      if (pos < len) return onSeek({ shot: s, frame: s.firstFrame + pos });
      pos -= len;
    }
  };

  useEffect(() => {
    const onKey = (e: KeyboardEvent) => {
      if (!playhead || (e.target as HTMLElement | null)?.closest('input, textarea')) return;
      const i = shots.findIndex((s) => s.id === playhead.shot.id);
      if (e.key === 'ArrowRight' || e.key === 'ArrowLeft') {
        e.preventDefault();
        const dir = e.key === 'ArrowRight' ? 1 : -1;
        if (e.shiftKey) {
          const s = shots[i + dir];
          if (s) onSeek({ shot: s, frame: s.firstFrame });
          return;
        }
        const f = playhead.frame + dir;
        if (f >= playhead.shot.firstFrame && f <= playhead.shot.lastFrame) onSeek({ shot: playhead.shot, frame: f });
        else {
          const s = shots[i + dir];
          if (s) onSeek({ shot: s, frame: dir > 0 ? s.firstFrame : s.lastFrame });
        }
      }
    };
    window.addEventListener('keydown', onKey);
    return () => window.removeEventListener('keydown', onKey);
  }, [playhead, shots, onSeek]);

  let before = 0;
  if (playhead) {
    for (const s of shots) {
      if (s.id === playhead.shot.id) {
        before += playhead.frame - s.firstFrame;
        break;
      }
      before += s.lastFrame - s.firstFrame + 1;
    }
  }

  return (
    <Box sx={{ borderTop: 1, borderColor: 'divider', bgcolor: 'background.paper', px: 1, py: 1 }}>
      <Box
        ref={strip}
        data-testid="timeline"
        sx={{ position: 'relative', display: 'flex', height: HEIGHT, cursor: 'pointer', userSelect: 'none' }}
        onMouseDown={(e) => {
          dragging.current = true;
          seekAt(e);
        }}
        onMouseMove={(e) => dragging.current && seekAt(e)}
        onMouseUp={() => (dragging.current = false)}
        onMouseLeave={() => (dragging.current = false)}
      >
        {shots.map((s, i) => (
          <ShotBlock key={s.id} shot={s} index={i} clip={clips.get(s.clipId)} selected={playhead?.shot.id === s.id} flex={s.lastFrame - s.firstFrame + 1} />
        ))}
        {playhead && total > 0 && (
          <Box data-testid="playhead" sx={{ position: 'absolute', top: -4, bottom: -4, width: 2, bgcolor: '#e8c170', left: `${(before / total) * 100}%`, pointerEvents: 'none' }} />
        )}
      </Box>
    </Box>
  );
}

function ShotBlock({ shot, index, clip, selected, flex }: { shot: Shot; index: number; clip: Clip | undefined; selected: boolean; flex: number }) {
  const api = useApi();
  const [thumb, setThumb] = useState<string | null>(null);
  useEffect(() => {
    void api.call('media.thumbnail', { shotId: shot.id }).then((r) => setThumb(r.ok && r.value.path ? api.mediaUrl(r.value.path) : null));
  }, [api, shot.id, shot.firstFrame, clip?.proxyState]);
  return (
    <Box
      data-testid="timeline-shot"
      sx={{
        flex,
        minWidth: 24,
        mr: '2px',
        position: 'relative',
        overflow: 'hidden',
        borderRadius: 0.5,
        outline: selected ? '2px solid #8fb4d8' : '1px solid rgba(255,255,255,0.12)',
        outlineOffset: -1,
        backgroundColor: '#222',
        backgroundImage: thumb ? `url("${thumb}")` : undefined,
        backgroundSize: 'cover',
        backgroundPosition: 'center',
      }}
    >
      <Typography variant="caption" sx={{ position: 'absolute', left: 4, bottom: 2, bgcolor: 'rgba(0,0,0,0.6)', px: 0.5, fontSize: 10 }} noWrap>
        {index + 1} · {shot.lastFrame - shot.firstFrame + 1}f
      </Typography>
    </Box>
  );
}
