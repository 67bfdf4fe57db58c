// Scope data for the renderer to draw: waveform, RGB parade, histogram, CIE 1931 xy density, false
// colour, gamut shares and light levels, from one 16-bit PQ frame. Pure and allocation-free per pixel
// (typed arrays, lookup tables) so it runs in a Web Worker and in Node alike.
import { detectLetterbox, type LetterboxOptions } from './letterbox';
import { lightLevelRow, type FrameLightLevel } from './light-level';
import { frameAccess, pq16NitsLut, type PqFrame, type Rect } from './frame';
import {
  BT2020,
  BT2020_TO_BT709,
  BT2020_TO_P3,
  BT2020_TO_XYZ,
  BT709,
  D65,
  P3_D65,
  type Chromaticity,
} from './primaries';
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
  /**
   * Sample every n-th column of every n-th row for waveform, parade and histogram. Default: the step that
   * gives about {@link WAVEFORM_SAMPLE_BUDGET} samples (1 for HD, 2 for 1440p, 3 for UHD), so the cost per frame
   * stays flat whatever the resolution, as a scope's display resolution does.
   */
  waveformStep?: number;
  /** The same for CIE density, false-colour shares and gamut shares (per-pixel matrices); default: about {@link COLOUR_SAMPLE_BUDGET} samples (3 for HD, 6 for UHD). */
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

/**
 * Samples the default steps aim for. A million samples put ~2000 in each of 512 columns: a waveform
 * looks the same with more (UHD: every 3rd pixel of every 3rd row; HD: every pixel).
 */
export const WAVEFORM_SAMPLE_BUDGET = 1_000_000;
/** CIE xy on 256² bins and gamut shares to ±0.2 % need no more than this. */
export const COLOUR_SAMPLE_BUDGET = 250_000;

function defaultStep(w: number, h: number, budget: number): number {
  return Math.max(1, Math.round(Math.sqrt((w * h) / budget)));
}

/** Default false-colour band edges, nits: <0.1, 0.1–1, 1–10, 10–100, 100–203, 203–1000, 1000–4000, >4000. */
export const FALSE_COLOUR_BANDS: readonly number[] = [0.1, 1, 10, 100, 203, 1000, 4000];

export const CIE_X_MAX = 0.8;
export const CIE_Y_MAX = 0.9;

export interface Scopes {
  width: number;
  height: number;
  range: 'narrow' | 'full';
  /**
   * Waveform and RGB parade in one array, laid out as an RGBA texture 1024 wide and `columns` high:
   * data[((column · 1024) + code) · 4 + plane], plane 0 = luma Y', 1 = R', 2 = G', 3 = B'. Code 0 is the
   * bottom of the scope. One array keeps the four counts of a pixel on one cache line (neutral pixels
   * have equal codes), which is most of the speed; {@link waveformPlane} extracts one plane.
   */
  waveform: { columns: number; levels: number; data: Uint32Array; samples: number };
  /** Counts per code value (the same samples as the waveform). */
  histogram: { luma: Uint32Array; red: Uint32Array; green: Uint32Array; blue: Uint32Array };
  /** Row-major [yBin · size + xBin]; bin (i, j) covers x ∈ [i, i+1)·0.8/size, y ∈ [j, j+1)·0.9/size. Black pixels are skipped. */
  cie: { size: number; xMax: number; yMax: number; density: Uint32Array; samples: number };
  /** Share of sampled pixels per band: band i is [edges[i−1], edges[i]) nits of luminance (Y). */
  falseColour: { edges: readonly number[]; counts: Uint32Array; shares: number[] };
  /** Shares of sampled pixels of the active picture outside BT.709 and outside P3-D65. */
  gamut: { outsideBt709: number; outsideP3: number };
  /** CTA-861.3 light level of the frame over its active picture: exact (every pixel), not sampled. */
  lightLevel: FrameLightLevel;
}

export type WaveformPlane = 'luma' | 'red' | 'green' | 'blue';
const PLANE_INDEX: Record<WaveformPlane, number> = { luma: 0, red: 1, green: 2, blue: 3 };

