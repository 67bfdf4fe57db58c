// Where the app's own files live, whether run from sources (tsx), from .build/, or packaged by electron-builder.
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';

let cachedRoot: string | null = null;

/** The folder holding the app's package.json (inside app.asar when packaged). */
export function appRoot(): string {
  if (cachedRoot) return cachedRoot;
  let dir = __dirname;
  for (;;) {
    const pkg = join(dir, 'package.json');
    if (existsSync(pkg)) {
      try {
        if ((JSON.parse(readFileSync(pkg, 'utf8')) as { name?: string }).name === 'remaster') return (cachedRoot = dir);
      } catch {
        // keep walking up
      }
    }
    const up = dirname(dir);
    if (up === dir) throw new Error(`Cannot find Remaster's package.json above ${__dirname}`);
    dir = up;
  }
}

/** Models and other large files: extraResources when packaged, the repository otherwise. */
export function resourcesDir(): string {
  const packaged = (process as { resourcesPath?: string }).resourcesPath;
  if (packaged && existsSync(join(packaged, 'models'))) return packaged;
  return appRoot();
}

export const modelsDir = (): string => join(resourcesDir(), 'models');
export const rendererDir = (): string => join(appRoot(), '.build', 'renderer');
export const buildDir = (): string => join(appRoot(), '.build');

export function appVersion(): string {
  return (JSON.parse(readFileSync(join(appRoot(), 'package.json'), 'utf8')) as { version: string }).version;
}
