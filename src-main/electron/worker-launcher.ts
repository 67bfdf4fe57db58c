// Starts the inference worker as an Electron utilityProcess (its own sandboxable Node process).
import { utilityProcess } from 'electron';
import { join } from 'node:path';
import type { WorkerLauncher } from '../core/inference/launcher';
import { buildDir } from '../core/paths';

export function utilityProcessLauncher(): WorkerLauncher {
  return () => {
    const child = utilityProcess.fork(join(buildDir(), 'main', 'worker.cjs'), [], {
      serviceName: 'Remaster inference',
      stdio: 'inherit',
    });
    return {
      get pid() {
        return child.pid;
      },
      post: (m) => child.postMessage(m),
      onMessage: (cb) => child.on('message', cb),
      onExit: (cb) => child.on('exit', (code) => cb(code)),
      kill: () => void child.kill(),
    };
  };
}
