// The viewer's controls: what is shown (SDR, HDR, wipe, side by side), zoom, and the overlays.
import { Box, MenuItem, Select, ToggleButton, ToggleButtonGroup, Tooltip } from '@mui/material';
import { memo } from 'react';
import type { ViewMode } from './pipeline';

export interface ViewerSettings {
  mode: ViewMode;
  falseColour: boolean;
  gamutWarning: 'off' | 'bt709' | 'p3';
  safeAreas: boolean;
  /** Use the HDR display path when one was detected (the colorist may prefer the EETF view). */
  hdrDisplay: boolean;
}

export const DEFAULT_SETTINGS: ViewerSettings = {
  mode: 'hdr',
  falseColour: false,
  gamutWarning: 'off',
  safeAreas: false,
  hdrDisplay: true,
};

const MODE_NAMES: Record<ViewMode, string> = {
  sdr: 'SDR source',
  hdr: 'HDR result',
  wipe: 'A/B wipe',
  side: 'Side by side',
};

interface Props {
  settings: ViewerSettings;
  onChange(s: ViewerSettings): void;
  zoomed: boolean;
  onFit(): void;
  onOneToOne(): void;
  hdrDisplayAvailable: boolean;
}

// Memoised: the viewer re-renders on every playhead move, its toolbar only when a setting changes.
export const ViewerToolbar = memo(function ViewerToolbar({
  settings,
  onChange,
  zoomed,
  onFit,
  onOneToOne,
  hdrDisplayAvailable,
}: Props) {
  const set = (patch: Partial<ViewerSettings>) => onChange({ ...settings, ...patch });
  return (
    <Box
      sx={{ display: 'flex', gap: 1, alignItems: 'center', px: 1, py: 0.5, bgcolor: '#111', flexWrap: 'wrap' }}
      data-testid="viewer-toolbar"
    >
      <ToggleButtonGroup
        size="small"
        exclusive
        value={settings.mode}
        onChange={(_, v: ViewMode | null) => v && set({ mode: v })}
      >
        {(Object.keys(MODE_NAMES) as ViewMode[]).map((m) => (
          <ToggleButton key={m} value={m} data-testid={`viewer-mode-${m}`} sx={{ py: 0.25, textTransform: 'none' }}>
            {MODE_NAMES[m]}
          </ToggleButton>
        ))}
      </ToggleButtonGroup>
      <ToggleButtonGroup size="small" exclusive value={zoomed ? '1:1' : 'fit'}>
        <Tooltip title="Fit (F)">
          <ToggleButton value="fit" onClick={onFit} data-testid="viewer-fit" sx={{ py: 0.25 }}>
            Fit
          </ToggleButton>
        </Tooltip>
        <Tooltip title="One source pixel per screen pixel (Z); wheel zooms, drag pans">
          <ToggleButton value="1:1" onClick={onOneToOne} data-testid="viewer-1to1" sx={{ py: 0.25 }}>
            1:1
          </ToggleButton>
        </Tooltip>
      </ToggleButtonGroup>
      <ToggleButton
        size="small"
        value="fc"
        selected={settings.falseColour}
        onChange={() => set({ falseColour: !settings.falseColour })}
        data-testid="viewer-false-colour"
        sx={{ py: 0.25, textTransform: 'none' }}
      >
        False colour
      </ToggleButton>
      <Select
        size="small"
        value={settings.gamutWarning}
        onChange={(e) => set({ gamutWarning: e.target.value as ViewerSettings['gamutWarning'] })}
        data-testid="viewer-gamut"
        sx={{ fontSize: 13, height: 30 }}
      >
        <MenuItem value="off">Gamut warning off</MenuItem>
        <MenuItem value="bt709">Outside BT.709</MenuItem>
        <MenuItem value="p3">Outside P3</MenuItem>
      </Select>
      <ToggleButton
        size="small"
        value="safe"
        selected={settings.safeAreas}
        onChange={() => set({ safeAreas: !settings.safeAreas })}
        data-testid="viewer-safe-areas"
        sx={{ py: 0.25, textTransform: 'none' }}
      >
        Safe areas
      </ToggleButton>
      {hdrDisplayAvailable && (
        <ToggleButton
          size="small"
          value="hdr"
          selected={settings.hdrDisplay}
          onChange={() => set({ hdrDisplay: !settings.hdrDisplay })}
          data-testid="viewer-hdr-display"
          sx={{ py: 0.25, textTransform: 'none' }}
        >
          HDR display
        </ToggleButton>
      )}
    </Box>
  );
});
