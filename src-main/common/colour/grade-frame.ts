// The grade over whole frames: gradeKernel's steps (grade.ts, the reference) in one loop per frame with the PQ
// table lookups inlined, to floats or straight to the render cache's 16-bit codes. Change with grade.ts.
import { GAMUT_COMPRESS_THRESHOLD, prepared, type GradeParams, type PreparedGrade } from './grade';
import type { PqFrame } from './frame';
import { BT2020_TO_P3, P3_TO_BT2020 } from './primaries';
import { BT2020_LUMA } from './sdr-to-hdr';
import { PQ_PEAK_NITS } from './transfer';
import { pqTables } from './transfer-fast';
import type { PlanarRgb } from './ycbcr';

// Module-local copies: under CommonJS transpilers an imported binding is a getter call on every access.
const LR = BT2020_LUMA[0],
  LG = BT2020_LUMA[1],
  LB = BT2020_LUMA[2];
const PEAK = PQ_PEAK_NITS;
const TO_P3 = BT2020_TO_P3,
  FROM_P3 = P3_TO_BT2020;
const COMPRESS_THRESHOLD = GAMUT_COMPRESS_THRESHOLD;

/**
 * The grade over planar float frames (PQ signals). `out` may be one of the inputs. No per-pixel allocation.
 * Uses the table-driven PQ (within 2e-5 of signal, about one 16-bit code, of applyGrade).
 */
export function applyGradeFrame(
  hdrModel: PlanarRgb,
  hdrBase: PlanarRgb,
  params: GradeParams | PreparedGrade,
  out?: PlanarRgb,
): PlanarRgb {
  const n = hdrBase.r.length;
  const o = out ?? { r: new Float32Array(n), g: new Float32Array(n), b: new Float32Array(n) };
  gradeFrameLoop(hdrModel, hdrBase, prepared(params), o, null, 0, n);
  return o;
}

/**
 * The grade over planar float frames straight to 16-bit PQ codes, planar (R plane, then G, then B: a
 * {@link PqFrame} of layout 'planar'), as the render cache stores them: round(signal · 65535). The same
 * loop as applyGradeFrame, rounded from double precision instead of through a float32 frame, so a code
 * differs from pqFloatPlanesToFrame(applyGradeFrame(...)) by at most one. `codes` is reused when given.
 */
export function gradeFrameToCodes(
  hdrModel: PlanarRgb,
  hdrBase: PlanarRgb,
  params: GradeParams | PreparedGrade,
  width: number,
  height: number,
  codes?: Uint16Array,
): PqFrame {
  const n = width * height;
  if (hdrBase.r.length !== n || hdrModel.r.length !== n)
    throw new RangeError(`gradeFrameToCodes: planes of ${hdrBase.r.length} pixels for ${width}x${height}`);
  const data = codes && codes.length === 3 * n ? codes : new Uint16Array(3 * n);
  gradeFrameLoop(hdrModel, hdrBase, prepared(params), null, data, 0, n);
  return { width, height, data, layout: 'planar' };
}

/**
 * Rows [fromRow, toRow) of gradeFrameToCodes, into the whole frame's planar `codes` (3 x width x height): the
 * same codes as grading the frame at once, so threads can share a frame's rows.
 */
export function gradeRowsToCodes(
  hdrModel: PlanarRgb,
  hdrBase: PlanarRgb,
  params: GradeParams | PreparedGrade,
  width: number,
  height: number,
  codes: Uint16Array,
  fromRow: number,
  toRow: number,
): void {
  const n = width * height;
  if (hdrBase.r.length !== n || hdrModel.r.length !== n || codes.length !== 3 * n)
    throw new RangeError(`gradeRowsToCodes: planes of ${hdrBase.r.length} pixels for ${width}x${height}`);
  if (!(Number.isInteger(fromRow) && Number.isInteger(toRow) && 0 <= fromRow && fromRow <= toRow && toRow <= height))
    throw new RangeError(`gradeRowsToCodes: rows ${fromRow}-${toRow} of ${height}`);
  gradeFrameLoop(hdrModel, hdrBase, prepared(params), null, codes, fromRow * width, toRow * width);
}

