// An ICC v4.4 display profile that says "BT.2100 PQ" (BT.2020 primaries, ST 2084), for stills that must describe
// their own colour. ICC.1:2022 (v4.4) adds the `cicp` tag: H.273 code points (primaries 9, transfer 16, matrix 0
// for R'G'B', full range) that HDR-aware readers use instead of the curves. For readers without cicp support
// the profile still carries a complete matrix/TRC description:
// - rXYZ/gXYZ/bXYZ: BT.2020 (D65) adapted to the D50 PCS with Bradford, as ICC requires; `chad` holds that matrix;
// - rTRC/gTRC/bTRC: the PQ EOTF sampled into a 1024-entry `curv` table (linear interpolation between entries,
//   so an approximation near black), relative to the PQ peak: 10000 cd/m² = 1.0, nothing clipped.
import {
  BT2020,
  D65,
  mat3Apply,
  mat3Invert,
  mat3Multiply,
  rgbToXyzMatrix,
  type Chromaticity,
  type Mat3,
} from './primaries';
import { pqToNits, PQ_PEAK_NITS } from './transfer';

export type Xyz = readonly [number, number, number];

/** The ICC PCS illuminant (ICC.1 §7.2.16): D50 as the spec rounds it, X 0.9642, Y 1, Z 0.8249. */
export const ICC_D50: Xyz = [0.9642, 1, 0.8249];

const BRADFORD: Mat3 = [0.8951, 0.2664, -0.1614, -0.7502, 1.7135, 0.0367, 0.0389, -0.0685, 1.0296];

export function whiteXyz(c: Chromaticity): Xyz {
  return [c.x / c.y, 1, (1 - c.x - c.y) / c.y];
}

/** Bradford chromatic adaptation matrix from one white (XYZ) to another (ICC.1 Annex E). */
export function bradfordAdaptation(from: Xyz, to: Xyz): Mat3 {
  const s = mat3Apply(BRADFORD, ...from),
    d = mat3Apply(BRADFORD, ...to);
  const scale: Mat3 = [d[0] / s[0], 0, 0, 0, d[1] / s[1], 0, 0, 0, d[2] / s[2]];
  return mat3Multiply(mat3Invert(BRADFORD), mat3Multiply(scale, BRADFORD));
}

/** Columns are the D50-adapted XYZ of R, G, B: what rXYZ, gXYZ, bXYZ hold (before s15Fixed16 rounding). */
export function bt2020ToD50Matrix(): Mat3 {
  return mat3Multiply(bradfordAdaptation(whiteXyz(D65), ICC_D50), rgbToXyzMatrix(BT2020));
}

export const PQ_ICC_DESCRIPTION = 'BT.2100 PQ (BT.2020, ST 2084)';
const COPYRIGHT = 'No copyright, use freely';
/** Profile creation date (header bytes 24-35): fixed, so the same profile (and its ID) comes out every time. */
const CREATED = [2025, 1, 1, 0, 0, 0];
const TRC_ENTRIES = 1024;

class Writer {
  bytes: number[] = [];
  u8(v: number): this {
    this.bytes.push(v & 0xff);
    return this;
  }
  u16(v: number): this {
    return this.u8(v >>> 8).u8(v);
  }
  u32(v: number): this {
    return this.u16(v >>> 16).u16(v & 0xffff);
  }
  sig(s: string): this {
    for (let i = 0; i < 4; i++) this.u8(s.charCodeAt(i));
    return this;
  }
  s15f16(v: number): this {
    return this.u32(Math.round(v * 65536) >>> 0);
  }
}

function mluc(text: string): number[] {
  const w = new Writer()
    .sig('mluc')
    .u32(0)
    .u32(1)
    .u32(12)
    .sig('enUS')
    .u32(text.length * 2)
    .u32(28);
  for (let i = 0; i < text.length; i++) w.u16(text.charCodeAt(i));
  return w.bytes;
}

const xyzTag = (v: Xyz): number[] => new Writer().sig('XYZ ').u32(0).s15f16(v[0]).s15f16(v[1]).s15f16(v[2]).bytes;

function pqCurve(): number[] {
  const w = new Writer().sig('curv').u32(0).u32(TRC_ENTRIES);
  for (let i = 0; i < TRC_ENTRIES; i++) w.u16(Math.round((pqToNits(i / (TRC_ENTRIES - 1)) / PQ_PEAK_NITS) * 65535));
  return w.bytes;
}

function chadTag(m: Mat3): number[] {
  const w = new Writer().sig('sf32').u32(0);
  for (const v of m) w.s15f16(v);
  return w.bytes;
}

/** H.273 code points: BT.2020 primaries (9), PQ (16), identity matrix (0, R'G'B'), full range. */
const cicpTag = (): number[] => new Writer().sig('cicp').u32(0).u8(9).u8(16).u8(0).u8(1).bytes;

