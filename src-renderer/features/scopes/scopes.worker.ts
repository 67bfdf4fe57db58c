// The scopes worker: the colour core's computeScopes on the frame on screen, then trace bitmaps, all off
// the UI thread. Arrays are reused frame to frame (computeScopes' `into`).
import { computeScopes, type Scopes } from '../../../src-main/common/colour/scopes';
import { TRACE_COLUMNS } from './geometry';
import type { ScopesReply, ScopesRequest } from './protocol';
import { cieImage, histogram, paradeImage, waveformImage, type TraceImage } from './trace';

interface WorkerScope {
  onmessage: ((e: MessageEvent<ScopesRequest>) => void) | null;
  postMessage(message: ScopesReply, transfer: Transferable[]): void;
}
const scope = self as unknown as WorkerScope;
let last: Scopes | undefined;

const bitmap = (t: TraceImage) => createImageBitmap(new ImageData(t.data, t.width, t.height));

scope.onmessage = async (e) => {
  const { id, width, height, pq } = e.data;
  const t0 = performance.now();
  try {
    last = computeScopes({ width, height, data: pq, layout: 'rgb48' }, { columns: TRACE_COLUMNS }, last);
    const [waveform, parade, cie] = await Promise.all([
      bitmap(waveformImage(last)),
      bitmap(paradeImage(last)),
      bitmap(cieImage(last)),
    ]);
    const h = histogram(last);
    const l = last.lightLevel;
    const readout = { maxCll: l.maxCll, fall: l.fall, outsideBt709: l.outsideBt709, outsideP3: l.outsideP3 };
    const reply: ScopesReply = {
      ok: true,
      id,
      waveform,
      parade,
      cie,
      histogram: h,
      readout,
      ms: performance.now() - t0,
    };
    scope.postMessage(reply, [waveform, parade, cie, h.luma.buffer, h.red.buffer, h.green.buffer, h.blue.buffer]);
  } catch (err) {
    scope.postMessage({ ok: false, id, message: err instanceof Error ? err.message : String(err) }, []);
  }
};
