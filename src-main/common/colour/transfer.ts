// Transfer functions (OETF / EOTF and inverses). Scalars only: the frame functions and lookup
// tables elsewhere call these, so there is exactly one definition of each curve.

/** SMPTE ST 2084 constants, exactly as published (BT.2100 table 4). */
export const PQ_M1 = 2610 / 16384;
export const PQ_M2 = (2523 / 4096) * 128;
export const PQ_C1 = 3424 / 4096;
export const PQ_C2 = (2413 / 4096) * 32;
export const PQ_C3 = (2392 / 4096) * 32;
/** PQ's absolute peak, cd/m² (nits). */
export const PQ_PEAK_NITS = 10000;
/** BT.2408 HDR reference white (diffuse white, graphics white). */
export const REFERENCE_WHITE_NITS = 203;

/** PQ inverse EOTF: absolute luminance in nits -> non-linear signal E' in [0,1]. Clamps outside [0, 10000]. */
export function nitsToPq(nits: number): number {
  if (!(nits > 0)) return pqZero(); // also catches NaN: black is the safe answer
  const y = Math.pow(Math.min(nits, PQ_PEAK_NITS) / PQ_PEAK_NITS, PQ_M1);
  return Math.pow((PQ_C1 + PQ_C2 * y) / (1 + PQ_C3 * y), PQ_M2);
}

// E' for 0 nits is c1^m2 (~7.3e-7), not exactly 0: keeps the curve continuous at black.
let pqZeroCache = -1;
function pqZero(): number {
  if (pqZeroCache < 0) pqZeroCache = Math.pow(PQ_C1, PQ_M2);
  return pqZeroCache;
}

/** PQ EOTF: non-linear signal E' -> absolute luminance in nits. E' is clamped to [0,1]. */
export function pqToNits(e: number): number {
  if (!(e > 0)) return 0;
  const ep = Math.pow(Math.min(e, 1), 1 / PQ_M2);
  const num = Math.max(ep - PQ_C1, 0);
  return PQ_PEAK_NITS * Math.pow(num / (PQ_C2 - PQ_C3 * ep), 1 / PQ_M1);
}

/** BT.1886 EOTF for the reference display as BT.2408 uses it: pure 2.4 power, relative light (1 = SDR 100%). */
export function bt1886Eotf(v: number): number {
  return v > 0 ? Math.pow(v, 2.4) : 0;
}

/** Inverse of {@link bt1886Eotf}: relative light -> SDR signal. */
export function bt1886InverseEotf(l: number): number {
  return l > 0 ? Math.pow(l, 1 / 2.4) : 0;
}

/**
 * Full BT.1886 Annex 1 EOTF with a display's white (lw) and black (lb) in nits: L = a·max(V+b,0)^2.4.
 * With lb = 0 this is lw·V^2.4; kept for colorists who match a specific SDR monitor.
 */
export function bt1886EotfDisplay(v: number, lw = 100, lb = 0): number {
  const g = 2.4;
  const lwR = Math.pow(lw, 1 / g);
  const lbR = Math.pow(Math.max(lb, 0), 1 / g);
  const a = Math.pow(lwR - lbR, g);
  const b = lbR / (lwR - lbR);
  return a * Math.pow(Math.max(v + b, 0), g);
}

/** BT.709 camera OETF (scene light -> signal). Not the display curve; here for scene-referred mapping. */
export function bt709Oetf(l: number): number {
  if (l <= 0) return 0;
  return l < 0.018 ? 4.5 * l : 1.099 * Math.pow(l, 0.45) - 0.099;
}

/** Inverse of {@link bt709Oetf}: signal -> scene light. */
export function bt709InverseOetf(v: number): number {
  if (v <= 0) return 0;
  return v < 0.081 ? v / 4.5 : Math.pow((v + 0.099) / 1.099, 1 / 0.45);
}

