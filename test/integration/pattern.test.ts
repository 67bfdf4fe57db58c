// `remaster pattern`: BT.2111 bars reach the file with their published 10-bit codes, and measure as they should.
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { bt2111Bars } from '../../src-main/common/colour';
import { resolveBinaries } from '../../src-main/core/media';
import { appRoot } from '../../src-main/core/paths';
import { tempDir } from '../helpers/core';

const bin = resolveBinaries();
const tmp = tempDir('remaster-pattern-');
after(() => tmp.cleanup());
const cli = (...args: string[]) =>
  spawnSync(process.execPath, ['--import', 'tsx', join(appRoot(), 'src-main', 'cli', 'bin.ts'), ...args], {
    encoding: 'utf8',
    cwd: appRoot(),
  });

test('BT.2111 bars in lossless 10-bit video carry the exact published codes, tagged PQ', () => {
  const out = join(tmp.dir, 'bars.mkv');
  const r = cli('pattern', 'bt2111', out, '--size', '960x540');
  assert.equal(r.status, 0, r.stderr);
  const probe = spawnSync(
    bin.ffprobe,
    [
      '-v',
      'error',
      '-select_streams',
      'v:0',
      '-show_entries',
      'stream=codec_name,pix_fmt,color_primaries,color_transfer,color_space,color_range',
      '-of',
      'csv=p=0',
      out,
    ],
    { encoding: 'utf8' },
  );
  assert.equal(probe.stdout.trim(), 'ffv1,yuv444p10le,tv,bt2020nc,smpte2084,bt2020');
  const raw = spawnSync(
    bin.ffmpeg,
    ['-v', 'error', '-i', out, '-frames:v', '1', '-f', 'rawvideo', '-pix_fmt', 'yuv444p10le', '-'],
    { maxBuffer: 1 << 26 },
  );
  const n = 960 * 540;
  const yuv = new Uint16Array(raw.stdout.buffer, raw.stdout.byteOffset, 3 * n);
  const bars = bt2111Bars(960, 540);
  const at = (name: string) => {
    const reg = bars.regions.find((g) => g.name === name)!;
    const i = (reg.y + (reg.height >> 1)) * 960 + reg.x + (reg.width >> 1);
    return [yuv[i], yuv[n + i], yuv[2 * n + i]];
  };
  // Every neutral patch (stair 0-100%, 40% grey, 58% and 100% white, -7%, +-2%, +4%, 109%) carries its
  // published code in Y' with Cb = Cr = 512: nothing clipped, nothing rounded on the way to the file.
  const neutral = bars.regions.filter((g) => g.codes[0] === g.codes[1] && g.codes[1] === g.codes[2]);
  assert.ok(neutral.length >= 20);
  for (const g of neutral) assert.deepEqual(at(g.name), [g.codes[0], 512, 512], g.name);
  assert.deepEqual(
    neutral.filter((g) => g.name.startsWith('stair')).map((g) => g.codes[0]),
    [64, 152, 239, 327, 414, 502, 590, 677, 765, 852, 940],
  );
  assert.equal(at('-7%')[0], 4);
  assert.equal(at('109%')[0], 1019);
  // A coloured bar: 100% red in BT.2020 NCL is Y' = 64 + 876 x 0.2627.
  assert.equal(at('100%-red')[0], Math.round(64 + 876 * 0.2627));
});

test('ProRes 4444 XQ bars measure at 10000 nits peak with `remaster analyze`; the PQ stair as a TIFF too', () => {
  const mov = join(tmp.dir, 'bars.mov');
  assert.equal(cli('pattern', 'bt2111', mov, '--size', '640x360').status, 0);
  const a = cli('analyze', mov, '--json');
  assert.equal(a.status, 0, a.stderr);
  const rep = JSON.parse(a.stdout);
  assert.equal(rep.source.codec, 'prores');
  assert.ok(rep.measured.cta.maxCll >= 9500, String(rep.measured.cta.maxCll));
  const tif = join(tmp.dir, 'stair.tif');
  assert.equal(cli('pattern', 'pq-stair', tif, '--size', '1200x200').status, 0);
  const s = JSON.parse(cli('analyze', tif, '--json').stdout);
  assert.ok(Math.abs(s.measured.maxCll - 10000) < 1, String(s.measured.maxCll));
});

test('bad names, sizes and formats exit 2', () => {
  assert.equal(cli('pattern', 'zebra', join(tmp.dir, 'x.tif')).status, 2);
  assert.equal(cli('pattern', 'bt2111', join(tmp.dir, 'x.avi')).status, 2);
  assert.equal(cli('pattern', 'bt2111', join(tmp.dir, 'x.tif'), '--size', '7x7').status, 2);
});
