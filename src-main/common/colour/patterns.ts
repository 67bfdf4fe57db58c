// Test patterns: ITU-R BT.2111 PQ narrow-range bars, a PQ luminance stair, SDR SMPTE bars.
// Used by tests and offered in the app (send them through the export to check a display chain).
import type { PqFrame, Rect } from './frame';
import { nitsToPq } from './transfer';
import type { PlanarRgb } from './ycbcr';

/** BT.2111 PQ narrow-range (10-bit) code values. */
export const BT2111_PQ = {
  black: 64,
  /** 100% (10000 nits; component on) */
  full: 940,
  /** 58% = 203 nits reference white (BT.2111 uses exactly 572) */
  ref58: 572,
  /** 40% grey */
  grey40: 414,
  /** 0–100% stair in 10% steps */
  stair: [64, 152, 239, 327, 414, 502, 590, 677, 765, 852, 940] as readonly number[],
  minus7: 4,
  minus2: 46,
  plus2: 82,
  plus4: 99,
  plus109: 1019,
} as const;

export interface PatternRegion extends Rect {
  name: string;
  /** 10-bit narrow codes R', G', B'. */
  codes: readonly [number, number, number];
}

/** A pattern as 10-bit narrow-range R'G'B' code planes plus its named regions (for tests and overlays). */
export interface CodePattern {
  width: number;
  height: number;
  r: Uint16Array;
  g: Uint16Array;
  b: Uint16Array;
  regions: PatternRegion[];
}

type Triple = readonly [number, number, number];
const BAR_ORDER = ['white', 'yellow', 'cyan', 'green', 'magenta', 'red', 'blue'] as const;
const barCodes = (on: number, off = 64): Triple[] => [
  [on, on, on],
  [on, on, off],
  [off, on, on],
  [off, on, off],
  [on, off, on],
  [on, off, off],
  [off, off, on],
];

function paint(p: CodePattern, name: string, x: number, y: number, w: number, h: number, c: Triple): void {
  if (w <= 0 || h <= 0) return;
  for (let yy = y; yy < y + h; yy++)
    for (let xx = x; xx < x + w; xx++) {
      const i = yy * p.width + xx;
      p.r[i] = c[0];
      p.g[i] = c[1];
      p.b[i] = c[2];
    }
  p.regions.push({ name, x, y, width: w, height: h, codes: c });
}

/** Split `total` into `n` integer widths that sum exactly. */
function split(total: number, n: number): number[] {
  const out: number[] = [];
  let prev = 0;
  for (let i = 1; i <= n; i++) {
    const e = Math.round((total * i) / n);
    out.push(e - prev);
    prev = e;
  }
  return out;
}

/**
 * ITU-R BT.2111 PQ narrow-range colour bars. The code values are the Recommendation's; the geometry
 * follows its layout (side panels w/8, heights 7/12, 1/12, 1/12, 3/12) with the bottom row simplified to
 * black, 100% white, −7%, −2%/+2%/+4% PLUGE and 109% patches.
 */
