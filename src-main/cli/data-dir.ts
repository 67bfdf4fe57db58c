// The app's data folder when Electron's app.getPath('userData') is not available (CLI, headless host).
// Same place Electron uses for productName "Remaster", so the CLI and the app share one library.
import { statSync } from 'node:fs';
import { homedir } from 'node:os';
import { dirname, join, resolve } from 'node:path';

export function defaultDataDir(): string {
  const home = homedir();
  if (process.platform === 'win32') return join(process.env.APPDATA ?? join(home, 'AppData', 'Roaming'), 'Remaster');
  if (process.platform === 'darwin') return join(home, 'Library', 'Application Support', 'Remaster');
  return join(process.env.XDG_CONFIG_HOME ?? join(home, '.config'), 'Remaster');
}

/**
 * Why `dir` cannot be the library folder, or null when it can (it, or the folder it would be made in, is a
 * folder): said before anything tries to create it, instead of mkdir's raw ENOTDIR.
 */
export function dataDirProblem(dir: string, named: string): string | null {
  for (let p = resolve(dir); ; p = dirname(p)) {
    let st;
    try {
      st = statSync(p);
    } catch {
      if (dirname(p) === p) return null;
      continue; // not there yet: it will be created inside the nearest folder that is
    }
    if (st.isDirectory()) return null;
    return p === resolve(dir)
      ? `${named} ${dir} is a file, not a folder`
      : `${named} ${dir}: ${p} is a file, not a folder`;
  }
}
