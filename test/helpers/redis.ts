// A private Redis for the farm's tests and bench: Debian's redis-server on 127.0.0.1 at a free port, no
// persistence, in the caller's temp folder, stopped by the caller.
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { createServer } from 'node:net';

export const hasRedisServer = spawnSync('redis-server', ['--version'], { encoding: 'utf8' }).status === 0;

export interface PrivateRedis {
  url: string;
  child: ChildProcess;
  stop(): Promise<void>;
}

const freePort = (): Promise<number> =>
  new Promise((resolve, reject) => {
    const s = createServer();
    s.once('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const port = (s.address() as { port: number }).port;
      s.close(() => resolve(port));
    });
  });

export async function startRedis(dir: string, timeoutMs = 10_000): Promise<PrivateRedis> {
  const port = await freePort();
  const child = spawn(
    'redis-server',
    ['--port', String(port), '--bind', '127.0.0.1', '--dir', dir, '--save', '', '--appendonly', 'no'],
    { stdio: ['ignore', 'pipe', 'pipe'] },
  );
  let said = '';
  child.stdout!.on('data', (d: Buffer) => (said += d.toString()));
  const stop = async (): Promise<void> => {
    if (child.exitCode !== null || child.signalCode !== null) return;
    const gone = new Promise((r) => child.once('exit', r));
    child.kill('SIGTERM');
    await gone;
  };
  const end = Date.now() + timeoutMs;
  while (!said.includes('Ready to accept connections')) {
    if (child.exitCode !== null || Date.now() > end) {
      await stop();
      throw new Error(`redis-server did not start within ${timeoutMs / 1000} s: ${said.trim().split('\n').pop()}`);
    }
    await new Promise((r) => setTimeout(r, 50));
  }
  return { url: `redis://127.0.0.1:${port}`, child, stop };
}
