// What to export: format, mastering display, range and output path, with the estimate of size and time
// for exactly that request.
import {
  Alert,
  Box,
  Checkbox,
  FormControl,
  FormControlLabel,
  InputLabel,
  MenuItem,
  Radio,
  RadioGroup,
  Select,
  Stack,
  TextField,
  Typography,
} from '@mui/material';
import { useEffect, useState } from 'react';
import type {
  ExportRaster,
  ExportEstimate,
  ExportRequest,
  MasterFormat,
  MasteringPreset,
  Shot,
} from '../../../src-main/common/contract';
import { useApi } from '../../api';
import { FORMATS, MASTERING, RASTER_CHOICES, formatBytes, formatDuration, withFormatExtension } from './format';

export type ExportRange = 'all' | 'shot' | 'frames';

export interface ExportSettings {
  format: MasterFormat;
  mastering: MasteringPreset;
  range: ExportRange;
  /** Programme frames (the timeline counted from 0), as typed. */
  first: string;
  last: string;
  out: string;
  force: boolean;
  /** The picture's size: the network's output, or UHD resized to fit. */
  raster: ExportRaster;
}

const length = (s: Shot) => s.lastFrame - s.firstFrame + 1;

/** The request these settings make, or why they make none. */
export function exportRequest(
  projectId: string,
  s: ExportSettings,
  shots: Shot[],
  selected: Shot | null,
): ExportRequest | string {
  const out = s.out.trim();
  if (!out) return 'Choose where to write the master.';
  const base = {
    projectId,
    format: s.format,
    mastering: s.mastering,
    out,
    ...(s.force && { force: true }),
    ...(s.raster === 'uhd' && { raster: 'uhd' as const }),
  };
  if (s.range === 'shot')
    return selected ? { ...base, shotIds: [selected.id] } : 'Select a shot on the timeline first.';
  if (s.range === 'all') return base;
  const total = shots.reduce((n, x) => n + length(x), 0);
  const first = Number(s.first);
  const last = Number(s.last);
  if (!Number.isInteger(first) || !Number.isInteger(last) || first < 0) return 'In and out are whole frame numbers.';
  if (last < first) return 'The out frame is before the in frame.';
  if (last >= total) return `The timeline ends at frame ${total - 1}.`;
  return { ...base, frames: { first, last } };
}

