// HDR scopes of the frame on screen (the graded HDR result): luma waveform and RGB parade in nits, CIE 1931
// xy against BT.709 / P3 / BT.2020, histogram, and the light levels. Tabs in a narrow side panel, a 2×2
// grid when wider, one row in a wide bottom strip.
import { Box, Stack, Tab, Tabs, Typography } from '@mui/material';
import { memo, useCallback, useEffect, useRef, useState, type ReactNode } from 'react';
import { formatNits } from '../delivery';
import { drawCie, drawHistogram, drawParade, drawWaveform, TRIANGLE_COLOURS } from './draw';
import { ScopeCanvas, type Draw } from './ScopeCanvas';
import type { ScopeFeed } from './feed';
import { useScopes } from './useScopes';

export interface ScopesProps {
  /** Where the viewer's graded frames arrive (created once by the screen that holds both). */
  feed: ScopeFeed;
  /** The shot's measured light once rendered (CTA-861.3, nits). */
  shotLight?: { maxCll: number; maxFall: number } | null;
  /** The grade's peak (gradePeakNits): a frame brighter than it is said to be, in orange. */
  peakNits?: number;
}

const SCOPES = ['waveform', 'parade', 'cie', 'histogram'] as const;
type ScopeName = (typeof SCOPES)[number];
const TITLES: Record<ScopeName, string> = {
  waveform: 'Waveform',
  parade: 'Parade',
  cie: 'CIE xy',
  histogram: 'Histogram',
};

// Memoised: the screen re-renders on every playhead move, the scopes only when their own result changes.
export const Scopes = memo(function Scopes({ feed, shotLight, peakNits }: ScopesProps) {
  const { result, error } = useScopes(feed);
  const box = useRef<HTMLDivElement | null>(null);
  const [width, setWidth] = useState(0);
  const [tab, setTab] = useState<ScopeName>('waveform');
  useEffect(() => {
    const el = box.current;
    if (!el) return;
    const ro = new ResizeObserver(([e]) => setWidth(e.contentRect.width));
    ro.observe(el);
    return () => ro.disconnect();
  }, []);
  // Frames are read back for the scopes only while they are on screen.
  useEffect(() => feed.setVisible(width > 0), [feed, width]);
  const columns = width >= 1100 ? 4 : width >= 520 ? 2 : 1;

  const draws: Record<ScopeName, Draw> = {
    waveform: useCallback<Draw>((c, w, h) => drawWaveform(c, w, h, result?.waveform ?? null), [result]),
    parade: useCallback<Draw>((c, w, h) => drawParade(c, w, h, result?.parade ?? null), [result]),
    cie: useCallback<Draw>((c, w, h) => drawCie(c, w, h, result?.cie ?? null), [result]),
    histogram: useCallback<Draw>((c, w, h) => drawHistogram(c, w, h, result?.histogram ?? null), [result]),
  };
  const canvas = (s: ScopeName) => (
    <ScopeCanvas key={s} draw={draws[s]} aspect={0.68} testId={`scope-${s}`} label={TITLES[s]} />
  );
  const r = result?.readout;
  const pct = (v: number | undefined) => (v === undefined || Number.isNaN(v) ? '–' : `${(v * 100).toFixed(1)} %`);
  const value = (testId: string, text: string, colour?: string) => (
    <Typography component="span" variant="caption" sx={{ fontFamily: 'monospace', color: colour }} data-testid={testId}>
      {text}
    </Typography>
  );
  // The parts wrap inside their own column, beside the label, never under it.
  const line = (label: string, parts: ReactNode) => (
    <Stack direction="row" sx={{ gap: 1, alignItems: 'baseline' }}>
      <Typography variant="caption" color="text.secondary" sx={{ width: 52, flexShrink: 0 }}>
        {label}
      </Typography>
      <Box sx={{ display: 'flex', flexWrap: 'wrap', columnGap: 1, alignItems: 'baseline', flex: 1, minWidth: 0 }}>
        {parts}
      </Box>
    </Stack>
  );

  return (
    <Box
      ref={box}
      data-testid="scopes"
      data-result={result?.id ?? ''}
      sx={{ minWidth: 0, bgcolor: 'background.paper' }}
    >
      {columns === 1 ? (
        <>
          <ScopeTabs tab={tab} onChange={setTab} />
          {canvas(tab)}
        </>
      ) : (
        <Box sx={{ display: 'grid', gridTemplateColumns: `repeat(${columns}, minmax(0, 1fr))`, gap: '2px' }}>
          {SCOPES.map(canvas)}
        </Box>
      )}
      <Stack sx={{ px: 1, py: 0.5, gap: 0.25 }}>
        {line(
          'Frame',
          <>
            {value('scopes-frame-max', `max ${r ? formatNits(r.maxCll) : '–'}`)}
            {value('scopes-frame-avg', `avg ${r ? formatNits(r.fall) : '–'}`)}
            {/* Half a percent over: a 10-bit code's rounding is not a warning. */}
            {r && peakNits && r.maxCll > peakNits * 1.005
              ? value('scopes-over-peak', `above the ${peakNits}-nit peak: clipped there`, '#e0a030')
              : null}
          </>,
        )}
        {result?.sampling && line('Of', value('scopes-sampling', result.sampling))}
        {line(
          'Shot',
          shotLight ? (
            <>
              {value('scopes-shot-maxcll', `MaxCLL ${formatNits(shotLight.maxCll)}`)}
              {value('scopes-shot-maxfall', `MaxFALL ${formatNits(shotLight.maxFall)}`)}
            </>
          ) : (
            value('scopes-shot-maxcll', 'not rendered yet')
          ),
        )}
        {line(
          'Outside',
          <>
            {value('scopes-outside-bt709', `709 ${pct(r?.outsideBt709)}`, TRIANGLE_COLOURS.bt709)}
            {value('scopes-outside-p3', `P3 ${pct(r?.outsideP3)}`, TRIANGLE_COLOURS.p3)}
            {/* A BT.2020 container holds nothing outside BT.2020: that triangle is the edge of the signal. */}
            {value('scopes-outside-bt2020', `2020 ${r ? pct(0) : '–'}`, TRIANGLE_COLOURS.bt2020)}
          </>,
        )}
        {error && (
          <Typography variant="caption" color="error" data-testid="scopes-error">
            {error}
          </Typography>
        )}
      </Stack>
    </Box>
  );
});

// Its own memoised component: MUI's Tabs measure themselves (a forced layout) each time they render, and the
// panel renders with every new result while scrubbing; the tabs only need to when the chosen tab changes.
const ScopeTabs = memo(function ScopeTabs({ tab, onChange }: { tab: ScopeName; onChange(t: ScopeName): void }) {
  return (
    <Tabs
      value={tab}
      onChange={(_, v: ScopeName) => onChange(v)}
      variant="fullWidth"
      sx={{ minHeight: 28, '& .MuiTab-root': { minHeight: 28, py: 0, px: 0.5, minWidth: 0, fontSize: 11 } }}
    >
      {SCOPES.map((s) => (
        <Tab key={s} value={s} label={TITLES[s]} data-testid={`scope-tab-${s}`} />
      ))}
    </Tabs>
  );
});
