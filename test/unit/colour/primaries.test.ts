import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  BT709,
  BT2020,
  P3_D65,
  BT709_TO_BT2020,
  BT2020_TO_BT709,
  BT2020_TO_P3,
  P3_TO_BT2020,
  BT2020_TO_XYZ,
  XYZ_TO_BT2020,
  mat3Multiply,
  mat3Apply,
  luminanceWeights,
  rgbToXyzMatrix,
  chromaticityOf,
  insideGamutXy,
  D65,
} from '../../../src-main/common/colour';

test('BT.709 -> BT.2020 matches ITU-R BT.2087 to its 4 published places', () => {
  const bt2087 = [0.6274, 0.3293, 0.0433, 0.0691, 0.9195, 0.0114, 0.0164, 0.088, 0.8956];
  BT709_TO_BT2020.forEach((v, i) =>
    assert.ok(Math.abs(v - bt2087[i]) <= 0.00005 + 1e-12, `element ${i}: ${v} vs ${bt2087[i]}`),
  );
  // rows sum to 1: white stays white
  for (let r = 0; r < 3; r++)
    assert.ok(Math.abs(BT709_TO_BT2020[3 * r] + BT709_TO_BT2020[3 * r + 1] + BT709_TO_BT2020[3 * r + 2] - 1) < 1e-12);
});

test('matrices invert to identity within 1e-12', () => {
  const id = [1, 0, 0, 0, 1, 0, 0, 0, 1];
  for (const m of [
    mat3Multiply(BT709_TO_BT2020, BT2020_TO_BT709),
    mat3Multiply(BT2020_TO_P3, P3_TO_BT2020),
    mat3Multiply(BT2020_TO_XYZ, XYZ_TO_BT2020),
  ]) {
    m.forEach((v, i) => assert.ok(Math.abs(v - id[i]) < 1e-12));
  }
});

test("luminance weights derived from primaries match the Y'CbCr constants", () => {
  const w709 = luminanceWeights(BT709),
    w2020 = luminanceWeights(BT2020);
  [0.2126, 0.7152, 0.0722].forEach((v, i) => assert.ok(Math.abs(w709[i] - v) < 5e-5));
  [0.2627, 0.678, 0.0593].forEach((v, i) => assert.ok(Math.abs(w2020[i] - v) < 5e-5));
  // BT.709 RGB->XYZ published (IEC 61966-2-1) to 4 places
  const pub = [0.4124, 0.3576, 0.1805, 0.2126, 0.7152, 0.0722, 0.0193, 0.1192, 0.9505];
  rgbToXyzMatrix(BT709).forEach((v, i) => assert.ok(Math.abs(v - pub[i]) < 1e-4, `${i}`));
});

test('xy of primaries and white', () => {
  for (const cs of [BT709, P3_D65, BT2020]) {
    const toXyz = rgbToXyzMatrix(cs);
    const r = chromaticityOf(1, 0, 0, toXyz),
      g = chromaticityOf(0, 1, 0, toXyz),
      w = chromaticityOf(1, 1, 1, toXyz);
    assert.ok(Math.abs(r.x - cs.red.x) < 1e-12 && Math.abs(r.y - cs.red.y) < 1e-12);
    assert.ok(Math.abs(g.x - cs.green.x) < 1e-12 && Math.abs(g.y - cs.green.y) < 1e-12);
    assert.ok(Math.abs(w.x - D65.x) < 1e-12 && Math.abs(w.y - D65.y) < 1e-12);
  }
  // a BT.709 red expressed in BT.2020 plots at BT.709's red
  const [r, g, b] = mat3Apply(BT709_TO_BT2020, 1, 0, 0);
  const c = chromaticityOf(r, g, b);
  assert.ok(Math.abs(c.x - 0.64) < 1e-12 && Math.abs(c.y - 0.33) < 1e-12);
  assert.ok(insideGamutXy(0.3127, 0.329, BT709));
  assert.ok(!insideGamutXy(0.708, 0.292, P3_D65));
  assert.ok(insideGamutXy(0.6, 0.3, BT2020));
  assert.ok(!insideGamutXy(0.68, 0.32, BT2020)); // P3's red lies a hair outside BT.2020's red-green edge
});
