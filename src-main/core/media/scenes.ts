// Shot-boundary detection on small rgb24 frames (e.g. 64x36), fed one at a time while ffmpeg decodes.
//
// Hard cuts: a frame whose distance to the previous one (colour histogram and pixel difference together)
// stands far above the local level (adaptive: a multiple of the median over ±W frames) and above a floor.
// Flashes are rejected: if the frame before the jump looks like one of the next few frames, it was a flash.
// Gradual transitions (dissolves, fades): a window [a, b] whose ends differ strongly and whose middle frame is
// (nearly) the average of its ends, which holds for a mix and not for camera motion. Overlapping windows and
// fade-out/fade-in pairs (through black) are merged into one transition, reported as one cut at its middle.

export interface DetectOptions {
  /** Hard cut: score above max(floor, factor × local median). */
  cutFloor: number;
  cutFactor: number;
  /** Half-width of the local window for the adaptive threshold. */
  window: number;
  /** Flash rejection: look this many frames ahead for a return to the pre-jump picture. */
  flashLookahead: number;
  /** Gradual transitions: window lengths tried, minimum end-to-end distance, maximum non-linearity. */
  gradualLengths: number[];
  gradualMinDistance: number;
  gradualMaxNonLinearity: number;
  /** Shots shorter than this (frames) are merged into a neighbouring transition. */
  minShotFrames: number;
}

export const defaultDetectOptions: DetectOptions = {
  cutFloor: 0.2,
  cutFactor: 4,
  window: 12,
  flashLookahead: 4,
  gradualLengths: [8, 16, 24],
  gradualMinDistance: 0.3,
  gradualMaxNonLinearity: 0.35,
  minShotFrames: 6,
};

export interface Transition {
  kind: 'cut' | 'gradual';
  /** First frame of the new shot. */
  frame: number;
  /** For gradual transitions: the frames the transition spans. */
  from: number;
  to: number;
  score: number;
}

const BINS = 4; // per channel → 64-bin joint RGB histogram

interface Features {
  luma: Float32Array; // 0..1
  rgb: Uint8Array;
  hist: Float32Array; // normalised
}

function features(rgb: Buffer | Uint8Array): Features {
  const n = rgb.length / 3;
  const luma = new Float32Array(n);
  const hist = new Float32Array(BINS * BINS * BINS);
  for (let i = 0, p = 0; i < n; i++, p += 3) {
    const r = rgb[p];
    const g = rgb[p + 1];
    const b = rgb[p + 2];
    luma[i] = (0.2126 * r + 0.7152 * g + 0.0722 * b) / 255;
    hist[((r * BINS) >> 8) * BINS * BINS + ((g * BINS) >> 8) * BINS + ((b * BINS) >> 8)] += 1 / n;
  }
  return { luma, rgb: Uint8Array.from(rgb), hist };
}

function histDist(a: Features, b: Features): number {
  let s = 0;
  for (let i = 0; i < a.hist.length; i++) s += Math.abs(a.hist[i] - b.hist[i]);
  return s / 2;
}

function pixDist(a: Features, b: Features): number {
  let s = 0;
  for (let i = 0; i < a.rgb.length; i++) s += Math.abs(a.rgb[i] - b.rgb[i]);
  return s / a.rgb.length / 255;
}

/** Combined distance in 0..1: histogram change and (scaled) pixel change must both be high for a high score. */
function dist(a: Features, b: Features): number {
  return Math.sqrt(histDist(a, b) * Math.min(1, 3 * pixDist(a, b)));
}

/** How far the middle frame is from the average of the ends, relative to the ends' difference. */
function nonLinearity(a: Features, m: Features, b: Features): number {
  let err = 0;
  let d = 0;
  for (let i = 0; i < a.rgb.length; i++) {
    err += Math.abs(m.rgb[i] - (a.rgb[i] + b.rgb[i]) / 2);
    d += Math.abs(a.rgb[i] - b.rgb[i]);
  }
  return d > 0 ? err / d : 1;
}

function median(v: number[]): number {
  if (!v.length) return 0;
  const s = [...v].sort((x, y) => x - y);
  return s[s.length >> 1];
}

/** Incremental detector: push frames as they are decoded, then finish(). */
export class ShotDetector {
  private frames: Features[] = [];
  private readonly o: DetectOptions;

  constructor(opts: Partial<DetectOptions> = {}) {
    this.o = { ...defaultDetectOptions, ...opts };
  }

  push(rgb: Buffer | Uint8Array): void {
    this.frames.push(features(rgb));
  }

  get count(): number {
    return this.frames.length;
  }

