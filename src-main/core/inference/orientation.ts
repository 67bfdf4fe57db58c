// The eight orientations of a picture (mirrors and transposition) for the 'best' quality: the model runs on
// each orientation of a tile and the results, turned back, are averaged (geometric self-ensemble, Lim et al.,
// EDSR, 2017). The network is not exactly equivariant to these, so its errors partly average out; measured on
// the held-out images it adds 0.05-0.3 dB of PQ-PSNR for 8x the work (models/README.md, "Quality 'best'").

/** 0-7: bit 0 mirrors left-right, bit 1 flips top-bottom, bit 2 then transposes (swaps x and y). */
export type Orientation = 0 | 1 | 2 | 3 | 4 | 5 | 6 | 7;
export const ORIENTATIONS: readonly Orientation[] = [0, 1, 2, 3, 4, 5, 6, 7];

export interface Rect {
  x: number;
  y: number;
  width: number;
  height: number;
}

export interface Planes {
  data: Float32Array;
  width: number;
  height: number;
}

/** The source pixel (in a width x height picture) that lands at (xo, yo) of its orientation k. */
function source(k: Orientation, xo: number, yo: number, width: number, height: number): number {
  const x1 = k & 4 ? yo : xo;
  const y1 = k & 4 ? xo : yo;
  const x = k & 1 ? width - 1 - x1 : x1;
  const y = k & 2 ? height - 1 - y1 : y1;
  return y * width + x;
}

/** Planar [channels][height][width] values seen in orientation k. */
export function orient(data: Float32Array, channels: number, width: number, height: number, k: Orientation): Planes {
  const ow = k & 4 ? height : width;
  const oh = k & 4 ? width : height;
  const n = width * height;
  const out = new Float32Array(channels * n);
  for (let c = 0; c < channels; c++) {
    const src = data.subarray(c * n, (c + 1) * n);
    let i = c * n;
    for (let yo = 0; yo < oh; yo++) for (let xo = 0; xo < ow; xo++) out[i++] = src[source(k, xo, yo, width, height)];
  }
  return { data: out, width: ow, height: oh };
}

/** The orientation that undoes k: mirrors are their own inverse; after a transpose, left-right and top-bottom
 *  trade places. */
function inverse(k: Orientation): Orientation {
  return (k & 4 ? 4 | ((k & 1) << 1) | ((k & 2) >> 1) : k) as Orientation;
}

/** The inverse of orient: planar values in orientation k (ow x oh) turned back to the picture's own orientation. */
export function unorient(data: Float32Array, channels: number, ow: number, oh: number, k: Orientation): Planes {
  return orient(data, channels, ow, oh, inverse(k));
}

/** Where a rectangle of a width x height picture lies in the picture's orientation k. */
export function orientRect(r: Rect, width: number, height: number, k: Orientation): Rect {
  const x = k & 1 ? width - r.x - r.width : r.x;
  const y = k & 2 ? height - r.y - r.height : r.y;
  return k & 4 ? { x: y, y: x, width: r.height, height: r.width } : { x, y, width: r.width, height: r.height };
}
