import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  measureFrame,
  detectLetterbox,
  BlackBars,
  pqLuminanceStair,
  aggregateLightLevels,
  LightLevelAggregator,
  compareHdrMetadata,
  cta861Value,
  unionRect,
  solidFrame,
  fillRect,
  pqToNits,
  nitsToPq,
  bt2111Bars,
  codePatternToPqFrame,
  MASTERING_PRESETS,
  type PqFrame,
} from '../../../src-main/common/colour';

// 16-bit quantisation moves a level by < 0.01%: compare measured nits with a relative tolerance.
const near = (a: number, b: number, rel = 2e-4) => Math.abs(a - b) <= rel * Math.max(1, Math.abs(b));
const q = (n: number) => pqToNits(Math.round(nitsToPq(n) * 65535) / 65535); // the level a 16-bit frame carries

test('letterboxed frame: bars found and excluded, known MaxCLL / FALL', () => {
  // 2.39:1 in 16:9 at 384x216: picture rows 27..188 (162 rows), bars of 0 nits
  const W = 384,
    H = 216;
  const f = solidFrame(W, H, 0, 0, 0);
  fillRect(f, 0, 27, W, 162, 100, 100, 100); // grey picture
  fillRect(f, 10, 40, 20, 10, 1200, 300, 50); // a highlight: max(R,G,B) = 1200
  const active = detectLetterbox(f);
  assert.deepEqual(active, { x: 0, y: 27, width: W, height: 162 });
  const m = measureFrame(f);
  assert.ok(near(m.maxCll, q(1200)));
  const n = W * 162,
    hi = 200;
  assert.ok(near(m.fall, ((n - hi) * q(100) + hi * q(1200)) / n));
  // measuring the whole frame instead would understate the average
  const whole = measureFrame(f, { active: { x: 0, y: 0, width: W, height: H } });
  assert.ok(whole.fall < m.fall * 0.8);
});

test('pillarbox and planar layout agree; an all-black frame keeps its whole area', () => {
  const W = 160,
    H = 90;
  const a = solidFrame(W, H, 0, 0, 0, 'rgb48');
  const b = solidFrame(W, H, 0, 0, 0, 'planar');
  for (const f of [a, b]) {
    fillRect(f, 20, 0, 120, 90, 50, 80, 20);
    fillRect(f, 30, 30, 2, 2, 10, 4000, 10);
  }
  const ma = measureFrame(a),
    mb = measureFrame(b);
  assert.deepEqual(ma.active, { x: 20, y: 0, width: 120, height: 90 });
  assert.deepEqual(ma, mb);
  assert.ok(near(ma.maxCll, q(4000)));
  assert.ok(near(ma.fall, (4 * q(4000) + (120 * 90 - 4) * q(80)) / (120 * 90)));
  const black = solidFrame(W, H, 0, 0, 0);
  assert.deepEqual(detectLetterbox(black), { x: 0, y: 0, width: W, height: H });
  assert.equal(measureFrame(black).maxCll, 0);
  assert.equal(cta861Value(0), 0);
  assert.equal(cta861Value(0.2), 1);
  assert.equal(cta861Value(999.6), 1000);
  assert.deepEqual(unionRect({ x: 0, y: 10, width: 5, height: 5 }, { x: 2, y: 0, width: 5, height: 5 }), {
    x: 0,
    y: 0,
    width: 7,
    height: 15,
  });
});

test("BT.2111 bars: MaxCLL 10000 (100% bars), FALL from the pattern's regions", () => {
  const p = bt2111Bars(384, 216);
  const f = codePatternToPqFrame(p);
  const m = measureFrame(f, { active: { x: 0, y: 0, width: 384, height: 216 } });
  assert.equal(m.maxCll, 10000);
  let sum = 0;
  for (const r of p.regions) {
    const e = Math.min(1, Math.max(0, (Math.max(...r.codes) - 64) / 876));
    sum += r.width * r.height * pqToNits(Math.round(e * 65535) / 65535);
  }
  assert.ok(near(m.fall, sum / (384 * 216), 1e-6));
  // BT.2020 primaries at 100% are outside P3 and BT.709; 40% grey is not
  assert.ok(m.outsideP3 > 0.2 && m.outsideBt709 >= m.outsideP3);
});

test('gamut shares: BT.709 colours inside, BT.2020 green outside both', () => {
  const f = solidFrame(100, 10, 0, 0, 0);
  fillRect(f, 0, 0, 50, 10, 62.7, 6.9, 1.6); // BT.709 red at 100 nits expressed in BT.2020
  fillRect(f, 50, 0, 25, 10, 0, 500, 0); // BT.2020 green primary
  fillRect(f, 75, 0, 25, 10, 200, 200, 200);
  const m = measureFrame(f, { active: { x: 0, y: 0, width: 100, height: 10 } });
  assert.equal(m.outsideBt709, 0.25);
  assert.equal(m.outsideP3, 0.25);
});

