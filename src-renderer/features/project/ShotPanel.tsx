// The selected shot: where it comes from, and the edit operations a colorist fixes shot detection with.
import { Alert, Box, Button, Divider, Stack, Typography } from '@mui/material';
import { useState } from 'react';
import type { Clip, Shot } from '../../../src-main/common/contract';
import { useApi } from '../../api';
import { frameToTimecode } from './timecode';

export function ShotPanel({ shot, clip, frame, shots }: { shot: Shot | null; clip: Clip | null; frame: number | null; shots: Shot[] }) {
  const api = useApi();
  const [error, setError] = useState<string | null>(null);
  if (!shot || !clip) {
    return (
      <Box sx={{ p: 2 }}>
        <Typography variant="body2" color="text.secondary">
          No shot selected.
        </Typography>
      </Box>
    );
  }
  const i = shots.findIndex((s) => s.id === shot.id);
  const next = shots[i + 1];
  const canMerge = next && next.clipId === shot.clipId && next.firstFrame === shot.lastFrame + 1;
  const act = async (p: Promise<{ ok: boolean; error?: { message: string } }>) => {
    const r = await p;
    setError(r.ok ? null : r.error?.message ?? 'Failed');
  };
  const row = (label: string, value: string) => (
    <Stack direction="row" sx={{ justifyContent: 'space-between' }}>
      <Typography variant="caption" color="text.secondary">
        {label}
      </Typography>
      <Typography variant="caption" sx={{ fontFamily: 'monospace' }}>
        {value}
      </Typography>
    </Stack>
  );
  return (
    <Stack sx={{ p: 2, gap: 1 }} data-testid="shot-panel">
      <Typography variant="subtitle2">Shot {i + 1}</Typography>
      {row('Clip', clip.name)}
      {row('Frames', `${shot.firstFrame}–${shot.lastFrame} (${shot.lastFrame - shot.firstFrame + 1})`)}
      {row('Source in', shot.startTimecode)}
      {row('Source out', shot.endTimecode)}
      {row('Clip format', `${clip.width}×${clip.height} · ${clip.frameRate} fps`)}
      {frame !== null && row('Playhead', frameToTimecode(frame, clip.frameRate, clip.startTimecode))}
      <Divider sx={{ my: 1 }} />
      <Stack direction="row" sx={{ gap: 1 }}>
        <Button size="small" variant="outlined" disabled={frame === null || frame <= shot.firstFrame} onClick={() => void act(api.call('shots.split', { shotId: shot.id, frame: frame! }))} data-testid="split-shot">
          Split at playhead
        </Button>
        <Button size="small" variant="outlined" disabled={!canMerge} onClick={() => void act(api.call('shots.merge', { shotIds: [shot.id, next!.id] }))} data-testid="merge-next">
          Merge with next
        </Button>
      </Stack>
      <Stack direction="row" sx={{ gap: 1 }}>
        <Button size="small" disabled={i <= 0} onClick={() => void act(api.call('shots.reorder', { projectId: shot.projectId, shotIds: moved(shots, i, -1) }))}>
          Move earlier
        </Button>
        <Button size="small" disabled={i >= shots.length - 1} onClick={() => void act(api.call('shots.reorder', { projectId: shot.projectId, shotIds: moved(shots, i, 1) }))}>
          Move later
        </Button>
      </Stack>
      <Button
        size="small"
        disabled={shot.gradeVersion === 0 || shots.length < 2}
        onClick={() => void act(api.call('grades.copy', { fromShotId: shot.id, toShotIds: shots.filter((s) => s.id !== shot.id).map((s) => s.id) }))}
        data-testid="copy-grade"
      >
        Copy grade to all other shots
      </Button>
      {error && <Alert severity="error">{error}</Alert>}
    </Stack>
  );
}

function moved(shots: Shot[], i: number, dir: -1 | 1): string[] {
  const ids = shots.map((s) => s.id);
  [ids[i], ids[i + dir]] = [ids[i + dir], ids[i]];
  return ids;
}
