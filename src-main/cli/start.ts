// `npm start`: Electron where its binary exists; otherwise, with one clear line, the headless host.
// npm may not pass a signal on to this process (its `sh -c` dies and leaves it behind), so it also stops when
// its parent goes: SIGTERM/SIGINT and the parent's death end the app, its host and its worker.
import { spawn } from 'node:child_process';
import { electronBinary } from './electron-binary';
import { appRoot } from '../core/paths';
import { main as cli } from './index';

/** Calls `stop` once the process that started this one is gone (this one is then re-parented). */
function whenParentDies(stop: () => void): void {
  const parent = process.ppid;
  const timer = setInterval(() => {
    if (process.ppid !== parent) {
      clearInterval(timer);
      stop();
    }
  }, 500);
  timer.unref();
}

const bin = process.env.REMASTER_NO_ELECTRON ? null : electronBinary();
if (bin) {
  const child = spawn(bin, [appRoot(), ...process.argv.slice(2)], { stdio: 'inherit' });
  child.on('exit', (code) => process.exit(code ?? 0));
  for (const signal of ['SIGTERM', 'SIGINT'] as const) process.on(signal, () => child.kill(signal));
  whenParentDies(() => child.kill('SIGTERM'));
} else {
  process.stderr.write(
    'Electron is not available on this machine (its binary was not downloaded): starting Remaster in browser mode instead.\n',
  );
  // `serve` closes the host and the worker on SIGTERM: the parent's death takes the same way out.
  whenParentDies(() => process.kill(process.pid, 'SIGTERM'));
  void cli(['serve', ...process.argv.slice(2)]).then((code) => {
    if (code >= 0) process.exit(code);
  });
}
