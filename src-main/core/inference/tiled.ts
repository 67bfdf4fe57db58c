// Up-converts frames of any size through the worker in overlapping tiles. Each tile is run with a margin
// that covers the model's receptive field and only its interior is kept, so tiled and whole-frame results
// agree (seamless by construction) while memory stays bounded for 4K output.
import { ServiceError, type ModelInfo } from '../../common/contract';
import type { InferenceClient, RunOptions } from './client';
import { ORIENTATIONS, orient, orientRect, unorient, type Orientation } from './orientation';

/** 'standard': one model run per tile. 'best': eight, on the tile's mirrored and transposed orientations, averaged
 *  (8x the time; see orientation.ts). */
export type UpconvertQuality = 'standard' | 'best';

export interface UpconvertOptions extends RunOptions {
  quality?: UpconvertQuality;
  /** Largest padded tile in input pixels (default: defaultTilePixels(scale)). */
  maxTilePixels?: number;
  /** Largest tile interior side in input pixels (default: none; tests use it to force many tiles). */
  maxTileSide?: number;
  onProgress?(done: number, total: number): void;
}

export interface HdrFrame {
  width: number;
  height: number;
  /** Planar float32 BT.2020 PQ R'G'B' [3][height][width]: the model's result. */
  hdr: Float32Array;
  /** Same layout: the analytic BT.2408 baseline. */
  base: Float32Array;
}

/**
 * The tile budget, in padded input pixels: it bounds the worker's memory whatever the frame size. The shipped
 * models' peak grows with input pixels about in proportion to the scale (x4 keeps 2x-resolution features), so
 * the budget is 2.4 M / scale: one 1080p frame at x2 runs as two halves and 960x540 at x4 as one tile, which
 * is faster than more, smaller tiles (less margin recomputed). Peak memory figures: README, "Decisions".
 */
export function defaultTilePixels(scale: number): number {
  return Math.round(2_400_000 / scale);
}

interface Span {
  a: number;
  b: number;
  pa: number;
  pb: number;
}

/**
 * Plans the tiles of a w x h frame: interior rectangles and the padded rectangles actually run. Picks the grid
 * with the fewest tiles whose padded tiles all fit `maxPixels` (then the least padded area in all); tiles of
 * a grid are of even size (1920 in two: 960 + 960, not 1152 + 768) with origins on the model's alignment grid.
 * `mirrored`: the tiles will also run mirrored (quality 'best'), so each padded tile also ends on the alignment
 * grid counted from the frame's far edge, where the mirrored whole frame starts; the budget counts that reach.
 */
export function planTiles(
  w: number,
  h: number,
  limits: { maxPixels: number; maxSide?: number; mirrored?: boolean },
  margin: number,
  align: number,
) {
  if (!(w >= 1 && h >= 1)) throw new ServiceError('bad_input', `Cannot tile a ${w}x${h} frame`);
  // Every distinct split of one axis, fewest pieces first, with its widest and total padded span.
  const splits = (size: number) => {
    const out: { spans: Span[]; widest: number; total: number }[] = [];
    const first = Math.max(1, Math.ceil(size / Math.max(align, limits.maxSide ?? size)));
    let previous = 0;
    for (let n = first; n <= Math.ceil(size / align); n++) {
      const step = Math.max(align, Math.ceil(Math.ceil(size / n) / align) * align);
      const count = Math.ceil(size / step);
      if (count === previous) continue; // the same split again
      previous = count;
      const spans: Span[] = [];
      for (let a = 0; a < size; a += step) {
        const b = Math.min(size, a + step);
        const end = Math.min(size, b + margin);
        const pb = limits.mirrored ? size - Math.floor((size - end) / align) * align : end;
        spans.push({ a, b, pa: Math.max(0, Math.floor((a - margin) / align) * align), pb });
      }
      out.push({
        spans,
        widest: Math.max(...spans.map((x) => x.pb - x.pa)),
        total: spans.reduce((t, x) => t + x.pb - x.pa, 0),
      });
    }
    return out;
  };
  const cols = splits(w);
  const rows = splits(h);
  // A padded tile is allowed (4 x margin)^2 whatever the budget: a model whose margin rivals the budget (a huge
  // receptive field) then costs memory rather than hundreds of times the work in margins.
  const smallest = Math.min(...cols.map((c) => c.widest)) * Math.min(...rows.map((r) => r.widest));
  const budget = Math.max(limits.maxPixels, (4 * margin) ** 2, smallest);
  let best: { c: (typeof cols)[number]; r: (typeof rows)[number]; count: number; area: number } | null = null;
  for (const c of cols) {
    if (best && c.spans.length > best.count) break; // more columns only adds tiles
    // Rows get narrower as they multiply: the first split that fits is this column count's fewest tiles.
    const r = rows.find((x) => c.widest * x.widest <= budget);
    if (!r) continue;
    const cand = { c, r, count: c.spans.length * r.spans.length, area: c.total * r.total };
    if (!best || cand.count < best.count || (cand.count === best.count && cand.area < best.area)) best = cand;
  }
  return best!.r.spans.flatMap((r) =>
    best!.c.spans.map((c) => ({ x0: c.a, y0: r.a, x1: c.b, y1: r.b, px0: c.pa, py0: r.pa, px1: c.pb, py1: r.pb })),
  );
}

