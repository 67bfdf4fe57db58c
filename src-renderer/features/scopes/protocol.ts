// Messages between the scopes panel and its worker.
import type { Histogram } from './trace';

/** A frame to measure; `pq` is a copy the panel transfers (the viewer keeps its own). */
export interface ScopesRequest {
  id: number;
  width: number;
  height: number;
  pq: Uint16Array<ArrayBuffer>;
}

export interface ScopesReadout {
  /** The frame's brightest pixel, max(R,G,B) in nits, and its average of max(R,G,B): CTA-861.3 over the active picture. */
  maxCll: number;
  fall: number;
  /** Shares of (sampled) active pixels outside BT.709 and P3-D65; nothing lies outside the BT.2020 container. */
  outsideBt709: number;
  outsideP3: number;
}

export interface ScopesResult {
  id: number;
  waveform: ImageBitmap;
  parade: ImageBitmap;
  cie: ImageBitmap;
  histogram: Histogram;
  readout: ScopesReadout;
  /** Time the worker took, ms. */
  ms: number;
}

export type ScopesReply = ({ ok: true } & ScopesResult) | { ok: false; id: number; message: string };
