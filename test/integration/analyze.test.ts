// `remaster analyze` on real HDR10 files made by ffmpeg/x265 with known content and known (or wrong) metadata.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { nitsToPq, pqToNits, PQ_STAIR_NITS } from '../../src-main/common/colour';
import { resolveBinaries } from '../../src-main/core/media';
import { appRoot } from '../../src-main/core/paths';
import { tempDir } from '../helpers/core';

const bin = resolveBinaries();
const tmp = tempDir('remaster-analyze-');
const cli = (...args: string[]) =>
  spawnSync(process.execPath, ['--import', 'tsx', join(appRoot(), 'src-main', 'cli', 'bin.ts'), ...args], {
    encoding: 'utf8',
    cwd: appRoot(),
  });
const W = 256;
const H = 144;
const BAR = 24; // letterbox rows top and bottom: black, excluded from the measurement
const code = (nits: number) => Math.round(nitsToPq(nits) * 65535);

/**
 * rgb48 frames: letterboxed 100-nit grey picture; frame 2 carries a 64x32 patch of 1000-nit white; frames listed
 * in `unboxed` fill the bar rows with 0.01-nit picture (a dark shot that uses the whole frame).
 */
function frames(n: number, unboxed: number[] = []): Buffer {
  const buf = Buffer.alloc(W * H * 6 * n);
  for (let f = 0; f < n; f++)
    for (let y = 0; y < H; y++)
      for (let x = 0; x < W; x++) {
        const inPicture = y >= BAR && y < H - BAR;
        const patch = f === 2 && x >= 96 && x < 160 && y >= 56 && y < 88;
        const v = !inPicture ? (unboxed.includes(f) ? code(0.01) : 0) : patch ? code(1000) : code(100);
        const o = ((f * H + y) * W + x) * 6;
        buf.writeUInt16LE(v, o);
        buf.writeUInt16LE(v, o + 2);
        buf.writeUInt16LE(v, o + 4);
      }
  return buf;
}
// Expected: MaxCLL 1000 (frame 2); MaxFALL on frame 2 = (patch*1000 + rest*100) / active area.
const activeArea = W * (H - 2 * BAR);
const expectedFall = (64 * 32 * 1000 + (activeArea - 64 * 32) * 100) / activeArea;

function encodeHevc(out: string, x265Extra: string, input = frames(5)): void {
  const r = spawnSync(
    bin.ffmpeg,
    [
      '-v',
      'error',
      '-f',
      'rawvideo',
      '-pix_fmt',
      'rgb48le',
      '-s',
      `${W}x${H}`,
      '-r',
      '24000/1001',
      '-i',
      '-',
      // As our masters are made (and as HDR10 wants): zimg's exact narrow-range codes, chroma top-left.
      '-vf',
      'zscale=min=gbr:rin=full:m=2020_ncl:r=limited:c=topleft:d=none,format=yuv420p10le',
      '-pix_fmt',
      'yuv420p10le',
      '-c:v',
      'libx265',
      '-preset',
      'ultrafast',
      '-x265-params',
      `log-level=error:lossless=0:qp=4:colorprim=bt2020:transfer=smpte2084:colormatrix=bt2020nc:range=limited:chromaloc=2${x265Extra}`,
      '-color_primaries',
      'bt2020',
      '-color_trc',
      'smpte2084',
      '-colorspace',
      'bt2020nc',
      '-color_range',
      'tv',
      '-tag:v',
      'hvc1',
      out,
    ],
    { input },
  );
  assert.equal(r.status, 0, String(r.stderr));
}

const good = join(tmp.dir, 'master-good.mov');
const wrong = join(tmp.dir, 'master-wrong.mov');
const bare = join(tmp.dir, 'master-bare.mov');
before(() => {
  const md =
    ':hdr10=1:repeat-headers=1:master-display=G(13250,34500)B(7500,3000)R(34000,16000)WP(15635,16450)L(10000000,50)';
  encodeHevc(good, `${md}:max-cll=1000,${Math.round(expectedFall)}`);
  encodeHevc(wrong, `${md}:max-cll=400,400`);
  encodeHevc(bare, '');
});
after(() => tmp.cleanup());

test('measures MaxCLL/MaxFALL over the active picture (letterbox excluded) and agrees with correct metadata', () => {
  const r = cli('analyze', good, '--json');
  assert.equal(r.status, 0, r.stderr);
  const rep = JSON.parse(r.stdout);
  assert.equal(rep.source.codec, 'hevc');
  assert.equal(rep.measured.frames, 5);
  assert.deepEqual(rep.measured.activeArea, { x: 0, y: BAR, width: W, height: H - 2 * BAR });
  assert.equal(rep.measured.bars, `letterbox: ${BAR} px top and bottom, black in all 5 frames`);
  // 10-bit 4:2:0 delivery moves levels by well under 2% (code 723 alone is 1004 nits; the patch's edges share
  // chroma with the grey); the average, decoded exactly, within 0.5 % (a swscale decode read it 2-3 % low).
  assert.ok(Math.abs(rep.measured.maxCll - 1000) / 1000 < 0.02, `MaxCLL ${rep.measured.maxCll}`);
  assert.equal(rep.measured.maxCllFrame, 2);
  assert.ok(
    Math.abs(rep.measured.maxFall - expectedFall) / expectedFall < 0.005,
    `MaxFALL ${rep.measured.maxFall} vs ${expectedFall}`,
  );
  assert.equal(rep.declared.from, 'sei');
  assert.equal(rep.declared.maxCll, 1000);
  assert.equal(rep.declared.masteringPreset, 'p3-d65-1000');
  assert.equal(rep.verdict.verdict, 'consistent');
});

