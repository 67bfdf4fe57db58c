// A shot rendered by `remaster render-shot` itself, in a child process: the render's grading holds a process's
// event loop for seconds per frame on a busy machine, and the worker's must stay free to renew its job lock.
// The child exits when its parent dies (its IPC channel closes), so a killed worker leaves no render running.
import { fork } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { ServiceError } from '../../common/contract';
import { appRoot } from '../paths';

/** The CLI: the bundled one after a build, else the TypeScript source through tsx (tests, dev). */
function cliEntry(): { file: string; execArgv: string[] } {
  const built = join(appRoot(), '.build', 'main', 'cli.cjs');
  if (__filename.endsWith('.ts') || !existsSync(built))
    return { file: join(appRoot(), 'src-main', 'cli', 'bin.ts'), execArgv: ['--import', 'tsx'] };
  return { file: built, execArgv: [] };
}

/** Loaded first in the child: the IPC channel keeps nothing alive, and its closing (a dead parent) ends it. */
const DIE_WITH_PARENT =
  'data:text/javascript,process.channel&&process.channel.unref();process.on("disconnect",()=>process.exit(70))';

export interface ChildRender {
  /** Segments this run rendered (the rest were complete in the cache); 0 when the render was complete already. */
  renderedSegments: number;
  skipped: boolean;
}

export function renderShotInChild(
  manifestFile: string,
  outDir: string,
  o: { signal: AbortSignal; onProgress(framesDone: number, framesTotal: number, fps: number): void },
): Promise<ChildRender> {
  const { file, execArgv } = cliEntry();
  const child = fork(file, ['render-shot', manifestFile, '--out', outDir], {
    execArgv: [...execArgv, '--import', DIE_WITH_PARENT],
    stdio: ['ignore', 'pipe', 'pipe', 'ipc'],
  });
  let out = '';
  let err = '';
  child.stdout!.on('data', (d: Buffer) => (out += d.toString()));
  child.stderr!.on('data', (d: Buffer) => {
    err = (err + d.toString()).slice(-20_000);
    // render-shot's progress lines: "[ 40%] frame 2/5, 0.45 fps, about 7 s left"
    for (const m of d.toString().matchAll(/frame (\d+)\/(\d+), ([\d.]+) fps/g)) o.onProgress(+m[1], +m[2], +m[3]);
  });
  // render-shot stops on SIGINT like on Ctrl-C: the segment in hand is dropped, the finished ones stay.
  const stop = (): boolean => child.kill('SIGINT');
  o.signal.addEventListener('abort', stop, { once: true });
  return new Promise<ChildRender>((resolve, reject) => {
    child.once('error', reject);
    child.once('exit', (code, signal) => {
      o.signal.removeEventListener('abort', stop);
      if (o.signal.aborted) return reject(new ServiceError('cancelled', 'Cancelled'));
      if (code !== 0) {
        const why = err.trim().split('\n').at(-1) ?? '';
        return reject(new ServiceError('io', `render-shot ended with ${signal ?? `code ${code}`}: ${why}`));
      }
      const segs = /(\d+) of \d+ segments rendered/.exec(out);
      resolve({ renderedSegments: segs ? +segs[1] : 0, skipped: /complete already/.test(out) });
    });
  });
}
