// core/media against real ffmpeg: probe values, frame-accurate decode, matrix/range, bad input.
import assert from 'node:assert/strict';
import { after, test } from 'node:test';
import { ServiceError, type ProbeResult } from '../../src-main/common/contract';
import { createMediaService, type MediaInput } from '../../src-main/core/media';
import {
  badFiles,
  flatYuvClip,
  frameNumberClip,
  labelledClip,
  probeClip,
  quietLog,
  readFrameNumber,
  tempDir,
  vfrClip,
} from '../helpers/media-fixtures';

const tmp = tempDir();
after(() => tmp.cleanup());
const media = createMediaService({ log: quietLog, cacheDir: tmp.dir });
const input = (file: string, probe: ProbeResult, o: Partial<MediaInput['options']> = {}): MediaInput => ({
  file,
  probe,
  options: { deinterlace: 'auto', squarePixels: true, ...o },
});

test('probe: H.264 BT.709 clip', async () => {
  const p = await media.probe(labelledClip());
  assert.equal(p.codec, 'h264');
  assert.equal(p.width, 320);
  assert.equal(p.height, 180);
  assert.equal(p.frameRate, '24000/1001');
  assert.equal(p.vfr, false);
  assert.equal(p.sar, '1:1');
  assert.equal(p.fieldOrder, 'progressive');
  assert.deepEqual(p.colour, { primaries: 'bt709', transfer: 'bt709', matrix: 'bt709', range: 'tv' });
  assert.equal(p.bitDepth, 8);
  assert.equal(p.durationFrames, 256);
  assert.deepEqual(p.audio, []);
  assert.match(p.container, /mp4/);
});

test('probe: interlaced anamorphic 10-bit ProRes with audio and timecode', async () => {
  const p = await media.probe(probeClip());
  assert.equal(p.codec, 'prores');
  assert.equal(p.width, 720);
  assert.equal(p.height, 576);
  assert.equal(p.sar, '16:15');
  assert.equal(p.frameRate, '25/1');
  assert.equal(p.bitDepth, 10);
  assert.equal(p.fieldOrder, 'tt');
  assert.equal(p.startTimecode, '10:00:00:00');
  assert.equal(p.durationFrames, 50);
  assert.equal(p.colour.matrix, 'smpte170m'); // the MOV colr atom's code 6
  assert.equal(p.colour.primaries, 'bt470bg');
  assert.equal(p.audio.length, 1);
  assert.equal(p.audio[0].channels, 2);
  assert.equal(p.audio[0].sampleRate, 48000);
  // Square pixels: 720 × 16/15 = 768 wide; deinterlacing is applied for 'auto' on an interlaced clip.
  const inp = input(probeClip(), p);
  assert.deepEqual(media.outputSize(inp), { width: 768, height: 576 });
  assert.deepEqual(media.outputSize(input(probeClip(), p, { squarePixels: false })), { width: 720, height: 576 });
  assert.match(media.clipFilters(inp).join(','), /bwdif/);
  assert.deepEqual(media.clipFilters(input(probeClip(), p, { deinterlace: 'off' })), []);
  const f = await media.decodeFrame(inp, 10, { width: 384 });
  assert.equal(f.width, 384);
  assert.equal(f.height, 288);
  assert.equal(f.data.length, 384 * 288 * 6);
});

test('probe: variable frame rate is detected', async () => {
  const p = await media.probe(vfrClip());
  assert.equal(p.vfr, true);
  assert.equal(p.durationFrames, 59);
  // Frame N of a VFR clip is the Nth decoded frame, whatever its timestamp.
  const seq: Buffer[] = [];
  await media.decodeRange(input(vfrClip(), p), 0, 20, (f) => void seq.push(f.data), { width: 64 });
  const f15 = await media.decodeFrame(input(vfrClip(), p), 15, { width: 64 });
  assert.ok(f15.data.equals(seq[15]));
  assert.ok(!f15.data.equals(seq[14]));
  const cfr = await media.probe(frameNumberClip(100));
  assert.equal(cfr.vfr, false);
});

test('frame-accurate decode: frame N shows N (keyframes every 24, B-frames)', async () => {
  const file = frameNumberClip(100);
  const p = await media.probe(file);
  assert.equal(p.startTimecode, '01:00:00:00');
  const inp = input(file, p);
  for (const n of [0, 1, 2, 23, 24, 25, 47, 48, 50, 71, 97, 99]) {
    const f = await media.decodeFrame(inp, n);
    assert.equal(f.width, 320);
    assert.equal(readFrameNumber(f.data, f.width, f.height), n, `frame ${n}`);
  }
  const small = await media.decodeFrame(inp, 37, { width: 160 });
  assert.equal(small.width, 160);
  assert.equal(small.height, 90);
  assert.equal(readFrameNumber(small.data, 160, 90), 37);
  await assert.rejects(
    media.decodeFrame(inp, 100),
    (e: unknown) => e instanceof ServiceError && e.code === 'not_found',
  );
});

