// Table-driven PQ and 2.4-power for whole frames: Math.pow costs ~100 ns here and a 4K frame needs tens
// of millions of them. Tables with linear interpolation, checked against the exact functions in tests:
// PQ decode within 1.3e-5 relative (above 1e-4 nits), encode within 9e-6 of signal, V^2.4 within 1e-10;
// a 10-bit code is 1.1e-3 of signal, so these stay under 0.01 of a code. Scalar functions stay exact.
import { nitsToPq, pqToNits, PQ_PEAK_NITS as PEAK_IMPORTED } from './transfer';

// A local copy: under CommonJS transpilers an imported binding is a getter call per access.
const PQ_PEAK_NITS = PEAK_IMPORTED;

const DEC_N = 65536;
let decLut: Float64Array | null = null;

/** PQ signal -> nits by a 65537-entry table, linearly interpolated. Clamps to [0,1]. */
export function pqToNitsFast(e: number): number {
  const t = decLut ?? buildDec();
  if (!(e > 0)) return 0;
  if (e >= 1) return PQ_PEAK_NITS;
  const x = e * DEC_N;
  const i = x | 0;
  const a = t[i];
  return a + (x - i) * (t[i + 1] - a);
}

function buildDec(): Float64Array {
  const t = new Float64Array(DEC_N + 1);
  for (let i = 0; i <= DEC_N; i++) t[i] = pqToNits(i / DEC_N);
  decLut = t;
  return t;
}

// Encode: the table is indexed by the top bits of the IEEE double (exponent and 10 mantissa bits), so
// segments are 1/1024 of an octave wide everywhere from 2^-24 nits to 10000; linear inside a segment.
const MANT_BITS = 10;
const EXP_MIN = -24; // below 2^-24 nits (6e-8) the signal is black to any code depth
const EXP_MAX = 14; // 2^14 > 10000
const SEGS = (EXP_MAX - EXP_MIN) << MANT_BITS;
let encLut: Float64Array | null = null;
let encX0: Float64Array | null = null; // segment start, nits
let encInvW: Float64Array | null = null; // 1 / segment width, per octave
const f64 = new Float64Array(1);
const u32 = new Uint32Array(f64.buffer);
// Which 32-bit half of the double holds the sign and exponent (little-endian on every platform we ship).
const HI = new Uint8Array(new Uint16Array([1]).buffer)[0] === 1 ? 1 : 0;

function segStart(k: number): number {
  const e = (k >> MANT_BITS) + EXP_MIN;
  const m = k & ((1 << MANT_BITS) - 1);
  return Math.pow(2, e) * (1 + m / (1 << MANT_BITS));
}

function buildEnc(): Float64Array {
  const t = new Float64Array(SEGS + 1);
  const x0 = new Float64Array(SEGS + 1);
  for (let k = 0; k <= SEGS; k++) {
    x0[k] = segStart(k);
    t[k] = nitsToPq(x0[k]);
  }
  const iw = new Float64Array(EXP_MAX - EXP_MIN);
  for (let e = 0; e < iw.length; e++) iw[e] = Math.pow(2, MANT_BITS - (e + EXP_MIN));
  encX0 = x0;
  encInvW = iw;
  encLut = t;
  return t;
}

const PQ_BLACK = nitsToPq(0);
const MIN_NITS = Math.pow(2, EXP_MIN);

/**
 * The PQ tables themselves, for whole-frame loops that inline the lookups (grade.ts): a function call per
 * channel costs more than the lookup. Same tables and arithmetic as pqToNitsFast / nitsToPqFast.
 */
export interface PqTables {
  /** pqToNits(i / decSteps), i = 0..decSteps. */
  dec: Float64Array;
  decSteps: number;
  /** nitsToPq at each segment start; segment k covers [encX0[k], encX0[k+1]). */
  enc: Float64Array;
  encX0: Float64Array;
  /** 1 / segment width, per octave (index: exponent − encExpMin). */
  encInvW: Float64Array;
  encExpMin: number;
  encMantBits: number;
  /** Below this many nits the encode is the linear ramp from PQ black to enc[0]. */
  encMinNits: number;
  pqBlack: number;
}

let tables: PqTables | null = null;
export function pqTables(): PqTables {
  if (tables) return tables;
  const enc = encLut ?? buildEnc();
  tables = {
    dec: decLut ?? buildDec(),
    decSteps: DEC_N,
    enc,
    encX0: encX0 as Float64Array,
    encInvW: encInvW as Float64Array,
    encExpMin: EXP_MIN,
    encMantBits: MANT_BITS,
    encMinNits: MIN_NITS,
    pqBlack: PQ_BLACK,
  };
  return tables;
}

/** nits -> PQ signal by table (see above). Clamps to [0, 10000] nits; NaN gives black. */
export function nitsToPqFast(n: number): number {
  const t = encLut ?? buildEnc();
  if (!(n > MIN_NITS)) return n > 0 ? PQ_BLACK + (t[0] - PQ_BLACK) * (n / MIN_NITS) : PQ_BLACK;
  if (n >= PQ_PEAK_NITS) return 1;
  f64[0] = n;
  const hi = u32[HI];
  const e = (hi >>> 20) - 1023;
  const m = (hi >>> (20 - MANT_BITS)) & ((1 << MANT_BITS) - 1);
  const k = ((e - EXP_MIN) << MANT_BITS) | m;
  const a = t[k];
  return a + (n - (encX0 as Float64Array)[k]) * (encInvW as Float64Array)[e - EXP_MIN] * (t[k + 1] - a);
}

const GAMMA_N = 65536;
let gammaLut: Float64Array | null = null;
/** V^2.4 for V in [0,1] by table (the BT.1886 step of the SDR mapping). Clamps. */
export function bt1886EotfFast(v: number): number {
  const t = gammaLut ?? buildGamma();
  if (!(v > 0)) return 0;
  if (v >= 1) return 1;
  const x = v * GAMMA_N;
  const i = x | 0;
  const a = t[i];
  return a + (x - i) * (t[i + 1] - a);
}

function buildGamma(): Float64Array {
  const t = new Float64Array(GAMMA_N + 1);
  for (let i = 0; i <= GAMMA_N; i++) t[i] = Math.pow(i / GAMMA_N, 2.4);
  gammaLut = t;
  return t;
}
