// SDR BT.709 -> HDR10 (BT.2020 PQ): the analytic baseline and the network's skip path.
// The models/ ONNX graph implements the same steps; tests hold the two within one 10-bit code, so the
// order below is part of the contract: (a) Keys bicubic upscale of R'G'B' (a=-0.5, half-pixel, edge
// clamp), (b) clamp to [0,1], (c) BT.1886 L = V^2.4, (d) nits = L·diffuse white, (e) BT.709->BT.2020,
// (f) PQ inverse EOTF. Expansion is an option on top and is not part of the skip path.
import { BT709_TO_BT2020, type Mat3 } from './primaries';
import { nitsToPq, REFERENCE_WHITE_NITS } from './transfer';
import { resizeBicubic } from './resample';
import { bt1886EotfFast, nitsToPqFast } from './transfer-fast';
import type { PlanarRgb } from './ycbcr';

/** BT.2020 luminance weights (the standard's rounded Kr/Kb, as the grade's luminance uses them). */
export const BT2020_LUMA: readonly [number, number, number] = [0.2627, 0.678, 0.0593];

export interface HighlightExpansion {
  /** Where expansion starts, as a fraction of diffuse white in linear light (0.6 ≈ SDR signal 81%). */
  knee: number;
  /** Nits that SDR 100% (diffuse white) is lifted to, e.g. 1000. At or below diffuse white: no expansion. */
  peakNits: number;
}

export interface SdrToHdrOptions {
  /** Nits for SDR 100% (BT.2408 reference white); default 203. */
  diffuseWhite?: number;
  /** Lift highlights above a knee toward a peak (Resolve-style "inverse DRT" look); off by default. */
  expansion?: HighlightExpansion;
}

const smoothstep = (e0: number, e1: number, x: number) => {
  const t = Math.min(Math.max((x - e0) / (e1 - e0), 0), 1);
  return t * t * (3 - 2 * t);
};

/**
 * Highlight expansion gain for a luminance `y` (nits). With x = y / diffuseWhite and P = peak / diffuseWhite,
 * gain(x) = 1 + (P−1)·smoothstep(knee, 1, x), applied as out = in·gain to all three components.
 * Why this curve: identity below the knee; diffuse white lands exactly on the peak; C1-smooth at both ends
 * (smoothstep has zero slope there); monotonic because d(x·gain)/dx = gain + x·gain' ≥ gain ≥ 1; a common
 * factor on R,G,B keeps chromaticity (hue and saturation) unchanged. Above diffuse white (the model's own
 * highlights) the gain holds at P, so the curve stays a straight line through the origin there.
 */
export function expansionGain(yNits: number, diffuseWhite: number, knee: number, peakNits: number): number {
  const p = peakNits / diffuseWhite;
  if (!(p > 1) || !(yNits > 0)) return 1;
  const k = Math.min(Math.max(knee, 0), 0.99);
  return 1 + (p - 1) * smoothstep(k, 1, yNits / diffuseWhite);
}

/** Linear SDR BT.709 -> linear BT.2020 nits for one pixel, signals already clamped (steps c-e + expansion). */
// Local copies of imports used per pixel (a CommonJS transpiler turns each imported access into a getter call).
const gammaFast = bt1886EotfFast,
  encodeFast = nitsToPqFast;
const [LR, LG, LB] = BT2020_LUMA;

function toLinear2020(
  r: number,
  g: number,
  b: number,
  dw: number,
  m: Mat3,
  out: Float64Array,
  ex?: HighlightExpansion,
  fast = false,
): void {
  const lr = (fast ? gammaFast(r) : r > 0 ? Math.pow(r, 2.4) : 0) * dw;
  const lg = (fast ? gammaFast(g) : g > 0 ? Math.pow(g, 2.4) : 0) * dw;
  const lb = (fast ? gammaFast(b) : b > 0 ? Math.pow(b, 2.4) : 0) * dw;
  let R = m[0] * lr + m[1] * lg + m[2] * lb;
  let G = m[3] * lr + m[4] * lg + m[5] * lb;
  let B = m[6] * lr + m[7] * lg + m[8] * lb;
  if (ex) {
    const k = expansionGain(LR * R + LG * G + LB * B, dw, ex.knee, ex.peakNits);
    R *= k;
    G *= k;
    B *= k;
  }
  out[0] = R;
  out[1] = G;
  out[2] = B;
}

const clamp01 = (v: number) => (v > 0 ? (v < 1 ? v : 1) : 0); // NaN -> 0

/** One pixel: SDR BT.709 R'G'B' (0..1) -> BT.2020 PQ R'G'B' (0..1). Steps (b)-(f), plus optional expansion. */
export function sdrToHdrPixel(r: number, g: number, b: number, opts: SdrToHdrOptions = {}): [number, number, number] {
  const t = new Float64Array(3);
  toLinear2020(
    clamp01(r),
    clamp01(g),
    clamp01(b),
    opts.diffuseWhite ?? REFERENCE_WHITE_NITS,
    BT709_TO_BT2020,
    t,
    opts.expansion,
  );
  return [nitsToPq(t[0]), nitsToPq(t[1]), nitsToPq(t[2])];
}

/** The linear-light result of the mapping (BT.2020 nits) for one pixel, for measurement and tests. */
export function sdrToLinearNits(r: number, g: number, b: number, opts: SdrToHdrOptions = {}): [number, number, number] {
  const t = new Float64Array(3);
  toLinear2020(
    clamp01(r),
    clamp01(g),
    clamp01(b),
    opts.diffuseWhite ?? REFERENCE_WHITE_NITS,
    BT709_TO_BT2020,
    t,
    opts.expansion,
  );
  return [t[0], t[1], t[2]];
}

/**
 * The full baseline over a planar float frame: SDR BT.709 R'G'B' planes (w x h, 0..1) -> BT.2020 PQ R'G'B'
 * planes at (w·scale x h·scale). scale 1 skips the resize. The 2.4 power and PQ come from tables
 * (transfer-fast.ts): within 1e-5 of signal (0.01 of a 10-bit code) of sdrToHdrPixel, several times faster.
 */
export function sdrToHdrBaseline(
  planes: PlanarRgb,
  w: number,
  h: number,
  scale: number,
  opts: SdrToHdrOptions = {},
): { planes: PlanarRgb; width: number; height: number } {
  const rs = resizeBicubic(planes.r, w, h, scale);
  const gs = resizeBicubic(planes.g, w, h, scale);
  const bs = resizeBicubic(planes.b, w, h, scale);
  const n = rs.width * rs.height;
  const dw = opts.diffuseWhite ?? REFERENCE_WHITE_NITS;
  const t = new Float64Array(3);
  const r = rs.data,
    g = gs.data,
    b = bs.data; // converted in place
  for (let i = 0; i < n; i++) {
    toLinear2020(clamp01(r[i]), clamp01(g[i]), clamp01(b[i]), dw, BT709_TO_BT2020, t, opts.expansion, true);
    r[i] = encodeFast(t[0]);
    g[i] = encodeFast(t[1]);
    b[i] = encodeFast(t[2]);
  }
  return { planes: { r, g, b }, width: rs.width, height: rs.height };
}
