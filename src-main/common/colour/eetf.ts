// ITU-R BT.2390 EETF: shows PQ content mastered up to a source peak on a display with a lower peak (and a
// raised black). It works in PQ normalised to the source range, leaves everything below the knee KS alone
// and rolls off above it with a Hermite spline that lands the source peak exactly on the display's peak.
// The viewer applies it per R'G'B' component, as BT.2390 allows; eetfGlsl() below is the same maths.
import { nitsToPq, PQ_PEAK_NITS } from './transfer';

export interface EetfRange {
  /** The display's peak, nits (the viewer's setting; 100 for an SDR monitor). */
  displayPeakNits: number;
  /** The display's black, nits; 0 leaves black where it is. */
  displayBlackNits?: number;
  /** The content's mastering peak, nits (default the PQ container's 10000). */
  sourcePeakNits?: number;
  /** The content's mastering black, nits (default 0). */
  sourceBlackNits?: number;
}

/** The curve's constants in PQ: the source range, and maxLum / minLum / KS normalised to it. */
export interface EetfConstants {
  srcBlack: number;
  srcRange: number;
  maxLum: number;
  minLum: number;
  ks: number;
}

export function eetfConstants(r: EetfRange): EetfConstants {
  const srcBlack = nitsToPq(r.sourceBlackNits ?? 0);
  const srcPeak = nitsToPq(Math.min(r.sourcePeakNits ?? PQ_PEAK_NITS, PQ_PEAK_NITS));
  const srcRange = srcPeak - srcBlack;
  const maxLum = Math.min((nitsToPq(r.displayPeakNits) - srcBlack) / srcRange, 1);
  const minLum = Math.max((nitsToPq(r.displayBlackNits ?? 0) - srcBlack) / srcRange, 0);
  return { srcBlack, srcRange, maxLum, minLum, ks: 1.5 * maxLum - 0.5 };
}

/** The EETF on one PQ signal (0..1): the display-referred PQ signal, at most PQ(display peak). */
export function eetf(e: number, c: EetfConstants): number {
  const e1 = Math.min(Math.max((e - c.srcBlack) / c.srcRange, 0), 1);
  let e2 = e1;
  // With maxLum >= 1 the display reaches the source's peak: nothing to roll off.
  if (c.maxLum < 1 && e1 > c.ks) {
    const t = (e1 - c.ks) / (1 - c.ks);
    const t2 = t * t,
      t3 = t2 * t;
    e2 = (2 * t3 - 3 * t2 + 1) * c.ks + (t3 - 2 * t2 + t) * (1 - c.ks) + (-2 * t3 + 3 * t2) * c.maxLum;
  }
  const e3 = e2 + c.minLum * Math.pow(1 - e2, 4);
  return e3 * c.srcRange + c.srcBlack;
}

/**
 * GLSL ES 3.00 `float eetf(float e)` with the constants baked in as uniforms `u_eetf` = (srcBlack, srcRange,
 * maxLum, minLum); KS follows from maxLum. Set them with {@link eetfUniform}.
 */
export const EETF_GLSL = `
uniform vec4 u_eetf;
float eetf(float e) {
  float srcBlack = u_eetf.x, srcRange = u_eetf.y, maxLum = u_eetf.z, minLum = u_eetf.w;
  float ks = 1.5 * maxLum - 0.5;
  float e1 = clamp((e - srcBlack) / srcRange, 0.0, 1.0);
  float e2 = e1;
  if (maxLum < 1.0 && e1 > ks) {
    float t = (e1 - ks) / (1.0 - ks);
    float t2 = t * t, t3 = t2 * t;
    e2 = (2.0 * t3 - 3.0 * t2 + 1.0) * ks + (t3 - 2.0 * t2 + t) * (1.0 - ks) + (-2.0 * t3 + 3.0 * t2) * maxLum;
  }
  float b = 1.0 - e2;
  return (e2 + minLum * b * b * b * b) * srcRange + srcBlack;
}
`;

/** The `u_eetf` value for a range (uniform4fv). */
export function eetfUniform(r: EetfRange): Float32Array {
  const c = eetfConstants(r);
  return new Float32Array([c.srcBlack, c.srcRange, c.maxLum, c.minLum]);
}
