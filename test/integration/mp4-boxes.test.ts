// HDR10 container boxes on real x265 masters from the bundled ffmpeg: MP4 and MOV, with and without faststart.
// After patching, every frame must decode to the same pixels, ffprobe must read mdcv/clli as stream side data,
// and MediaInfo (Debian's `mediainfo`, an independent parser) must see them in the container.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  ffmpegContentLightSideData,
  ffmpegMasteringSideData,
  MASTERING_PRESETS,
  x265MasterDisplay,
} from '../../src-main/common/colour';
import { readContentLightSei, readHdr10Boxes, writeHdr10Boxes } from '../../src-main/core/master/mp4-boxes';
import { execOk, FFMPEG, FFPROBE } from '../helpers/exec';

const MEDIAINFO = spawnSync('mediainfo', ['--Version']).status === 0 ? 'mediainfo' : null;

const exec = async (bin: string, args: string[]): Promise<string> => (await execOk(bin, args)).toString();

const DISPLAY = MASTERING_PRESETS['p3-d65-1000'];
const MAX_CLL = 1000,
  MAX_FALL = 400;
const FRAMES = 6;

/** An x265 master with sound; a key frame every `keyint` frames (x265's default: one). */
async function encodeMaster(path: string, faststart: boolean, keyint = 250): Promise<void> {
  const params = `keyint=${keyint}:min-keyint=1:hdr10=1:repeat-headers=1:colorprim=bt2020:transfer=smpte2084:colormatrix=bt2020nc:range=limited:chromaloc=2:master-display=${x265MasterDisplay(DISPLAY)}:max-cll=${MAX_CLL},${MAX_FALL}:log-level=error`;
  await exec(FFMPEG, [
    '-hide_banner',
    '-v',
    'error',
    '-y',
    '-f',
    'lavfi',
    '-i',
    `testsrc2=s=256x144:r=24:d=${FRAMES / 24}`,
    '-f',
    'lavfi',
    '-i',
    `sine=frequency=440:sample_rate=48000:d=${FRAMES / 24}`,
    '-c:a',
    'aac',
    '-pix_fmt',
    'yuv420p10le',
    '-c:v',
    'libx265',
    '-tag:v',
    'hvc1',
    '-color_primaries',
    'bt2020',
    '-color_trc',
    'smpte2084',
    '-colorspace',
    'bt2020nc',
    '-color_range',
    'tv',
    '-x265-params',
    params,
    ...(faststart ? ['-movflags', '+faststart'] : []),
    path,
  ]);
}

/** MD5 of the decoded pictures and of the decoded sound (the audio track's chunks move too). */
const decodedMd5 = async (path: string) =>
  Promise.all(
    ['0:v', '0:a'].map(async (m) =>
      (await exec(FFMPEG, ['-v', 'error', '-i', path, '-map', m, '-f', 'md5', '-'])).trim(),
    ),
  );

async function probe(path: string) {
  const j = JSON.parse(
    await exec(FFPROBE, [
      '-v',
      'error',
      '-show_streams',
      '-show_frames',
      '-read_intervals',
      '%+#1',
      '-of',
      'json',
      path,
    ]),
  ) as {
    streams: { color_primaries?: string; color_transfer?: string; side_data_list?: Record<string, unknown>[] }[];
    frames: { side_data_list?: { side_data_type: string }[] }[];
  };
  const counted = JSON.parse(
    await exec(FFPROBE, [
      '-v',
      'error',
      '-count_frames',
      '-select_streams',
      'v:0',
      '-show_entries',
      'stream=nb_read_frames',
      '-of',
      'json',
      path,
    ]),
  ) as { streams: { nb_read_frames: string }[] };
  return { stream: j.streams[0], firstFrame: j.frames[0], frames: Number(counted.streams[0].nb_read_frames) };
}

const dir = mkdtempSync(join(tmpdir(), 'remaster-mp4-boxes-'));
test.after(() => rmSync(dir, { recursive: true, force: true }));

