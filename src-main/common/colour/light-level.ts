// CTA-861.3 light levels (MaxCLL / MaxFALL) and gamut shares measured over the active picture (letterbox.ts
// finds it), and their aggregation per frame / shot / programme.
import { frameAccess, pq16NitsLut, type PqFrame, type Rect } from './frame';
import { BT2020_TO_BT709, BT2020_TO_P3 } from './primaries';
import { detectLetterbox, type LetterboxOptions } from './letterbox';

export interface FrameLightLevel {
  /** Brightest pixel's max(R,G,B), nits (this frame's contribution to MaxCLL). */
  maxCll: number;
  /** Frame-average light level: mean over the active picture of max(R,G,B), nits (contribution to MaxFALL). */
  fall: number;
  /** The area measured. */
  active: Rect;
  /** Share of measured pixels outside BT.709 / outside P3-D65 (0..1); NaN when not measured. */
  outsideBt709: number;
  outsideP3: number;
}

export interface MeasureOptions extends LetterboxOptions {
  /** Area to measure; default: detected with {@link detectLetterbox} (pass the shot's union for stability). */
  active?: Rect;
  /** Skip the gamut shares (the slower part) when false; default true. */
  gamut?: boolean;
  /**
   * A pixel is outside a gamut when a component there falls below −tolerance × its largest component.
   * Default 0.01: 10-bit 4:2:0 delivery moves in-gamut colours by about that much.
   */
  gamutTolerance?: number;
  /** Pixels darker than this (max component, nits) count as inside any gamut: noise in black has no colour. Default 0.1. */
  gamutMinNits?: number;
}

/**
 * CTA-861.3 light level of one frame: per pixel max(R,G,B) in linear nits (4:4:4), over the active picture.
 * Exact over every pixel (the metadata depends on it); PQ decode by lookup of the max code, since PQ is
 * monotonic and the max of the codes is the code of the max.
 */
export function measureFrame(f: PqFrame, o: MeasureOptions = {}): FrameLightLevel {
  const active = o.active ?? detectLetterbox(f, o);
  const acc = { maxCode: 0, sum: 0 };
  for (let y = active.y; y < active.y + active.height; y++) lightLevelRow(f, y, active.x, active.width, acc);
  const n = active.width * active.height;
  const shares =
    o.gamut === false
      ? { outsideBt709: NaN, outsideP3: NaN }
      : gamutShares(f, active, o.gamutTolerance ?? 0.01, o.gamutMinNits ?? 0.1, 1);
  return { maxCll: n > 0 ? pq16NitsLut()[acc.maxCode] : 0, fall: n > 0 ? acc.sum / n : 0, active, ...shares };
}

/**
 * Adds one row span's light to `acc`: the largest code seen and the sum of max(R,G,B) in nits.
 * rgb48 frames are read two pixels (three 32-bit words) at a time when aligned: reading 16-bit
 * elements one by one costs about twice as much in V8, and this runs on every pixel of every frame.
 */
let wordsOf: Uint16Array | null = null,
  wordsView: Uint32Array | null = null;
/** A 32-bit view of a (4-byte aligned) 16-bit array, cached for the frame being read. */
function words(d: Uint16Array): Uint32Array {
  if (wordsOf !== d || !wordsView) {
    wordsOf = d;
    wordsView = new Uint32Array(d.buffer, d.byteOffset, d.length >> 1);
  }
  return wordsView;
}

export function lightLevelRow(
  f: PqFrame,
  y: number,
  x0: number,
  width: number,
  acc: { maxCode: number; sum: number },
): void {
  const lut = pq16NitsLut();
  const d = f.data;
  let maxCode = acc.maxCode,
    sum = 0;
  let k = y * f.width + x0; // pixel index
  const end = k + width;
  if (f.layout === 'rgb48') {
    if ((k & 1) === 1 && k < end) {
      // odd pixel: starts mid-word
      const p = 3 * k;
      let m = d[p];
      const g = d[p + 1],
        b = d[p + 2];
      if (g > m) m = g;
      if (b > m) m = b;
      if (m > maxCode) maxCode = m;
      sum += lut[m];
      k++;
    }
    if ((d.byteOffset & 3) === 0) {
      const w = words(d);
      const pairs = (end - k) >> 1;
      let q = (3 * k) >> 1;
      for (let i = 0; i < pairs; i++, q += 3) {
        const w0 = w[q],
          w1 = w[q + 1],
          w2 = w[q + 2];
        let m = w0 & 0xffff;
        const g = w0 >>> 16,
          b = w1 & 0xffff;
        if (g > m) m = g;
        if (b > m) m = b;
        let m2 = w1 >>> 16;
        const g2 = w2 & 0xffff,
          b2 = w2 >>> 16;
        if (g2 > m2) m2 = g2;
        if (b2 > m2) m2 = b2;
        if (m2 > m) {
          if (m2 > maxCode) maxCode = m2;
        } else if (m > maxCode) maxCode = m;
        sum += lut[m] + lut[m2];
      }
      k += 2 * pairs;
    }
    for (; k < end; k++) {
      const p = 3 * k;
      let m = d[p];
      const g = d[p + 1],
        b = d[p + 2];
      if (g > m) m = g;
      if (b > m) m = b;
      if (m > maxCode) maxCode = m;
      sum += lut[m];
    }
  } else {
    const n = f.width * f.height;
    for (; k < end; k++) {
      let m = d[k];
      const g = d[n + k],
        b = d[2 * n + k];
      if (g > m) m = g;
      if (b > m) m = b;
      if (m > maxCode) maxCode = m;
      sum += lut[m];
    }
  }
  acc.maxCode = maxCode;
  acc.sum += sum;
}