test('aggregation per shot and programme', () => {
  const fr = (maxCll: number, fall: number) => ({
    maxCll,
    fall,
    active: { x: 0, y: 0, width: 1, height: 1 },
    outsideBt709: 0.1,
    outsideP3: 0,
  });
  const frames = [fr(500, 100), fr(800, 90), fr(300, 250), fr(1000, 50)];
  const { programme, shots } = aggregateLightLevels(frames, ['a', 'a', 'b', 'b']);
  assert.equal(programme.maxCll, 1000);
  assert.equal(programme.maxFall, 250);
  assert.equal(programme.maxCllFrame, 3);
  assert.equal(programme.maxFallFrame, 2);
  assert.equal(programme.averageFall, 122.5);
  assert.deepEqual(programme.cta, { maxCll: 1000, maxFall: 250 });
  assert.equal(shots.get('a')!.maxCll, 800);
  assert.equal(shots.get('b')!.maxFall, 250);
  const agg = new LightLevelAggregator();
  frames.forEach((m) => agg.add(m));
  assert.equal(agg.programme().maxCll, 1000);
  assert.equal(agg.shots().size, 0);
});

test('verdict: consistent, missing, understated, overstated, beyond the mastering display', () => {
  const md = MASTERING_PRESETS['p3-d65-1000'];
  assert.equal(
    compareHdrMetadata({ maxCll: 998.7, maxFall: 301 }, { maxCll: 1000, maxFall: 300, mastering: md }).verdict,
    'consistent',
  );
  assert.equal(compareHdrMetadata({ maxCll: 998.7, maxFall: 301 }, { mastering: md }).verdict, 'missing');
  const under = compareHdrMetadata({ maxCll: 1000, maxFall: 300 }, { maxCll: 600, maxFall: 300, mastering: md });
  assert.equal(under.verdict, 'mismatch');
  assert.ok(under.findings.some((f) => f.field === 'maxCll' && f.severity === 'error'));
  const over = compareHdrMetadata({ maxCll: 400, maxFall: 100 }, { maxCll: 1000, maxFall: 100, mastering: md });
  assert.ok(
    over.findings.some((f) => f.field === 'maxCll' && f.severity === 'warning' && /overstated/.test(f.message)),
  );
  const bright = compareHdrMetadata({ maxCll: 4000, maxFall: 100 }, { maxCll: 4000, maxFall: 100, mastering: md });
  assert.equal(bright.verdict, 'mismatch');
  assert.ok(bright.findings.some((f) => f.field === 'mastering'));
});

test('verdict on a 4:2:0 file: a decoded peak up to half a stop above MaxCLL is saturated edges, more is understated', () => {
  const md = MASTERING_PRESETS['p3-d65-1000'];
  const declared = { maxCll: 203, maxFall: 46, mastering: md };
  // The graded demo shot: 203 nits in its frames, 270 decoded from its 4:2:0 master (26 PQ steps).
  const demo = compareHdrMetadata({ maxCll: 269.5, maxFall: 46.4 }, declared, { subsampled: true });
  assert.equal(demo.verdict, 'consistent');
  assert.match(demo.findings[0].message, /agrees with the measured 270, within what chroma subsampling adds/);
  assert.equal(compareHdrMetadata({ maxCll: 269.5, maxFall: 46.4 }, declared).verdict, 'mismatch', '4:4:4');
  // 3-pixel saturated stripes: 630 decoded, far past half a stop; and MaxFALL gets no such allowance.
  assert.equal(compareHdrMetadata({ maxCll: 630, maxFall: 46 }, declared, { subsampled: true }).verdict, 'mismatch');
  assert.equal(compareHdrMetadata({ maxCll: 203, maxFall: 60 }, declared, { subsampled: true }).verdict, 'mismatch');
});

test('frames with noise on black still find the bars', () => {
  // Noise of a few 10-bit codes above black (0.0005..0.0015 nits); 0.005 nits is picture (next test).
  const W = 64,
    H = 48;
  const f: PqFrame = solidFrame(W, H, 0.001, 0.0015, 0.0005);
  fillRect(f, 0, 6, W, 36, 20, 20, 20);
  assert.deepEqual(detectLetterbox(f), { x: 0, y: 6, width: W, height: 36 });
});

