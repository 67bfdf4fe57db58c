// Paths ffmpeg must take literally: a '%' in a data folder once broke every import with proxies (the image2
// muxer read the output folder as a frame-number pattern). Spaces, quotes, non-ASCII and '%' everywhere.
import assert from 'node:assert/strict';
import { copyFileSync, mkdirSync, readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { after, test } from 'node:test';
import type { ProbeResult } from '../../src-main/common/contract';
import { createMediaService, type MediaInput } from '../../src-main/core/media';
import { writeTiff16 } from '../../src-main/core/master/tiff16';
import { probeHdrSource, readPqFrames } from '../../src-main/core/media/hdr-source';
import { readSdrImage } from '../../src-main/core/media/stills';
import { bins, ffmpeg, frameNumberClip, quietLog, readFrameNumber, tempDir } from '../helpers/media-fixtures';

const tmp = tempDir('remaster-paths-');
after(() => tmp.cleanup());
const media = createMediaService({ log: quietLog, cacheDir: tmp.dir });
const input = (file: string, probe: ProbeResult): MediaInput => ({
  file,
  probe,
  options: { deinterlace: 'auto', squarePixels: true },
});

test('import with proxies: source and cache folders with %, spaces, quotes and non-ASCII', async () => {
  const footage = join(tmp.dir, "footage 100% 'rushes'");
  mkdirSync(footage);
  const source = join(footage, 'A001 50%d "take 2" é.mp4');
  copyFileSync(frameNumberClip(48), source);
  const proxyDir = join(tmp.dir, 'cache 100% "é"', 'p%03d', 'clip', 'proxy');

  const p = await media.probe(source);
  assert.equal(p.durationFrames, 48);
  assert.equal(p.frameRate, '24000/1001');
  assert.equal(p.startTimecode, '01:00:00:00');
  let analysed = 0;
  const { frames } = await media.scan(input(source, p), {
    analysisWidth: 16,
    analysisHeight: 16,
    onAnalysisFrame: () => void analysed++,
    proxyDir,
  });
  assert.equal(frames, 48);
  assert.equal(analysed, 48);
  const names = readdirSync(proxyDir).sort();
  assert.equal(names.length, 48);
  assert.equal(names[0], '000000.jpg');
  assert.equal(names[47], '000047.jpg');
  assert.ok(names.every((n) => statSync(join(proxyDir, n)).size > 0));
  // Each proxy shows its own frame: read back through a path that itself holds '%'.
  for (const n of [0, 37, 47]) {
    const jpg = join(proxyDir, `${String(n).padStart(6, '0')}.jpg`);
    const jp = await media.probe(jpg);
    assert.deepEqual([jp.codec, jp.width, jp.height], ['mjpeg', 320, 180]);
    const f = await media.decodeFrame(input(jpg, jp), 0);
    assert.equal(readFrameNumber(f.data, f.width, f.height), n, `proxy ${n}`);
  }
  // Decoding the source itself (seek + -i) through the same path.
  const f30 = await media.decodeFrame(input(source, p), 30, { width: 160 });
  assert.equal(readFrameNumber(f30.data, f30.width, f30.height), 30);
});

test('a still whose name looks like a frame pattern is read as that one file', async () => {
  const dir = join(tmp.dir, 'stills é'); // no '%' in the folder: it would spoil the pattern and hide the fault
  mkdirSync(dir);
  // The literal file is red and 64x32; the "sequence" it would name (still 000.png, still 001.png) is blue 32x32.
  ffmpeg(['-f', 'lavfi', '-i', 'color=c=red:s=64x32', '-frames:v', '1', '-update', '1', join(dir, 'still %03d.png')]);
  for (const n of ['000', '001'])
    ffmpeg([
      '-f',
      'lavfi',
      '-i',
      'color=c=blue:s=32x32',
      '-frames:v',
      '1',
      '-update',
      '1',
      join(dir, `still ${n}.png`),
    ]);
  assert.deepEqual(readdirSync(dir).sort(), ['still %03d.png', 'still 000.png', 'still 001.png']);
  const img = await readSdrImage(bins, join(dir, 'still %03d.png'), { maxPixels: 1e6 });
  assert.deepEqual([img.width, img.height], [64, 32]);
  const n = img.width * img.height;
  const [r, g, b] = [img.planes[0], img.planes[n], img.planes[2 * n]];
  assert.ok(r > 0.95 && g < 0.02 && b < 0.02, `red expected, got ${r} ${g} ${b}`);
});

test('a 16-bit TIFF written to and measured from a name with "%d" keeps its exact codes', async () => {
  const file = join(tmp.dir, 'grade 100%d "é".tif');
  const w = 8;
  const h = 4;
  const codes = new Uint16Array(w * h * 3).map((_, i) => (i * 2053) % 65536);
  await writeTiff16(file, w, h, codes);
  assert.deepEqual(
    readdirSync(tmp.dir).filter((f) => f.endsWith('.tif')),
    ['grade 100%d "é".tif'],
  );
  const src = await probeHdrSource(bins, file);
  assert.deepEqual([src.kind, src.width, src.height, src.frames], ['image', w, h, 1]);
  let got: number[] = [];
  const n = await readPqFrames(bins, src, (rgb) => void (got = Array.from(rgb)));
  assert.equal(n, 1);
  assert.deepEqual(got, Array.from(codes));
});