/** IEC 61966-2-1 sRGB EOTF (signal -> relative light). */
export function srgbEotf(v: number): number {
  if (v <= 0) return 0;
  return v <= 0.04045 ? v / 12.92 : Math.pow((v + 0.055) / 1.055, 2.4);
}

/** Inverse sRGB EOTF (relative light -> signal). */
export function srgbInverseEotf(l: number): number {
  if (l <= 0) return 0;
  return l <= 0.0031308 ? 12.92 * l : 1.055 * Math.pow(l, 1 / 2.4) - 0.055;
}

// BT.2100 HLG constants.
export const HLG_A = 0.17883277;
export const HLG_B = 1 - 4 * HLG_A;
export const HLG_C = 0.5 - HLG_A * Math.log(4 * HLG_A);

/** BT.2100 HLG OETF: normalised scene light [0,1] -> signal [0,1]. */
export function hlgOetf(e: number): number {
  if (e <= 0) return 0;
  return e <= 1 / 12 ? Math.sqrt(3 * e) : HLG_A * Math.log(12 * e - HLG_B) + HLG_C;
}

/** Inverse HLG OETF: signal -> normalised scene light. */
export function hlgInverseOetf(v: number): number {
  if (v <= 0) return 0;
  return v <= 0.5 ? (v * v) / 3 : (Math.exp((v - HLG_C) / HLG_A) + HLG_B) / 12;
}

/** HLG system gamma for a display of peak lw nits (BT.2100 note 5f; 1.2 at 1000 nits). */
export function hlgSystemGamma(lw = 1000): number {
  return 1.2 + 0.42 * Math.log10(lw / 1000);
}

/**
 * HLG EOTF (display light in nits) for one pixel's R'G'B', black level 0. Returns a new triple;
 * the OOTF works on scene luminance so it needs all three components.
 */
export function hlgEotf(r: number, g: number, b: number, lw = 1000): [number, number, number] {
  const rs = hlgInverseOetf(r);
  const gs = hlgInverseOetf(g);
  const bs = hlgInverseOetf(b);
  const ys = 0.2627 * rs + 0.678 * gs + 0.0593 * bs;
  const k = ys > 0 ? lw * Math.pow(ys, hlgSystemGamma(lw) - 1) : 0;
  return [k * rs, k * gs, k * bs];
}

/** PQ signal for a 10-bit narrow-range code (Y/R'G'B' 64..940). Not clamped: 4 and 1019 give -7% / 109%. */
export function pqSignalFromNarrow10(code: number): number {
  return (code - 64) / 876;
}

/** 10-bit narrow-range code for a signal E' (rounded, not clipped). */
export function narrow10FromSignal(e: number): number {
  return Math.round(64 + 876 * e);
}

/** BT.2390 EETF: tone-map a PQ signal for a display with [minNits, maxNits] from a master of [0, masterPeakNits]. */
export function bt2390Eetf(
  e: number,
  maxNits: number,
  minNits = 0,
  masterPeakNits = PQ_PEAK_NITS,
  masterBlackNits = 0,
): number {
  const srcB = nitsToPq(masterBlackNits);
  const srcW = nitsToPq(masterPeakNits);
  const minLum = (nitsToPq(minNits) - srcB) / (srcW - srcB);
  const maxLum = (nitsToPq(maxNits) - srcB) / (srcW - srcB);
  let x = Math.min(Math.max((e - srcB) / (srcW - srcB), 0), 1);
  const ks = 1.5 * maxLum - 0.5;
  if (x > ks) {
    const t = (x - ks) / (1 - ks);
    const t2 = t * t;
    const t3 = t2 * t;
    x = (2 * t3 - 3 * t2 + 1) * ks + (t3 - 2 * t2 + t) * (1 - ks) + (-2 * t3 + 3 * t2) * maxLum;
  }
  x += minLum * Math.pow(1 - x, 4);
  return x * (srcW - srcB) + srcB;
}
