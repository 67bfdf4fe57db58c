// Issue 21: the built `remaster` bin and `npm start` fail loudly and stop cleanly: media roots that cannot be
// offered, a --data that is a file, log lines kept off the terminal, and no host or worker left after a stop.
import assert from 'node:assert/strict';
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { chmodSync, existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { connect } from 'node:net';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { resolveBinaries } from '../../src-main/core/media';
import { appRoot } from '../../src-main/core/paths';
import { tempDir } from '../helpers/core';

const root = appRoot();
const cli = join(root, '.build', 'main', 'cli.cjs');
const start = join(root, '.build', 'main', 'start.cjs');
const skip = existsSync(cli) && existsSync(start) ? false : 'the built bin is missing: run npm run build first';
const tmp = tempDir('remaster-reliability-');
after(() => tmp.cleanup());

function remaster(...args: string[]): { code: number | null; stdout: string; stderr: string } {
  const r = spawnSync(process.execPath, [cli, ...args], { cwd: root, encoding: 'utf8', timeout: 60_000 });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

/** Resolves with the host's URL once the child prints it. */
function urlOf(child: ChildProcess): Promise<string> {
  let out = '';
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`no URL within 60 s: ${out}`)), 60_000);
    child.stdout!.on('data', (d: Buffer) => {
      out += d.toString();
      const m = /(http:\/\/127\.0\.0\.1:\d+\/\S*)/.exec(out);
      if (m) {
        clearTimeout(timer);
        resolve(m[1]);
      }
    });
  });
}

/** Live (not zombie) processes whose parent is `pid`, and theirs, from /proc. */
function descendants(pid: number): number[] {
  const parentOf = new Map<number, number>();
  for (const name of readdirSync('/proc')) {
    if (!/^\d+$/.test(name)) continue;
    try {
      const stat = readFileSync(`/proc/${name}/stat`, 'utf8');
      const [state, ppid] = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
      if (state !== 'Z') parentOf.set(Number(name), Number(ppid));
    } catch {
      // gone while listing
    }
  }
  const found: number[] = [];
  const walk = (p: number): void => {
    for (const [child, parent] of parentOf) {
      if (parent !== p) continue;
      found.push(child);
      walk(child);
    }
  };
  walk(pid);
  return found;
}

function alive(pid: number): boolean {
  try {
    return !readFileSync(`/proc/${pid}/stat`, 'utf8').slice(-200).includes(') Z ');
  } catch {
    return false;
  }
}

async function until(what: string, ok: () => boolean | Promise<boolean>, ms: number): Promise<number> {
  const t0 = Date.now();
  while (!(await ok())) {
    if (Date.now() - t0 > ms) throw new Error(`${what}: not within ${ms} ms`);
    await new Promise((r) => setTimeout(r, 100));
  }
  return Date.now() - t0;
}

const portClosed = (port: number) =>
  new Promise<boolean>((resolve) => {
    const s = connect(port, '127.0.0.1');
    s.on('connect', () => (s.destroy(), resolve(false)));
    s.on('error', () => resolve(true));
  });

/** Starts `cmd`, waits for its URL and for the inference worker among its descendants. */
async function startHost(cmd: string, args: string[], env: NodeJS.ProcessEnv) {
  const child = spawn(cmd, args, { cwd: root, stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, ...env } });
  // Every process seen in the tree: once the child is killed, its orphans are no longer its descendants.
  const seen = new Set<number>([child.pid!]);
  after(() => {
    for (const pid of [...seen, ...descendants(child.pid!)]) {
      if (alive(pid)) process.kill(pid, 'SIGKILL'); // a failed assertion must not leave a host running
    }
  });
  let stderr = '';
  child.stderr!.on('data', (d: Buffer) => (stderr += d.toString()));
  const url = await urlOf(child);
  await until('a worker process', () => descendants(child.pid!).some((p) => /worker/.test(cmdline(p))), 30_000);
  const tree = descendants(child.pid!);
  for (const p of tree) seen.add(p);
  return { child, port: Number(new URL(url).port), tree, stderr: () => stderr };
}

const cmdline = (pid: number) => {
  try {
    return readFileSync(`/proc/${pid}/cmdline`, 'utf8').replace(/\0/g, ' ');
  } catch {
    return '';
  }
};