  finish(): Transition[] {
    const F = this.frames;
    const n = F.length;
    const o = this.o;
    if (n < 2) return [];
    const d = new Array<number>(n).fill(0);
    for (let i = 1; i < n; i++) d[i] = dist(F[i - 1], F[i]);

    // Hard cuts.
    const cuts: Transition[] = [];
    for (let i = 1; i < n; i++) {
      const local: number[] = [];
      for (let j = Math.max(1, i - o.window); j <= Math.min(n - 1, i + o.window); j++)
        if (Math.abs(j - i) > 1) local.push(d[j]);
      const thr = Math.max(o.cutFloor, o.cutFactor * median(local));
      if (d[i] < thr) continue;
      if (i + 1 < n && d[i + 1] > d[i]) continue; // the peak is one frame later
      // Flash: the picture from just before the jump comes back within a few frames (checked from both
      // edges of the flash, so the jump back out of it is not a cut either).
      let flash = false;
      const L = o.flashLookahead;
      for (let a = 0; a <= L && !flash; a++) {
        for (let b = 0; a + b <= L && !flash; b++) {
          if (a + b === 0 || i - 1 - a < 0 || i + b >= n) continue;
          if (dist(F[i - 1 - a], F[i + b]) < 0.4 * d[i]) flash = true;
        }
      }
      if (flash) continue;
      cuts.push({ kind: 'cut', frame: i, from: i, to: i, score: d[i] });
    }

    // Gradual transitions: windows that look like a mix of their ends.
    const spans: { from: number; to: number; score: number }[] = [];
    for (const L of o.gradualLengths) {
      for (let a = 0; a + L < n; a++) {
        const b = a + L;
        const D = dist(F[a], F[b]);
        if (D < o.gradualMinDistance) continue;
        const m = (a + b) >> 1;
        const nl = Math.max(
          nonLinearity(F[a], F[m], F[b]),
          nonLinearity(F[a], F[(a + m) >> 1], F[m]),
          nonLinearity(F[m], F[(m + b) >> 1], F[b]),
        );
        if (nl > o.gradualMaxNonLinearity) continue;
        // Tighten to where the change actually happens (consecutive differences above a tenth of the peak).
        let peak = 0;
        for (let j = a + 1; j <= b; j++) peak = Math.max(peak, d[j]);
        let from = a + 1;
        let to = b;
        while (from < to && d[from] < 0.1 * peak) from++;
        while (to > from && d[to] < 0.1 * peak) to--;
        spans.push({ from, to, score: D });
      }
    }
    spans.sort((x, y) => x.from - y.from);
    const merged: { from: number; to: number; score: number }[] = [];
    for (const s of spans) {
      const last = merged[merged.length - 1];
      if (last && s.from <= last.to + o.minShotFrames) {
        last.to = Math.max(last.to, s.to);
        last.score = Math.max(last.score, s.score);
      } else merged.push({ ...s });
    }
    // Fade out, hold on black, fade in: one transition.
    const joined: typeof merged = [];
    for (const s of merged) {
      const last = joined[joined.length - 1];
      if (last && this.flatBetween(last.to, s.from)) {
        last.to = s.to;
        last.score = Math.max(last.score, s.score);
      } else joined.push(s);
    }
    const gradual: Transition[] = joined.map((s) => ({
      kind: 'gradual',
      frame: Math.round((s.from + s.to) / 2),
      from: s.from,
      to: s.to,
      score: s.score,
    }));

    // Cuts inside a gradual span belong to it (e.g. the jump out of black).
    const all = [
      ...gradual,
      ...cuts.filter((c) => !gradual.some((g) => c.frame >= g.from - 1 && c.frame <= g.to + 1)),
    ].sort((x, y) => x.frame - y.frame);
    // Minimum shot length: drop the weaker of two transitions that are too close.
    const out: Transition[] = [];
    for (const t of all) {
      const last = out[out.length - 1];
      if (t.frame < o.minShotFrames || t.frame > n - o.minShotFrames) continue;
      if (last && t.frame - last.frame < o.minShotFrames) {
        if (t.score > last.score) out[out.length - 1] = t;
        continue;
      }
      out.push(t);
    }
    return out;
  }

  /** True when every frame strictly between a and b is dark and nearly uniform (a hold on black between fades). */
  private flatBetween(a: number, b: number): boolean {
    if (b - a > 48) return false;
    for (let j = a + 1; j < b; j++) {
      const f = this.frames[j];
      let s = 0;
      for (let i = 0; i < f.luma.length; i++) s += f.luma[i];
      const mean = s / f.luma.length;
      let v = 0;
      for (let i = 0; i < f.luma.length; i++) v += (f.luma[i] - mean) ** 2;
      if (mean > 0.2 || Math.sqrt(v / f.luma.length) > 0.1) return false;
    }
    return true;
  }
}

/** Shots (inclusive frame ranges) from transitions over a clip of `frames` frames. */
export function shotsFromCuts(cutFrames: number[], frames: number): { firstFrame: number; lastFrame: number }[] {
  const cuts = [...new Set(cutFrames.filter((c) => c > 0 && c < frames))].sort((a, b) => a - b);
  const out: { firstFrame: number; lastFrame: number }[] = [];
  let start = 0;
  for (const c of cuts) {
    out.push({ firstFrame: start, lastFrame: c - 1 });
    start = c;
  }
  if (frames > 0) out.push({ firstFrame: start, lastFrame: frames - 1 });
  return out;
}

/** Precision / recall of detected cuts against labelled ones (a gradual label matches anywhere in its span ± tolerance). */
export function scoreCuts(
  detected: number[],
  truth: { frame: number; from?: number; to?: number }[],
  tolerance = 2,
): { precision: number; recall: number; matched: number; falsePositives: number[]; missed: number[] } {
  const used = new Set<number>();
  let matched = 0;
  const missed: number[] = [];
  for (const t of truth) {
    const lo = (t.from ?? t.frame) - tolerance;
    const hi = (t.to ?? t.frame) + tolerance;
    const hit = detected.findIndex((d, i) => !used.has(i) && d >= lo && d <= hi);
    if (hit >= 0) {
      used.add(hit);
      matched++;
    } else missed.push(t.frame);
  }
  const falsePositives = detected.filter((_, i) => !used.has(i));
  return {
    precision: detected.length ? matched / detected.length : 1,
    recall: truth.length ? matched / truth.length : 1,
    matched,
    falsePositives,
    missed,
  };
}
