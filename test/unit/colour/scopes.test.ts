import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  computeScopes,
  waveformPlane,
  waveformScale,
  falseColourMap,
  bt2111Bars,
  codePatternToPqFrame,
  pqLuminanceStair,
  BT2111_PQ,
  CIE_X_MAX,
  CIE_Y_MAX,
  CIE_1931_LOCUS_FIRST_NM,
  CIE_1931_LOCUS_STEP_NM,
  CIE_1931_SPECTRAL_LOCUS,
  BT709,
  BT2020,
  P3_D65,
  type PqFrame,
  type Scopes,
} from '../../../src-main/common/colour';

const W = 768,
  H = 432;
const pattern = bt2111Bars(W, H);
const frame = codePatternToPqFrame(pattern);

/** The rows where a column range of a waveform plane has counts. */
function rowsIn(plane: Uint32Array, columns: number, c0: number, c1: number): number[] {
  const rows: number[] = [];
  for (let r = 0; r < 1024; r++) {
    let s = 0;
    for (let c = c0; c <= c1; c++) s += plane[r * columns + c];
    if (s > 0) rows.push(r);
  }
  return rows;
}

/** Columns of the scope lying wholly inside a region's x span. */
function colsOf(s: Scopes, x: number, w: number): [number, number] {
  const C = s.waveform.columns;
  return [Math.ceil((x * C) / W), Math.floor(((x + w) * C) / W) - 1];
}

test('BT.2111 bars land on their code values in the waveform and parade', () => {
  const s = computeScopes(frame, { columns: 256, waveformStep: 1 });
  const C = s.waveform.columns;
  const wl = waveformPlane(s, 'luma'),
    wr = waveformPlane(s, 'red'),
    wb = waveformPlane(s, 'blue');
  const region = (name: string) => pattern.regions.find((r) => r.name === name)!;
  // 100% white bar: every row of its columns is pattern 1..3 of that column: 940 (top) 572 (58% white) and a stair step
  const white = region('100%-white');
  const [c0, c1] = colsOf(s, white.x, white.width);
  const luma = rowsIn(wl, C, c0, c1);
  assert.ok(luma.includes(940) && luma.includes(572));
  // yellow bar: R and G at 940, B at 64, luma at Y' of (1,1,0)
  const yellow = region('100%-yellow');
  const [y0, y1] = colsOf(s, yellow.x, yellow.width);
  assert.ok(rowsIn(wr, C, y0, y1).includes(940));
  assert.ok(rowsIn(wb, C, y0, y1).includes(64));
  assert.ok(rowsIn(wl, C, y0, y1).includes(Math.round(64 + 876 * (0.2627 + 0.678))));
  // left side panel, top to bottom: 40% grey, 100% cyan, 100% yellow, 40% grey -> three luma rows
  const side = rowsIn(wl, C, 0, 2);
  const yp = (r: number, g: number, b: number) => Math.round(64 + 876 * (0.2627 * r + 0.678 * g + 0.0593 * b));
  assert.equal(side.length, 3);
  assert.equal(side[0], 414);
  assert.ok(Math.abs(side[1] - yp(0, 1, 1)) <= 1);
  assert.ok(Math.abs(side[2] - yp(1, 1, 0)) <= 1);
  // every stair step appears as a luma row
  for (const code of BT2111_PQ.stair) assert.ok(s.histogram.luma[code] > 0, `stair ${code}`);
  // -7% and 109% clip in a full-range 16-bit frame: nothing below 64 or above 940
  for (let r = 0; r < 64; r++) assert.equal(s.histogram.luma[r], 0);
  for (let r = 941; r < 1024; r++) assert.equal(s.histogram.luma[r], 0);
  // waveform counts every pixel once per plane
  assert.equal(
    s.histogram.red.reduce((a, b) => a + b, 0),
    W * H,
  );
});

test('BT.2111 bars in CIE xy: primaries at BT.2020 corners, greys at D65', () => {
  const s = computeScopes(frame, { colourStep: 1, cieSize: 400 });
  const N = s.cie.size;
  const bin = (x: number, y: number) => Math.floor((y * N) / CIE_Y_MAX) * N + Math.floor((x * N) / CIE_X_MAX);
  const count = (x: number, y: number) => {
    let c = 0;
    for (let dy = -1; dy <= 1; dy++) for (let dx = -1; dx <= 1; dx++) c += s.cie.density[bin(x, y) + dy * N + dx];
    return c;
  };
  assert.ok(count(0.708, 0.292) > 0, 'red');
  assert.ok(count(0.17, 0.797) > 0, 'green');
  assert.ok(count(0.131, 0.046) > 0, 'blue');
  assert.ok(count(0.3127, 0.329) > 0, 'white');
  // nothing outside the BT.2020 triangle's neighbourhood: e.g. around x = 0.5, y = 0.1 (purple line interior)
  assert.equal(count(0.5, 0.1), 0);
  assert.ok(s.gamut.outsideP3 > 0.1 && s.gamut.outsideBt709 >= s.gamut.outsideP3);
});

