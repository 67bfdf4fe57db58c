// Trace images from the colour core's scope counts: RGBA pixels the canvases scale onto their graticules.
// Runs in the scopes worker, so the UI thread only draws bitmaps.
import type { Scopes } from '../../../src-main/common/colour/scopes';
import { TRACE_ROWS } from './geometry';

export interface TraceImage {
  width: number;
  height: number;
  data: Uint8ClampedArray<ArrayBuffer>;
}

/** Opacity of a cell holding `count` samples: any sample shows; at `gain · count` = 3 it is near full. */
function glow(count: number, gain: number): number {
  return count === 0 ? 0 : Math.min(1, 0.22 + 0.78 * (1 - Math.exp(-count * gain)));
}

const CODES_PER_ROW = 1024 / TRACE_ROWS;

function planeImage(
  s: Scopes,
  planes: readonly { plane: number; rgb: readonly [number, number, number] }[],
): TraceImage {
  const C = s.waveform.columns,
    d = s.waveform.data;
  const W = C * planes.length,
    H = TRACE_ROWS;
  const out = new Uint8ClampedArray(new ArrayBuffer(W * H * 4));
  const gain = 60 / Math.max(1, s.waveform.samples / C); // 5 % of a column's samples in one cell: near full
  planes.forEach(({ plane, rgb }, p) => {
    for (let c = 0; c < C; c++) {
      for (let row = 0; row < H; row++) {
        const code = (H - 1 - row) * CODES_PER_ROW;
        let n = 0;
        for (let k = 0; k < CODES_PER_ROW; k++) n += d[((c << 10) + code + k) * 4 + plane];
        const a = glow(n, gain);
        if (a === 0) continue;
        const i = (row * W + p * C + c) * 4;
        out[i] = rgb[0];
        out[i + 1] = rgb[1];
        out[i + 2] = rgb[2];
        out[i + 3] = a * 255;
      }
    }
  });
  return { width: W, height: H, data: out };
}

/** Luma (Y') waveform: columns of the frame left to right, code values bottom to top. */
export function waveformImage(s: Scopes): TraceImage {
  return planeImage(s, [{ plane: 0, rgb: [190, 255, 200] }]);
}

/** R', G', B' waveforms side by side. */
export function paradeImage(s: Scopes): TraceImage {
  return planeImage(s, [
    { plane: 1, rgb: [255, 110, 100] },
    { plane: 2, rgb: [110, 255, 120] },
    { plane: 3, rgb: [120, 150, 255] },
  ]);
}

/**
 * CIE 1931 xy density, white points (y up), over the core's x ∈ [0, xMax), y ∈ [0, yMax) bins. Each bin
 * also lights its eight neighbours (at its own strength, where they are dimmer): a single colour's bin is
 * otherwise a point one pixel wide.
 */
export function cieImage(s: Scopes): TraceImage {
  const N = s.cie.size,
    d = s.cie.density;
  const alpha = new Float32Array(N * N);
  const gain = 400 / Math.max(1, s.cie.samples); // 0.75 % of the samples in one bin: near full
  for (let j = 0; j < N; j++) {
    for (let i = 0; i < N; i++) {
      const a = glow(d[j * N + i], gain);
      if (a === 0) continue;
      for (let dj = -1; dj <= 1; dj++) {
        for (let di = -1; di <= 1; di++) {
          const y = N - 1 - (j + dj),
            x = i + di;
          if (x < 0 || x >= N || y < 0 || y >= N) continue;
          const o = y * N + x;
          if (alpha[o] < a) alpha[o] = a;
        }
      }
    }
  }
  const out = new Uint8ClampedArray(new ArrayBuffer(N * N * 4));
  for (let o = 0; o < N * N; o++) {
    if (alpha[o] === 0) continue;
    out[o * 4] = out[o * 4 + 1] = out[o * 4 + 2] = 255;
    out[o * 4 + 3] = alpha[o] * 255;
  }
  return { width: N, height: N, data: out };
}

export interface Histogram {
  /** Per code value 0..1023, each plane scaled to its own tallest bar (square root: small counts stay visible). */
  luma: Float32Array<ArrayBuffer>;
  red: Float32Array<ArrayBuffer>;
  green: Float32Array<ArrayBuffer>;
  blue: Float32Array<ArrayBuffer>;
}

export function histogram(s: Scopes): Histogram {
  const norm = (h: Uint32Array) => {
    let max = 0;
    for (const v of h) if (v > max) max = v;
    const out = new Float32Array(h.length);
    if (max > 0) for (let i = 0; i < h.length; i++) out[i] = Math.sqrt(h[i] / max);
    return out;
  };
  return {
    luma: norm(s.histogram.luma),
    red: norm(s.histogram.red),
    green: norm(s.histogram.green),
    blue: norm(s.histogram.blue),
  };
}
