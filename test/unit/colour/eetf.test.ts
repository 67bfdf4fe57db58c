// The BT.2390 EETF against points worked by hand from the standard's formulas.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { eetf, eetfConstants } from '../../../src-main/common/colour/eetf';
import { nitsToPq, pqToNits } from '../../../src-main/common/colour/transfer';

const close = (a: number, b: number, tol: number, what: string) =>
  assert.ok(Math.abs(a - b) <= tol, `${what}: ${a} vs ${b}`);

test('100-nit display, 10000-nit source: constants', () => {
  const c = eetfConstants({ displayPeakNits: 100 });
  close(c.maxLum, 0.50808, 1e-5, 'maxLum = PQ(100)'); // HDR-STANDARDS: 100 nits -> E' 0.5081
  close(c.ks, 1.5 * c.maxLum - 0.5, 1e-12, 'KS');
  close(c.ks, 0.26212, 1e-5, 'KS value');
  assert.equal(c.minLum, 0);
});

test('below the knee the signal is unchanged', () => {
  const c = eetfConstants({ displayPeakNits: 100 });
  for (const nits of [0, 0.01, 0.1, 1, 5]) {
    const e = nitsToPq(nits);
    assert.ok(e < c.ks);
    close(eetf(e, c), e, 1e-12, `${nits} nits`);
  }
});

test('the source peak lands on the display peak, and the spline midpoint matches the hand value', () => {
  for (const peak of [100, 203, 600, 1000]) {
    const c = eetfConstants({ displayPeakNits: peak });
    close(pqToNits(eetf(1, c)), peak, peak * 1e-9, `peak ${peak}`);
  }
  // t = 1/2: P = KS/2 + (1−KS)/8 + maxLum/2 = 1.0625·maxLum − 0.0625 (with KS = 1.5·maxLum − 0.5).
  const c = eetfConstants({ displayPeakNits: 100, sourcePeakNits: 10000 });
  const mid = c.srcBlack + c.srcRange * (c.ks + (1 - c.ks) / 2);
  close(eetf(mid, c), c.srcBlack + c.srcRange * (1.0625 * c.maxLum - 0.0625), 1e-12, 'midpoint');
  close(eetf(mid, c), 0.47733, 1e-4, 'midpoint value');
});

test('a 1000-nit master on a 100-nit display: 203 nits rolls off, 1000 nits reaches 100', () => {
  const c = eetfConstants({ displayPeakNits: 100, sourcePeakNits: 1000 });
  close(c.maxLum, nitsToPq(100) / nitsToPq(1000), 1e-6, 'maxLum'); // 0.5081 / 0.7518
  const white = pqToNits(eetf(nitsToPq(203), c));
  assert.ok(white > 60 && white < 100, `203 nits shows at ${white}`);
  close(pqToNits(eetf(nitsToPq(1000), c)), 100, 1e-6, '1000 nits');
  close(pqToNits(eetf(nitsToPq(4000), c)), 100, 1e-6, 'above the source peak clips to it');
});

test('monotonic and never above the display peak', () => {
  for (const peak of [100, 300, 1000]) {
    const c = eetfConstants({ displayPeakNits: peak });
    const top = nitsToPq(peak) + 1e-12;
    let prev = -1;
    for (let i = 0; i <= 4000; i++) {
      const y = eetf(i / 4000, c);
      assert.ok(y >= prev - 1e-15, `peak ${peak}: not monotonic at ${i / 4000}`);
      assert.ok(y <= top, `peak ${peak}: ${y} above the display peak`);
      prev = y;
    }
  }
});

test('black lift: 0 nits shows at the display black', () => {
  const c = eetfConstants({ displayPeakNits: 100, displayBlackNits: 0.1 });
  close(pqToNits(eetf(nitsToPq(0), c)), 0.1, 1e-6, 'black');
  // Below the knee the lift is exactly minLum·(1−E)^4 (normalised), shrinking toward white.
  let prev = Infinity;
  for (const nits of [0.5, 1, 5]) {
    const e = nitsToPq(nits),
      e1 = (e - c.srcBlack) / c.srcRange;
    const lift = eetf(e, c) - e;
    close(lift, c.minLum * Math.pow(1 - e1, 4) * c.srcRange, 1e-12, `lift at ${nits} nits`);
    assert.ok(lift < prev);
    prev = lift;
  }
});

test('a display at or above the source peak leaves the signal alone', () => {
  const c = eetfConstants({ displayPeakNits: 1000, sourcePeakNits: 1000 });
  for (const e of [0.1, 0.5, 0.7]) close(eetf(e, c), e, 1e-12, String(e));
});
