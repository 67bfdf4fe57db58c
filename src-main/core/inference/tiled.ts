// Up-converts frames of any size through the worker in overlapping tiles. Each tile is run with a margin
// that covers the model's receptive field and only its interior is kept, so tiled and whole-frame results
// agree (seamless by construction) while memory stays bounded for 4K output.
import { ServiceError, type ModelInfo } from '../../common/contract';
import type { InferenceClient, RunOptions } from './client';

export interface UpconvertOptions extends RunOptions {
  /** Tile interior size in input pixels; frames no larger than this (plus margins) run in one piece. */
  tile?: number;
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

/** Plans the tiles of a w x h frame: interior rectangles and the padded rectangles actually run. */
export function planTiles(w: number, h: number, tile: number, margin: number, align: number) {
  const tiles: { x0: number; y0: number; x1: number; y1: number; px0: number; py0: number; px1: number; py1: number }[] = [];
  const step = Math.max(align, Math.floor(tile / align) * align);
  for (let y0 = 0; y0 < h; y0 += step) {
    for (let x0 = 0; x0 < w; x0 += step) {
      const x1 = Math.min(w, x0 + step);
      const y1 = Math.min(h, y0 + step);
      tiles.push({
        x0,
        y0,
        x1,
        y1,
        px0: Math.max(0, Math.floor((x0 - margin) / align) * align),
        py0: Math.max(0, Math.floor((y0 - margin) / align) * align),
        px1: Math.min(w, x1 + margin),
        py1: Math.min(h, y1 + margin),
      });
    }
  }
  return tiles;
}

export async function upconvertFrame(client: InferenceClient, sdr: Float32Array, width: number, height: number, opts: UpconvertOptions = {}): Promise<HdrFrame> {
  if (sdr.length !== 3 * width * height) throw new ServiceError('bad_input', `Frame has ${sdr.length} values, expected 3x${width}x${height}`);
  await client.start();
  const model: ModelInfo | null = client.status().model;
  if (!model) throw new ServiceError('worker_failed', 'No model loaded');
  const s = model.scale;
  const W = width * s;
  const H = height * s;
  const hdr = new Float32Array(3 * W * H);
  const base = new Float32Array(3 * W * H);
  const tiles = planTiles(width, height, opts.tile ?? 512, model.tileMargin, model.tileAlign);
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
    const out = await client.run(input, [1, 3, th, tw], opts);
    // Keep only the interior: rows/columns [x0..x1) of the frame, scaled.
    const OW = tw * s;
    const OH = th * s;
    const ox = (t.x0 - t.px0) * s;
    const oy = (t.y0 - t.py0) * s;
    const iw = (t.x1 - t.x0) * s;
    const ih = (t.y1 - t.y0) * s;
    for (let c = 0; c < 3; c++) {
      for (let y = 0; y < ih; y++) {
        const src = c * OW * OH + (oy + y) * OW + ox;
        const dst = c * W * H + (t.y0 * s + y) * W + t.x0 * s;
        hdr.set(out.hdr.subarray(src, src + iw), dst);
        base.set(out.base.subarray(src, src + iw), dst);
      }
    }
    opts.onProgress?.(++done, tiles.length);
  }
  return { width: W, height: H, hdr, base };
}
