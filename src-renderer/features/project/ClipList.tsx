// The project's clips: where each comes from, whether it is online, and how it is decoded.
import {
  Box,
  Button,
  Chip,
  Divider,
  FormControlLabel,
  MenuItem,
  Select,
  Stack,
  Switch,
  Tooltip,
  Typography,
} from '@mui/material';
import WarningAmberIcon from '@mui/icons-material/WarningAmber';
import { memo, useState, type ReactNode } from 'react';
import type { Clip, Deinterlace } from '../../../src-main/common/contract';
import { useApi } from '../../api';
import { RelinkDialog } from '../import';
import { ConfirmDialog } from '../library';
import { useReportFailure } from '../status-bar';

const DEINTERLACE: { value: Deinterlace; label: string }[] = [
  { value: 'auto', label: 'Deinterlace: auto' },
  { value: 'off', label: 'Progressive (off)' },
  { value: 'bwdif', label: 'Deinterlace: bwdif' },
  { value: 'yadif', label: 'Deinterlace: yadif' },
  { value: 'ivtc', label: 'Inverse telecine' },
];

function ClipListView({ clips }: { clips: Clip[] }) {
  const api = useApi();
  const report = useReportFailure();
  const [relinking, setRelinking] = useState<Clip | null>(null);
  const [removing, setRemoving] = useState<Clip | null>(null);
  return (
    <Stack sx={{ p: 2, gap: 1.5 }} data-testid="clip-list">
      <Typography variant="subtitle2">Clips</Typography>
      {clips.map((c) => (
        <Box key={c.id} data-testid="clip">
          <Stack direction="row" sx={{ alignItems: 'center', gap: 1 }}>
            <Tooltip title={c.path}>
              <Typography variant="body2" noWrap sx={{ flex: 1 }}>
                {c.name}
              </Typography>
            </Tooltip>
            {c.status !== 'ok' && (
              <Chip size="small" color="warning" label={c.status === 'missing' ? 'offline' : 'changed'} />
            )}
            {c.proxyState === 'building' && <Chip size="small" label="proxies…" />}
          </Stack>
          <Typography variant="caption" color="text.secondary">
            {c.width}×{c.height} · {c.frameRate} fps · {c.frameCount} frames · {c.probe.codec} {c.probe.bitDepth}-bit
            {c.probe.fieldOrder !== 'progressive' && c.probe.fieldOrder !== 'unknown' ? ' · interlaced' : ''}
            {c.probe.sar !== '1:1' && c.probe.sar !== '0:1' ? ` · SAR ${c.probe.sar}` : ''}
          </Typography>
          {c.incomplete && (
            <ClipWarning
              testId="clip-incomplete"
              why="Frames past the last one decoded are not on the timeline: the file may be truncated (an unfinished copy or download). Relink or re-import a whole copy to get them back."
            >
              Incomplete: {c.incomplete.replace(/^incomplete:\s*/i, '')}
            </ClipWarning>
          )}
          {c.colourWarning && (
            <ClipWarning
              testId="clip-colour-warning"
              why="Remaster turns SDR BT.709 footage into HDR10. Use the SDR version of this material, or check the file's colour tags if it is in fact SDR BT.709."
            >
              Not SDR: {c.colourWarning}
            </ClipWarning>
          )}
          <Stack direction="row" sx={{ alignItems: 'center', gap: 1, mt: 0.5 }}>
            <Select
              size="small"
              variant="standard"
              value={c.options.deinterlace}
              onChange={(e) =>
                void api.call('library.setClipOptions', {
                  clipId: c.id,
                  options: { deinterlace: e.target.value as Deinterlace },
                })
              }
              sx={{ fontSize: 12, flex: 1 }}
            >
              {DEINTERLACE.map((d) => (
                <MenuItem key={d.value} value={d.value} sx={{ fontSize: 12 }}>
                  {d.label}
                </MenuItem>
              ))}
            </Select>
            <FormControlLabel
              control={
                <Switch
                  size="small"
                  checked={c.options.squarePixels}
                  onChange={(e) =>
                    void api.call('library.setClipOptions', {
                      clipId: c.id,
                      options: { squarePixels: e.target.checked },
                    })
                  }
                />
              }
              label={<Typography variant="caption">Square pixels</Typography>}
            />
          </Stack>
          {c.status !== 'ok' && (
            <Button size="small" onClick={() => setRelinking(c)} data-testid="relink">
              Relink…
            </Button>
          )}
          {c.status === 'changed' && (
            <Tooltip title="The file at this path has new content (a re-export?). Use it: re-probe, keep the shots that fit, rebuild proxies.">
              <Button
                size="small"
                onClick={() => void api.call('library.acceptChangedMedia', { clipId: c.id })}
                data-testid="accept-changed"
              >
                Use new version
              </Button>
            </Tooltip>
          )}
          <Button
            size="small"
            color="inherit"
            sx={{ opacity: 0.7 }}
            onClick={() => setRemoving(c)}
            data-testid="remove-clip"
          >
            Remove from project
          </Button>
          <Divider sx={{ mt: 1 }} />
        </Box>
      ))}
      <RelinkDialog clip={relinking} onClose={() => setRelinking(null)} />
      <ConfirmDialog
        open={!!removing}
        title={`Remove ${removing?.name ?? ''}?`}
        action="Remove"
        onConfirm={() =>
          removing && void report('Remove clip', api.call('library.removeClip', { clipId: removing.id }))
        }
        onClose={() => setRemoving(null)}
      >
        The clip and its shots leave the project. The file itself is not touched.
      </ConfirmDialog>
    </Stack>
  );
}

/** A warning line under a clip, with what to do about it as its tooltip. */
function ClipWarning({ testId, why, children }: { testId: string; why: string; children: ReactNode }) {
  return (
    <Tooltip title={why}>
      <Stack direction="row" sx={{ alignItems: 'center', gap: 0.5, color: 'warning.main' }} data-testid={testId}>
        <WarningAmberIcon sx={{ fontSize: 16 }} />
        <Typography variant="caption">{children}</Typography>
      </Stack>
    </Tooltip>
  );
}

/** Memoised: the project screen re-renders on every playhead move; this only when its own props change. */
export const ClipList = memo(ClipListView);