test('serve warns for each unusable --media-root and refuses to start with none', { skip }, async () => {
  const data = join(tmp.dir, 'roots');
  const r = remaster('--data', data, 'serve', '--port', '0', '--no-demo', '--media-root', '/nope');
  assert.equal(r.code, 2);
  assert.equal(r.stderr, 'remaster serve: no usable media root: /nope (missing)\n');

  const file = join(tmp.dir, 'not-a-folder.mov');
  writeFileSync(file, 'x');
  const args = ['--data', data, 'serve', '--port', '0', '--no-demo', '--media-root', '/nope'];
  const host = await startHost(process.execPath, [cli, ...args, '--media-root', file, '--media-root', tmp.dir], {});
  assert.match(host.stderr(), /^warning: media root \/nope is missing: not offered$/m);
  assert.match(host.stderr(), new RegExp(`^warning: media root ${file} is not a folder: not offered$`, 'm'));
  const log = readFileSync(join(data, 'logs', 'remaster.log'), 'utf8');
  assert.match(log, / WARN \[main\] media root \/nope is missing: not offered/);
  host.child.kill('SIGTERM');
  // The host gives itself 5 s to stop; a machine busy with other work can schedule that late.
  await until('serve exits', () => host.child.exitCode !== null, 30_000);
});

test('--data naming a file: one clear line, exit 2', { skip }, () => {
  const file = join(tmp.dir, 'library-file');
  writeFileSync(file, 'x');
  let r = remaster('--data', file, 'project', 'list');
  assert.equal(r.code, 2);
  assert.equal(r.stderr, `remaster project list: --data ${file} is a file, not a folder\n`);
  r = remaster('--data', join(file, 'inside'), 'project', 'list');
  assert.equal(r.code, 2);
  assert.equal(r.stderr, `remaster project list: --data ${join(file, 'inside')}: ${file} is a file, not a folder\n`);
});

test(
  'still: its own message only; the worker log line goes to the log file (and the terminal with --verbose)',
  { skip },
  () => {
    const data = join(tmp.dir, 'still');
    const png = join(tmp.dir, 'in.png');
    const bad = join(tmp.dir, 'bad.onnx');
    writeFileSync(bad, 'not a model');
    const { ffmpeg } = resolveBinaries();
    const f = spawnSync(ffmpeg, ['-v', 'error', '-f', 'lavfi', '-i', 'testsrc2=size=64x36', '-frames:v', '1', png]);
    assert.equal(f.status, 0, String(f.stderr));
    const out = join(tmp.dir, 'out.tif');
    let r = remaster('--data', data, 'still', png, out, '--model', bad);
    assert.equal(r.code, 2);
    assert.equal(r.stderr.split('\n').length, 2, r.stderr); // one line and its newline
    assert.match(r.stderr, /^remaster still: .*bad\.onnx is not a usable ONNX model/);
    assert.match(
      readFileSync(join(data, 'logs', 'remaster.log'), 'utf8'),
      /ERROR \[cli\] inference worker failed to start/,
    );
    r = remaster('--verbose', '--data', data, 'still', png, out, '--model', bad);
    assert.equal(r.code, 2);
    assert.match(r.stderr, /ERROR \[cli\] inference worker failed to start/);
    assert.match(r.stderr, /^remaster still: .*bad\.onnx is not a usable ONNX model/m);
  },
);

