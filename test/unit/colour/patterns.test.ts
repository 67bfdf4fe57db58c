import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  bt2111Bars,
  BT2111_PQ,
  codePatternToPqFrame,
  pqLuminanceStair,
  smpteBars,
  pqToNits,
  nitsToPq,
  narrow10FromSignal,
  pqSignalFromNarrow10,
} from '../../../src-main/common/colour';

test('BT.2111 PQ code values', () => {
  assert.equal(BT2111_PQ.grey40, 414);
  assert.equal(BT2111_PQ.full, 940);
  assert.equal(BT2111_PQ.black, 64);
  assert.equal(BT2111_PQ.ref58, 572);
  assert.deepEqual(BT2111_PQ.stair, [64, 152, 239, 327, 414, 502, 590, 677, 765, 852, 940]);
  assert.equal(BT2111_PQ.minus7, 4);
  assert.equal(BT2111_PQ.plus109, 1019);
  // the stair is 0..100% of the signal in 10% steps, rounded: 64 + 87.6·k
  BT2111_PQ.stair.forEach((c, k) => assert.equal(c, Math.round(64 + 87.6 * k)));
  // 40% grey and 58% sit where the percentages say (Y = 64 + 876·E'), −7% and 109% likewise
  assert.equal(narrow10FromSignal(0.4), 414);
  assert.equal(narrow10FromSignal(0.58), 572);
  assert.equal(narrow10FromSignal(-0.07), 3); // BT.2111 gives 4: the nearest code the interface allows
  assert.equal(narrow10FromSignal(1.09), 1019);
  assert.ok(Math.abs(pqToNits(pqSignalFromNarrow10(572)) - 203) < 2);
});

test('BT.2111 bars frame: regions tile the picture with the right codes', () => {
  const p = bt2111Bars(1920, 1080);
  const area = p.regions.reduce((a, r) => a + r.width * r.height, 0);
  assert.equal(area, 1920 * 1080);
  const at = (x: number, y: number) => [p.r[y * 1920 + x], p.g[y * 1920 + x], p.b[y * 1920 + x]];
  for (const r of p.regions) assert.deepEqual(at(r.x + (r.width >> 1), r.y + (r.height >> 1)), [...r.codes], r.name);
  const names = p.regions.map((r) => r.name);
  for (const n of ['100%-white', '100%-blue', '58%-white', '58%-red', 'stair-50%', '-7%', '109%', 'grey40-left'])
    assert.ok(names.includes(n), n);
  assert.deepEqual([...p.regions.find((r) => r.name === '58%-yellow')!.codes], [572, 572, 64]);
  const f = codePatternToPqFrame(p);
  const w = p.regions.find((r) => r.name === '100%-white')!;
  assert.equal(f.data[3 * (w.y * 1920 + w.x)], 65535);
  const m = p.regions.find((r) => r.name === '-7%')!;
  assert.equal(f.data[3 * (m.y * 1920 + m.x)], 0);
});

test('PQ stair and SMPTE bars', () => {
  const s = pqLuminanceStair(240, 4, [1, 100, 1000]);
  assert.equal(s.regions.length, 3);
  assert.ok(Math.abs(pqToNits(s.data[3 * 100] / 65535) - 100) < 0.01);
  assert.equal(s.data[3 * 239], Math.round(nitsToPq(1000) * 65535));
  const b = smpteBars(700, 300);
  const yellow = b.regions.find((r) => r.name === '75%-yellow')!;
  const i = yellow.y * 700 + yellow.x;
  assert.deepEqual([b.planes.r[i], b.planes.g[i], b.planes.b[i]], [0.75, 0.75, 0]);
  const pl = b.regions.find((r) => r.name === 'pluge-4%')!;
  assert.ok(Math.abs(b.planes.r[pl.y * 700 + pl.x] + 0.04) < 1e-6);
  assert.equal(
    b.regions.reduce((a, r) => a + r.width * r.height, 0),
    700 * 300,
  );
});
