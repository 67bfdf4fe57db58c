// One shot on the timeline: its thumbnail repeated along its length (a filmstrip), its number and length, its
// render state as a bar, and a mark when its content is animation & graphics (it runs the graphics variant).
import AnimationIcon from '@mui/icons-material/Animation';
import { Box, Tooltip, Typography } from '@mui/material';
import { memo, useEffect, useState } from 'react';
import type { Clip, Shot, ShotRenderStatus } from '../../../src-main/common/contract';
import { useApi } from '../../api';
import { RenderStateBar } from '../delivery';
import { shotLength } from './programme';

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
  const [thumb, setThumb] = useState<string | null>(null);
  useEffect(() => {
    let stale = false;
    void api.call('media.thumbnail', { shotId: shot.id }).then((r) => {
      if (!stale) setThumb(r.ok && r.value.path ? api.mediaUrl(r.value.path) : null);
    });
    return () => {
      stale = true;
    };
  }, [api, shot.id, shot.firstFrame, clip?.proxyState]);
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
        backgroundImage: thumb ? `url("${thumb}")` : undefined,
        backgroundSize: 'auto 100%',
        backgroundRepeat: 'repeat-x',
        filter: selected ? undefined : 'saturate(0.85)',
      }}
    >
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

/** Memoised: the project screen re-renders on every playhead move; this only when its own props change. */
export const ShotStrip = memo(ShotStripView);