test(
  'still checks its output first: a missing folder, or one it may not write, fails at once with exit 2',
  { skip },
  () => {
    const data = join(tmp.dir, 'still-out');
    const png = join(tmp.dir, 'out-check.png');
    const { ffmpeg } = resolveBinaries();
    const f = spawnSync(ffmpeg, ['-v', 'error', '-f', 'lavfi', '-i', 'testsrc2=size=64x36', '-frames:v', '1', png]);
    assert.equal(f.status, 0, String(f.stderr));
    const nowhere = join(tmp.dir, 'no such folder');
    const t0 = Date.now();
    let r = remaster('--data', data, 'still', png, join(nowhere, 'out.tif'));
    assert.equal(r.code, 2, r.stderr);
    assert.equal(r.stderr, `remaster still: Cannot write out.tif: no such folder ${nowhere}\n`);
    // Before any inference: no model was loaded (the log file says so) and it took no time to speak of.
    assert.ok(Date.now() - t0 < 10_000, `refused after ${Date.now() - t0} ms`);
    assert.doesNotMatch(logOf(data), /inference worker/);
    // A folder this user may not write: root writes anywhere, so the check runs as nobody.
    if (process.getuid?.() !== 0 || spawnSync('setpriv', ['--version']).status !== 0) return;
    const locked = join(tmp.dir, 'locked');
    mkdirSync(locked, { mode: 0o555 });
    chmodSync(tmp.dir, 0o755);
    chmodSync(png, 0o644);
    const nobodyData = join(tmp.dir, 'still-nobody');
    mkdirSync(nobodyData, { mode: 0o777 });
    chmodSync(nobodyData, 0o777);
    const x = spawnSync(
      'setpriv',
      [
        ...['--reuid=nobody', '--regid=nogroup', '--clear-groups', process.execPath, cli],
        ...['--data', nobodyData, 'still', png, join(locked, 'out.tif')],
      ],
      { cwd: tmp.dir, encoding: 'utf8', timeout: 60_000, env: { ...process.env, HOME: tmp.dir } },
    );
    r = { code: x.status, stdout: x.stdout, stderr: x.stderr };
    assert.equal(r.code, 2, r.stderr);
    assert.equal(r.stderr, `remaster still: Cannot write in ${locked}: permission denied\n`);
    assert.deepEqual(readdirSync(locked), [], 'nothing left in the folder');
  },
);

const logOf = (data: string): string => {
  try {
    return readFileSync(join(data, 'logs', 'remaster.log'), 'utf8');
  } catch {
    return '';
  }
};

const browserEnv = () => ({ REMASTER_NO_ELECTRON: '1', REMASTER_DATA: join(tmp.dir, 'start') });

test('start.cjs: SIGTERM closes the port and leaves no child process', { skip }, async () => {
  const host = await startHost(process.execPath, [start, '--port', '0', '--no-demo'], browserEnv());
  assert.ok(host.tree.length >= 1, 'the worker runs as a child');
  host.child.kill('SIGTERM');
  const ms = await until(
    'host, worker and port gone',
    async () => host.tree.every((p) => !alive(p)) && (await portClosed(host.port)),
    5_000,
  );
  await until('start.cjs exits', () => host.child.exitCode !== null, 5_000);
  assert.equal(host.child.exitCode, 0);
  assert.ok(ms < 5_000, `stopped in ${ms} ms`);
});

test('SIGKILL of the host: its worker exits on the IPC disconnect', { skip }, async () => {
  const host = await startHost(
    process.execPath,
    [cli, '--data', join(tmp.dir, 'killed'), 'serve', '--port', '0', '--no-demo'],
    {},
  );
  host.child.kill('SIGKILL');
  await until('worker exits after its host is killed', () => host.tree.every((p) => !alive(p)), 5_000);
});

test('npm start: SIGTERM to npm stops the host and the worker too', { skip }, async () => {
  const host = await startHost('npm', ['start', '--', '--port', '0', '--no-demo'], browserEnv());
  assert.ok(
    host.tree.some((p) => /start\.cjs/.test(cmdline(p))),
    'start.cjs runs under npm',
  );
  host.child.kill('SIGTERM');
  after(() => {
    const left = host.tree.filter(alive).map((p) => `${p} ${cmdline(p)}`);
    if (left.length) process.stderr.write(`npm start left running: ${left.join('; ')}\n`);
  });
  await until(
    'npm, host and worker gone, port closed',
    async () => host.tree.every((p) => !alive(p)) && (await portClosed(host.port)),
    10_000,
  );
});

test(
  'npm start: SIGKILL to npm (no signal to forward) stops the host and the worker: their parent died',
  { skip },
  async () => {
    // npm runs the script through `sh -c`; unless the script execs the app, the shell stays its parent and
    // outlives npm, so the app would never see its parent die.
    const host = await startHost('npm', ['start', '--', '--port', '0', '--no-demo'], browserEnv());
    const app = host.tree.find((p) => /start\.cjs/.test(cmdline(p)));
    assert.ok(app, 'start.cjs runs under npm');
    host.child.kill('SIGKILL');
    after(() => {
      const left = host.tree.filter(alive).map((p) => `${p} ${cmdline(p)}`);
      if (left.length) process.stderr.write(`npm start left running after SIGKILL: ${left.join('; ')}\n`);
    });
    await until(
      'host and worker gone, port closed, after npm was killed',
      async () => host.tree.every((p) => !alive(p)) && (await portClosed(host.port)),
      10_000,
    );
  },
);