const samePlane = (a: Float32Array, b: Float32Array) =>
  a === b || (a.buffer === b.buffer && a.byteOffset === b.byteOffset && a.length === b.length);
const samePlanes = (a: PlanarRgb, b: PlanarRgb) => samePlane(a.r, b.r) && samePlane(a.g, b.g) && samePlane(a.b, b.b);

// Scratch for reading a double's high word (the encode table's index): module-level, never per pixel.
const bitsF64 = new Float64Array(1);
const bitsU32 = new Uint32Array(bitsF64.buffer);
const HIGH_WORD = new Uint8Array(new Uint16Array([1]).buffer)[0] === 1 ? 1 : 0;

/**
 * The frame in blocks of BLOCK pixels, one call each, the grade's settings handed over as numbers in a
 * Float64Array. V8 compiles only the branches and object shapes it has seen: in one loop over the whole frame
 * reading a PreparedGrade, a grade with other settings (a black level of 0 against 0.01, a model strength of 1
 * against 0.7: integer against fractional fields, another shape) deoptimized it, and after a few such changes it
 * stayed in a slower tier (1080p, the default grade after a grade without black level: 148 against 72 ms).
 */
function gradeFrameLoop(
  model: PlanarRgb,
  base: PlanarRgb,
  q: PreparedGrade,
  outF: PlanarRgb | null,
  codes: Uint16Array | null,
  start: number,
  end: number,
): void {
  const n = base.r.length;
  const k = SETTINGS;
  k[0] = q.modelStrength;
  k[1] = q.gain;
  k[2] = q.diffuseWhite;
  k[3] = q.blackLevel;
  k[4] = q.expansionRatio;
  k[5] = q.knee;
  k[6] = q.saturation;
  k[7] = q.compress ? 1 : 0;
  k[8] = q.compressScale;
  k[9] = q.limitP3 ? 1 : 0;
  // An analytic model's result is its baseline, and a render at full model strength hands the model's result over
  // as both (the same planes): decoded once, the blend is the gain alone (at strength 1 the same as km·model).
  k[10] = samePlanes(model, base) ? 1 : 0;
  const oR = outF ? outF.r : null,
    oG = outF ? outF.g : null,
    oB = outF ? outF.b : null;
  for (let from = start; from < end; from += BLOCK)
    gradeBlock(
      model.r,
      model.g,
      model.b,
      base.r,
      base.g,
      base.b,
      oR,
      oG,
      oB,
      codes,
      n,
      from,
      Math.min(end, from + BLOCK),
    );
}
const BLOCK = 16384;
const SETTINGS = new Float64Array(11);

/**
 * gradeKernel's steps over pixels [from, to) in one loop with every lookup inlined (a call per channel, the
 * Float64Array hand-over and the shared closure's polymorphic calls cost ~4x the arithmetic). PQ decode and
 * encode are pqToNitsFast / nitsToPqFast's tables and arithmetic exactly; the blend is kb·base + km·model
 * with kb = (1 − s)·gain, km = s·gain (the kernel's (b + s(m − b))·gain, equal to ~1e-16 relative).
 * Writes floats to oR/oG/oB or 16-bit codes to `codes` (planar, planes of n).
 */
