// Keys bicubic upscaling, written to match ONNX Resize(mode=cubic, cubic_coeff_a=-0.5,
// coordinate_transformation_mode=half_pixel, exclude_outside=0) so the analytic skip path and the
// network's built-in upsampler agree to float rounding.

/** Keys cubic convolution kernel. a = -0.5 is Catmull-Rom-like and what ONNX and most tools default to. */
export function keysWeight(d: number, a = -0.5): number {
  const x = Math.abs(d);
  if (x <= 1) return ((a + 2) * x - (a + 3)) * x * x + 1;
  if (x < 2) return ((a * x - 5 * a) * x + 8 * a) * x - 4 * a;
  return 0;
}

interface Taps {
  idx: Int32Array;
  w: Float64Array;
}

/** For each output coordinate: 4 source indices (clamped to the edge) and their weights. */
function taps(inSize: number, outSize: number, scale: number, a: number): Taps {
  const idx = new Int32Array(outSize * 4);
  const w = new Float64Array(outSize * 4);
  for (let o = 0; o < outSize; o++) {
    const x = (o + 0.5) / scale - 0.5; // half_pixel
    const x0 = Math.floor(x);
    const t = x - x0;
    const ws = [keysWeight(1 + t, a), keysWeight(t, a), keysWeight(1 - t, a), keysWeight(2 - t, a)];
    for (let k = 0; k < 4; k++) {
      const i = x0 - 1 + k;
      idx[o * 4 + k] = i < 0 ? 0 : i > inSize - 1 ? inSize - 1 : i;
      w[o * 4 + k] = ws[k];
    }
  }
  return { idx, w };
}

/**
 * Upscale one float plane by `scale` (output size floor(size·scale)). Separable: rows, then columns.
 * No clamping here: cubic overshoot is the caller's business (the SDR mapping clamps to [0,1]).
 */
export function resizeBicubic(
  src: Float32Array,
  w: number,
  h: number,
  scale: number,
  a = -0.5,
): { data: Float32Array; width: number; height: number } {
  const ow = Math.floor(w * scale),
    oh = Math.floor(h * scale);
  if (scale === 1) return { data: src.slice(), width: w, height: h };
  const tx = taps(w, ow, scale, a),
    ty = taps(h, oh, scale, a);
  const mid = new Float64Array(ow * h);
  for (let y = 0; y < h; y++) {
    const row = y * w,
      orow = y * ow;
    for (let o = 0; o < ow; o++) {
      const k = o * 4;
      mid[orow + o] =
        tx.w[k] * src[row + tx.idx[k]] +
        tx.w[k + 1] * src[row + tx.idx[k + 1]] +
        tx.w[k + 2] * src[row + tx.idx[k + 2]] +
        tx.w[k + 3] * src[row + tx.idx[k + 3]];
    }
  }
  const out = new Float32Array(ow * oh);
  for (let o = 0; o < oh; o++) {
    const k = o * 4;
    const r0 = ty.idx[k] * ow,
      r1 = ty.idx[k + 1] * ow,
      r2 = ty.idx[k + 2] * ow,
      r3 = ty.idx[k + 3] * ow;
    const w0 = ty.w[k],
      w1 = ty.w[k + 1],
      w2 = ty.w[k + 2],
      w3 = ty.w[k + 3];
    const orow = o * ow;
    for (let x = 0; x < ow; x++)
      out[orow + x] = w0 * mid[r0 + x] + w1 * mid[r1 + x] + w2 * mid[r2 + x] + w3 * mid[r3 + x];
  }
  return { data: out, width: ow, height: oh };
}
