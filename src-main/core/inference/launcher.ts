// How the inference worker process is started. The core only sees WorkerHandle; the headless host forks
// Node, the Electron adapter starts a utilityProcess (src-main/electron/worker-launcher.ts).
import { fork } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { appRoot } from '../paths';

export interface WorkerHandle {
  readonly pid: number | undefined;
  post(msg: unknown): void;
  onMessage(cb: (msg: unknown) => void): void;
  onExit(cb: (code: number | null) => void): void;
  kill(): void;
}

export type WorkerLauncher = () => WorkerHandle;

/** The worker entry: the bundled one after a build, else the TypeScript source through tsx (tests, dev). */
export function workerEntry(): { file: string; execArgv: string[] } {
  const built = join(appRoot(), '.build', 'main', 'worker.cjs');
  const source = join(appRoot(), 'src-main', 'worker', 'index.ts');
  if (__filename.endsWith('.ts') || !existsSync(built)) return { file: source, execArgv: ['--import', 'tsx'] };
  return { file: built, execArgv: [] };
}

export function forkLauncher(env: NodeJS.ProcessEnv = {}): WorkerLauncher {
  return () => {
    const { file, execArgv } = workerEntry();
    const child = fork(file, [], {
      execArgv,
      serialization: 'advanced', // structured clone: Float32Array without JSON
      stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
      env: { ...process.env, ...env },
    });
    // However the host ends (process.exit included), the worker goes with it; a killed host closes the
    // IPC channel instead, on which the worker exits by itself.
    const killOnExit = (): void => void child.kill('SIGKILL');
    process.once('exit', killOnExit);
    child.once('exit', () => process.off('exit', killOnExit));
    return {
      pid: child.pid,
      post: (m) => {
        if (child.connected) child.send(m as never);
      },
      onMessage: (cb) => child.on('message', cb),
      onExit: (cb) => child.on('exit', (code) => cb(code)),
      kill: () => child.kill('SIGKILL'),
    };
  };
}
