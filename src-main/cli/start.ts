// `npm start`: Electron where its binary exists; otherwise, with one clear line, the headless host.
import { spawn } from 'node:child_process';
import { electronBinary } from '../core/electron-binary';
import { appRoot } from '../core/paths';
import { main as cli } from './index';

const bin = process.env.REMASTER_NO_ELECTRON ? null : electronBinary();
if (bin) {
  const child = spawn(bin, [appRoot(), ...process.argv.slice(2)], { stdio: 'inherit' });
  child.on('exit', (code) => process.exit(code ?? 0));
} else {
  process.stderr.write(
    'Electron is not available on this machine (its binary was not downloaded): starting Remaster in browser mode instead.\n',
  );
  void cli(['serve', ...process.argv.slice(2)]).then((code) => {
    if (code >= 0) process.exit(code);
  });
}

