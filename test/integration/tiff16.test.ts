// 16-bit TIFF stills with an embedded BT.2100 PQ ICC profile: ffmpeg must decode every code value exactly, and
// ExifTool (Debian's libimage-exiftool-perl, an independent ICC parser) must read the profile back.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { nitsToPq } from '../../src-main/common/colour';
import { bt2100PqIccProfile, PQ_ICC_DESCRIPTION } from '../../src-main/common/colour/icc';
import { writeTiff16 } from '../../src-main/core/master/tiff16';
import { execOk, FFMPEG, FFPROBE } from '../helpers/exec';

const EXIFTOOL = spawnSync('exiftool', ['-ver']).status === 0 ? 'exiftool' : null;

const exec = execOk;

const W = 256,
  H = 256;

/** R: every 16-bit code once; G: the same reversed; B: a PQ ramp 0..10000 cd/m² along x. */
function pqRamp(): Uint16Array {
  const d = new Uint16Array(W * H * 3);
  for (let i = 0; i < W * H; i++) {
    d[3 * i] = i;
    d[3 * i + 1] = 0xffff - i;
    d[3 * i + 2] = Math.round(nitsToPq((10000 * (i % W)) / (W - 1)) * 65535);
  }
  return d;
}

const dir = mkdtempSync(join(tmpdir(), 'remaster-tiff16-'));
test.after(() => rmSync(dir, { recursive: true, force: true }));

test('16-bit TIFF: ffmpeg reads back every code value exactly', async () => {
  const path = join(dir, 'ramp.tif');
  const rgb = pqRamp();
  await writeTiff16(path, W, H, rgb, bt2100PqIccProfile());
  const probe = JSON.parse((await exec(FFPROBE, ['-v', 'error', '-show_streams', '-of', 'json', path])).toString()) as {
    streams: Record<string, unknown>[];
  };
  assert.equal(probe.streams[0].codec_name, 'tiff');
  assert.equal(probe.streams[0].pix_fmt, 'rgb48le');
  assert.deepEqual([probe.streams[0].width, probe.streams[0].height], [W, H]);
  const raw = await exec(FFMPEG, ['-v', 'error', '-i', path, '-f', 'rawvideo', '-pix_fmt', 'rgb48le', '-']);
  assert.equal(raw.length, W * H * 6);
  const back = new Uint16Array(raw.buffer.slice(raw.byteOffset, raw.byteOffset + raw.byteLength));
  let differ = 0;
  for (let i = 0; i < rgb.length; i++) if (back[i] !== rgb[i]) differ++;
  assert.equal(differ, 0, `${differ} of ${rgb.length} code values differ`);
  assert.equal(back[3 * (W - 1) + 2], 65535); // 10000 cd/m² is PQ full scale
  assert.equal(back[3 * W * 3 + 1], 0xffff - 3 * W);
});

test('16-bit TIFF without a profile is still a valid TIFF', async () => {
  const path = join(dir, 'plain.tif');
  await writeTiff16(
    path,
    3,
    2,
    Uint16Array.from({ length: 18 }, (_, i) => i * 3000),
  );
  const raw = await exec(FFMPEG, ['-v', 'error', '-i', path, '-f', 'rawvideo', '-pix_fmt', 'rgb48le', '-']);
  assert.deepEqual(
    [...new Uint16Array(raw.buffer.slice(raw.byteOffset, raw.byteOffset + raw.byteLength))],
    Array.from({ length: 18 }, (_, i) => i * 3000),
  );
  await assert.rejects(writeTiff16(path, 3, 2, new Uint16Array(17)), RangeError);
});

test('the embedded ICC profile, read by ExifTool: description, v4.4, cicp 9/16/0/1, profile ID', async (t) => {
  if (!EXIFTOOL) {
    t.skip('exiftool not installed (apt-get install libimage-exiftool-perl)');
    return;
  }
  const path = join(dir, 'icc.tif');
  const icc = bt2100PqIccProfile();
  await writeTiff16(path, 4, 4, new Uint16Array(48).fill(37000), icc);
  const [info] = JSON.parse(
    (await exec(EXIFTOOL, ['-j', '-n', '-ICC_Profile:all', '-ICC-header:all', path])).toString(),
  ) as Record<string, unknown>[];
  assert.equal(info.ProfileDescription, PQ_ICC_DESCRIPTION);
  assert.equal(info.ProfileVersion, 1088); // 0x0440 with -n: version 4.4.0
  assert.equal(info.ProfileClass, 'mntr');
  assert.equal(info.ColorSpaceData, 'RGB ');
  assert.equal(info.ProfileConnectionSpace, 'XYZ ');
  assert.equal(info.MediaWhitePoint, '0.9642 1 0.82491');
  const zeroed = icc.slice();
  zeroed.fill(0, 44, 48).fill(0, 64, 68).fill(0, 84, 100);
  // With -n ExifTool prints the ID as 16 decimal bytes.
  const id = String(info.ProfileID)
    .split(' ')
    .map((b) => Number(b).toString(16).padStart(2, '0'))
    .join('');
  assert.equal(id, createHash('md5').update(zeroed).digest('hex'));
  // ExifTool 12.57 does not name the cicp tag; it still extracts it as an unknown ICC tag with -U.
  const cicp = await exec(EXIFTOOL, ['-U', '-b', '-ICC_Profile:ICC_Profile_Cicp', path]);
  assert.deepEqual([...cicp], [0x63, 0x69, 0x63, 0x70, 0, 0, 0, 0, 9, 16, 0, 1]);
  // The whole embedded profile comes back byte for byte.
  const embedded = await exec(EXIFTOOL, ['-b', '-ICC_Profile', path]);
  assert.deepEqual(new Uint8Array(embedded), icc);
  assert.equal(readFileSync(path).length % 2, 0);
});
