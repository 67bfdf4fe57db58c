import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  PQ_C1,
  PQ_C2,
  PQ_C3,
  PQ_M1,
  PQ_M2,
  nitsToPq,
  pqToNits,
  narrow10FromSignal,
  pqSignalFromNarrow10,
  bt1886Eotf,
  bt1886InverseEotf,
  bt1886EotfDisplay,
  bt709Oetf,
  bt709InverseOetf,
  srgbEotf,
  srgbInverseEotf,
  hlgOetf,
  hlgInverseOetf,
  hlgEotf,
  bt2390Eetf,
} from '../../../src-main/common/colour';

test('PQ constants are the published fractions', () => {
  assert.equal(PQ_M1, 0.1593017578125);
  assert.equal(PQ_M2, 78.84375);
  assert.equal(PQ_C1, 0.8359375);
  assert.equal(PQ_C2, 18.8515625);
  assert.equal(PQ_C3, 18.6875);
  assert.equal(PQ_C3, PQ_C1 + PQ_C2 - 1); // c3 = c1 + c2 − 1 keeps E'(10000) = 1
});

test('PQ published reference points, 10-bit narrow range', () => {
  const cases: [number, number][] = [
    [0.005, 77],
    [100, 509],
    [203, 573],
    [1000, 723],
    [4000, 855],
    [10000, 940],
  ];
  for (const [nits, code] of cases) assert.equal(narrow10FromSignal(nitsToPq(nits)), code, `${nits} nits`);
  assert.ok(Math.abs(nitsToPq(100) - 0.5081) < 5e-5);
  assert.ok(Math.abs(nitsToPq(203) - 0.5807) < 5e-5);
  assert.ok(Math.abs(nitsToPq(1000) - 0.7518) < 5e-5);
  assert.equal(nitsToPq(10000), 1);
  // BT.2111 uses 572 for 58%: 203 nits sits between the two codes.
  assert.ok(Math.abs(pqToNits(pqSignalFromNarrow10(572)) - 203) < 2);
});

test('PQ round trip: relative error < 1e-12 from 1e-4 to 10000 nits', () => {
  for (let e = -4; e <= 4; e += 0.01) {
    const n = Math.pow(10, e);
    assert.ok(Math.abs(pqToNits(nitsToPq(n)) / n - 1) < 1e-12, `${n}`);
  }
  for (let i = 0; i <= 1000; i++) {
    const s = i / 1000;
    if (s < nitsToPq(0)) continue;
    assert.ok(Math.abs(nitsToPq(pqToNits(s)) - s) < 1e-12);
  }
  assert.equal(pqToNits(0), 0);
  assert.equal(pqToNits(-1), 0);
  assert.equal(pqToNits(2), 10000);
  assert.ok(nitsToPq(0) < 1e-6 && nitsToPq(-5) === nitsToPq(0) && nitsToPq(NaN) === nitsToPq(0));
});

test('BT.1886 (pure 2.4) and its display form', () => {
  assert.equal(bt1886Eotf(1), 1);
  assert.equal(bt1886Eotf(0.5), Math.pow(0.5, 2.4));
  assert.ok(Math.abs(bt1886InverseEotf(bt1886Eotf(0.37)) - 0.37) < 1e-12);
  assert.ok(Math.abs(bt1886EotfDisplay(1, 100, 0) - 100) < 1e-9);
  assert.ok(Math.abs(bt1886EotfDisplay(0, 100, 0.1) - 0.1) < 1e-9);
  assert.ok(Math.abs(bt1886EotfDisplay(0.5, 100, 0) - 100 * Math.pow(0.5, 2.4)) < 1e-9);
});

test('BT.709 OETF, sRGB: continuity and round trips', () => {
  assert.ok(Math.abs(bt709Oetf(0.018) - 0.081) < 1e-3);
  assert.ok(Math.abs(bt709Oetf(1) - 1) < 1e-12);
  for (let i = 0; i <= 100; i++) {
    const v = i / 100;
    assert.ok(Math.abs(bt709Oetf(bt709InverseOetf(v)) - v) < 1e-12);
    assert.ok(Math.abs(srgbInverseEotf(srgbEotf(v)) - v) < 1e-12);
  }
});

