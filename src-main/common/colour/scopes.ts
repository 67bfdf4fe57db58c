// Scope data for the renderer to draw: waveform, RGB parade, histogram, CIE 1931 xy density, false
// colour, gamut shares and light levels, from one 16-bit PQ frame. Pure and allocation-free per pixel
// (typed arrays, lookup tables) so it runs in a Web Worker and in Node alike.
import { detectLetterbox, measureFrame, type FrameLightLevel, type LetterboxOptions } from './light-level';
import { frameAccess, pq16NitsLut, type PqFrame, type Rect } from './frame';
import { BT2020, BT2020_TO_BT709, BT2020_TO_P3, BT2020_TO_XYZ, BT709, D65, P3_D65, type Chromaticity } from './primaries';
import { nitsToPq } from './transfer';

/** Rows of the waveform, parade and histogram: 10-bit code values 0..1023. */
export const SCOPE_LEVELS = 1024;

export interface ScopeOptions {
  /** Waveform/parade columns (the frame's width is binned into these); default 512. */
  columns?: number;
  /**
   * How a row's code value relates to the signal. 'narrow' (default): the 10-bit narrow-range code a
   * delivered master carries (64 = 0 nits, 940 = 10000 nits), so BT.2111 bars sit on their published codes.
   * 'full': 0..1023 over the full signal.
   */
  range?: 'narrow' | 'full';
  /** Sample every n-th column of every n-th row for waveform, parade and histogram; default 1 (all pixels). */
  waveformStep?: number;
  /** The same for CIE density, false-colour shares and gamut shares (per-pixel matrices); default 2. */
  colourStep?: number;
  /** CIE bins per axis over x ∈ [0, 0.8), y ∈ [0, 0.9); default 256. */
  cieSize?: number;
  /** False-colour band edges in nits (ascending); default {@link FALSE_COLOUR_BANDS}. */
  bands?: readonly number[];
  /** Light levels: the area to measure; default detected (letterbox excluded). */
  active?: Rect;
  letterbox?: LetterboxOptions;
  /** Gamut tolerance and dark floor, as in measureFrame. */
  gamutTolerance?: number;
  gamutMinNits?: number;
}

/** Default false-colour band edges, nits: <0.1, 0.1–1, 1–10, 10–100, 100–203, 203–1000, 1000–4000, >4000. */
export const FALSE_COLOUR_BANDS: readonly number[] = [0.1, 1, 10, 100, 203, 1000, 4000];

export const CIE_X_MAX = 0.8;
export const CIE_Y_MAX = 0.9;

export interface Scopes {
  width: number; height: number;
  range: 'narrow' | 'full';
  /** Row-major [code · columns + column] counts; code 0 is the bottom of the scope. */
  waveform: { columns: number; luma: Uint32Array; red: Uint32Array; green: Uint32Array; blue: Uint32Array };
  /** Counts per code value (the same samples as the waveform). */
  histogram: { luma: Uint32Array; red: Uint32Array; green: Uint32Array; blue: Uint32Array };
  /** Row-major [yBin · size + xBin]; bin (i, j) covers x ∈ [i, i+1)·0.8/size, y ∈ [j, j+1)·0.9/size. Black pixels are skipped. */
  cie: { size: number; xMax: number; yMax: number; density: Uint32Array; samples: number };
  /** Share of sampled pixels per band: band i is [edges[i−1], edges[i]) nits of luminance (Y). */
  falseColour: { edges: readonly number[]; counts: Uint32Array; shares: number[] };
  /** Shares of sampled pixels of the active picture outside BT.709 and outside P3-D65. */
  gamut: { outsideBt709: number; outsideP3: number };
  /** Exact CTA-861.3 light level of the frame over its active picture. */
  lightLevel: FrameLightLevel;
}

/** Waveform graticule: row (code value) of each nits level, for the chosen range. */
export function waveformScale(range: 'narrow' | 'full' = 'narrow', nits: readonly number[] = [0, 0.1, 1, 10, 100, 203, 400, 1000, 2000, 4000, 10000]): { nits: number; code: number }[] {
  return nits.map((n) => ({ nits: n, code: signalToRow(nitsToPq(n), range) }));
}