/** The BT.2100 PQ display profile, ICC v4.4, with its profile ID (MD5) filled in. */
export function bt2100PqIccProfile(): Uint8Array {
  const m = bt2020ToD50Matrix();
  const column = (j: number): Xyz => [m[j], m[3 + j], m[6 + j]];
  const trc = pqCurve();
  // Tags sharing one element (the three TRCs) point at the same bytes, as ICC allows.
  const tags: [string, number[]][] = [
    ['desc', mluc(PQ_ICC_DESCRIPTION)],
    ['cprt', mluc(COPYRIGHT)],
    ['wtpt', xyzTag(ICC_D50)],
    ['chad', chadTag(bradfordAdaptation(whiteXyz(D65), ICC_D50))],
    ['rXYZ', xyzTag(column(0))],
    ['gXYZ', xyzTag(column(1))],
    ['bXYZ', xyzTag(column(2))],
    ['rTRC', trc],
    ['gTRC', trc],
    ['bTRC', trc],
    ['cicp', cicpTag()],
  ];
  const table = new Writer().u32(tags.length);
  const data: number[] = [];
  const placed = new Map<number[], number>();
  let offset = 128 + 4 + 12 * tags.length;
  for (const [sig, bytes] of tags) {
    let at = placed.get(bytes);
    if (at === undefined) {
      at = offset;
      placed.set(bytes, at);
      data.push(...bytes);
      while (data.length % 4) data.push(0); // every tag element starts on a 4-byte boundary
      offset = 128 + 4 + 12 * tags.length + data.length;
    }
    table.sig(sig).u32(at).u32(bytes.length);
  }
  const size = 128 + table.bytes.length + data.length;
  const h = new Writer().u32(size).u32(0).u32(0x04400000).sig('mntr').sig('RGB ').sig('XYZ ');
  for (const v of CREATED) h.u16(v);
  h.sig('acsp').u32(0).u32(0).u32(0).u32(0).u32(0).u32(0).u32(0); // platform, flags, manufacturer, model, attributes
  h.s15f16(ICC_D50[0]).s15f16(ICC_D50[1]).s15f16(ICC_D50[2]).u32(0); // PCS illuminant, creator
  while (h.bytes.length < 128) h.u8(0); // profile ID (filled below) and reserved
  const profile = Uint8Array.from([...h.bytes, ...table.bytes, ...data]);
  profile.set(iccProfileId(profile), 84);
  return profile;
}

/** ICC.1 §7.2.18: MD5 of the profile with flags (44-47), rendering intent (64-67) and the ID (84-99) zeroed. */
export function iccProfileId(profile: Uint8Array): Uint8Array {
  const p = profile.slice();
  p.fill(0, 44, 48);
  p.fill(0, 64, 68);
  p.fill(0, 84, 100);
  return md5(p);
}

const MD5_S = [7, 12, 17, 22, 5, 9, 14, 20, 4, 11, 16, 23, 6, 10, 15, 21];
const MD5_K = Array.from({ length: 64 }, (_, i) => Math.floor(Math.abs(Math.sin(i + 1)) * 2 ** 32) >>> 0);

/** RFC 1321 MD5 (common/ has no Node crypto). */
export function md5(input: Uint8Array): Uint8Array {
  const len = input.length,
    padded = new Uint8Array(((len + 72) >>> 6) << 6);
  padded.set(input);
  padded[len] = 0x80;
  const dv = new DataView(padded.buffer);
  dv.setUint32(padded.length - 8, (len * 8) >>> 0, true);
  dv.setUint32(padded.length - 4, Math.floor(len / 0x20000000), true);
  const state = [0x67452301, 0xefcdab89, 0x98badcfe, 0x10325476];
  for (let block = 0; block < padded.length; block += 64) {
    let [a, b, c, d] = state;
    for (let i = 0; i < 64; i++) {
      const round = i >> 4;
      const f =
        round === 0 ? (b & c) | (~b & d) : round === 1 ? (d & b) | (~d & c) : round === 2 ? b ^ c ^ d : c ^ (b | ~d);
      const g = round === 0 ? i : round === 1 ? (5 * i + 1) & 15 : round === 2 ? (3 * i + 5) & 15 : (7 * i) & 15;
      const sum = (a + f + MD5_K[i] + dv.getUint32(block + 4 * g, true)) | 0;
      const s = MD5_S[round * 4 + (i & 3)];
      [a, d, c] = [d, c, b];
      b = (b + ((sum << s) | (sum >>> (32 - s)))) | 0;
    }
    state[0] = (state[0] + a) | 0;
    state[1] = (state[1] + b) | 0;
    state[2] = (state[2] + c) | 0;
    state[3] = (state[3] + d) | 0;
  }
  const out = new Uint8Array(16),
    ov = new DataView(out.buffer);
  state.forEach((v, i) => ov.setUint32(4 * i, v >>> 0, true));
  return out;
}