export function ExportForm({
  projectId,
  settings,
  onChange,
  shots,
  selected,
  mediaRoots,
}: {
  projectId: string;
  settings: ExportSettings;
  onChange(s: ExportSettings): void;
  shots: Shot[];
  selected: Shot | null;
  /** Browser mode: the host writes only inside these folders. */
  mediaRoots: string[] | null;
}) {
  const api = useApi();
  const set = (patch: Partial<ExportSettings>) => onChange({ ...settings, ...patch });
  const total = shots.reduce((n, s) => n + length(s), 0);
  const shotNumber = selected ? shots.findIndex((s) => s.id === selected.id) + 1 : 0;
  const request = exportRequest(projectId, settings, shots, selected);
  const key = typeof request === 'string' ? null : JSON.stringify(request);

  const [estimate, setEstimate] = useState<{ key: string; value: ExportEstimate | null; error: string | null } | null>(
    null,
  );
  useEffect(() => {
    if (!key) return;
    // Typing a path or a frame number asks once it settles, not on every key.
    const t = setTimeout(() => {
      void api
        .call('exports.estimate', JSON.parse(key) as ExportRequest)
        .then((r) =>
          setEstimate(r.ok ? { key, value: r.value, error: null } : { key, value: null, error: r.error.message }),
        );
    }, 250);
    return () => clearTimeout(t);
  }, [api, key]);
  const current = estimate && estimate.key === key ? estimate : null;

  return (
    <Stack sx={{ gap: 2, pt: 1 }}>
      <Stack direction="row" sx={{ gap: 2 }}>
        <Choice
          id="export-format"
          label="Format"
          value={settings.format}
          options={FORMATS}
          onChange={(format) => set({ format, out: settings.out ? withFormatExtension(settings.out, format) : '' })}
        />
        <Choice
          id="export-mastering"
          label="Mastering display"
          value={settings.mastering}
          options={MASTERING}
          onChange={(mastering) => set({ mastering })}
        />
        <Choice
          id="export-raster"
          label="Picture"
          value={settings.raster}
          options={RASTER_CHOICES}
          onChange={(raster) => set({ raster })}
          flex={0.8}
        />
      </Stack>

      <Box>
        <Typography variant="caption" color="text.secondary">
          Range
        </Typography>
        <RadioGroup row value={settings.range} onChange={(e) => set({ range: e.target.value as ExportRange })}>
          <FormControlLabel
            value="all"
            control={<Radio size="small" />}
            label={`Whole timeline (${total} frames)`}
            data-testid="range-all"
          />
          <FormControlLabel
            value="shot"
            disabled={!selected}
            control={<Radio size="small" />}
            label={selected ? `Selected shot (shot ${shotNumber}, ${length(selected)} frames)` : 'Selected shot'}
            data-testid="range-shot"
          />
          <FormControlLabel
            value="frames"
            control={<Radio size="small" />}
            label="In / out frames"
            data-testid="range-frames"
          />
        </RadioGroup>
        {settings.range === 'frames' && (
          <Stack direction="row" sx={{ gap: 2, mt: 1, alignItems: 'center' }}>
            <TextField
              size="small"
              label="In"
              type="number"
              value={settings.first}
              onChange={(e) => set({ first: e.target.value })}
              sx={{ width: 120 }}
              slotProps={{ htmlInput: { min: 0, 'data-testid': 'range-in' } }}
            />
            <TextField
              size="small"
              label="Out"
              type="number"
              value={settings.last}
              onChange={(e) => set({ last: e.target.value })}
              sx={{ width: 120 }}
              slotProps={{ htmlInput: { min: 0, 'data-testid': 'range-out' } }}
            />
            <Typography variant="caption" color="text.secondary">
              Timeline frames, from 0 to {Math.max(0, total - 1)}, both included.
            </Typography>
          </Stack>
        )}
      </Box>

      <TextField
        size="small"
        label={settings.format === 'tiff16' ? 'Output folder' : 'Output file'}
        value={settings.out}
        onChange={(e) => set({ out: e.target.value })}
        helperText={
          mediaRoots
            ? `The host writes only inside its media folders: ${mediaRoots.join(', ') || 'none configured'}`
            : undefined
        }
        slotProps={{ htmlInput: { 'data-testid': 'export-out', spellCheck: false } }}
        fullWidth
      />
      <FormControlLabel
        control={<Checkbox size="small" checked={settings.force} onChange={(e) => set({ force: e.target.checked })} />}
        label="Replace an existing master at that path"
      />

      <Box data-testid="export-estimate" sx={{ minHeight: 40 }}>
        {typeof request === 'string' ? (
          <Typography variant="body2" color="text.secondary">
            {request}
          </Typography>
        ) : current?.error ? (
          <Alert severity="error">{current.error}</Alert>
        ) : current?.value ? (
          <EstimateLine e={current.value} />
        ) : (
          <Typography variant="body2" color="text.secondary">
            Estimating…
          </Typography>
        )}
      </Box>
    </Stack>
  );
}

/** One of the dialog's drop-downs: a labelled MUI Select over its options (testId = id). */
function Choice<V extends string>({
  id,
  label,
  value,
  options,
  onChange,
  flex = 1,
}: {
  id: string;
  label: string;
  value: V;
  options: readonly { value: V; label: string }[];
  onChange(v: V): void;
  flex?: number;
}) {
  return (
    <FormControl size="small" sx={{ flex }}>
      <InputLabel id={id}>{label}</InputLabel>
      <Select labelId={id} label={label} value={value} onChange={(e) => onChange(e.target.value as V)} data-testid={id}>
        {options.map((o) => (
          <MenuItem key={o.value} value={o.value}>
            {o.label}
          </MenuItem>
        ))}
      </Select>
    </FormControl>
  );
}

function EstimateLine({ e }: { e: ExportEstimate }) {
  const tooBig = e.freeBytes !== null && e.estimatedBytes > e.freeBytes;
  const parts = [
    `${e.frames} frame${e.frames === 1 ? '' : 's'} at ${e.width}×${e.height}`,
    `about ${formatBytes(e.estimatedBytes)}${e.freeBytes !== null ? ` (${formatBytes(e.freeBytes)} free)` : ''}`,
    e.shotsToRender > 0
      ? `${e.shotsToRender} shot${e.shotsToRender === 1 ? '' : 's'} to render first`
      : 'every shot already rendered',
    e.estimatedSeconds !== null
      ? `about ${formatDuration(e.estimatedSeconds)}`
      : e.shotsToRender > 0
        ? 'time unknown until a render and an export in this format and picture size have run'
        : 'time unknown until an export in this format and picture size has run',
  ];
  return (
    <Stack sx={{ gap: 1 }}>
      <Typography variant="body2">{parts.join(' · ')}</Typography>
      {tooBig && <Alert severity="warning">The master may not fit: the disk has less free space than it needs.</Alert>}
    </Stack>
  );
}
