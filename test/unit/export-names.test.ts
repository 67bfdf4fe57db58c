// The export dialog's output path follows the format: extension, and a default name's format suffix; a name
// the colorist typed keeps its words.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { defaultOutputPath, withFormatExtension } from '../../src-renderer/features/delivery/format';

test('a default name follows the format it is switched to', () => {
  const hevc = defaultOutputPath('/media/out/', 'Demo project', 'hdr10-hevc');
  assert.equal(hevc, '/media/out/Demo-project-hdr10.mp4');
  assert.equal(withFormatExtension(hevc, 'prores4444xq'), '/media/out/Demo-project-4444xq.mov');
  assert.equal(withFormatExtension(hevc, 'prores422hq'), '/media/out/Demo-project-422hq.mov');
  assert.equal(withFormatExtension(hevc, 'tiff16'), '/media/out/Demo-project-tiff16');
  assert.equal(withFormatExtension('/media/out/Demo-project-tiff16', 'hdr10-hevc'), hevc);
  assert.equal(defaultOutputPath('D:\\Masters', 'Reel 1', 'prores422hq'), 'D:\\Masters\\Reel-1-422hq.mov');
});

test('a name the colorist chose changes only its extension', () => {
  assert.equal(withFormatExtension('/m/final_v3.mp4', 'prores422hq'), '/m/final_v3.mov');
  assert.equal(withFormatExtension('/m/final_v3.mov', 'tiff16'), '/m/final_v3');
  assert.equal(withFormatExtension('/m/final_v3', 'hdr10-hevc'), '/m/final_v3.mp4');
});
