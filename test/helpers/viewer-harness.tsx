// Mounts the viewer alone in a page for test/e2e/viewer.test.ts: an api that answers media.proxyFrame with a
// picture drawn here (a PNG, lossless, so the test knows the SDR code values) and the preview methods with
// the host's answer while they are not implemented, so the viewer's fallback (proxy, analytic base) shows.
import { createRoot } from 'react-dom/client';
import { useState } from 'react';
import type { ConnectedApi } from '../../src-renderer/api';
import { ApiProvider } from '../../src-renderer/api';
import { Viewer, type GradedFrame, type GradedFrameSink } from '../../src-renderer/features/viewer';
import { GradeParams } from '../../src-main/common/colour/grade';
import type { Clip } from '../../src-main/common/contract';

declare global {
  interface Window {
    viewerHarness: { graded: GradedFrame | null; paints: number; grey: number };
  }
}

const GREY = 128;
window.viewerHarness = { graded: null, paints: 0, grey: GREY };

async function proxyPng(): Promise<string> {
  const c = new OffscreenCanvas(384, 216);
  const g = c.getContext('2d')!;
  g.fillStyle = `rgb(${GREY}, ${GREY}, ${GREY})`;
  g.fillRect(0, 0, 384, 216);
  const blob = await c.convertToBlob({ type: 'image/png' });
  return await new Promise((resolve) => {
    const r = new FileReader();
    r.onload = () => resolve(String(r.result));
    r.readAsDataURL(blob);
  });
}

const clip = {
  id: 1,
  projectId: 1,
  path: '/demo.mp4',
  name: 'grey',
  size: 1,
  mtimeMs: 0,
  fingerprint: 'x',
  status: 'ok',
  width: 1920,
  height: 1080,
  frameRate: '24000/1001',
  frameCount: 240,
  startTimecode: '01:00:00:00',
  proxyState: 'ready',
  importedAt: '',
} as unknown as Clip;

/** A receiver that always wants the next graded frame (as a free scopes worker does) and keeps the last. */
const sink: GradedFrameSink = {
  epoch: 0,
  wants: () => true,
  put: (f: GradedFrame) => {
    window.viewerHarness.graded = f;
    window.viewerHarness.paints++;
  },
  onWant: () => () => undefined,
};

function App({ api }: { api: ConnectedApi }) {
  const [frame, setFrame] = useState(10);
  return (
    <ApiProvider api={api}>
      <div style={{ width: 800, height: 500, display: 'flex', flexDirection: 'column' }}>
        <Viewer clip={clip} frame={frame} grade={GradeParams.parse({})} onSeek={setFrame} scopes={sink} />
      </div>
    </ApiProvider>
  );
}

void proxyPng().then((png) => {
  const api = {
    transport: 'websocket',
    mediaUrl: () => png,
    onDisconnect: () => () => undefined,
    on: () => () => undefined,
    call: async (method: string) => {
      if (method === 'media.proxyFrame') return { ok: true, value: { path: 'proxy.png', width: 384, height: 216 } };
      return { ok: false, error: { code: 'unknown_method', message: `${method} is not implemented yet` } };
    },
  } as unknown as ConnectedApi;
  createRoot(document.getElementById('root')!).render(<App api={api} />);
});
