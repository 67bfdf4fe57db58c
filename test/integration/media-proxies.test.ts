// Scrub proxies on a full disk: ffmpeg's image2 muxer exits 0 with empty JPEGs when writes fail, so the
// proxy build checks the free space before and every file after. Real ffmpeg on a real 1 MiB tmpfs (root only).
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdirSync, readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, test, type TestContext } from 'node:test';
import { ServiceError, type ProbeResult } from '../../src-main/common/contract';
import { createMediaService, type MediaInput } from '../../src-main/core/media';
import { estimateProxyBytes, proxyName, verifyProxies } from '../../src-main/core/media/proxies';
import { ffmpeg, frameNumberClip, quietLog, tempDir } from '../helpers/media-fixtures';

const tmp = tempDir('remaster-proxies-');
after(() => tmp.cleanup());
const media = createMediaService({ log: quietLog, cacheDir: tmp.dir });
const input = (file: string, probe: ProbeResult): MediaInput => ({
  file,
  probe,
  options: { deinterlace: 'auto', squarePixels: true },
});
const io = (re: RegExp) => (e: unknown) => {
  assert.ok(e instanceof ServiceError, String(e));
  assert.equal(e.code, 'io', e.message);
  assert.match(e.message, re);
  return true;
};
const jpeg = (bytes: number): Buffer =>
  Buffer.concat([Buffer.from([0xff, 0xd8]), Buffer.alloc(bytes), Buffer.from([0xff, 0xd9])]);

test('verification: empty, cut-short, missing and surplus proxy files are each refused', () => {
  const dir = join(tmp.dir, 'verify');
  mkdirSync(dir);
  for (let i = 0; i < 10; i++) writeFileSync(join(dir, proxyName(i)), jpeg(100));
  assert.doesNotThrow(() => verifyProxies(dir, 10));
  for (const i of [3, 4, 9]) writeFileSync(join(dir, proxyName(i)), '');
  assert.throws(() => verifyProxies(dir, 10), io(/disk full\?: 3 of 10 proxy frames are empty$/));
  for (const i of [3, 4, 9]) writeFileSync(join(dir, proxyName(i)), jpeg(100));
  writeFileSync(join(dir, proxyName(5)), jpeg(100).subarray(0, 60)); // no end-of-image marker
  assert.throws(() => verifyProxies(dir, 10), io(/disk full\?: 0 of 10 proxy frames are empty, 1 cut short/));
  writeFileSync(join(dir, proxyName(5)), jpeg(100));
  assert.throws(() => verifyProxies(dir, 11), io(/10 proxy frames written for 11 decoded \(1 missing\)/));
  writeFileSync(join(dir, proxyName(10)), jpeg(100));
  assert.throws(() => verifyProxies(dir, 10), io(/11 proxy frames written for 10 decoded/));
});

test('estimate: about 1 bit a pixel, whole blocks per file', () => {
  assert.equal(estimateProxyBytes(320, 180, 48, 4096), 48 * 8192);
  assert.equal(estimateProxyBytes(480, 270, 480, 4096), 480 * 16384);
});

/** A fresh 1 MiB tmpfs at `dir`, or null (and the test skipped) where mounting is not allowed. */
function smallDisk(t: TestContext, dir: string): string | null {
  mkdirSync(dir, { recursive: true });
  try {
    execFileSync('mount', ['-t', 'tmpfs', '-o', 'size=1m', 'tmpfs', dir], { stdio: 'pipe' });
  } catch (e) {
    t.skip(`cannot mount a 1 MiB tmpfs (needs root): ${(e as Error).message.split('\n')[0]}`);
    return null;
  }
  t.after(() => execFileSync('umount', [dir]));
  return dir;
}

test('full disk: ffmpeg exits 0 with empty JPEGs, and the proxy build fails saying so', async (t) => {
  const disk = smallDisk(t, join(tmp.dir, 'disk-a'));
  if (!disk) return;
  // Grain compresses badly: ~33 KB a proxy, so 48 of them overflow 1 MiB though the estimate (~0.4 MB) fits.
  const grain = join(tmp.dir, 'grain.mkv');
  ffmpeg([
    '-f',
    'lavfi',
    '-i',
    'nullsrc=s=320x180:r=24,geq=lum=random(1)*255:cb=128:cr=128',
    '-frames:v',
    '48',
    '-c:v',
    'ffv1',
    grain,
  ]);
  const p = await media.probe(grain);
  const proxyDir = join(disk, 'proxy');
  const scan = media.scan(input(grain, p), { analysisWidth: 16, analysisHeight: 16, onAnalysisFrame() {}, proxyDir });
  await assert.rejects(scan, io(/disk full\?: \d+ of 48 proxy frames are empty/));
  const written = readdirSync(proxyDir).length;
  t.diagnostic(`${written} proxy files written before the disk filled`);
});

test('full disk: a build that cannot fit fails before ffmpeg writes anything', async (t) => {
  const disk = smallDisk(t, join(tmp.dir, 'disk-b'));
  if (!disk) return;
  const clip = frameNumberClip(300);
  const p = await media.probe(clip);
  const proxyDir = join(disk, 'proxy');
  const scan = media.scan(input(clip, p), { analysisWidth: 16, analysisHeight: 16, onAnalysisFrame() {}, proxyDir });
  await assert.rejects(
    scan,
    io(/Not enough space for scrub proxies .*: about 2\.5 MB needed for 300 frames, 1\.0 MB free/),
  );
  assert.deepEqual(readdirSync(proxyDir), []);
});

test('proxies that fit are written and verified', async (t) => {
  const disk = smallDisk(t, join(tmp.dir, 'disk-c'));
  if (!disk) return;
  const clip = frameNumberClip(48);
  const p = await media.probe(clip);
  const proxyDir = join(disk, 'proxy');
  const { frames } = await media.scan(input(clip, p), {
    analysisWidth: 16,
    analysisHeight: 16,
    onAnalysisFrame() {},
    proxyDir,
  });
  assert.equal(frames, 48);
  assert.equal(readdirSync(proxyDir).length, 48);
});
