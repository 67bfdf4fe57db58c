import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  sdrToHdrPixel,
  sdrToLinearNits,
  sdrToHdrBaseline,
  resizeBicubic,
  keysWeight,
  expansionGain,
  narrow10FromSignal,
  nitsToPq,
  pqToNits,
  BT709_TO_BT2020,
  chromaticityOf,
} from '../../../src-main/common/colour';

test('SDR 100% white lands on diffuse white: 203 nits = PQ 573 (10-bit narrow)', () => {
  const [r, g, b] = sdrToHdrPixel(1, 1, 1);
  assert.equal(narrow10FromSignal(r), 573);
  assert.ok(
    Math.abs(pqToNits(r) - 203) < 1e-9 && Math.abs(pqToNits(g) - 203) < 1e-9 && Math.abs(pqToNits(b) - 203) < 1e-9,
  );
  assert.ok(Math.abs(pqToNits(sdrToHdrPixel(1, 1, 1, { diffuseWhite: 100 })[0]) - 100) < 1e-9);
  assert.ok(pqToNits(sdrToHdrPixel(0, 0, 0)[0]) === 0);
});

test('steps: clamp, 2.4 power, ×203, BT.2087 matrix, PQ', () => {
  const v = [0.8, 0.3, 1.2];
  const lin = [Math.pow(0.8, 2.4) * 203, Math.pow(0.3, 2.4) * 203, 203];
  const m = BT709_TO_BT2020;
  const want = [0, 1, 2].map((i) => nitsToPq(m[3 * i] * lin[0] + m[3 * i + 1] * lin[1] + m[3 * i + 2] * lin[2]));
  const got = sdrToHdrPixel(v[0], v[1], v[2]);
  got.forEach((x, i) => assert.ok(Math.abs(x - want[i]) < 1e-15));
  assert.deepEqual(sdrToHdrPixel(-0.2, NaN, 0), sdrToHdrPixel(0, 0, 0));
});

test('Keys kernel (a = −0.5): interpolating, partition of unity', () => {
  assert.equal(keysWeight(0), 1);
  assert.equal(keysWeight(1), 0);
  assert.equal(keysWeight(2), 0);
  for (let t = 0; t <= 1; t += 0.125) {
    const s = keysWeight(1 + t) + keysWeight(t) + keysWeight(1 - t) + keysWeight(2 - t);
    assert.ok(Math.abs(s - 1) < 1e-12);
  }
});

test('bicubic ×2 matches ONNX Resize cubic half_pixel (hand-computed), edges clamped', () => {
  // 1-D [0, 1, 0, 0] ×2: output 0 sits at x = −0.25 (taps −2..1 -> clamped 0,0,0,1), t = 0.75
  const src = new Float32Array([0, 1, 0, 0]);
  const out = resizeBicubic(src, 4, 1, 2);
  assert.equal(out.width, 8);
  assert.equal(out.height, 2);
  const w = (t: number) => [keysWeight(1 + t), keysWeight(t), keysWeight(1 - t), keysWeight(2 - t)];
  const at = (i: number) => src[Math.min(3, Math.max(0, i))];
  for (let o = 0; o < 8; o++) {
    const x = (o + 0.5) / 2 - 0.5,
      x0 = Math.floor(x),
      ws = w(x - x0);
    const want = ws[0] * at(x0 - 1) + ws[1] * at(x0) + ws[2] * at(x0 + 1) + ws[3] * at(x0 + 2);
    assert.ok(Math.abs(out.data[o] - want) < 1e-7, `${o}`);
    assert.ok(Math.abs(out.data[8 + o] - want) < 1e-7);
  }
  // published Keys values at quarter offsets: w(0.25) = 0.8671875, w(0.75) = 0.2265625, w(1.25) = −0.0703125, w(1.75) = −0.0234375
  assert.equal(keysWeight(0.25), 0.8671875);
  assert.equal(keysWeight(0.75), 0.2265625);
  assert.equal(keysWeight(1.25), -0.0703125);
  assert.equal(keysWeight(1.75), -0.0234375);
  // a flat plane stays flat; a linear ramp stays linear away from the edges
  const ramp = new Float32Array(16 * 4);
  for (let y = 0; y < 4; y++) for (let x = 0; x < 16; x++) ramp[y * 16 + x] = x / 16;
  const r2 = resizeBicubic(ramp, 16, 4, 2);
  for (let o = 4; o < 28; o++) assert.ok(Math.abs(r2.data[3 * 32 + o] - ((o + 0.5) / 2 - 0.5) / 16) < 1e-6);
});

test('baseline frame equals per-pixel mapping of the resized planes', () => {
  const w = 6,
    h = 4,
    n = w * h;
  const planes = { r: new Float32Array(n), g: new Float32Array(n), b: new Float32Array(n) };
  for (let i = 0; i < n; i++) {
    planes.r[i] = (i * 0.137) % 1;
    planes.g[i] = (i * 0.71) % 1;
    planes.b[i] = (i * 0.29) % 1;
  }
  const out = sdrToHdrBaseline(planes, w, h, 2);
  assert.equal(out.width, 12);
  const rr = resizeBicubic(planes.r, w, h, 2).data,
    gg = resizeBicubic(planes.g, w, h, 2).data,
    bb = resizeBicubic(planes.b, w, h, 2).data;
  for (let i = 0; i < 48; i++) {
    const p = sdrToHdrPixel(rr[i], gg[i], bb[i]);
    // the frame path uses the table-driven transfer functions: within 2e-5 of signal (0.02 of a 10-bit code)
    assert.ok(
      Math.abs(out.planes.r[i] - p[0]) < 2e-5 &&
        Math.abs(out.planes.g[i] - p[1]) < 2e-5 &&
        Math.abs(out.planes.b[i] - p[2]) < 2e-5,
    );
  }
  const same = sdrToHdrBaseline(planes, w, h, 1);
  assert.ok(Math.abs(same.planes.r[5] - sdrToHdrPixel(planes.r[5], planes.g[5], planes.b[5])[0]) < 2e-5);
});

test('expansion: identity below the knee, white -> peak, smooth, monotonic, hue-preserving', () => {
  const ex = { knee: 0.6, peakNits: 1000 };
  assert.equal(expansionGain(100, 203, 0.6, 1000), 1);
  assert.ok(Math.abs(expansionGain(203, 203, 0.6, 1000) * 203 - 1000) < 1e-9);
  const white = sdrToLinearNits(1, 1, 1, { expansion: ex });
  assert.ok(Math.abs(white[0] - 1000) < 1e-9);
  let prev = -1,
    prevSlope = 0;
  for (let i = 1; i <= 4000; i++) {
    const y = (i / 4000) * 400;
    const out = y * expansionGain(y, 203, 0.6, 1000);
    assert.ok(out > prev, `monotonic at ${y}`);
    const slope = out - prev;
    if (i > 2) assert.ok(Math.abs(slope - prevSlope) < 0.2, `no kink at ${y}`);
    prev = out;
    prevSlope = slope;
  }
  const a = sdrToLinearNits(1, 0.9, 0.6),
    b = sdrToLinearNits(1, 0.9, 0.6, { expansion: ex }); // Y ≈ 0.79 of white: above the knee
  const ca = chromaticityOf(a[0], a[1], a[2]),
    cb = chromaticityOf(b[0], b[1], b[2]);
  assert.ok(Math.abs(ca.x - cb.x) < 1e-12 && Math.abs(ca.y - cb.y) < 1e-12);
  assert.ok(b[1] > a[1]);
});