/** One plane of the waveform as a row-major image: out[code · columns + column]. */
export function waveformPlane(s: Scopes, plane: WaveformPlane): Uint32Array {
  const { columns: C, data } = s.waveform;
  const k = PLANE_INDEX[plane];
  const out = new Uint32Array(SCOPE_LEVELS * C);
  for (let c = 0; c < C; c++)
    for (let code = 0; code < SCOPE_LEVELS; code++) out[code * C + c] = data[((c << 10) + code) * 4 + k];
  return out;
}

/** Waveform graticule: row (code value) of each nits level, for the chosen range. */
export function waveformScale(
  range: 'narrow' | 'full' = 'narrow',
  nits: readonly number[] = [0, 0.1, 1, 10, 100, 203, 400, 1000, 2000, 4000, 10000],
): { nits: number; code: number }[] {
  return nits.map((n) => ({ nits: n, code: signalToRow(nitsToPq(n), range) }));
}

/** Primaries triangles and the white point for the CIE plot. */
export const CIE_TRIANGLES: Readonly<
  Record<'bt709' | 'p3' | 'bt2020', readonly [Chromaticity, Chromaticity, Chromaticity]>
> = {
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
const KR = 4304,
  KG = 11108,
  KB = 972;

/**
 * Everything the scopes panel shows, from one frame, in one pass over its rows (each row is read from
 * memory once and reused from cache by the parts that sample it):
 * - light level over the active picture: every pixel (exact; metadata-grade);
 * - waveform, parade, histogram: every `waveformStep`-th pixel of every `waveformStep`-th row;
 * - CIE xy, false-colour shares, gamut shares: every `colourStep`-th, since they need linear light and
 *   matrices per pixel.
 * The default steps hold the samples near fixed budgets (a 3840x2160 frame: steps 3 and 6, 0.92 M waveform
 * and 0.23 M colour samples): as much as a scope can show, at a fraction of the cost of every pixel.
 * Pass the previous result as `into` when computing frame after frame (a Web Worker does): its arrays
 * are cleared and refilled instead of allocating ~9 MB per frame, which otherwise costs as much as
 * the histogram itself in allocation and garbage collection. The returned object is then `into`.
 */
export function computeScopes(f: PqFrame, o: ScopeOptions = {}, into?: Scopes): Scopes {
  const W = f.width,
    H = f.height;
  const range = o.range ?? 'narrow';
  const C = Math.max(1, Math.min(o.columns ?? 512, W));
  const ws = Math.max(1, Math.floor(o.waveformStep ?? defaultStep(W, H, WAVEFORM_SAMPLE_BUDGET)));
  const cs = Math.max(1, Math.floor(o.colourStep ?? defaultStep(W, H, COLOUR_SAMPLE_BUDGET)));
  const N = o.cieSize ?? 256;
  const edges = o.bands ?? FALSE_COLOUR_BANDS;
  const rows = rowLut(range);
  const lut = pq16NitsLut();
  const { r: oR, g: oG, b: oB, step } = frameAccess(f);
  const d = f.data;
  const active = o.active ?? detectLetterbox(f, o.letterbox);
  const ax0 = active.x,
    ax1 = active.x + active.width,
    ay0 = active.y,
    ay1 = active.y + active.height;

  const reuse =
    into !== undefined &&
    into.waveform.columns === C &&
    into.cie.size === N &&
    into.falseColour.counts.length === edges.length + 1;
  const cleared = (a: Uint32Array | undefined, n: number) => (reuse && a ? a.fill(0) : new Uint32Array(n));
  const wave = cleared(into?.waveform.data, SCOPE_LEVELS * C * 4);
  const colOf = new Int32Array(W);
  for (let x = 0; x < W; x++) colOf[x] = Math.floor((x * C) / W) << 12; // column base in wave (×1024 codes ×4 planes)
  let waveSamples = 0;

  const density = cleared(into?.cie.density, N * N);
  const counts = cleared(into?.falseColour.counts, edges.length + 1);
  const m = BT2020_TO_XYZ,
    a = BT2020_TO_BT709,
    q = BT2020_TO_P3;
  const m0 = m[0],
    m1 = m[1],
    m2 = m[2],
    m3 = m[3],
    m4 = m[4],
    m5 = m[5];
  const sx = m[0] + m[3] + m[6],
    sy = m[1] + m[4] + m[7],
    sz = m[2] + m[5] + m[8]; // X+Y+Z per unit R, G, B
  const xs = N / CIE_X_MAX,
    ys = N / CIE_Y_MAX;
  const tol = o.gamutTolerance ?? 0.01,
    minNits = o.gamutMinNits ?? 0.1;
  const nb = edges.length;
  const edgeArr = Float64Array.from(edges);
  let samples = 0,
    cieSamples = 0,
    gamutSamples = 0,
    o709 = 0,
    oP3 = 0;
  const light = { maxCode: 0, sum: 0 };
  const pstep = step * ws,
    cstep = step * cs;

  // Fast path for the common case (rgb48 from ffmpeg, sampled rows, no pillarbox): a sampled row's
  // light and waveform come from one read of the row, as 32-bit words (two pixels per three words).
  const merge = f.layout === 'rgb48' && ws >= 2 && (W & 1) === 0 && (d.byteOffset & 3) === 0 && ax0 === 0 && ax1 === W;
  const d32 = merge ? new Uint32Array(d.buffer, d.byteOffset, d.length >> 1) : null;
  for (let y = 0; y < H; y++) {
    const lightRow = y >= ay0 && y < ay1;
    if (y % ws === 0) {
      if (d32 && lightRow) waveAndLightRow(d32, y, W, ws, colOf, rows, wave, lut, light);
      else {
        if (lightRow) lightLevelRow(f, y, ax0, active.width, light);
        let p = y * W * step;
        for (let x = 0; x < W; x += ws, p += pstep) bump(wave, colOf[x], rows, d[oR + p], d[oG + p], d[oB + p]);
      }
      waveSamples += Math.ceil(W / ws);
    } else if (lightRow) lightLevelRow(f, y, ax0, active.width, light);
    if (y % cs === 0) {
      let p = y * W * step;
      const rowActive = y >= ay0 && y < ay1;
      for (let x = 0; x < W; x += cs, p += cstep) {
        const R = lut[d[oR + p]],
          G = lut[d[oG + p]],
          B = lut[d[oB + p]];
        samples++;
        const Y = m3 * R + m4 * G + m5 * B;
        let band = 0;
        while (band < nb && Y >= edgeArr[band]) band++;
        counts[band]++;
        const S = sx * R + sy * G + sz * B;
        if (S > 0) {
          const inv = 1 / S;
          const bx = ((m0 * R + m1 * G + m2 * B) * inv * xs) | 0,
            by = (Y * inv * ys) | 0;
          if (bx >= 0 && bx < N && by >= 0 && by < N) {
            density[by * N + bx]++;
            cieSamples++;
          }
        }
        if (!rowActive || x < ax0 || x >= ax1) continue;
        gamutSamples++;
        const mx = R > G ? (R > B ? R : B) : G > B ? G : B;
        if (mx >= minNits) {
          const lim = -tol * mx;
          if (
            a[0] * R + a[1] * G + a[2] * B < lim ||
            a[3] * R + a[4] * G + a[5] * B < lim ||
            a[6] * R + a[7] * G + a[8] * B < lim
          ) {
            o709++;
            if (
              q[0] * R + q[1] * G + q[2] * B < lim ||
              q[3] * R + q[4] * G + q[5] * B < lim ||
              q[6] * R + q[7] * G + q[8] * B < lim
            )
              oP3++;
          }
        }
      }
    }
  }

  const h0 = cleared(into?.histogram.luma, SCOPE_LEVELS),
    h1 = cleared(into?.histogram.red, SCOPE_LEVELS);
  const h2 = cleared(into?.histogram.green, SCOPE_LEVELS),
    h3 = cleared(into?.histogram.blue, SCOPE_LEVELS);
  for (let c = 0; c < C; c++) {
    for (let code = 0, i = c << 12; code < SCOPE_LEVELS; code++, i += 4) {
      h0[code] += wave[i];
      h1[code] += wave[i + 1];
      h2[code] += wave[i + 2];
      h3[code] += wave[i + 3];
    }
  }
  const n = active.width * active.height;
  const lightLevel: FrameLightLevel = {
    maxCll: n > 0 ? lut[light.maxCode] : 0,
    fall: n > 0 ? light.sum / n : 0,
    active,
    outsideBt709: gamutSamples ? o709 / gamutSamples : 0,
    outsideP3: gamutSamples ? oP3 / gamutSamples : 0,
  };
  const result: Scopes = {
    width: W,
    height: H,
    range,
    waveform: { columns: C, levels: SCOPE_LEVELS, data: wave, samples: waveSamples },
    histogram: { luma: h0, red: h1, green: h2, blue: h3 },
    cie: { size: N, xMax: CIE_X_MAX, yMax: CIE_Y_MAX, density, samples: cieSamples },
    falseColour: { edges, counts, shares: Array.from(counts, (c) => (samples ? c / samples : 0)) },
    gamut: { outsideBt709: lightLevel.outsideBt709, outsideP3: lightLevel.outsideP3 },
    lightLevel,
  };
  return reuse && into ? Object.assign(into, result) : result;
}

/** Count one sample into the waveform/parade cell of its column (the four planes share a cell). */
function bump(wave: Uint32Array, c: number, rows: Uint16Array, R: number, G: number, B: number): void {
  wave[c + (rows[(R * KR + G * KG + B * KB + 8192) >> 14] << 2)]++;
  wave[c + (rows[R] << 2) + 1]++;
  wave[c + (rows[G] << 2) + 2]++;
  wave[c + (rows[B] << 2) + 3]++;
}

/**
 * One rgb48 row read once as 32-bit words (two pixels per three words): every pixel's light, and every
 * ws-th pixel's waveform counts (ws >= 2, so at most one sample per pair). See computeScopes.
 */
function waveAndLightRow(
  d32: Uint32Array,
  y: number,
  W: number,
  ws: number,
  colOf: Int32Array,
  rows: Uint16Array,
  wave: Uint32Array,
  lut: Float32Array,
  acc: { maxCode: number; sum: number },
): void {
  let q = (y * W * 3) >> 1,
    sum = 0,
    maxCode = acc.maxCode,
    next = 0;
  for (let x = 0; x < W; x += 2, q += 3) {
    const w0 = d32[q],
      w1 = d32[q + 1],
      w2 = d32[q + 2];
    const R = w0 & 0xffff,
      G = w0 >>> 16,
      B = w1 & 0xffff;
    const R2 = w1 >>> 16,
      G2 = w2 & 0xffff,
      B2 = w2 >>> 16;
    if (x === next) {
      bump(wave, colOf[x], rows, R, G, B);
      next += ws;
    } else if (x + 1 === next) {
      bump(wave, colOf[x + 1], rows, R2, G2, B2);
      next += ws;
    }
    let m = R;
    if (G > m) m = G;
    if (B > m) m = B;
    let m2 = R2;
    if (G2 > m2) m2 = G2;
    if (B2 > m2) m2 = B2;
    if (m2 > m) {
      if (m2 > maxCode) maxCode = m2;
    } else if (m > maxCode) maxCode = m;
    sum += lut[m] + lut[m2];
  }
  acc.maxCode = maxCode;
  acc.sum += sum;
}

/**
 * Per-pixel false-colour class (index into the bands, by luminance Y in nits) for overlaying on the
 * picture. Writes into `out` when given (reuse it frame to frame).
 */
export function falseColourMap(
  f: PqFrame,
  edges: readonly number[] = FALSE_COLOUR_BANDS,
  out?: Uint8Array,
): Uint8Array {
  const n = f.width * f.height;
  const res = out ?? new Uint8Array(n);
  const lut = pq16NitsLut();
  const { r, g, b, step } = frameAccess(f);
  const d = f.data,
    m = BT2020_TO_XYZ;
  const e = Float64Array.from(edges);
  for (let i = 0, p = 0; i < n; i++, p += step) {
    const Y = m[3] * lut[d[r + p]] + m[4] * lut[d[g + p]] + m[5] * lut[d[b + p]];
    let k = 0;
    while (k < e.length && Y >= e[k]) k++;
    res[i] = k;
  }
  return res;
}
