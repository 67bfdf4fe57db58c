// Issue 21: the bundled ffmpeg/ffprobe must run for any user account. Their packages sometimes install them 0744;
// our postinstall step makes them 0755, and the CLI names a non-executable binary instead of a raw spawn error.
// Runs the CLI once as `nobody` (through setpriv), as CI does.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { chmodSync, copyFileSync, existsSync, mkdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { nitsToPq } from '../../src-main/common/colour';
import { resolveBinaries } from '../../src-main/core/media';
import { appRoot } from '../../src-main/core/paths';
import { tempDir } from '../helpers/core';

const root = appRoot();
const cli = join(root, '.build', 'main', 'cli.cjs');
const bin = resolveBinaries();
const hasSetpriv = spawnSync('setpriv', ['--version']).status === 0;
const hasNobody = spawnSync('id', ['nobody']).status === 0;
const skip =
  process.platform !== 'linux' || process.getuid?.() !== 0
    ? 'needs Linux and root (to run a command as nobody)'
    : !hasSetpriv
      ? 'setpriv is missing (util-linux)'
      : !hasNobody
        ? 'there is no nobody user'
        : !existsSync(cli)
          ? 'the built bin is missing: run npm run build first'
          : false;
if (skip) process.stdout.write(`# reliability-binaries skipped: ${skip}\n`);

const tmp = tempDir('remaster-binaries-');
after(() => tmp.cleanup());
chmodSync(tmp.dir, 0o755); // nobody must reach the files made here

const asNobody = (cmd: string, args: string[], env: NodeJS.ProcessEnv = {}) =>
  spawnSync('setpriv', ['--reuid=nobody', '--regid=nogroup', '--clear-groups', cmd, ...args], {
    cwd: tmp.dir,
    encoding: 'utf8',
    timeout: 60_000,
    env: { ...process.env, HOME: tmp.dir, ...env },
  });

/** A 16-bit PQ TIFF, 64x36: 100-nit grey with a 1000-nit 8x4 patch. */
function pqTiff(): string {
  const W = 64,
    H = 36;
  const raw = Buffer.alloc(W * H * 6);
  for (let y = 0; y < H; y++)
    for (let x = 0; x < W; x++) {
      const v = Math.round(nitsToPq(x >= 8 && x < 16 && y >= 8 && y < 12 ? 1000 : 100) * 65535);
      for (let c = 0; c < 3; c++) raw.writeUInt16LE(v, (y * W + x) * 6 + 2 * c);
    }
  const out = join(tmp.dir, 'still.tif');
  const r = spawnSync(
    bin.ffmpeg,
    [
      '-v',
      'error',
      '-y',
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
      out,
    ],
    { input: raw },
  );
  assert.equal(r.status, 0, String(r.stderr));
  chmodSync(out, 0o644);
  return out;
}

function worldWritable(name: string): string {
  const dir = join(tmp.dir, name);
  mkdirSync(dir);
  chmodSync(dir, 0o777);
  return dir;
}

test('package.json runs the mode fix on install', () => {
  const pkg = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')) as { scripts: Record<string, string> };
  assert.equal(pkg.scripts.postinstall, 'node .scripts/fix-binary-modes.mjs');
});

test('a 0744 ffprobe is EACCES for another user, and the CLI says so in words', { skip }, (t) => {
  const copy = join(tmp.dir, 'ffprobe');
  copyFileSync(bin.ffprobe, copy);
  chmodSync(copy, 0o744);
  let direct = asNobody(copy, ['-version']);
  if (direct.status === 0) {
    // Some sandbox kernels let any user execute a file with an owner execute bit; none executes a 0644 file.
    t.diagnostic('this kernel runs a 0744 file for nobody: reproducing EACCES with 0644 instead');
    chmodSync(copy, 0o644);
    direct = asNobody(copy, ['-version']);
  }
  assert.notEqual(direct.status, 0);
  assert.match(direct.stderr, /Permission denied/);
  const tif = pqTiff();
  const r = asNobody(process.execPath, [cli, '--data', worldWritable('data-eacces'), 'analyze', tif], {
    REMASTER_FFPROBE: copy,
  });
  assert.equal(r.status, 1, r.stderr);
  assert.equal(
    r.stderr,
    `remaster analyze: ${copy} is not executable for this user (EACCES): run \`chmod 755 ${copy}\` (npm ci does, in its postinstall step) or set REMASTER_FFMPEG / REMASTER_FFPROBE to a working ffmpeg\n`,
  );
});

test('the postinstall script makes the bundled binaries 0755; then the CLI runs as nobody', { skip }, () => {
  chmodSync(bin.ffprobe, 0o744); // as the ffprobe package's own install leaves it
  const fix = spawnSync(process.execPath, [join(root, '.scripts', 'fix-binary-modes.mjs')], {
    cwd: root,
    encoding: 'utf8',
  });
  assert.equal(fix.status, 0, fix.stderr);
  assert.match(fix.stdout, /ffprobe is now 0755/);
  for (const p of [bin.ffmpeg, bin.ffprobe]) assert.equal((statSync(p).mode & 0o777).toString(8), '755', p);
  // Idempotent and quiet when nothing needs fixing.
  const again = spawnSync(process.execPath, [join(root, '.scripts', 'fix-binary-modes.mjs')], {
    cwd: root,
    encoding: 'utf8',
  });
  assert.equal(again.status, 0);
  assert.equal(again.stdout, '');

  const r = asNobody(process.execPath, [cli, '--data', worldWritable('data-nobody'), 'analyze', pqTiff(), '--json']);
  assert.equal(r.status, 0, r.stderr);
  const rep = JSON.parse(r.stdout) as { measured: { maxCll: number; cta: { maxCll: number; maxFall: number } } };
  assert.ok(Math.abs(rep.measured.maxCll - 1000) < 0.5, String(rep.measured.maxCll));
  // FALL: 32 patch pixels at 1000 nits, the rest at 100, over 64x36
  assert.equal(rep.measured.cta.maxFall, Math.round((32 * 1000 + (64 * 36 - 32) * 100) / (64 * 36)));
});
