// Frame rates and SMPTE timecode (src-main/common/timecode.ts) against published drop-frame facts.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import {
  formatRational,
  formatTimecode,
  frameRateValue,
  framesPerDay,
  framesToTimecode,
  isDropFrameRate,
  nominalFps,
  parseFrameRate,
  parseRational,
  parseTimecode,
} from '../../src-main/common/timecode';

test('frame rates: ffprobe rationals, plain numbers, and what is not a rate', () => {
  assert.deepEqual(parseFrameRate('24000/1001'), { num: 24000, den: 1001 });
  assert.deepEqual(parseFrameRate('25/1'), { num: 25, den: 1 });
  assert.deepEqual(parseFrameRate('25'), { num: 25, den: 1 });
  for (const bad of ['0/0', '0/1', '25/0', '-25/1', '', '/', '25/', 'abc', '24000/1001/2', undefined, null]) {
    assert.equal(parseFrameRate(bad), null, String(bad));
  }
  assert.equal(frameRateValue('30000/1001'), 30000 / 1001);
  assert.equal(frameRateValue('0/0'), 25); // unknown: the PAL default
  assert.deepEqual(
    [
      nominalFps('24000/1001'),
      nominalFps('30000/1001'),
      nominalFps('60000/1001'),
      nominalFps('25/1'),
      nominalFps('50'),
    ],
    [24, 30, 60, 25, 50],
  );
  assert.deepEqual(['30000/1001', '60000/1001', '30/1', '24000/1001', '25/1'].map(isDropFrameRate), [
    true,
    true,
    false,
    false,
    false,
  ]);
  assert.equal(formatRational({ num: 48000, den: 2002 }), '24000/1001');
  assert.equal(formatRational(parseRational('64:45', ':')!, ':'), '64:45');
  assert.deepEqual(parseRational('34000/50000'), { num: 34000, den: 50000 });
  assert.equal(parseRational('1:0', ':'), null);
});

test('29.97 drop-frame: published labels', () => {
  const tc = (n: number): string => framesToTimecode(n, 30, true);
  assert.equal(tc(0), '00:00:00;00');
  assert.equal(tc(1799), '00:00:59;29');
  assert.equal(tc(1800), '00:01:00;02'); // ;00 and ;01 are skipped
  assert.equal(tc(3597), '00:01:59;29');
  assert.equal(tc(3598), '00:02:00;02');
  assert.equal(tc(17981), '00:09:59;29');
  assert.equal(tc(17982), '00:10:00;00'); // no drop at the tenth minute
  assert.equal(tc(17982 + 1800), '00:11:00;02');
  assert.equal(tc(107892), '01:00:00;00'); // 1 hour = 107 892 frames
  assert.equal(parseTimecode('00:59:59;29', 30, true) + 1, parseTimecode('01:00:00;00', 30, true));
  assert.equal(formatTimecode(1, '30000/1001', '00:59:59;29'), '01:00:00;00');
  assert.equal(parseTimecode('00:01:00;02', 30, true), 1800);
  assert.equal(parseTimecode('00:10:00;00', 30, true), 17982);
  assert.equal(parseTimecode('00:01:00;00', 30, true), 1800); // a skipped label reads as the next real one
  assert.equal(framesPerDay(30, true), 2589408);
});

test('59.94 drop-frame: four labels dropped each minute except every tenth', () => {
  const tc = (n: number): string => framesToTimecode(n, 60, true);
  assert.equal(tc(3599), '00:00:59;59');
  assert.equal(tc(3596), '00:00:59;56');
  assert.equal(tc(3600), '00:01:00;04');
  assert.equal(tc(35963), '00:09:59;59');
  assert.equal(tc(35964), '00:10:00;00');
  assert.equal(tc(215784), '01:00:00;00'); // 1 hour = 215 784 frames
  assert.equal(formatTimecode(1, '60000/1001', '00:00:59;59'), '00:01:00;04');
  assert.equal(parseTimecode('00:01:00;04', 60, true), 3600);
});

test('non-drop: 23.976 counts at 24, 25, 29.97 without ";", 30', () => {
  assert.equal(formatTimecode(0, '24000/1001'), '00:00:00:00');
  assert.equal(formatTimecode(56, '24000/1001', '01:00:00:00'), '01:00:02:08');
  assert.equal(formatTimecode(86400, '24000/1001'), '01:00:00:00');
  assert.equal(formatTimecode(25 * 3600, '25/1'), '01:00:00:00');
  assert.equal(formatTimecode(24, '25/1', '10:00:00:00'), '10:00:00:24');
  assert.equal(formatTimecode(1800, '30000/1001'), '00:01:00:00');
  assert.equal(formatTimecode(1800, '30000/1001', '00:00:00:00'), '00:01:00:00');
  assert.equal(formatTimecode(1800, '30/1', '00:00:00;00'), '00:01:00:00'); // 30/1 has no drop-frame count
  assert.equal(parseTimecode('01:00:00:00', 24, false), 86400);
  assert.equal(parseTimecode('not a timecode', 24, false), 0);
  assert.equal(parseTimecode('00:00:00:24', 24, false), 0); // frame out of range
});

test('wrap-around past 24 hours and before midnight', () => {
  assert.equal(formatTimecode(1, '25/1', '23:59:59:24'), '00:00:00:00');
  assert.equal(formatTimecode(1, '24000/1001', '23:59:59:23'), '00:00:00:00');
  assert.equal(formatTimecode(1, '30000/1001', '23:59:59;29'), '00:00:00;00');
  assert.equal(formatTimecode(1, '60000/1001', '23:59:59;59'), '00:00:00;00');
  assert.equal(framesToTimecode(framesPerDay(30, true) + 1800, 30, true), '00:01:00;02');
  assert.equal(framesToTimecode(25 * 86400 * 3 + 25, 25, false), '00:00:01:00');
  assert.equal(framesToTimecode(-1, 25, false), '23:59:59:24');
  assert.equal(framesToTimecode(-1, 30, true), '23:59:59;29');
  assert.equal(formatTimecode(100, '25/1', '23:59:59:00'), '00:00:03:00');
});

test('round trips over many frames of two days; labels unique and in order', () => {
  for (const [fps, drop] of [
    [24, false],
    [25, false],
    [30, false],
    [30, true],
    [50, false],
    [60, true],
  ] as const) {
    const day = framesPerDay(fps, drop);
    let prev = '';
    // Every frame of the first 11 minutes, the last 11 of the day, and a stride through the rest.
    const frames: number[] = [];
    for (let n = 0; n < fps * 660; n++) frames.push(n, day - 1 - n);
    for (let n = 0; n < 2 * day; n += 997) frames.push(n);
    for (const n of frames) {
      const label = framesToTimecode(n, fps, drop);
      assert.equal(parseTimecode(label, fps, drop), n % day, `${fps}${drop ? ' DF' : ''}: ${n} → ${label}`);
    }
    for (let n = 0; n < fps * 660; n++) {
      const label = framesToTimecode(n, fps, drop);
      assert.ok(label > prev, `${fps}${drop ? ' DF' : ''}: ${label} after ${prev}`);
      if (drop) {
        const [, mi, s, f] = label.split(/[:;]/).map(Number);
        assert.ok(!(s === 0 && mi % 10 !== 0 && f < fps / 15), `dropped label ${label} used`);
      }
      prev = label;
    }
  }
});
