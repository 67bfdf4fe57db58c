import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  MASTERING_PRESETS,
  x265MasterDisplay,
  ffmpegMasteringSideData,
  parseX265MasterDisplay,
  parseFfmpegMasteringSideData,
  customMasteringDisplay,
  identifyMasteringDisplay,
  x265MaxCll,
  ffmpegContentLightSideData,
  BT709,
} from '../../../src-main/common/colour';

test('x265 master-display strings for the presets', () => {
  assert.equal(
    x265MasterDisplay(MASTERING_PRESETS['p3-d65-1000']),
    'G(13250,34500)B(7500,3000)R(34000,16000)WP(15635,16450)L(10000000,50)',
  );
  assert.equal(
    x265MasterDisplay(MASTERING_PRESETS['bt2020-4000']),
    'G(8500,39850)B(6550,2300)R(35400,14600)WP(15635,16450)L(40000000,50)',
  );
  assert.equal(x265MaxCll(1000, 400), '1000,400');
});

test('ffmpeg side data numbers', () => {
  const sd = ffmpegMasteringSideData(MASTERING_PRESETS['p3-d65-1000']);
  assert.equal(sd.red_x, '34000/50000');
  assert.equal(sd.green_y, '34500/50000');
  assert.equal(sd.white_point_x, '15635/50000');
  assert.equal(sd.max_luminance, '10000000/10000');
  assert.equal(sd.min_luminance, '50/10000');
  assert.deepEqual(ffmpegContentLightSideData(1000, 400), {
    side_data_type: 'Content light level metadata',
    max_content: 1000,
    max_average: 400,
  });
});

test('parse round trips and preset identification', () => {
  for (const md of Object.values(MASTERING_PRESETS)) {
    const s = x265MasterDisplay(md);
    assert.equal(x265MasterDisplay(parseX265MasterDisplay(s)), s);
    assert.equal(
      x265MasterDisplay(
        parseFfmpegMasteringSideData(ffmpegMasteringSideData(md) as unknown as Record<string, unknown>)!,
      ),
      s,
    );
  }
  assert.equal(
    identifyMasteringDisplay(
      parseX265MasterDisplay('G(13250,34500)B(7500,3000)R(34000,16000)WP(15635,16450)L(10000000,50)'),
    ),
    'p3-d65-1000',
  );
  const custom = customMasteringDisplay(BT709, 600, 0.001);
  assert.equal(x265MasterDisplay(custom), 'G(15000,30000)B(7500,3000)R(32000,16500)WP(15635,16450)L(6000000,10)');
  assert.equal(identifyMasteringDisplay(custom), 'custom');
  assert.throws(() => parseX265MasterDisplay('G(1,2)'));
  assert.throws(() => customMasteringDisplay(BT709, 1, 2));
});
