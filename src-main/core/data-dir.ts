// The app's data folder when Electron's app.getPath('userData') is not available (CLI, headless host).
// Same place Electron uses for productName "Remaster", so the CLI and the app share one library.
import { homedir } from 'node:os';
import { join } from 'node:path';

export function defaultDataDir(): string {
  const home = homedir();
  if (process.platform === 'win32') return join(process.env.APPDATA ?? join(home, 'AppData', 'Roaming'), 'Remaster');
  if (process.platform === 'darwin') return join(home, 'Library', 'Application Support', 'Remaster');
  return join(process.env.XDG_CONFIG_HOME ?? join(home, '.config'), 'Remaster');
}
