// Up-converts frames of any size through the worker in overlapping tiles. Each tile is run with a margin
// that covers the model's receptive field and only its interior is kept, so tiled and whole-frame results
// agree (seamless by construction) while memory stays bounded for 4K output.
import { totalmem } from 'node:os';
import { ServiceError, type ExecutionProvider, type ModelInfo } from '../../common/contract';
import type { InferenceClient, RunOptions } from './client';
import { ORIENTATIONS, orient, orientRect, unorient, type Orientation } from './orientation';
import { SharedPool } from '../../node/shared-pool';

/** 'standard': one model run per tile. 'best': eight, on the tile's mirrored and transposed orientations, averaged
 *  (8x the time; see orientation.ts). */
export type UpconvertQuality = 'standard' | 'best';

export interface UpconvertOptions extends RunOptions {
  quality?: UpconvertQuality;
  /** Largest padded tile in input pixels (default: defaultTilePixels(scale, provider)). */
  maxTilePixels?: number;
  /** Largest tile interior side in input pixels (default: none; tests use it to force many tiles). */
  maxTileSide?: number;
  onProgress?(done: number, total: number): void;
  /** The caller's reusable buffers (a render's): the frame and its tiles land there instead of fresh arrays. */
  buffers?: FrameBuffers;
}

/**
 * Frame buffers in shared memory, kept from one render to the next in this process (a few, of one size): a
 * render's grade thread reads frames without a copy, and buffers that thread has seen must be few (SharedPool).
 * Emptied when the grade thread goes idle (grade-thread.ts).
 */
export const sharedFrames = new SharedPool(4);
const made = new WeakSet<ArrayBufferLike>();

/**
 * Float32 buffers a caller reuses across frames. A UHD result is 200 MB (hdr and base); allocating it afresh for
 * every frame cost more in page faults and zeroing than the baseline model's own arithmetic. A frame goes back
 * with give() once its consumer is done with it; at most the frames in flight are ever allocated.
 */
export class FrameBuffers {
  private tile: Float32Array<ArrayBuffer> | null = null;

  /**
   * A buffer for one frame's hdr and base (2 x 3 x W x H values). Shared memory, so a render's grade thread
   * reads the frame without a copy or a transfer (transferring 100+ MB a frame made both threads' collectors
   * run a full collection each time: ~40 ms of CPU a 1080p frame).
   */
  take(values: number): Float32Array<SharedArrayBuffer> {
    const b = sharedFrames.take(4 * values);
    made.add(b);
    return new Float32Array(b);
  }

  /** One tile's result, read from the worker and copied into the frame before the next tile runs. */
  tileBuffer(values: number): Float32Array<ArrayBuffer> {
    if (!this.tile || this.tile.length < values) this.tile = new Float32Array(values);
    return this.tile;
  }

  /** A frame whose consumer is done: its buffer serves a later frame. Frames not made here are left alone. */
  give(frame: HdrFrame): void {
    const whole = 6 * frame.width * frame.height;
    const b = frame.hdr.buffer;
    if (!(b instanceof SharedArrayBuffer) || !made.has(b) || frame.base.buffer !== b || b.byteLength !== 4 * whole)
      return;
    // An analytic model's frame is its baseline: base is hdr, in the buffer's first half.
    const baseAt = frame.base === frame.hdr ? 0 : (4 * whole) / 2;
    if (frame.hdr.byteOffset !== 0 || frame.base.byteOffset !== baseAt) return;
    sharedFrames.give(b);
  }
}

export interface HdrFrame {
  width: number;
  height: number;
  /** Planar float32 BT.2020 PQ R'G'B' [3][height][width]: the model's result. */
  hdr: Float32Array;
  /** Same layout: the analytic BT.2408 baseline. */
  base: Float32Array;
}

/** Worker memory per padded input pixel on the CPU, per unit of scale (measured peaks: README, "Decisions"). */
const CPU_BYTES_PER_PIXEL_PER_SCALE = 1300;

/**
 * The tile budget, in padded input pixels: it bounds the worker's memory whatever the frame size. The shipped
 * models' peak grows with input pixels about in proportion to the scale (x4 keeps 2x-resolution features):
 * about 1.3 kB x scale per padded pixel. On the CPU the budget is a quarter of the machine's memory, and never
 * under 2.4 M / scale (about 2.4 GB): with 24 GB a 1080p frame at x2 runs whole (one run, no margins
 * recomputed: 0.86x the time of two halves, peak 5.6 GB), with 16 GB as two halves (peak 2.65 GB).
 */
export function defaultTilePixels(
  scale: number,
  provider: ExecutionProvider | null = 'cpu',
  memoryBytes: number = totalmem(),
): number {
  // A GPU runs a whole HD frame with its margins in one go (1920x1080 + 96 px each side: 2.69 M), where each run
  // has a fixed launch cost and tiles only recompute margins. The paper configuration at x4 keeps a few 64-channel
  // maps of 2.7 M (then 4x that) pixels live: a few GB in float16. Not yet measured on a lent GPU (issue 23).
  if (provider && provider !== 'cpu') return 2_700_000;
  const share = memoryBytes / 4 / (CPU_BYTES_PER_PIXEL_PER_SCALE * scale);
  return Math.round(Math.max(2_400_000 / scale, share));
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
  let hdr: Float32Array | null = null;
  let base: Float32Array | null = null;
  const pool = opts.buffers;
  const orientations: readonly Orientation[] = opts.quality === 'best' ? ORIENTATIONS : [0];
  const limits = {
    maxPixels: opts.maxTilePixels ?? defaultTilePixels(s, client.status().provider),
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
      // Pooled reads only upright: 'best' keeps the first orientation's base while the others run.
      const into =
        pool && orientations.length === 1
          ? tiles.length === 1
            ? pool.take(6 * W * H)
            : pool.tileBuffer(6 * iw * ih)
          : undefined;
      const out = await client.run(o.data, [1, 3, o.height, o.width], { ...opts, keep: window, into });
      const back = k === 0 ? out.hdr : unorient(out.hdr, 3, window.width, window.height, k).data;
      if (!tileHdr) {
        tileHdr = orientations.length === 1 ? back : Float32Array.from(back);
        tileBase = out.base; // the analytic baseline is the same in every orientation: the upright one is kept
      } else for (let i = 0; i < back.length; i++) tileHdr[i] += back[i];
      opts.onProgress?.(++done, runs);
    }
    if (orientations.length > 1) for (let i = 0; i < tileHdr!.length; i++) tileHdr![i] /= orientations.length;
    if (tiles.length === 1) {
      // One tile is the whole frame (iw x ih = W x H): its planes are the frame's, with no copy.
      hdr = tileHdr!;
      base = tileBase!;
      break;
    }
    if (!hdr) {
      const frame = pool ? pool.take(6 * W * H) : new Float32Array(6 * W * H);
      hdr = frame.subarray(0, 3 * W * H);
      base = frame.subarray(3 * W * H);
    }
    // An analytic model's tiles are their baselines (one array): copied once, and the frame's base is its hdr.
    if (tileBase === tileHdr) base = hdr;
    for (let c = 0; c < 3; c++) {
      for (let y = 0; y < ih; y++) {
        const src = (c * ih + y) * iw;
        const dst = c * W * H + (t.y0 * s + y) * W + t.x0 * s;
        hdr.set(tileHdr!.subarray(src, src + iw), dst);
        if (base !== hdr) base!.set(tileBase!.subarray(src, src + iw), dst);
      }
    }
  }
  return { width: W, height: H, hdr: hdr!, base: base! };
}