export function bt2111Bars(width = 1920, height = 1080): CodePattern {
  const n = width * height;
  const p: CodePattern = {
    width,
    height,
    r: new Uint16Array(n),
    g: new Uint16Array(n),
    b: new Uint16Array(n),
    regions: [],
  };
  const side = Math.round(width / 8);
  const mid = width - 2 * side;
  const hs = split(height, 12);
  const h1 = hs.slice(0, 7).reduce((a, b) => a + b, 0),
    h2 = hs[7],
    h3 = hs[8],
    h4 = hs[9] + hs[10] + hs[11];
  const G: Triple = [414, 414, 414];
  const bars = split(mid, 7);
  // Pattern 1: 40% grey sides, 100% bars.
  paint(p, 'grey40-left', 0, 0, side, h1, G);
  let x = side;
  bars.forEach((w, i) => {
    paint(p, `100%-${BAR_ORDER[i]}`, x, 0, w, h1, barCodes(940)[i]);
    x += w;
  });
  paint(p, 'grey40-right', x, 0, width - x, h1, G);
  // Pattern 2: 100% cyan, 58% (203-nit) bars, 100% blue.
  let y = h1;
  paint(p, '100%-cyan-side', 0, y, side, h2, [64, 940, 940]);
  x = side;
  bars.forEach((w, i) => {
    paint(p, `58%-${BAR_ORDER[i]}`, x, y, w, h2, barCodes(572)[i]);
    x += w;
  });
  paint(p, '100%-blue-side', x, y, width - x, h2, [64, 64, 940]);
  // Pattern 3: 100% yellow, 0–100% stair, 100% red.
  y += h2;
  paint(p, '100%-yellow-side', 0, y, side, h3, [940, 940, 64]);
  x = side;
  split(mid, 11).forEach((w, i) => {
    const c = BT2111_PQ.stair[i];
    paint(p, `stair-${i * 10}%`, x, y, w, h3, [c, c, c]);
    x += w;
  });
  paint(p, '100%-red-side', x, y, width - x, h3, [940, 64, 64]);
  // Pattern 4: grey, black, 100% white, black, −7%, black, −2%, black, +2%, black, +4%, black, 109%, grey.
  y += h3;
  paint(p, 'grey40-bottom-left', 0, y, side, h4, G);
  const row4: [string, number][] = [
    ['black-1', 64],
    ['100%-white', 940],
    ['black-2', 64],
    ['-7%', 4],
    ['black-3', 64],
    ['-2%', 46],
    ['black-4', 64],
    ['+2%', 82],
    ['black-5', 64],
    ['+4%', 99],
    ['black-6', 64],
    ['109%', 1019],
  ];
  x = side;
  split(mid, row4.length).forEach((w, i) => {
    const [nm, c] = row4[i];
    paint(p, nm, x, y, w, h4, [c, c, c]);
    x += w;
  });
  paint(p, 'grey40-bottom-right', x, y, width - x, h4, G);
  return p;
}

/**
 * 10-bit narrow codes -> the 16-bit full-range PQ frame (rgb48) the measurements read. Codes below 64
 * and above 940 have no place in full range and clip to 0 and 65535 (the −7% and 109% patches).
 */
export function codePatternToPqFrame(p: CodePattern): PqFrame {
  const n = p.width * p.height;
  const data = new Uint16Array(3 * n);
  const lut = new Uint16Array(1024);
  for (let c = 0; c < 1024; c++) lut[c] = Math.round(Math.min(1, Math.max(0, (c - 64) / 876)) * 65535);
  for (let i = 0; i < n; i++) {
    data[3 * i] = lut[p.r[i]];
    data[3 * i + 1] = lut[p.g[i]];
    data[3 * i + 2] = lut[p.b[i]];
  }
  return { width: p.width, height: p.height, data, layout: 'rgb48' };
}

/** Default stair levels, nits. */
export const PQ_STAIR_NITS: readonly number[] = [0, 0.005, 0.1, 1, 10, 100, 203, 400, 1000, 2000, 4000, 10000];

/** Neutral vertical stripes at the given nits, as a 16-bit PQ frame. */
export function pqLuminanceStair(
  width = 1920,
  height = 1080,
  nits: readonly number[] = PQ_STAIR_NITS,
): PqFrame & { regions: (Rect & { nits: number })[] } {
  const data = new Uint16Array(width * height * 3);
  const regions: (Rect & { nits: number })[] = [];
  let x = 0;
  split(width, nits.length).forEach((w, i) => {
    const c = Math.round(nitsToPq(nits[i]) * 65535);
    for (let y = 0; y < height; y++)
      for (let xx = x; xx < x + w; xx++) data.fill(c, 3 * (y * width + xx), 3 * (y * width + xx) + 3);
    regions.push({ x, y: 0, width: w, height, nits: nits[i] });
    x += w;
  });
  return { width, height, data, layout: 'rgb48', regions };
}

