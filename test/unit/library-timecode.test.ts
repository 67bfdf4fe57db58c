// Pure helpers of the library: timecode, shots from cuts, cut scoring.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { formatTimecode, parseTimecode } from '../../src-main/common/timecode';
import { scoreCuts, shotsFromCuts } from '../../src-main/core/media/scenes';

test('timecode: 24000/1001 non-drop, 25, start offsets', () => {
  assert.equal(formatTimecode(0, '24000/1001'), '00:00:00:00');
  assert.equal(formatTimecode(56, '24000/1001', '01:00:00:00'), '01:00:02:08');
  assert.equal(formatTimecode(25 * 3600, '25/1'), '01:00:00:00');
  assert.equal(formatTimecode(24, '25/1', '10:00:00:00'), '10:00:00:24');
  assert.equal(parseTimecode('01:00:00:00', 24, false), 86400);
});

test('timecode: 30000/1001 drop-frame skips frames 0 and 1 each minute except every tenth', () => {
  assert.equal(formatTimecode(1799, '30000/1001', '00:00:00;00'), '00:00:59;29');
  assert.equal(formatTimecode(1800, '30000/1001', '00:00:00;00'), '00:01:00;02');
  assert.equal(formatTimecode(17982, '30000/1001', '00:00:00;00'), '00:10:00;00');
  assert.equal(parseTimecode('00:01:00;02', 30, true), 1800);
  assert.equal(formatTimecode(1800, '30000/1001'), '00:01:00:00');
});

test('shotsFromCuts covers every frame exactly once', () => {
  assert.deepEqual(shotsFromCuts([40, 10, 40, 0, 200], 100), [
    { firstFrame: 0, lastFrame: 9 },
    { firstFrame: 10, lastFrame: 39 },
    { firstFrame: 40, lastFrame: 99 },
  ]);
  assert.deepEqual(shotsFromCuts([], 5), [{ firstFrame: 0, lastFrame: 4 }]);
});

test('scoreCuts: gradual labels match within their span', () => {
  const s = scoreCuts([10, 55, 90], [{ frame: 10 }, { frame: 50, from: 45, to: 60 }, { frame: 70 }]);
  assert.equal(s.matched, 2);
  assert.deepEqual(s.missed, [70]);
  assert.deepEqual(s.falsePositives, [90]);
});