/** Shares of pixels (every `step`-th row and column of `area`) outside BT.709 and outside P3-D65. */
export function gamutShares(
  f: PqFrame,
  area: Rect,
  tolerance = 0.01,
  minNits = 0.1,
  step = 1,
): { outsideBt709: number; outsideP3: number } {
  const lut = pq16NitsLut();
  const { r, g, b, step: ps } = frameAccess(f);
  const d = f.data,
    W = f.width;
  const a = BT2020_TO_BT709,
    c = BT2020_TO_P3;
  let n = 0,
    o709 = 0,
    oP3 = 0;
  for (let y = area.y; y < area.y + area.height; y += step) {
    for (let x = area.x; x < area.x + area.width; x += step) {
      const p = (y * W + x) * ps;
      const R = lut[d[r + p]],
        G = lut[d[g + p]],
        B = lut[d[b + p]];
      n++;
      const mx = R > G ? (R > B ? R : B) : G > B ? G : B;
      if (mx < minNits) continue;
      const lim = -tolerance * mx;
      if (
        a[0] * R + a[1] * G + a[2] * B < lim ||
        a[3] * R + a[4] * G + a[5] * B < lim ||
        a[6] * R + a[7] * G + a[8] * B < lim
      ) {
        o709++;
        if (
          c[0] * R + c[1] * G + c[2] * B < lim ||
          c[3] * R + c[4] * G + c[5] * B < lim ||
          c[6] * R + c[7] * G + c[8] * B < lim
        )
          oP3++;
      }
    }
  }
  // P3 contains BT.709, so only pixels outside BT.709 can be outside P3.
  return { outsideBt709: n ? o709 / n : 0, outsideP3: n ? oP3 / n : 0 };
}

/** CTA-861.3 field value: whole nits, 1..65535; 0 only for black content (0 means "unknown" in the SEI). */
export function cta861Value(nits: number): number {
  if (!(nits > 0)) return 0;
  return Math.min(65535, Math.max(1, Math.round(nits)));
}

export interface LightLevelSummary {
  frames: number;
  /** Max over frames of the frame's max(R,G,B), nits. */
  maxCll: number;
  /** Max over frames of the frame average, nits. */
  maxFall: number;
  /** Index (in the order added) of the frame that set each. */
  maxCllFrame: number;
  maxFallFrame: number;
  /** Mean of the frame averages, nits (the programme's average light level). */
  averageFall: number;
  /** Mean over frames of the shares outside BT.709 / P3; max over frames beside them. */
  outsideBt709: number;
  outsideP3: number;
  maxOutsideBt709: number;
  maxOutsideP3: number;
  /** The integers to write: x265 max-cll=MaxCLL,MaxFALL. */
  cta: { maxCll: number; maxFall: number };
}

class Acc {
  frames = 0;
  maxCll = 0;
  maxFall = 0;
  maxCllFrame = -1;
  maxFallFrame = -1;
  sumFall = 0;
  sum709 = 0;
  sum3 = 0;
  max709 = 0;
  max3 = 0;
  gamutFrames = 0;
  add(m: FrameLightLevel, index: number): void {
    if (this.frames === 0 || m.maxCll > this.maxCll) {
      this.maxCll = m.maxCll;
      this.maxCllFrame = index;
    }
    if (this.frames === 0 || m.fall > this.maxFall) {
      this.maxFall = m.fall;
      this.maxFallFrame = index;
    }
    this.frames++;
    this.sumFall += m.fall;
    if (Number.isFinite(m.outsideBt709)) {
      this.gamutFrames++;
      this.sum709 += m.outsideBt709;
      this.sum3 += m.outsideP3;
      this.max709 = Math.max(this.max709, m.outsideBt709);
      this.max3 = Math.max(this.max3, m.outsideP3);
    }
  }
  summary(): LightLevelSummary {
    const g = this.gamutFrames;
    return {
      frames: this.frames,
      maxCll: this.maxCll,
      maxFall: this.maxFall,
      maxCllFrame: this.maxCllFrame,
      maxFallFrame: this.maxFallFrame,
      averageFall: this.frames ? this.sumFall / this.frames : 0,
      outsideBt709: g ? this.sum709 / g : NaN,
      outsideP3: g ? this.sum3 / g : NaN,
      maxOutsideBt709: g ? this.max709 : NaN,
      maxOutsideP3: g ? this.max3 : NaN,
      cta: { maxCll: cta861Value(this.maxCll), maxFall: cta861Value(this.maxFall) },
    };
  }
}

/**
 * Streaming aggregation for long files: add frames in order with their shot, read per-shot and programme
 * summaries at any time. Memory is per shot, not per frame.
 */
export class LightLevelAggregator {
  private readonly programmeAcc = new Acc();
  private readonly shotAcc = new Map<string, Acc>();
  private index = 0;
  add(m: FrameLightLevel, shot?: string | number): void {
    this.programmeAcc.add(m, this.index);
    if (shot !== undefined) {
      const k = String(shot);
      let a = this.shotAcc.get(k);
      if (!a) {
        a = new Acc();
        this.shotAcc.set(k, a);
      }
      a.add(m, this.index);
    }
    this.index++;
  }
  programme(): LightLevelSummary {
    return this.programmeAcc.summary();
  }
  shots(): Map<string, LightLevelSummary> {
    return new Map([...this.shotAcc].map(([k, a]) => [k, a.summary()]));
  }
}

/** Programme summary of a list of frames (shot ids optional, same length). */
export function aggregateLightLevels(
  frames: readonly FrameLightLevel[],
  shots?: readonly (string | number)[],
): { programme: LightLevelSummary; shots: Map<string, LightLevelSummary> } {
  const a = new LightLevelAggregator();
  frames.forEach((m, i) => a.add(m, shots?.[i]));
  return { programme: a.programme(), shots: a.shots() };
}