test('sequential decode returns consecutive frames without re-seeking', async () => {
  const file = frameNumberClip(100);
  const inp = input(file, await media.probe(file));
  const seen: number[] = [];
  const n = await media.decodeRange(inp, 30, 53, (f) => {
    seen.push(readFrameNumber(f.data, f.width, f.height));
    assert.equal(f.frame, 30 + seen.length - 1);
  });
  assert.equal(n, 24);
  assert.deepEqual(
    seen,
    Array.from({ length: 24 }, (_, i) => 30 + i),
  );
});

/** R'G'B' (0..1) from 8-bit narrow-range Y'CbCr by the standard's equations. */
function expected(Y: number, Cb: number, Cr: number, kr: number, kb: number): [number, number, number] {
  const y = (Y - 16) / 219;
  const pb = (Cb - 128) / 224;
  const pr = (Cr - 128) / 224;
  const r = y + 2 * (1 - kr) * pr;
  const b = y + 2 * (1 - kb) * pb;
  const g = (y - kr * r - kb * b) / (1 - kr - kb);
  return [r, g, b];
}

for (const [matrix, kr, kb] of [
  ['bt709', 0.2126, 0.0722],
  ['smpte170m', 0.299, 0.114],
] as const) {
  test(`decode uses the clip's matrix and narrow range (${matrix})`, async () => {
    const [Y, Cb, Cr] = [120, 100, 170];
    const file = flatYuvClip(`flat-${matrix}`, Y, Cb, Cr, matrix);
    const p = await media.probe(file);
    assert.equal(p.colour.range, 'tv');
    const f = await media.decodeFrame(input(file, p), 0);
    const mid = ((f.height >> 1) * f.width + (f.width >> 1)) * 6;
    const got = [0, 1, 2].map((c) => f.data.readUInt16LE(mid + 2 * c) / 65535);
    const want = expected(Y, Cb, Cr, kr, kb);
    for (let c = 0; c < 3; c++)
      assert.ok(
        Math.abs(got[c] - want[c]) < 0.002,
        `${matrix} channel ${c}: got ${got[c].toFixed(4)}, want ${want[c].toFixed(4)}`,
      );
  });
}

test('narrow-range black and white map to full-range 0 and 65535', async () => {
  const black = flatYuvClip('black', 16, 128, 128, 'bt709');
  const white = flatYuvClip('white', 235, 128, 128, 'bt709');
  const b = await media.decodeFrame(input(black, await media.probe(black)), 0);
  const w = await media.decodeFrame(input(white, await media.probe(white)), 0);
  assert.ok(b.data.readUInt16LE(0) < 64, `black ${b.data.readUInt16LE(0)}`);
  assert.ok(w.data.readUInt16LE(0) > 65535 - 64, `white ${w.data.readUInt16LE(0)}`);
});

test('fingerprint: stable, content-sensitive, reads without writing', () => {
  const a = media.fingerprint(frameNumberClip(100));
  assert.equal(a, media.fingerprint(frameNumberClip(100)));
  assert.notEqual(a, media.fingerprint(labelledClip()));
  assert.match(a, /^[0-9a-f]{40}$/);
});

test('bad input: each file gets a clear message naming it and the problem', async () => {
  const bad = badFiles(tmp.dir);
  const cases: [string, string, RegExp][] = [
    [bad.zeroByte, 'bad_input', /empty\.mov: empty file \(0 bytes\)/],
    [bad.truncated, 'bad_input', /truncated\.mp4: truncated or not a media file/],
    [bad.notMedia, 'bad_input', /notes\.mov: (truncated or )?not a media file/],
    [bad.audioOnly, 'bad_input', /music\.wav: audio only \(pcm_s16le\), no video stream/],
    [bad.unsupportedCodec, 'bad_input', /strange-codec\.mp4: unsupported video codec "xv99"/],
    [bad.absurdSize, 'bad_input', /sliver\.mkv: absurd picture size 8x4/],
    [tmp.dir + '/gone.mov', 'not_found', /gone\.mov: no such file \(missing or moved\)/],
    [tmp.dir, 'bad_input', /is a folder/],
  ];
  for (const [file, code, msg] of cases) {
    await assert.rejects(media.probe(file), (e: unknown) => {
      assert.ok(e instanceof ServiceError, `${file}: ${String(e)}`);
      assert.equal(e.code, code, `${file}: ${e.message}`);
      assert.match(e.message, msg);
      return true;
    });
  }
});
