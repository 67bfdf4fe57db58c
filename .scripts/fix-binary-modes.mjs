// npm postinstall: the bundled ffmpeg and ffprobe executable by every user (0755). Their packages install
// them 0744 at times, and then another account (a render user, CI's unprivileged run) gets EACCES.
// Tolerant: a platform without these packages, or a binary that is not there, is left as it is.
import { chmodSync, existsSync, statSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const require = createRequire(join(dirname(fileURLToPath(import.meta.url)), '..', 'package.json'));

/** The bundled binaries' paths for this platform (those installed). */
export function bundledBinaries() {
  const platform = `${process.platform}-${process.arch}`;
  const exe = process.platform === 'win32' ? '.exe' : '';
  const out = [];
  for (const [scope, name] of [
    ['@ffmpeg-installer', 'ffmpeg'],
    ['@ffprobe-installer', 'ffprobe'],
  ]) {
    let dir;
    try {
      dir = dirname(require.resolve(`${scope}/${platform}/package.json`));
    } catch {
      continue; // not installed for this platform
    }
    const file = join(dir, name + exe);
    if (existsSync(file)) out.push(file);
  }
  return out;
}

export function fixBinaryModes() {
  if (process.platform === 'win32') return []; // no execute bits there
  const fixed = [];
  for (const file of bundledBinaries()) {
    if ((statSync(file).mode & 0o777) === 0o755) continue;
    try {
      chmodSync(file, 0o755);
      fixed.push(file);
    } catch (e) {
      process.stderr.write(`fix-binary-modes: cannot chmod ${file}: ${e.code ?? e.message}\n`);
    }
  }
  return fixed;
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  for (const file of fixBinaryModes()) process.stdout.write(`fix-binary-modes: ${file} is now 0755\n`);
}