test('dark picture is not a bar: the PQ stair and 0.005-nit steps keep the full frame', () => {
  const stair = pqLuminanceStair(1920, 1080); // left steps 0, 0.005 and 0.1 nits, 160 px each
  assert.deepEqual(detectLetterbox(stair), { x: 0, y: 0, width: 1920, height: 1080 });
  assert.equal(
    new BlackBars(1920, 1080).add(stair).describe(),
    'active area: full frame (no bars black in every frame)',
  );
  // left 25% PQ code values just above black, on both sides: dark picture, not a pillarbox
  const W = 320,
    H = 90;
  const f = solidFrame(W, H, 0.005, 0.005, 0.005);
  fillRect(f, 40, 0, 240, H, 100, 100, 100);
  fillRect(f, 0, 0, 20, H, 0.006, 0.006, 0.006);
  assert.deepEqual(detectLetterbox(f), { x: 0, y: 0, width: W, height: H });
  // true black pillars either side are a pillarbox
  const p = solidFrame(W, H, 0, 0, 0);
  fillRect(p, 40, 0, 240, H, 0.005, 0.005, 0.005);
  assert.deepEqual(detectLetterbox(p), { x: 40, y: 0, width: 240, height: H });
  // one black side alone is picture (a black step, a dark wall)
  const one = solidFrame(W, H, 0, 0, 0);
  fillRect(one, 40, 0, W - 40, H, 50, 50, 50);
  assert.deepEqual(detectLetterbox(one), { x: 0, y: 0, width: W, height: H });
});

test('over frames, a bar is black in every frame; all-black frames do not matter', () => {
  const W = 192,
    H = 108;
  const boxed = solidFrame(W, H, 0, 0, 0);
  fillRect(boxed, 0, 14, W, 80, 100, 100, 100);
  const full = solidFrame(W, H, 100, 100, 100);
  const fade = solidFrame(W, H, 0, 0, 0);
  const bars = new BlackBars(W, H).add(fade).add(boxed).add(boxed);
  assert.deepEqual(bars.active(), { x: 0, y: 14, width: W, height: 80 });
  assert.equal(bars.describe(), 'letterbox: 14 px top and bottom, black in all 3 frames');
  // content in the bar rows of one frame: those rows are picture
  bars.add(full);
  assert.deepEqual(bars.active(), { x: 0, y: 0, width: W, height: H });
  assert.match(bars.describe(), /full frame/);
  // a 1-px asymmetry (odd remainders) stays as measured; windowbox in words
  const win = solidFrame(W, H, 0, 0, 0);
  fillRect(win, 24, 14, W - 48, H - 29, 10, 10, 10);
  const wb = new BlackBars(W, H).add(win);
  assert.deepEqual(wb.bars(), { top: 14, bottom: 15, left: 24, right: 24 });
  assert.equal(wb.describe(), 'windowbox: 14 px top, 15 px bottom, 24 px left and right, black in all 1 frame');
});

test('fast row reader equals a plain per-pixel loop for odd widths, offsets and both layouts', async () => {
  const { lightLevelRow, pq16NitsLut } = await import('../../../src-main/common/colour');
  const lut = pq16NitsLut();
  let seed = 7;
  const rnd = () => (seed = (seed * 1103515245 + 12345) & 0x7fffffff) / 0x7fffffff;
  for (const [w, h] of [
    [7, 5],
    [8, 3],
    [33, 4],
  ])
    for (const layout of ['rgb48', 'planar'] as const) {
      const n = w * h;
      // a view at a 2-byte offset exercises the unaligned fallback too
      for (const offset of [0, 1]) {
        const buf = new Uint16Array(3 * n + offset);
        const data = buf.subarray(offset);
        for (let i = 0; i < data.length; i++) data[i] = Math.floor(rnd() * 65536);
        const f: PqFrame = { width: w, height: h, data, layout };
        for (const [x0, width] of [
          [0, w],
          [1, w - 1],
          [2, w - 3],
          [3, 1],
        ]) {
          const acc = { maxCode: 0, sum: 0 };
          let maxCode = 0,
            sum = 0;
          for (let y = 0; y < h; y++) {
            lightLevelRow(f, y, x0, width, acc);
            for (let x = x0; x < x0 + width; x++) {
              const k = y * w + x;
              const v =
                layout === 'rgb48'
                  ? [data[3 * k], data[3 * k + 1], data[3 * k + 2]]
                  : [data[k], data[n + k], data[2 * n + k]];
              const m = Math.max(...v);
              maxCode = Math.max(maxCode, m);
              sum += lut[m];
            }
          }
          assert.equal(acc.maxCode, maxCode);
          assert.ok(Math.abs(acc.sum - sum) < 1e-6 * sum);
        }
      }
    }
});