test('bars must be black in every frame: one frame with dark picture in them makes the full frame active', () => {
  const mixed = join(tmp.dir, 'master-mixed.mov');
  encodeHevc(mixed, '', frames(5, [4]));
  const r = cli('analyze', mixed);
  assert.equal(r.status, 0, r.stderr);
  assert.match(r.stdout, new RegExp(`active picture ${W}x${H} at 0,0`));
  assert.match(r.stdout, /active area: full frame/);
  const rep = JSON.parse(cli('analyze', mixed, '--json').stdout);
  assert.deepEqual(rep.measured.activeArea, { x: 0, y: 0, width: W, height: H });
  // MaxFALL over the full frame now: frame 2's patch and grey over W x H, the black bars counted as picture
  const fall = (64 * 32 * 1000 + (activeArea - 64 * 32) * 100) / (W * H);
  assert.ok(Math.abs(rep.measured.maxFall - fall) / fall < 0.02, `MaxFALL ${rep.measured.maxFall} vs ${fall}`);
});

test('the PQ stair (dark steps at the left) is measured over the full frame, not as a pillarbox', () => {
  const tif = join(tmp.dir, 'stair.tif');
  const p = cli('pattern', 'pq-stair', tif, '--size', '1920x1080');
  assert.equal(p.status, 0, p.stderr);
  const r = cli('analyze', tif, '--json');
  assert.equal(r.status, 0, r.stderr);
  const rep = JSON.parse(r.stdout);
  assert.deepEqual(rep.measured.activeArea, { x: 0, y: 0, width: 1920, height: 1080 });
  assert.equal(rep.measured.bars, 'active area: full frame (no bars black in every frame)');
  assert.equal(rep.measured.cta.maxCll, 10000);
  // FALL: the 12 steps' mean over 160-px columns, each step as its 16-bit PQ code carries it
  const q = (n: number) => pqToNits(Math.round(nitsToPq(n) * 65535) / 65535);
  const fall = PQ_STAIR_NITS.reduce((a, n) => a + q(n), 0) / PQ_STAIR_NITS.length;
  assert.ok(Math.abs(rep.measured.maxFall - fall) < 1e-3 * fall, `MaxFALL ${rep.measured.maxFall} vs ${fall}`);
});

test('understated metadata is a mismatch, said in words', () => {
  const r = cli('analyze', wrong);
  assert.equal(r.status, 0, r.stderr);
  assert.match(r.stdout, /Verdict: MISMATCH/);
  assert.match(r.stdout, /MaxCLL declared 400 nits but the picture reaches 10\d\d/);
});

test('missing metadata is reported as missing, with the measured values to write', () => {
  const r = cli('analyze', bare, '--json');
  assert.equal(r.status, 0, r.stderr);
  const rep = JSON.parse(r.stdout);
  assert.equal(rep.declared.from, 'none');
  assert.equal(rep.verdict.verdict, 'missing');
  assert.ok(rep.measured.cta.maxCll >= 980 && rep.measured.cta.maxCll <= 1020);
});

test('a 16-bit PQ TIFF still is measured exactly', () => {
  const tif = join(tmp.dir, 'still.tif');
  const raw = frames(3).subarray(2 * W * H * 6); // the frame with the patch
  const r = spawnSync(
    bin.ffmpeg,
    [
      '-v',
      'error',
      '-f',
      'rawvideo',
      '-pix_fmt',
      'rgb48le',
      '-s',
      `${W}x${H}`,
      '-i',
      '-',
      '-c:v',
      'tiff',
      '-pix_fmt',
      'rgb48le',
      tif,
    ],
    { input: raw },
  );
  assert.equal(r.status, 0);
  const a = cli('analyze', tif, '--json');
  assert.equal(a.status, 0, a.stderr);
  const rep = JSON.parse(a.stdout);
  assert.ok(Math.abs(rep.measured.maxCll - 1000) < 0.5, String(rep.measured.maxCll));
  assert.ok(Math.abs(rep.measured.maxFall - expectedFall) < 0.5);
});

test('SDR files, non-media and missing files are refused with exit 2 and a clear message', () => {
  const sdr = join(tmp.dir, 'sdr.mp4');
  spawnSync(bin.ffmpeg, [
    '-v',
    'error',
    '-f',
    'lavfi',
    '-i',
    'testsrc2=size=128x72:rate=24:duration=0.5',
    '-pix_fmt',
    'yuv420p',
    '-color_trc',
    'bt709',
    sdr,
  ]);
  let r = cli('analyze', sdr);
  assert.equal(r.status, 2);
  assert.match(r.stderr, /not PQ \(smpte2084\)/);
  const junk = join(tmp.dir, 'junk.mov');
  writeFileSync(junk, Buffer.alloc(5000, 7));
  r = cli('analyze', junk);
  assert.equal(r.status, 2);
  assert.match(r.stderr, /junk\.mov: no video or image/);
  r = cli('analyze', join(tmp.dir, 'absent.mov'));
  assert.equal(r.status, 2);
  assert.match(r.stderr, /absent\.mov: no such file/);
});
