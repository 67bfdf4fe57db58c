// What sits on top of the picture: the caption saying what is on screen, the false colour legend, safe areas.
import { Box, Typography } from '@mui/material';
import { cssColour, FALSE_COLOUR_BANDS } from './false-colour';
import type { Rect } from './view';

const label = {
  position: 'absolute',
  color: '#ddd',
  bgcolor: 'rgba(0,0,0,0.6)',
  px: 1,
  fontFamily: 'monospace',
} as const;

export function Caption({ lines }: { lines: string[] }) {
  return (
    <Box
      sx={{
        position: 'absolute',
        top: 8,
        left: 12,
        display: 'flex',
        flexDirection: 'column',
        gap: 0.25,
        pointerEvents: 'none',
      }}
      data-testid="viewer-caption"
    >
      {lines.map((l) => (
        <Typography key={l} variant="caption" sx={{ ...label, position: 'static' }}>
          {l}
        </Typography>
      ))}
    </Box>
  );
}

/** A strip under the toolbar, so the legend never covers the picture it explains. */
export function FalseColourLegend() {
  return (
    <Box
      sx={{ display: 'flex', alignItems: 'center', gap: 1.25, px: 1.5, py: 0.25, bgcolor: '#111', flexWrap: 'wrap' }}
      data-testid="viewer-false-colour-legend"
    >
      <Typography variant="caption" sx={{ color: '#ddd' }}>
        False colour, nits:
      </Typography>
      {FALSE_COLOUR_BANDS.map((b) => (
        <Box key={b.label} sx={{ display: 'flex', alignItems: 'center', gap: 0.5 }}>
          <Box sx={{ width: 10, height: 10, bgcolor: cssColour(b.rgb), outline: '1px solid #444' }} />
          <Typography variant="caption" sx={{ color: '#ddd', fontFamily: 'monospace' }}>
            {b.label}
          </Typography>
        </Box>
      ))}
    </Box>
  );
}

/** Action (93%) and title (90%) safe areas over each picture rectangle (CSS pixels). */
export function SafeAreas({ rects }: { rects: Rect[] }) {
  const frame = (r: Rect, k: number, colour: string, id: string) => (
    <Box
      key={`${id}-${r.x}`}
      data-testid={`viewer-safe-${id}`}
      sx={{
        position: 'absolute',
        left: r.x + (r.w * (1 - k)) / 2,
        top: r.y + (r.h * (1 - k)) / 2,
        width: r.w * k,
        height: r.h * k,
        border: `1px dashed ${colour}`,
        pointerEvents: 'none',
      }}
    >
      {/* Named along the top edge: title at its left, action at its right, so the two never overlap. */}
      <Typography
        variant="caption"
        sx={{ position: 'absolute', top: 0, [id === 'title' ? 'left' : 'right']: 2, color: colour, fontSize: 10 }}
      >
        {id === 'title' ? `Title ${Math.round(k * 100)} %` : `Action ${Math.round(k * 100)} %`}
      </Typography>
    </Box>
  );
  return (
    <>
      {rects.flatMap((r) => [
        frame(r, 0.93, 'rgba(255,255,255,0.7)', 'action'),
        frame(r, 0.9, 'rgba(255,220,0,0.8)', 'title'),
      ])}
    </>
  );
}

export function Timecode({ text }: { text: string }) {
  return (
    <Typography variant="caption" sx={{ ...label, bottom: 8, right: 12 }} data-testid="viewer-timecode">
      {text}
    </Typography>
  );
}
