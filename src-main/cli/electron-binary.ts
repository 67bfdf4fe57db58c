// Finds the Electron binary without loading the `electron` package, whose entry point tries to download
// the binary when it is missing (which hangs or fails offline).
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';

export function electronBinary(): string | null {
  let pkgDir: string;
  try {
    pkgDir = dirname(require.resolve('electron/package.json'));
  } catch {
    return null;
  }
  const pathFile = join(pkgDir, 'path.txt');
  const name = existsSync(pathFile) ? readFileSync(pathFile, 'utf8').trim() : null;
  const override = process.env.ELECTRON_OVERRIDE_DIST_PATH;
  const bin = override ? join(override, name ?? 'electron') : name ? join(pkgDir, 'dist', name) : null;
  return bin && existsSync(bin) ? bin : null;
}