function gradeBlock(
  mR: Float32Array,
  mG: Float32Array,
  mB: Float32Array,
  bR: Float32Array,
  bG: Float32Array,
  bB: Float32Array,
  oR: Float32Array | null,
  oG: Float32Array | null,
  oB: Float32Array | null,
  codes: Uint16Array | null,
  n: number,
  from: number,
  to: number,
): void {
  const T = pqTables();
  const dec = T.dec,
    DN = T.decSteps;
  const enc = T.enc,
    encX0 = T.encX0,
    encInvW = T.encInvW;
  const expMin = T.encExpMin,
    mantBits = T.encMantBits,
    mantMask = (1 << mantBits) - 1,
    minNits = T.encMinNits,
    black = T.pqBlack,
    blackRamp = (enc[0] - T.pqBlack) / T.encMinNits;
  const f64 = bitsF64,
    u32 = bitsU32,
    hiWord = HIGH_WORD;
  const k = SETTINGS;
  const s = k[0],
    gain = k[1];
  const alias = k[10] !== 0;
  const useModel = alias || s !== 0,
    useBase = !alias && s !== 1;
  const km = alias ? gain : s * gain,
    kb = (1 - s) * gain;
  const dw = k[2],
    blackLevel = k[3];
  const expand = k[4] > 1,
    ratio1 = k[4] - 1,
    knee = k[5],
    invKneeSpan = 1 / (1 - knee);
  const sat = k[6];
  const compress = k[7] !== 0,
    cs = k[8],
    limitP3 = k[9] !== 0,
    ct = COMPRESS_THRESHOLD;
  const lr = LR,
    lg = LG,
    lb = LB,
    peakNits = PEAK;
  const A = TO_P3,
    B = FROM_P3;
  const a0 = A[0],
    a1 = A[1],
    a2 = A[2],
    a3 = A[3],
    a4 = A[4],
    a5 = A[5],
    a6 = A[6],
    a7 = A[7],
    a8 = A[8];
  const b0 = B[0],
    b1 = B[1],
    b2 = B[2],
    b3 = B[3],
    b4 = B[4],
    b5 = B[5],
    b6 = B[6],
    b7 = B[7],
    b8 = B[8];

  for (let i = from; i < to; i++) {
    // PQ decode of model and base (clamped; NaN is black), blended in linear light, times the gain.
    // Written out per channel: a loop over channels with selects costs about twice as much in V8.
    let r = 0,
      g = 0,
      b = 0;
    if (useModel) {
      let e = mR[i];
      let x = e >= 1 ? DN : e > 0 ? e * DN : 0;
      let k = x === DN ? DN - 1 : x | 0;
      let t0 = dec[k];
      r = km * (t0 + (x - k) * (dec[k + 1] - t0));
      e = mG[i];
      x = e >= 1 ? DN : e > 0 ? e * DN : 0;
      k = x === DN ? DN - 1 : x | 0;
      t0 = dec[k];
      g = km * (t0 + (x - k) * (dec[k + 1] - t0));
      e = mB[i];
      x = e >= 1 ? DN : e > 0 ? e * DN : 0;
      k = x === DN ? DN - 1 : x | 0;
      t0 = dec[k];
      b = km * (t0 + (x - k) * (dec[k + 1] - t0));
    }
    if (useBase) {
      let e = bR[i];
      let x = e >= 1 ? DN : e > 0 ? e * DN : 0;
      let k = x === DN ? DN - 1 : x | 0;
      let t0 = dec[k];
      r += kb * (t0 + (x - k) * (dec[k + 1] - t0));
      e = bG[i];
      x = e >= 1 ? DN : e > 0 ? e * DN : 0;
      k = x === DN ? DN - 1 : x | 0;
      t0 = dec[k];
      g += kb * (t0 + (x - k) * (dec[k + 1] - t0));
      e = bB[i];
      x = e >= 1 ? DN : e > 0 ? e * DN : 0;
      k = x === DN ? DN - 1 : x | 0;
      t0 = dec[k];
      b += kb * (t0 + (x - k) * (dec[k + 1] - t0));
    }
    if (blackLevel !== 0) {
      let f = 1 - (r < dw ? r / dw : 1);
      r += blackLevel * f * f;
      if (!(r > 0)) r = 0;
      f = 1 - (g < dw ? g / dw : 1);
      g += blackLevel * f * f;
      if (!(g > 0)) g = 0;
      f = 1 - (b < dw ? b / dw : 1);
      b += blackLevel * f * f;
      if (!(b > 0)) b = 0;
    }
    if (expand) {
      let t = ((lr * r + lg * g + lb * b) / dw - knee) * invKneeSpan;
      t = t > 0 ? (t < 1 ? t : 1) : 0;
      const k = 1 + ratio1 * t * t * (3 - 2 * t);
      r *= k;
      g *= k;
      b *= k;
    }
    const peak = r > g ? (r > b ? r : b) : g > b ? g : b;
    if (peak > peakNits) {
      const k = peakNits / peak;
      r *= k;
      g *= k;
      b *= k;
    }
    if (sat !== 1) {
      const y = lr * r + lg * g + lb * b;
      r = y + sat * (r - y);
      g = y + sat * (g - y);
      b = y + sat * (b - y);
    }
    if (limitP3) {
      const pr = a0 * r + a1 * g + a2 * b,
        pg = a3 * r + a4 * g + a5 * b,
        pb = a6 * r + a7 * g + a8 * b;
      r = pr;
      g = pg;
      b = pb;
    }
    if (compress) {
      const ach = r > g ? (r > b ? r : b) : g > b ? g : b;
      if (ach > 0) {
        let d = (ach - r) / ach;
        if (d > ct) {
          const u = (d - ct) / cs;
          d = ct + (cs * u) / (1 + u);
        }
        r = ach - d * ach;
        d = (ach - g) / ach;
        if (d > ct) {
          const u = (d - ct) / cs;
          d = ct + (cs * u) / (1 + u);
        }
        g = ach - d * ach;
        d = (ach - b) / ach;
        if (d > ct) {
          const u = (d - ct) / cs;
          d = ct + (cs * u) / (1 + u);
        }
        b = ach - d * ach;
      }
    }
    r = r > 0 ? (r < peakNits ? r : peakNits) : 0;
    g = g > 0 ? (g < peakNits ? g : peakNits) : 0;
    b = b > 0 ? (b < peakNits ? b : peakNits) : 0;
    if (limitP3) {
      const xr = b0 * r + b1 * g + b2 * b,
        xg = b3 * r + b4 * g + b5 * b,
        xb = b6 * r + b7 * g + b8 * b;
      r = xr;
      g = xg;
      b = xb;
    }
    // PQ encode (nitsToPqFast inlined): segment from the double's exponent and top mantissa bits.
    let er: number, eg: number, eb: number;
    if (!(r > minNits)) er = r > 0 ? black + blackRamp * r : black;
    else if (r >= peakNits) er = 1;
    else {
      f64[0] = r;
      const hi = u32[hiWord];
      const ex = (hi >>> 20) - 1023 - expMin;
      const k = (ex << mantBits) | ((hi >>> (20 - mantBits)) & mantMask);
      const t0 = enc[k];
      er = t0 + (r - encX0[k]) * encInvW[ex] * (enc[k + 1] - t0);
    }
    if (!(g > minNits)) eg = g > 0 ? black + blackRamp * g : black;
    else if (g >= peakNits) eg = 1;
    else {
      f64[0] = g;
      const hi = u32[hiWord];
      const ex = (hi >>> 20) - 1023 - expMin;
      const k = (ex << mantBits) | ((hi >>> (20 - mantBits)) & mantMask);
      const t0 = enc[k];
      eg = t0 + (g - encX0[k]) * encInvW[ex] * (enc[k + 1] - t0);
    }
    if (!(b > minNits)) eb = b > 0 ? black + blackRamp * b : black;
    else if (b >= peakNits) eb = 1;
    else {
      f64[0] = b;
      const hi = u32[hiWord];
      const ex = (hi >>> 20) - 1023 - expMin;
      const k = (ex << mantBits) | ((hi >>> (20 - mantBits)) & mantMask);
      const t0 = enc[k];
      eb = t0 + (b - encX0[k]) * encInvW[ex] * (enc[k + 1] - t0);
    }
    if (codes) {
      // round(signal · 65535); the encode is within [PQ black, 1]
      codes[i] = (er * 65535 + 0.5) | 0;
      codes[n + i] = (eg * 65535 + 0.5) | 0;
      codes[2 * n + i] = (eb * 65535 + 0.5) | 0;
    } else {
      oR![i] = er;
      oG![i] = eg;
      oB![i] = eb;
    }
  }
}
