import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  rgbToYcbcr,
  ycbcrToRgb,
  quantizeLuma,
  quantizeChroma,
  dequantizeLuma,
  dequantizeChroma,
  codeLimits,
  rgbPlanesToYcbcr,
  ycbcrToRgbPlanes,
  subsampleChroma,
  upsampleChroma,
  type BitDepth,
  type YcbcrMatrix,
} from '../../../src-main/common/colour';

test('BT.2020 NCL matches the published Cb/Cr denominators', () => {
  const [y, cb, cr] = rgbToYcbcr(0.3, 0.6, 0.9, 'bt2020nc');
  assert.ok(Math.abs(y - (0.2627 * 0.3 + 0.678 * 0.6 + 0.0593 * 0.9)) < 1e-15);
  assert.ok(Math.abs(cb - (0.9 - y) / 1.8814) < 1e-12);
  assert.ok(Math.abs(cr - (0.3 - y) / 1.4746) < 1e-12);
});

test('narrow and full range codes at 8/10/12/16 bits', () => {
  assert.equal(quantizeLuma(0, 10, 'narrow'), 64);
  assert.equal(quantizeLuma(1, 10, 'narrow'), 940);
  assert.equal(quantizeChroma(0, 10, 'narrow'), 512);
  assert.equal(quantizeChroma(-0.5, 10, 'narrow'), 64);
  assert.equal(quantizeChroma(0.5, 10, 'narrow'), 960);
  assert.equal(quantizeLuma(1, 8, 'narrow'), 235);
  assert.equal(quantizeLuma(1, 12, 'narrow'), 3760);
  assert.equal(quantizeLuma(0, 16, 'narrow'), 4096);
  assert.equal(quantizeLuma(1, 16, 'narrow'), 60160);
  assert.equal(quantizeLuma(1, 10, 'full'), 1023);
  assert.equal(quantizeChroma(0, 10, 'full'), 512);
  assert.equal(quantizeChroma(0.5, 8, 'full'), 255);
  // reserved codes are never written
  assert.deepEqual(codeLimits(10, 'narrow'), { min: 4, max: 1019 });
  assert.equal(quantizeLuma(2, 10, 'narrow'), 1019);
  assert.equal(quantizeLuma(-1, 10, 'narrow'), 4);
});

test("Y'CbCr round trips: analogue exact, quantised within half a step", () => {
  for (const m of ['bt709', 'bt2020nc'] as YcbcrMatrix[]) {
    for (let i = 0; i < 500; i++) {
      const r = (i * 0.37) % 1,
        g = (i * 0.61) % 1,
        b = (i * 0.83) % 1;
      const [y, cb, cr] = rgbToYcbcr(r, g, b, m);
      const back = ycbcrToRgb(y, cb, cr, m);
      assert.ok(Math.abs(back[0] - r) < 1e-12 && Math.abs(back[1] - g) < 1e-12 && Math.abs(back[2] - b) < 1e-12);
      for (const bits of [8, 10, 12, 16] as BitDepth[])
        for (const range of ['narrow', 'full'] as const) {
          const yq = dequantizeLuma(quantizeLuma(y, bits, range), bits, range);
          const step = range === 'narrow' ? 1 / (219 * (1 << (bits - 8))) : 1 / ((1 << bits) - 1);
          assert.ok(Math.abs(yq - y) <= step / 2 + 1e-12);
          const cq = dequantizeChroma(quantizeChroma(cb, bits, range), bits, range);
          const cstep = range === 'narrow' ? 1 / (224 * (1 << (bits - 8))) : 1 / ((1 << bits) - 1);
          assert.ok(Math.abs(cq - cb) <= cstep / 2 + 1e-12 || Math.abs(cb) > 0.4999);
        }
    }
  }
});

test('chroma siting: linear ramps survive subsample + upsample away from edges', () => {
  const w = 16,
    h = 12;
  for (const siting of ['left', 'topleft'] as const)
    for (const format of ['420', '422'] as const) {
      const src = new Float32Array(w * h);
      for (let y = 0; y < h; y++) for (let x = 0; x < w; x++) src[y * w + x] = 0.01 * x + 0.02 * y;
      const down = subsampleChroma(src, w, h, format, siting);
      // top-left: chroma (i, j) sits on luma (2i, 2j) exactly
      if (siting === 'topleft' && format === '420') assert.ok(Math.abs(down[1 * 8 + 2] - (0.01 * 4 + 0.02 * 2)) < 1e-6);
      // left: chroma (i, j) sits at luma (2i, 2j + 0.5)
      if (siting === 'left' && format === '420') assert.ok(Math.abs(down[1 * 8 + 2] - (0.01 * 4 + 0.02 * 2.5)) < 1e-6);
      const up = upsampleChroma(down, w, h, format, siting);
      for (let y = 3; y < h - 3; y++)
        for (let x = 2; x < w - 2; x++)
          assert.ok(Math.abs(up[y * w + x] - src[y * w + x]) < 1e-6, `${format} ${siting} ${x},${y}`);
    }
});

test('planar frame: 10-bit 4:4:4 round trip within 1 code, 4:2:0 exact on flat colour', () => {
  const w = 8,
    h = 6,
    n = w * h;
  const planes = { r: new Float32Array(n), g: new Float32Array(n), b: new Float32Array(n) };
  for (let i = 0; i < n; i++) {
    planes.r[i] = (i % 7) / 7;
    planes.g[i] = (i % 5) / 5;
    planes.b[i] = (i % 3) / 3;
  }
  const f = rgbPlanesToYcbcr(planes, w, h, { matrix: 'bt2020nc', range: 'narrow', bits: 10 });
  const back = ycbcrToRgbPlanes(f);
  for (let i = 0; i < n; i++)
    for (const c of ['r', 'g', 'b'] as const) assert.ok(Math.abs(back[c][i] - planes[c][i]) * 876 < 1.2);
  const flat = { r: new Float32Array(n).fill(0.7), g: new Float32Array(n).fill(0.2), b: new Float32Array(n).fill(0.4) };
  const f420 = rgbPlanesToYcbcr(flat, w, h, {
    matrix: 'bt2020nc',
    range: 'narrow',
    bits: 10,
    format: '420',
    siting: 'topleft',
  });
  assert.equal(f420.cb.length, 12);
  assert.ok(f420.cb.every((v) => v === f420.cb[0]));
});
