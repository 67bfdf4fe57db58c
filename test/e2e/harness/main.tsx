// Test harness (bundled by test/e2e/grade-scopes.test.ts, served by the real headless host): the grade
// panel against the core over the host's WebSocket, and the scopes, narrow (a 300-px side panel) and
// wide, fed frames that the test picks through window.harness: each panel pulls the newest through its feed, as
// it pulls the viewer's graded frames in the app (a frame shown while its worker is busy waits, and is replaced).
import { Box, CssBaseline, ThemeProvider } from '@mui/material';
import { useEffect, useState } from 'react';
import { createRoot } from 'react-dom/client';
import { bt2111Bars, codePatternToPqFrame, solidFrame } from '../../../src-main/common/colour';
import type { GradeParams } from '../../../src-main/common/colour/grade';
import type { Shot } from '../../../src-main/common/contract';
import { ApiProvider, connectApi, type ConnectedApi } from '../../../src-renderer/api';
import { theme } from '../../../src-renderer/app/theme';
import { GradePanel } from '../../../src-renderer/features/grade';
import { ScopeFeed, Scopes } from '../../../src-renderer/features/scopes';

export type Frame = { width: number; height: number; pq: Uint16Array<ArrayBuffer> };

export interface Harness {
  ready: boolean;
  /** Every params the panel passed to onLiveChange. */
  live: GradeParams[];
  shots: Shot[];
  showBars(width: number, height: number): void;
  /** A frame of one grey level, nits. */
  greyFrame(nits: number, width: number, height: number): Frame;
  show(frame: Frame): void;
  select(shotIds: string[]): void;
  setShot(shotId: string): void;
}
declare global {
  interface Window {
    harness: Harness;
  }
}

const harness: Harness = {
  ready: false,
  live: [],
  shots: [],
  showBars: () => undefined,
  greyFrame: (nits, width, height) => ({
    width,
    height,
    pq: solidFrame(width, height, nits, nits, nits).data as Uint16Array<ArrayBuffer>,
  }),
  show: () => undefined,
  select: () => undefined,
  setShot: () => undefined,
};
window.harness = harness;

/** The narrow and the wide panel's feeds; each gets its own copy of the newest frame when it wants one. */
const feeds = [new ScopeFeed(), new ScopeFeed()];
let newest: Frame | null = null;
const sent = new Map<ScopeFeed, Frame | null>();
const pump = (feed: ScopeFeed) => {
  if (!newest || sent.get(feed) === newest || !feed.wants()) return;
  sent.set(feed, newest);
  feed.put({ width: newest.width, height: newest.height, pq: newest.pq.slice() });
};
for (const f of feeds) f.onWant(() => pump(f));
const show = (f: Frame) => {
  newest = f;
  feeds.forEach(pump);
};

const SHOT_LIGHT = { maxCll: 1000, maxFall: 400 };

function App({ api }: { api: ConnectedApi }) {
  const [shots, setShots] = useState<Shot[]>([]);
  const [shotId, setShotId] = useState<string | null>(null);
  const [selected, setSelected] = useState<string[]>([]);
  useEffect(() => {
    const projectId = new URLSearchParams(location.search).get('project') ?? '';
    void api.call('library.getProject', { projectId }).then((r) => {
      if (!r.ok) throw new Error(r.error.message);
      harness.shots = r.value.shots;
      setShots(r.value.shots);
      setShotId(r.value.shots[0]?.id ?? null);
      setSelected(r.value.shots.slice(0, 1).map((s) => s.id));
      harness.ready = true;
    });
    harness.showBars = (w, h) => {
      const f = codePatternToPqFrame(bt2111Bars(w, h));
      show({ width: f.width, height: f.height, pq: f.data as Uint16Array<ArrayBuffer> });
    };
    harness.show = show;
    harness.select = setSelected;
    harness.setShot = setShotId;
  }, [api]);
  const shot = shots.find((s) => s.id === shotId) ?? null;
  return (
    <Box sx={{ display: 'flex', gap: 2, p: 1, alignItems: 'flex-start' }}>
      <Box sx={{ width: 300, flexShrink: 0, bgcolor: 'background.paper' }} data-testid="side-panel">
        <GradePanel shot={shot} selectedShotIds={selected} onLiveChange={(p) => harness.live.push(p)} />
        <Scopes feed={feeds[0]} shotLight={SHOT_LIGHT} />
      </Box>
      <Box sx={{ width: 1040, flexShrink: 0 }} data-testid="wide-panel">
        <Scopes feed={feeds[1]} />
      </Box>
    </Box>
  );
}

void connectApi().then((api) =>
  createRoot(document.getElementById('root')!).render(
    <ThemeProvider theme={theme}>
      <CssBaseline />
      <ApiProvider api={api}>
        <App api={api} />
      </ApiProvider>
    </ThemeProvider>,
  ),
);
