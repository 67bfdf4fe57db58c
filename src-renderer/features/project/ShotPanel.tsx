// The shot under the playhead: where it comes from, and the edit operations a colorist fixes shot detection
// with (split and merge also on S and M).
import { Box, Button, Divider, Stack, Typography } from '@mui/material';
import type { Clip, Shot, ShotRenderStatus } from '../../../src-main/common/contract';
import { describeSourceColour } from '../../../src-main/common/colour/source-colour';
import { useApi } from '../../api';
import { formatNits, renderStateLabel } from '../delivery';
import { useReportFailure } from '../status-bar';
import { frameToTimecode } from './timecode';
import type { useShotEdits } from './useShotEdits';

export function ShotPanel({
  shot,
  clip,
  frame,
  shots,
  render,
  edits,
}: {
  shot: Shot | null;
  clip: Clip | null;
  frame: number | null;
  shots: Shot[];
  /** The shot's render state and, once rendered, its measured light. */
  render: ShotRenderStatus | null;
  edits: ReturnType<typeof useShotEdits>;
}) {
  const api = useApi();
  const report = useReportFailure();
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
  const row = (label: string, value: string, warning?: string | null) => (
    <Stack direction="row" sx={{ justifyContent: 'space-between' }} title={warning ?? undefined}>
      <Typography variant="caption" color="text.secondary">
        {label}
      </Typography>
      <Typography
        variant="caption"
        sx={{ fontFamily: 'monospace', color: warning ? 'warning.main' : undefined }}
        data-warning={warning ? 'true' : undefined}
      >
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
      {row(
        'Source colour',
        clip.colourWarning
          ? `Not SDR: ${describeSourceColour(clip.probe.colour)}`
          : describeSourceColour(clip.probe.colour),
        clip.colourWarning,
      )}
      {frame !== null && row('Playhead', frameToTimecode(frame, clip.frameRate, clip.startTimecode))}
      {render && (
        <Box data-testid="shot-render" data-state={render.state}>
          <Typography
            variant="caption"
            color={render.state === 'failed' ? 'error' : render.state === 'stale' ? 'warning' : 'text.secondary'}
          >
            {renderStateLabel(render)}
          </Typography>
          {render.maxCll !== null && row('MaxCLL', formatNits(render.maxCll))}
          {render.maxFall !== null && row('MaxFALL', formatNits(render.maxFall))}
        </Box>
      )}
      <Divider sx={{ my: 1 }} />
      <Stack direction="row" sx={{ gap: 1 }}>
        <Button
          size="small"
          variant="outlined"
          disabled={!edits.canSplit}
          onClick={() => void edits.split()}
          data-testid="split-shot"
        >
          Split (S)
        </Button>
        <Button
          size="small"
          variant="outlined"
          disabled={!edits.canMerge}
          onClick={() => void edits.merge()}
          data-testid="merge-next"
        >
          {edits.mergeCount > 2 ? `Merge ${edits.mergeCount} (M)` : 'Merge with next (M)'}
        </Button>
      </Stack>
      <Stack direction="row" sx={{ gap: 1 }}>
        <Button
          size="small"
          disabled={i <= 0}
          onClick={() =>
            void report('Move', api.call('shots.reorder', { projectId: shot.projectId, shotIds: moved(shots, i, -1) }))
          }
        >
          Move earlier
        </Button>
        <Button
          size="small"
          disabled={i >= shots.length - 1}
          onClick={() =>
            void report('Move', api.call('shots.reorder', { projectId: shot.projectId, shotIds: moved(shots, i, 1) }))
          }
        >
          Move later
        </Button>
      </Stack>
      <Button
        size="small"
        disabled={shot.gradeVersion === 0 || shots.length < 2}
        onClick={() =>
          void report(
            'Copy grade',
            api.call('grades.copy', {
              fromShotId: shot.id,
              toShotIds: shots.filter((s) => s.id !== shot.id).map((s) => s.id),
            }),
          )
        }
        data-testid="copy-grade"
      >
        Copy grade to all other shots
      </Button>
    </Stack>
  );
}

function moved(shots: Shot[], i: number, dir: -1 | 1): string[] {
  const ids = shots.map((s) => s.id);
  [ids[i], ids[i + dir]] = [ids[i + dir], ids[i]];
  return ids;
}