test('rgb48 and planar layouts give identical scopes (planar takes the general path, rgb48 the fast one)', () => {
  const n = W * H;
  const planar: PqFrame = { width: W, height: H, layout: 'planar', data: new Uint16Array(3 * n) };
  for (let i = 0; i < n; i++) for (let c = 0; c < 3; c++) planar.data[c * n + i] = frame.data[3 * i + c];
  for (const waveformStep of [1, 2, 3, 4]) {
    const a = computeScopes(frame, { waveformStep }),
      b = computeScopes(planar, { waveformStep });
    assert.deepEqual(a.waveform.data, b.waveform.data, `step ${waveformStep}`);
    assert.equal(a.waveform.samples, Math.ceil(W / waveformStep) * Math.ceil(H / waveformStep));
    assert.equal(
      a.histogram.luma.reduce((x, y) => x + y, 0),
      a.waveform.samples,
    );
    assert.deepEqual(a.cie.density, b.cie.density);
    assert.equal(a.lightLevel.maxCll, b.lightLevel.maxCll);
    assert.ok(Math.abs(a.lightLevel.fall / b.lightLevel.fall - 1) < 1e-12);
  }
});

test('waveform scale and false colour bands on a PQ stair', () => {
  const sc = waveformScale('narrow');
  assert.deepEqual(sc.find((t) => t.nits === 203)?.code, 573);
  assert.deepEqual(sc.find((t) => t.nits === 10000)?.code, 940);
  assert.deepEqual(sc.find((t) => t.nits === 0)?.code, 64);
  assert.equal(waveformScale('full').find((t) => t.nits === 10000)?.code, 1023);
  const stair = pqLuminanceStair(120, 10, [0.05, 0.5, 5, 50, 150, 500, 2000, 8000]);
  const s = computeScopes(stair, { colourStep: 1 });
  assert.deepEqual(
    s.falseColour.shares.map((v) => Math.round(v * 8)),
    [1, 1, 1, 1, 1, 1, 1, 1],
  );
  const map = falseColourMap(stair);
  assert.deepEqual(
    Array.from({ length: 8 }, (_, i) => map[i * 15 + 7]),
    [0, 1, 2, 3, 4, 5, 6, 7],
  );
  assert.equal(s.lightLevel.maxCll > 7990 && s.lightLevel.maxCll < 8010, true);
});

test('reusing the previous result gives the same scopes; default sampling still finds the bars', () => {
  const fresh = computeScopes(frame);
  const other = computeScopes(pqLuminanceStair(W, H));
  const again = computeScopes(frame, {}, other);
  assert.equal(again, other);
  assert.deepEqual(again.waveform.data, fresh.waveform.data);
  assert.deepEqual(again.histogram, fresh.histogram);
  assert.deepEqual(again.cie.density, fresh.cie.density);
  assert.deepEqual(again.lightLevel, fresh.lightLevel);
  for (const code of [64, 414, 572, 940]) assert.ok(fresh.histogram.luma[code] > 0, `${code}`);
  assert.equal(fresh.waveform.samples, W * H); // under the sample budget: every pixel
  assert.equal(
    fresh.histogram.luma.reduce((a, b) => a + b, 0),
    W * H,
  );
  const sampled = computeScopes(frame, { waveformStep: 2, colourStep: 4 });
  assert.equal(sampled.waveform.samples, (W / 2) * (H / 2));
  assert.equal(
    sampled.histogram.luma.reduce((a, b) => a + b, 0),
    (W / 2) * (H / 2),
  );
  for (const code of [64, 414, 572, 940]) assert.ok(sampled.histogram.luma[code] > 0, `${code}`);
  // exact whatever the sampling (the sum's order differs between the read paths: last-bit differences only)
  assert.equal(sampled.lightLevel.maxCll, fresh.lightLevel.maxCll);
  assert.ok(Math.abs(sampled.lightLevel.fall / fresh.lightLevel.fall - 1) < 1e-12);
});

test("the CIE plot's spectral locus passes through the BT.2020 primaries, which are monochromatic", () => {
  // BT.2020's primaries are spectral lights of 630, 532 and 467 nm: two standards' tables, one curve.
  const at = (nm: number): [number, number] => {
    const f = (nm - CIE_1931_LOCUS_FIRST_NM) / CIE_1931_LOCUS_STEP_NM;
    const i = Math.floor(f),
      t = f - i;
    const [a, b] = [CIE_1931_SPECTRAL_LOCUS[i], CIE_1931_SPECTRAL_LOCUS[i + 1]];
    return [a[0] + t * (b[0] - a[0]), a[1] + t * (b[1] - a[1])];
  };
  for (const [nm, p] of [
    [630, BT2020.red],
    [532, BT2020.green],
    [467, BT2020.blue],
  ] as const) {
    const [x, y] = at(nm);
    assert.ok(Math.hypot(x - p.x, y - p.y) < 0.003, `${nm} nm at ${x.toFixed(4)},${y.toFixed(4)}: ${p.x},${p.y}`);
  }
  assert.equal(CIE_1931_SPECTRAL_LOCUS.length, (700 - 380) / 5 + 1);
  // BT.709's primaries and P3's green and blue lie inside it (the line of purples closes it); P3's red is on
  // it, the light of 615 nm.
  assert.ok(Math.hypot(at(615)[0] - P3_D65.red.x, at(615)[1] - P3_D65.red.y) < 0.001);
  const inside = (px: number, py: number): boolean => {
    let k = false;
    const n = CIE_1931_SPECTRAL_LOCUS.length;
    for (let i = 0, j = n - 1; i < n; j = i++) {
      const [xi, yi] = CIE_1931_SPECTRAL_LOCUS[i],
        [xj, yj] = CIE_1931_SPECTRAL_LOCUS[j];
      if (yi > py !== yj > py && px < ((xj - xi) * (py - yi)) / (yj - yi) + xi) k = !k;
    }
    return k;
  };
  for (const p of [BT709.red, BT709.green, BT709.blue, P3_D65.green, P3_D65.blue])
    assert.ok(inside(p.x, p.y), `${p.x},${p.y}`);
});