/** Primaries triangles and the white point for the CIE plot. */
export const CIE_TRIANGLES: Readonly<Record<'bt709' | 'p3' | 'bt2020', readonly [Chromaticity, Chromaticity, Chromaticity]>> = {
  bt709: [BT709.red, BT709.green, BT709.blue],
  p3: [P3_D65.red, P3_D65.green, P3_D65.blue],
  bt2020: [BT2020.red, BT2020.green, BT2020.blue],
};
export const CIE_WHITE = D65;

function signalToRow(e: number, range: 'narrow' | 'full'): number {
  const v = range === 'narrow' ? 64 + 876 * e : 1023 * e;
  return Math.min(1023, Math.max(0, Math.round(v)));
}

const rowLuts = new Map<string, Uint16Array>();
/** 16-bit code -> scope row, per range (128 KiB each, built once). */
function rowLut(range: 'narrow' | 'full'): Uint16Array {
  let l = rowLuts.get(range);
  if (!l) {
    l = new Uint16Array(65536);
    for (let i = 0; i < 65536; i++) l[i] = signalToRow(i / 65535, range);
    rowLuts.set(range, l);
  }
  return l;
}

// BT.2020 NCL luma in fixed point (×2^14, summing to 2^14): the waveform shows Y' as an encoder forms it.
const KR = 4304, KG = 11108, KB = 972;