test('HLG (BT.2100): published points and round trip', () => {
  assert.ok(Math.abs(hlgOetf(1 / 12) - 0.5) < 1e-12);
  assert.ok(Math.abs(hlgOetf(1) - 1) < 1e-6);
  for (let i = 0; i <= 100; i++) assert.ok(Math.abs(hlgOetf(hlgInverseOetf(i / 100)) - i / 100) < 1e-9);
  const [r, g, b] = hlgEotf(1, 1, 1, 1000);
  // the published a, b, c are rounded to 8 places: 1e-3 nits is their precision at the peak
  assert.ok(Math.abs(r - 1000) < 1e-3 && Math.abs(g - 1000) < 1e-3 && Math.abs(b - 1000) < 1e-3);
  // BT.2408: HLG 75% is reference white (203 nits) on a 1000-nit display.
  assert.ok(Math.abs(hlgEotf(0.75, 0.75, 0.75)[0] - 203) < 2);
});

test('BT.2390 EETF: identity below the knee, ends at the display peak', () => {
  const e = nitsToPq(1);
  assert.ok(Math.abs(bt2390Eetf(e, 1000) - e) < 1e-3);
  assert.ok(Math.abs(pqToNits(bt2390Eetf(1, 1000)) - 1000) < 1e-6);
  let prev = -1;
  for (let i = 0; i <= 100; i++) {
    const v = bt2390Eetf(i / 100, 600);
    assert.ok(v >= prev);
    prev = v;
  }
});

test('table-driven PQ and 2.4 power (frame paths) stay within stated bounds of the exact functions', async () => {
  const { pqToNitsFast, nitsToPqFast, bt1886EotfFast } = await import('../../../src-main/common/colour');
  let dec = 0,
    enc = 0,
    gam = 0,
    roundTrip = 0;
  for (let i = 0; i <= 400000; i++) {
    const e = i / 400000;
    const a = pqToNits(e);
    if (a > 1e-4) dec = Math.max(dec, Math.abs(pqToNitsFast(e) / a - 1));
    roundTrip = Math.max(roundTrip, Math.abs(nitsToPqFast(pqToNitsFast(e)) - Math.max(e, nitsToPq(0))));
    const n = Math.pow(10, -8 + (12 * i) / 400000);
    enc = Math.max(enc, Math.abs(nitsToPqFast(n) - nitsToPq(n)));
    gam = Math.max(gam, Math.abs(bt1886EotfFast(e) - Math.pow(e, 2.4)));
  }
  assert.ok(dec < 2e-5, `decode ${dec}`);
  assert.ok(enc < 1e-5, `encode ${enc}`); // 0.01 of a 10-bit code
  assert.ok(roundTrip < 2e-5, `round trip ${roundTrip}`);
  assert.ok(gam < 1e-9, `gamma ${gam}`);
  assert.equal(nitsToPqFast(10000), 1);
  assert.equal(nitsToPqFast(20000), 1);
  assert.equal(nitsToPqFast(0), nitsToPq(0));
  assert.equal(nitsToPqFast(NaN), nitsToPq(0));
  assert.equal(pqToNitsFast(1), 10000);
  assert.equal(pqToNitsFast(0), 0);
  // In 16-bit codes (the render cache's depth): decode within 1.3e-5 relative, encode within 0.66 of a code.
  assert.ok(enc * 65535 < 0.66, `encode ${enc * 65535} of a 16-bit code`);
});

test('the PQ tables handed to frame loops are the ones the table-driven functions use', async () => {
  const { pqTables, pqToNitsFast, nitsToPqFast } = await import('../../../src-main/common/colour');
  const t = pqTables();
  assert.equal(t.dec.length, t.decSteps + 1);
  for (let k = 0; k <= t.decSteps; k += 997) assert.equal(t.dec[k], pqToNitsFast(k / t.decSteps));
  assert.equal(t.pqBlack, nitsToPq(0));
  for (let k = 0; k < t.enc.length; k += 1013) {
    assert.equal(t.enc[k], nitsToPq(t.encX0[k]));
    if (t.encX0[k] < 10000) assert.equal(nitsToPqFast(t.encX0[k]), t.enc[k]);
  }
  assert.equal(t.encX0[0], t.encMinNits);
  assert.equal(t.encX0[1 << t.encMantBits], 2 * t.encMinNits); // segments are 1/2^mantBits of an octave
});