export async function upconvertFrame(
  client: InferenceClient,
  sdr: Float32Array,
  width: number,
  height: number,
  opts: UpconvertOptions = {},
): Promise<HdrFrame> {
  if (sdr.length !== 3 * width * height)
    throw new ServiceError('bad_input', `Frame has ${sdr.length} values, expected 3x${width}x${height}`);
  await client.start();
  const model: ModelInfo | null = client.status().model;
  if (!model) throw new ServiceError('worker_failed', 'No model loaded');
  const s = model.scale;
  const W = width * s;
  const H = height * s;
  const hdr = new Float32Array(3 * W * H);
  const base = new Float32Array(3 * W * H);
  const orientations: readonly Orientation[] = opts.quality === 'best' ? ORIENTATIONS : [0];
  const limits = {
    maxPixels: opts.maxTilePixels ?? defaultTilePixels(s),
    maxSide: opts.maxTileSide,
    mirrored: orientations.length > 1,
  };
  const tiles = planTiles(width, height, limits, model.tileMargin, model.tileAlign);
  const runs = tiles.length * orientations.length;
  let done = 0;
  for (const t of tiles) {
    if (opts.signal?.aborted) throw new ServiceError('cancelled', 'Cancelled');
    const tw = t.px1 - t.px0;
    const th = t.py1 - t.py0;
    const input = new Float32Array(3 * tw * th);
    for (let c = 0; c < 3; c++) {
      for (let y = 0; y < th; y++) {
        const src = c * width * height + (t.py0 + y) * width + t.px0;
        input.set(sdr.subarray(src, src + tw), c * tw * th + y * tw);
      }
    }
    // Only the interior comes back: rows/columns [x0..x1) of the frame, scaled.
    const iw = (t.x1 - t.x0) * s;
    const ih = (t.y1 - t.y0) * s;
    const keep = { x: (t.x0 - t.px0) * s, y: (t.y0 - t.py0) * s, width: iw, height: ih };
    let tileHdr: Float32Array | null = null;
    let tileBase: Float32Array | null = null;
    for (const k of orientations) {
      if (opts.signal?.aborted) throw new ServiceError('cancelled', 'Cancelled');
      const o = k === 0 ? { data: input, width: tw, height: th } : orient(input, 3, tw, th, k);
      const window = orientRect(keep, tw * s, th * s, k);
      const out = await client.run(o.data, [1, 3, o.height, o.width], { ...opts, keep: window });
      const back = k === 0 ? out.hdr : unorient(out.hdr, 3, window.width, window.height, k).data;
      if (!tileHdr) {
        tileHdr = orientations.length === 1 ? back : Float32Array.from(back);
        tileBase = out.base; // the analytic baseline is the same in every orientation: the upright one is kept
      } else for (let i = 0; i < back.length; i++) tileHdr[i] += back[i];
      opts.onProgress?.(++done, runs);
    }
    if (orientations.length > 1) for (let i = 0; i < tileHdr!.length; i++) tileHdr![i] /= orientations.length;
    for (let c = 0; c < 3; c++) {
      for (let y = 0; y < ih; y++) {
        const src = (c * ih + y) * iw;
        const dst = c * W * H + (t.y0 * s + y) * W + t.x0 * s;
        hdr.set(tileHdr!.subarray(src, src + iw), dst);
        base.set(tileBase!.subarray(src, src + iw), dst);
      }
    }
  }
  return { width: W, height: H, hdr, base };
}