/** Everything the scopes panel shows, from one frame. */
export function computeScopes(f: PqFrame, o: ScopeOptions = {}): Scopes {
  const W = f.width, H = f.height;
  const range = o.range ?? 'narrow';
  const C = Math.max(1, Math.min(o.columns ?? 512, W));
  const ws = Math.max(1, o.waveformStep ?? 1);
  const cs = Math.max(1, o.colourStep ?? 2);
  const N = o.cieSize ?? 256;
  const edges = o.bands ?? FALSE_COLOUR_BANDS;
  const rows = rowLut(range);
  const lut = pq16NitsLut();
  const { r: oR, g: oG, b: oB, step } = frameAccess(f);
  const d = f.data;

  // --- waveform + parade (+ histograms derived from them afterwards) ---
  const wl = new Uint32Array(SCOPE_LEVELS * C), wr = new Uint32Array(SCOPE_LEVELS * C);
  const wg = new Uint32Array(SCOPE_LEVELS * C), wb = new Uint32Array(SCOPE_LEVELS * C);
  const colOf = new Int32Array(W);
  for (let x = 0; x < W; x++) colOf[x] = Math.floor((x * C) / W);
  const pstep = step * ws;
  for (let y = 0; y < H; y += ws) {
    let p = y * W * step;
    for (let x = 0; x < W; x += ws, p += pstep) {
      const R = d[oR + p], G = d[oG + p], B = d[oB + p];
      const c = colOf[x];
      wl[rows[(R * KR + G * KG + B * KB + 8192) >> 14] * C + c]++;
      wr[rows[R] * C + c]++;
      wg[rows[G] * C + c]++;
      wb[rows[B] * C + c]++;
    }
  }
  const hist = (w: Uint32Array) => {
    const h = new Uint32Array(SCOPE_LEVELS);
    for (let k = 0; k < SCOPE_LEVELS; k++) {
      let s = 0;
      const base = k * C;
      for (let c = 0; c < C; c++) s += w[base + c];
      h[k] = s;
    }
    return h;
  };

  // --- CIE xy density, false-colour bands, gamut shares (linear light; every cs-th pixel) ---
  const density = new Uint32Array(N * N);
  const counts = new Uint32Array(edges.length + 1);
  const m = BT2020_TO_XYZ, a = BT2020_TO_BT709, q = BT2020_TO_P3;
  const sx = m[0] + m[3] + m[6], sy = m[1] + m[4] + m[7], sz = m[2] + m[5] + m[8]; // X+Y+Z per unit R, G, B
  const xs = N / CIE_X_MAX, ys = N / CIE_Y_MAX;
  const tol = o.gamutTolerance ?? 0.01, minNits = o.gamutMinNits ?? 0.1;
  const nb = edges.length;
  const edgeArr = Float64Array.from(edges);
  let samples = 0, cieSamples = 0, gamutSamples = 0, o709 = 0, oP3 = 0;
  const active = o.active ?? detectLetterbox(f, o.letterbox);
  const ax0 = active.x, ax1 = active.x + active.width, ay0 = active.y, ay1 = active.y + active.height;
  const cstep = step * cs;
  for (let y = 0; y < H; y += cs) {
    let p = y * W * step;
    const rowActive = y >= ay0 && y < ay1;
    for (let x = 0; x < W; x += cs, p += cstep) {
      const R = lut[d[oR + p]], G = lut[d[oG + p]], B = lut[d[oB + p]];
      samples++;
      const Y = m[3] * R + m[4] * G + m[5] * B;
      let band = 0;
      while (band < nb && Y >= edgeArr[band]) band++;
      counts[band]++;
      const S = sx * R + sy * G + sz * B;
      if (S > 0) {
        const X = m[0] * R + m[1] * G + m[2] * B;
        const bx = (((X / S) * xs) | 0), by = (((Y / S) * ys) | 0);
        if (bx >= 0 && bx < N && by >= 0 && by < N) { density[by * N + bx]++; cieSamples++; }
      }
      if (!rowActive || x < ax0 || x >= ax1) continue;
      gamutSamples++;
      const mx = R > G ? (R > B ? R : B) : G > B ? G : B;
      if (mx >= minNits) {
        const lim = -tol * mx;
        if (a[0] * R + a[1] * G + a[2] * B < lim || a[3] * R + a[4] * G + a[5] * B < lim || a[6] * R + a[7] * G + a[8] * B < lim) {
          o709++;
          if (q[0] * R + q[1] * G + q[2] * B < lim || q[3] * R + q[4] * G + q[5] * B < lim || q[6] * R + q[7] * G + q[8] * B < lim) oP3++;
        }
      }
    }
  }

  const lightLevel = measureFrame(f, { active, gamut: false });
  lightLevel.outsideBt709 = gamutSamples ? o709 / gamutSamples : 0;
  lightLevel.outsideP3 = gamutSamples ? oP3 / gamutSamples : 0;

  return {
    width: W, height: H, range,
    waveform: { columns: C, luma: wl, red: wr, green: wg, blue: wb },
    histogram: { luma: hist(wl), red: hist(wr), green: hist(wg), blue: hist(wb) },
    cie: { size: N, xMax: CIE_X_MAX, yMax: CIE_Y_MAX, density, samples: cieSamples },
    falseColour: { edges, counts, shares: Array.from(counts, (c) => (samples ? c / samples : 0)) },
    gamut: { outsideBt709: lightLevel.outsideBt709, outsideP3: lightLevel.outsideP3 },
    lightLevel,
  };
}

/**
 * Per-pixel false-colour class (index into the bands, by luminance Y in nits) for overlaying on the
 * picture. Writes into `out` when given (reuse it frame to frame).
 */
export function falseColourMap(f: PqFrame, edges: readonly number[] = FALSE_COLOUR_BANDS, out?: Uint8Array): Uint8Array {
  const n = f.width * f.height;
  const res = out ?? new Uint8Array(n);
  const lut = pq16NitsLut();
  const { r, g, b, step } = frameAccess(f);
  const d = f.data, m = BT2020_TO_XYZ;
  const e = Float64Array.from(edges);
  for (let i = 0, p = 0; i < n; i++, p += step) {
    const Y = m[3] * lut[d[r + p]] + m[4] * lut[d[g + p]] + m[5] * lut[d[b + p]];
    let k = 0;
    while (k < e.length && Y >= e[k]) k++;
    res[i] = k;
  }
  return res;
}