/** BT.601 narrow 8-bit Y'CbCr -> R'G'B' (for the −I / +Q chips, which are defined in that domain). */
function ycc601(y: number, cb: number, cr: number): Triple {
  const Y = (y - 16) / 219,
    Cb = (cb - 128) / 224,
    Cr = (cr - 128) / 224;
  const r = Y + 1.402 * Cr,
    b = Y + 1.772 * Cb;
  return [r, (Y - 0.299 * r - 0.114 * b) / 0.587, b];
}

/**
 * SDR SMPTE colour bars (EG 1 layout) as BT.709 R'G'B' float planes, 0..1 (the PLUGE −4% is −0.04).
 * Top 2/3: 75% bars; then the reverse-blue strip; bottom: −I, 100% white, +Q, black, PLUGE −4/0/+4%, black.
 */
export function smpteBars(
  width = 1920,
  height = 1080,
): { width: number; height: number; planes: PlanarRgb; regions: (Rect & { name: string; rgb: Triple })[] } {
  const n = width * height;
  const planes: PlanarRgb = { r: new Float32Array(n), g: new Float32Array(n), b: new Float32Array(n) };
  const regions: (Rect & { name: string; rgb: Triple })[] = [];
  const put = (name: string, x: number, y: number, w: number, h: number, c: Triple) => {
    for (let yy = y; yy < y + h; yy++)
      for (let xx = x; xx < x + w; xx++) {
        const i = yy * width + xx;
        planes.r[i] = c[0];
        planes.g[i] = c[1];
        planes.b[i] = c[2];
      }
    regions.push({ name, x, y, width: w, height: h, rgb: c });
  };
  const h1 = Math.round((height * 2) / 3),
    h2 = Math.round(height / 12),
    h3 = height - h1 - h2;
  const w7 = split(width, 7);
  const names = ['grey', 'yellow', 'cyan', 'green', 'magenta', 'red', 'blue'];
  const top: Triple[] = [
    [0.75, 0.75, 0.75],
    [0.75, 0.75, 0],
    [0, 0.75, 0.75],
    [0, 0.75, 0],
    [0.75, 0, 0.75],
    [0.75, 0, 0],
    [0, 0, 0.75],
  ];
  const strip: Triple[] = [
    [0, 0, 0.75],
    [0, 0, 0],
    [0.75, 0, 0.75],
    [0, 0, 0],
    [0, 0.75, 0.75],
    [0, 0, 0],
    [0.75, 0.75, 0.75],
  ];
  const stripNames = ['blue', 'black', 'magenta', 'black', 'cyan', 'black', 'grey'];
  let x = 0;
  w7.forEach((w, i) => {
    put(`75%-${names[i]}`, x, 0, w, h1, top[i]);
    put(`strip-${stripNames[i]}`, x, h1, w, h2, strip[i]);
    x += w;
  });
  // Bottom: the first four chips span 5/7 of the width in four equal parts; PLUGE in the 6th seventh.
  const y = h1 + h2;
  const fiveSevenths = w7.slice(0, 5).reduce((a, b) => a + b, 0);
  const quarter = split(fiveSevenths, 4);
  const bottom: [string, Triple][] = [
    ['-I', ycc601(57, 156, 97)],
    ['100%-white', [1, 1, 1]],
    ['+Q', ycc601(44, 171, 147)],
    ['black', [0, 0, 0]],
  ];
  x = 0;
  quarter.forEach((w, i) => {
    put(bottom[i][0], x, y, w, h3, bottom[i][1]);
    x += w;
  });
  const pl = split(w7[5], 3);
  put('pluge-4%', x, y, pl[0], h3, [-0.04, -0.04, -0.04]);
  x += pl[0];
  put('pluge-0%', x, y, pl[1], h3, [0, 0, 0]);
  x += pl[1];
  put('pluge+4%', x, y, pl[2], h3, [0.04, 0.04, 0.04]);
  x += pl[2];
  put('black-right', x, y, width - x, h3, [0, 0, 0]);
  return { width, height, planes, regions };
}