for (const ext of ['mp4', 'mov'] as const) {
  for (const faststart of [false, true]) {
    test(`mdcv/clli/colr into an x265 HDR10 ${ext}${faststart ? ' with faststart' : ''}`, async (t) => {
      const path = join(dir, `master-${faststart ? 'fast' : 'plain'}.${ext}`);
      await encodeMaster(path, faststart);
      const md5Before = await decodedMd5(path);
      const before = await probe(path);
      assert.equal(before.stream.side_data_list, undefined, 'ffmpeg 4.1 writes no mdcv/clli from x265-params');
      assert.deepEqual((await readHdr10Boxes(path))[0].mdcv, undefined);
      const sizeBefore = statSync(path).size;

      const written = await writeHdr10Boxes(path, { mastering: DISPLAY, maxCll: MAX_CLL, maxFall: MAX_FALL });
      t.diagnostic(`inserted ${written.insertedBytes} bytes, moved ${written.movedChunkOffsets} chunk offsets`);
      assert.equal(written.entries, 1);
      // colr (19 nclx / 18 nclc; ffmpeg 4.1 writes none without write_colr) + mdcv 32 + clli 12.
      assert.equal(written.insertedBytes, (ext === 'mp4' ? 19 : 18) + 32 + 12);
      assert.equal(statSync(path).size, sizeBefore + written.insertedBytes);
      if (faststart) assert.ok(written.movedChunkOffsets > 0, 'media after moov: offsets must move');
      else assert.equal(written.movedChunkOffsets, 0);

      // Our reader: the boxes sit right after colr, colr first after hvcC.
      const [entry] = await readHdr10Boxes(path);
      assert.equal(entry.format, 'hvc1');
      assert.deepEqual(entry.boxes.slice(0, 4), ['hvcC', 'colr', 'mdcv', 'clli']);
      assert.deepEqual(entry.colr, {
        kind: ext === 'mp4' ? 'nclx' : 'nclc',
        primaries: 9,
        transfer: 16,
        matrix: 9,
        fullRange: false,
      });
      assert.deepEqual(entry.mdcv, {
        green: [13250, 34500],
        blue: [7500, 3000],
        red: [34000, 16000],
        white: [15635, 16450],
        maxLuminance: 10000000,
        minLuminance: 50,
      });
      assert.deepEqual(entry.clli, { maxCll: 1000, maxFall: 400 });

      // Every frame still decodes to the same pixels.
      const after = await probe(path);
      assert.equal(before.frames, FRAMES);
      assert.equal(after.frames, FRAMES);
      assert.deepEqual(await decodedMd5(path), md5Before);
      // ffprobe reads the container boxes as stream side data, and the SEI is still on the first frame.
      assert.equal(after.stream.color_primaries, 'bt2020');
      assert.equal(after.stream.color_transfer, 'smpte2084');
      assert.deepEqual(after.stream.side_data_list, [
        ffmpegMasteringSideData(DISPLAY),
        ffmpegContentLightSideData(MAX_CLL, MAX_FALL),
      ]);
      const frameSide = after.firstFrame.side_data_list ?? [];
      assert.deepEqual(
        frameSide.find((s) => s.side_data_type === 'Mastering display metadata'),
        ffmpegMasteringSideData(DISPLAY),
      );
      assert.deepEqual(
        frameSide.find((s) => s.side_data_type === 'Content light level metadata'),
        ffmpegContentLightSideData(MAX_CLL, MAX_FALL),
      );

      // Writing again replaces rather than adds.
      const again = await writeHdr10Boxes(path, { mastering: DISPLAY, maxCll: MAX_CLL, maxFall: MAX_FALL });
      assert.equal(again.insertedBytes, 0);
      assert.deepEqual(await decodedMd5(path), md5Before);

      if (!MEDIAINFO) {
        t.diagnostic('mediainfo not installed (apt-get install mediainfo): independent container check skipped');
        return;
      }
      const mi = JSON.parse(await exec(MEDIAINFO, ['--Output=JSON', path])) as {
        media: { track: Record<string, string>[] };
      };
      const video = mi.media.track.find((tr) => tr['@type'] === 'Video')!;
      // "Container / Stream": MediaInfo found the same values in the boxes and in the SEI.
      for (const k of [
        'MasteringDisplay_ColorPrimaries',
        'MasteringDisplay_Luminance',
        'MaxCLL',
        'MaxFALL',
        'colour_primaries',
        'transfer_characteristics',
        'matrix_coefficients',
      ]) {
        assert.equal(video[`${k}_Source`], 'Container / Stream', k);
      }
      assert.equal(video.MasteringDisplay_ColorPrimaries, 'Display P3');
      assert.equal(video.MasteringDisplay_Luminance, 'min: 0.0050 cd/m2, max: 1000 cd/m2');
      assert.equal(video.MaxCLL, '1000 cd/m2');
      assert.equal(video.MaxFALL, '400 cd/m2');
      assert.equal(video.transfer_characteristics, 'PQ');
    });
  }
}

test('the content light SEI is read in hvcC and on every key frame, past interleaved sound and moved chunks', async () => {
  for (const faststart of [false, true]) {
    const path = join(dir, `sei-${faststart ? 'fast' : 'plain'}.mov`);
    await encodeMaster(path, faststart, 2);
    const want = Array<{ maxCll: number; maxFall: number }>(4).fill({ maxCll: MAX_CLL, maxFall: MAX_FALL });
    assert.deepEqual(await readContentLightSei(path), want, 'hvcC, then the key frames 0, 2 and 4');
    await writeHdr10Boxes(path, { mastering: DISPLAY, maxCll: MAX_CLL, maxFall: MAX_FALL });
    assert.deepEqual(await readContentLightSei(path), want, 'the same after moov grew');
  }
});

test('a master without an HEVC track is refused and left untouched', async () => {
  const path = join(dir, 'h264.mp4');
  await exec(FFMPEG, [
    '-v',
    'error',
    '-y',
    '-f',
    'lavfi',
    '-i',
    'testsrc2=s=128x72:r=24',
    '-frames:v',
    '2',
    '-c:v',
    'mpeg4',
    path,
  ]);
  const size = statSync(path).size;
  await assert.rejects(writeHdr10Boxes(path, { mastering: DISPLAY, maxCll: 0, maxFall: 0 }), /no HEVC/);
  assert.equal(statSync(path).size, size);
  await assert.rejects(writeHdr10Boxes(path, { mastering: DISPLAY, maxCll: 70000, maxFall: 0 }), RangeError);
});
