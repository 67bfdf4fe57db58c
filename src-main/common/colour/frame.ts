// The 16-bit PQ frame every measurement reads, and the shared PQ-decode lookup table.
import { nitsToPq, pqToNits } from './transfer';

/**
 * A BT.2020 PQ R'G'B' frame in 16-bit full-range codes (0 = 0 nits, 65535 = 10000 nits).
 * layout 'rgb48': interleaved R,G,B per pixel, exactly ffmpeg's rgb48le (read the pipe into a Uint16Array).
 * layout 'planar': the R plane, then G, then B (what {@link pqFloatPlanesToFrame} makes from the model's output).
 * Measurements read either through an offset and a stride, so neither needs a copy.
 */
export interface PqFrame {
  width: number;
  height: number;
  data: Uint16Array;
  layout: 'rgb48' | 'planar';
}

/** Offsets of R, G, B of pixel 0 and the step between pixels, for either layout. */
export function frameAccess(f: PqFrame): { r: number; g: number; b: number; step: number } {
  if (f.layout === 'rgb48') return { r: 0, g: 1, b: 2, step: 3 };
  const n = f.width * f.height;
  return { r: 0, g: n, b: 2 * n, step: 1 };
}

let lut: Float32Array | null = null;
/** nits for every 16-bit PQ code (256 KiB, built once per process on first use). */
export function pq16NitsLut(): Float32Array {
  if (!lut) {
    lut = new Float32Array(65536);
    for (let i = 0; i < 65536; i++) lut[i] = pqToNits(i / 65535);
  }
  return lut;
}

/** Planar float PQ signals (0..1, e.g. the model's output) -> 16-bit planar frame. One pass, rounds, clamps. */
export function pqFloatPlanesToFrame(
  r: Float32Array,
  g: Float32Array,
  b: Float32Array,
  width: number,
  height: number,
): PqFrame {
  const n = width * height;
  const data = new Uint16Array(3 * n);
  const q = (v: number) => (v > 0 ? (v < 1 ? Math.round(v * 65535) : 65535) : 0);
  for (let i = 0; i < n; i++) {
    data[i] = q(r[i]);
    data[n + i] = q(g[i]);
    data[2 * n + i] = q(b[i]);
  }
  return { width, height, data, layout: 'planar' };
}

/** Interleaved 16-bit R'G'B' codes (ffmpeg's rgb48le) -> planar float signals in [0, 1]: the model's input. */
export function rgb48ToFloatPlanes(codes: Uint16Array, width: number, height: number): Float32Array {
  const n = width * height;
  const planes = new Float32Array(3 * n);
  for (let i = 0; i < n; i++) {
    planes[i] = codes[3 * i] / 65535;
    planes[n + i] = codes[3 * i + 1] / 65535;
    planes[2 * n + i] = codes[3 * i + 2] / 65535;
  }
  return planes;
}

/** A frame filled with one colour given in linear BT.2020 nits (tests, patterns). */
export function solidFrame(
  width: number,
  height: number,
  rNits: number,
  gNits: number,
  bNits: number,
  layout: PqFrame['layout'] = 'rgb48',
): PqFrame {
  const f: PqFrame = { width, height, data: new Uint16Array(width * height * 3), layout };
  fillRect(f, 0, 0, width, height, rNits, gNits, bNits);
  return f;
}

/** Paint a rectangle of a frame in linear BT.2020 nits. */
export function fillRect(
  f: PqFrame,
  x0: number,
  y0: number,
  w: number,
  h: number,
  rNits: number,
  gNits: number,
  bNits: number,
): void {
  const a = frameAccess(f);
  const cr = Math.round(nitsToPq(rNits) * 65535),
    cg = Math.round(nitsToPq(gNits) * 65535),
    cb = Math.round(nitsToPq(bNits) * 65535);
  for (let y = y0; y < y0 + h; y++)
    for (let x = x0; x < x0 + w; x++) {
      const p = (y * f.width + x) * a.step;
      f.data[a.r + p] = cr;
      f.data[a.g + p] = cg;
      f.data[a.b + p] = cb;
    }
}

/** A rectangle of the picture (the active area once letterbox bars are removed). */
export interface Rect {
  x: number;
  y: number;
  width: number;
  height: number;
}
