// From the model's planar floats to the viewer's interleaved 16-bit codes.
import type { HdrFrame } from '../inference/tiled';

/**
 * Planar float PQ [3][h][w] -> interleaved 16-bit full-range codes, rounded and clamped as renders quantise.
 * Little-endian as the layout says: every platform Node ships for is little-endian, so native order is it.
 */
export function interleavePq16(planes: Float32Array, width: number, height: number): Uint16Array {
  const n = width * height;
  const out = new Uint16Array(3 * n);
  for (let c = 0; c < 3; c++) {
    const p = planes.subarray(c * n, (c + 1) * n);
    for (let i = 0; i < n; i++) {
      const v = p[i];
      out[3 * i + c] = v > 0 ? (v < 1 ? Math.round(v * 65535) : 65535) : 0;
    }
  }
  return out;
}

/** The 'hdr-pair-rgb16' layout: the network's `hdr`, then the analytic `base`. */
export function hdrPairBytes(f: HdrFrame): Uint8Array[] {
  const bytes = (a: Uint16Array) => new Uint8Array(a.buffer, a.byteOffset, a.byteLength);
  return [bytes(interleavePq16(f.hdr, f.width, f.height)), bytes(interleavePq16(f.base, f.width, f.height))];
}
