// The render farm's cost (issue 22), on this machine: the demo project's first shots cut to a few frames, the
// analytic baseline model, a private redis-server on 127.0.0.1 (a free port, no persistence).
// - Baseline: `remaster render-shot MANIFEST --out DIR` for each shot's frozen manifest, one after another: what a
//   render node runs, with nothing around it.
// - The farm with 1, 2 and 3 local `remaster worker` processes (started and idle beforehand, as on a farm), a
//   fresh render cache and a fresh Redis each time so nothing is skipped: wall time from `farm submit` to the
//   last shot done, against the baseline's total; and each shot's time in a worker (its "take" line to its
//   "done" line) beside the same manifest's direct run.
// On 2 shared cores more workers only contend for them: the figures show the farm's overhead, not a speed-up.
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, readFileSync, rmSync } from 'node:fs';
import { loadavg } from 'node:os';
import { basename, dirname, join } from 'node:path';
import { EventHub } from '../../src-main/core/events';
import { openLibrary } from '../../src-main/core/library';
import { demoCuts } from '../../src-main/core/library/demo';
import { createLogger } from '../../src-main/core/log';
import { appRoot } from '../../src-main/core/paths';
import { tempDir } from '../helpers/core';
import { hasRedisServer, startRedis } from '../helpers/redis';
import { BASELINE_X2, DEMO_CLIP } from '../helpers/render-fixture';
import type { BenchContext } from './run';

/** Frames of each shot rendered: the demo's first shots, cut. */
const SHOT_FRAMES = [3, 4, 3, 4];
const WORKER_COUNTS = [1, 2, 3];
/** Any one step (a render, a farm run) that takes longer than this is stuck: the bench fails, not hangs. */
const STEP_TIMEOUT_MS = 240_000;
const PROJECT = 'Farm bench';

const root = appRoot();
const cli = join(root, '.build', 'main', 'cli.cjs');

/** Every process this bench started and has not seen end: killed on the way out, whatever the way. */
const live = new Set<ChildProcess>();
function track(child: ChildProcess): ChildProcess {
  live.add(child);
  child.once('exit', () => live.delete(child));
  return child;
}
/** Synchronous, so it also runs from process.on('exit') (run.ts ends with process.exit(1) on a failure). */
function killAll(): void {
  // A worker's render-shot child exits when its worker dies (its IPC channel closes).
  for (const c of live) if (c.exitCode === null && c.signalCode === null) c.kill('SIGKILL');
}
/** The temp folder's removal, for a signal that ends the bench before its finally blocks run. */
let removeTemp: (() => void) | null = null;
const onSignal = (sig: NodeJS.Signals): void => {
  killAll();
  removeTemp?.();
  process.kill(process.pid, sig); // the handler was once: now the default, the process ends
};

const load = (): string =>
  loadavg()
    .map((l) => l.toFixed(2))
    .join(' ');

function waitFor<T>(what: string, ms: number, probe: () => T | null | undefined | false): Promise<T> {
  const end = Date.now() + ms;
  return new Promise((resolve, reject) => {
    const tick = (): void => {
      let v: T | null | undefined | false;
      try {
        v = probe();
      } catch (e) {
        return reject(e as Error);
      }
      if (v) return resolve(v);
      if (Date.now() > end) return reject(new Error(`timed out after ${ms / 1000} s waiting for ${what}`));
      setTimeout(tick, 50);
    };
    tick();
  });
}

/** The built CLI, asynchronously: the workers' output must be read (and timed) while it runs. */
function remaster(
  data: string,
  args: string[],
): Promise<{ code: number | null; stdout: string; stderr: string; seconds: number }> {
  const t0 = performance.now();
  const child = track(
    spawn(process.execPath, [cli, '--data', data, ...args], { cwd: root, stdio: ['ignore', 'pipe', 'pipe'] }),
  );
  let stdout = '';
  let stderr = '';
  child.stdout!.on('data', (d: Buffer) => (stdout += d.toString()));
  child.stderr!.on('data', (d: Buffer) => (stderr += d.toString()));
  const timer = setTimeout(() => child.kill('SIGKILL'), STEP_TIMEOUT_MS);
  return new Promise((resolve, reject) => {
    child.once('error', reject);
    child.once('exit', (code) => {
      clearTimeout(timer);
      resolve({ code, stdout, stderr, seconds: (performance.now() - t0) / 1000 });
    });
  });
}

interface Worker {
  child: ChildProcess;
  out: string;
  /** Each stdout line as it arrived, ms (performance.now()). */
  lines: { at: number; text: string }[];
}

function startWorker(url: string, cache: string): Worker {
  const child = track(
    spawn(process.execPath, [cli, 'worker', '--redis', url, '--cache', cache], {
      cwd: root,
      stdio: ['ignore', 'pipe', 'pipe'],
    }),
  );
  const w: Worker = { child, out: '', lines: [] };
  let partial = '';
  child.stdout!.on('data', (d: Buffer) => {
    const at = performance.now();
    w.out += d.toString();
    const parts = (partial + d.toString()).split('\n');
    partial = parts.pop()!;
    for (const text of parts) w.lines.push({ at, text });
  });
  child.stderr!.resume(); // progress lines: not needed, never left to fill the pipe
  return w;
}

async function stopWorker(w: Worker): Promise<void> {
  if (w.child.exitCode !== null || w.child.signalCode !== null) return;
  const gone = new Promise((r) => w.child.once('exit', r));
  w.child.kill('SIGTERM');
  const timer = setTimeout(() => w.child.kill('SIGKILL'), 10_000);
  await gone;
  clearTimeout(timer);
}

/** The demo project with its first shots cut to SHOT_FRAMES; returns the cut shots' ids. */
async function cutDemoProject(data: string): Promise<string[]> {
  const log = createLogger({ quiet: true, level: 'error' });
  const lib = openLibrary({ dataDir: data, log, events: new EventHub(), restrictToRoots: false });
  try {
    const projectId = lib.createProject(PROJECT).id;
    await lib.importClips(projectId, [DEMO_CLIP], { knownCuts: { [DEMO_CLIP]: demoCuts() }, proxies: false }).done;
    const all = lib.api['shots.list']({ projectId }).slice(0, SHOT_FRAMES.length);
    for (const [i, s] of all.entries()) lib.api['shots.split']({ shotId: s.id, frame: s.firstFrame + SHOT_FRAMES[i] });
    return all.map((s) => s.id);
  } finally {
    lib.close();
  }
}

/**
 * CPU time, ms, from /proc (Linux; NaN elsewhere): a live process's own and its reaped children's (a worker and
 * the render-shot runs it forked), or with 'self', only this process's reaped children (direct runs, submit).
 * Other work on a shared machine moves the wall clock of both sides of a ratio unevenly; it hardly moves the CPU
 * time each side needs.
 */
function cpuMs(pid: number | 'self'): number {
  try {
    const s = readFileSync(`/proc/${pid}/stat`, 'utf8');
    const f = s.slice(s.lastIndexOf(')') + 2).split(' '); // f[0] is field 3 (state)
    const children = Number(f[13]) + Number(f[14]); // cutime, cstime
    return (pid === 'self' ? children : Number(f[11]) + Number(f[12]) + children) * 10; // USER_HZ = 100
  } catch {
    return NaN;
  }
}

const mean = (v: number[]): number => v.reduce((a, b) => a + b, 0) / v.length;

export default async function farm(ctx: BenchContext): Promise<void> {
  if (!hasRedisServer) {
    console.log(
      '  skipped: redis-server is not installed (apt-get install -y redis-server); the farm needs a real Redis',
    );
    return;
  }
  if (!existsSync(cli) || !readFileSync(cli, 'utf8').includes('farm submit')) {
    console.log('  skipped: the built CLI is missing or predates the farm commands; run npm run build first');
    return;
  }
  const tmp = tempDir('remaster-bench-farm-');
  const data = join(tmp.dir, 'data');
  removeTemp = tmp.cleanup;
  process.on('exit', killAll);
  process.once('SIGINT', onSignal);
  process.once('SIGTERM', onSignal);
  try {
    console.log(`  load average at start ${load()} (1, 5, 15 min; the machine is shared)`);
    const shotIds = await cutDemoProject(data);
    const ids = shotIds.join(',');
    const model = ['--model', BASELINE_X2];

    // The manifests the farm freezes, written by the OpenJD bundle (no Redis needed): line N is shot N's.
    const bundle = join(tmp.dir, 'bundle');
    const ej = await remaster(data, ['farm', 'export-job', PROJECT, '--out', bundle, '--shots', ids, ...model]);
    if (ej.code !== 0) throw new Error(`farm export-job failed: ${ej.stderr}`);
    const manifests = readFileSync(join(bundle, 'manifests.txt'), 'utf8').trim().split('\n');
    if (manifests.length !== SHOT_FRAMES.length) throw new Error(`expected ${SHOT_FRAMES.length}: ${ej.stdout}`);
    const hashes = manifests.map((m) => basename(dirname(m)));
    const rendersDir = dirname(dirname(manifests[0])); // <data>/cache/<project>/renders

    // (a) Direct: each manifest by render-shot, one after another, into a cache of its own.
    const direct = new Map<string, number>();
    const directCpu0 = cpuMs('self');
    for (const m of manifests) {
      const r = await remaster(data, ['render-shot', m, '--out', join(tmp.dir, 'direct')]);
      if (r.code !== 0 || !/segments rendered/.test(r.stdout)) throw new Error(`render-shot ${m} failed: ${r.stderr}`);
      direct.set(basename(dirname(m)), r.seconds);
    }
    const directTotal = [...direct.values()].reduce((a, b) => a + b, 0);
    const directCpu = (cpuMs('self') - directCpu0) / 1000;
    const frames = SHOT_FRAMES.reduce((a, b) => a + b, 0);
    ctx.report({
      name: `direct render-shot, ${manifests.length} shots of ${SHOT_FRAMES.join('/')} frames, one after another`,
      value: directTotal,
      unit: 's',
      note: `${(directTotal / manifests.length).toFixed(2)} s a shot (process start, model load, render, cache); CPU time ${directCpu.toFixed(1)} s; load ${load()}`,
    });

    // (b) The farm, N workers: fresh cache and Redis, workers idle and waiting, then submit.
    for (const n of WORKER_COUNTS) {
      rmSync(rendersDir, { recursive: true, force: true });
      const redis = await startRedis(tmp.dir);
      track(redis.child);
      const workers: Worker[] = [];
      try {
        for (let i = 0; i < n; i++) workers.push(startWorker(redis.url, join(data, 'cache')));
        await waitFor(`${n} workers to wait for jobs`, 60_000, () =>
          workers.every((w) => /waiting for jobs/.test(w.out)),
        );
        const workerCpu0 = workers.map((w) => cpuMs(w.child.pid!));
        const submitCpu0 = cpuMs('self');
        const t0 = performance.now();
        const sub = await remaster(data, ['farm', 'submit', PROJECT, '--shots', ids, '--redis', redis.url, ...model]);
        if (sub.code !== 0 || !new RegExp(`${manifests.length} shot jobs queued`).test(sub.stdout))
          throw new Error(`farm submit: ${sub.stdout}${sub.stderr}`);
        const submitCpu = cpuMs('self') - submitCpu0;
        const lines = (): { at: number; text: string; worker: number }[] =>
          workers.flatMap((w, i) => w.lines.map((l) => ({ ...l, worker: i })));
        const done = await waitFor(`the ${n}-worker farm to render every shot`, STEP_TIMEOUT_MS, () => {
          const failed = lines().find((l) => /^failed /.test(l.text));
          if (failed) throw new Error(`a farm job failed: ${failed.text}`);
          const d = lines().filter((l) => /^done /.test(l.text));
          return d.length >= manifests.length && d;
        });
        const allDone = Math.max(...done.map((l) => l.at));
        const exported = await waitFor('the export job', STEP_TIMEOUT_MS, () =>
          lines().find((l) => /^export export-/.test(l.text)),
        );
        const wall = (allDone - t0) / 1000;
        // The workers' CPU time from idle to the export verified: their render-shot runs ended (and were reaped)
        // before their "done" lines.
        const workersCpu = workers.map((w, i) => cpuMs(w.child.pid!) - workerCpu0[i]).reduce((a, b) => a + b, 0);
        const farmCpu = (submitCpu + workersCpu) / 1000;

        // Each shot in its worker: "take HASH" to "done HASH", beside the same manifest's direct run.
        const inWorker = hashes.map((h) => {
          const short = h.slice(0, 12);
          const take = lines().filter((l) => l.text.startsWith(`take ${short} `));
          const fin = done.find((l) => l.text.startsWith(`done ${short} `));
          if (take.length !== 1 || !fin) throw new Error(`shot ${short}: taken ${take.length} times, done ${!!fin}`);
          return (fin.at - take[0].at) / 1000;
        });
        const perShotDirect = hashes.map((h) => direct.get(h)!);
        const usedWorkers = new Set(done.map((l) => l.worker)).size;
        ctx.report({
          name: `farm, ${n} worker${n > 1 ? 's' : ''}: submit to all ${manifests.length} shots done (${frames} frames)`,
          value: wall,
          unit: 's',
          baseline: { name: 'direct render-shot total', value: directTotal, unit: 's' },
          ratio: wall / directTotal,
          note:
            `farm - direct ${(wall - directTotal).toFixed(2)} s, ${((wall - directTotal) / manifests.length).toFixed(2)} s a shot (with 1 worker: the farm's overhead; with more, shots overlap); ` +
            `submit ${sub.seconds.toFixed(2)} s; export verified ${((exported.at - allDone) / 1000).toFixed(2)} s after; ` +
            `${usedWorkers} of ${n} workers took shots; load ${load()}`,
        });
        ctx.report({
          name: `  the same, a shot in its worker (take -> done), mean`,
          value: mean(inWorker),
          unit: 's',
          baseline: { name: 'the same manifest by render-shot', value: mean(perShotDirect), unit: 's' },
          ratio: mean(inWorker) / mean(perShotDirect),
          note: `per shot ${inWorker.map((s, i) => `${s.toFixed(2)}/${perShotDirect[i].toFixed(2)}`).join(', ')} s (farm/direct)`,
        });
        ctx.report({
          name: `  the same, CPU time (all processes: submit, workers, their render-shot runs)`,
          value: farmCpu,
          unit: 's',
          baseline: { name: 'direct render-shot runs', value: directCpu, unit: 's' },
          ratio: farmCpu / directCpu,
          note: `${((farmCpu - submitCpu / 1000 - directCpu) / manifests.length).toFixed(2)} s a shot in the workers beyond render-shot's own, plus submit ${(submitCpu / 1000).toFixed(2)} s once (it loads the model to read its scale): what the farm costs, whatever else the machine runs`,
        });
      } finally {
        await Promise.all(workers.map(stopWorker));
        await redis.stop();
      }
    }
  } finally {
    killAll();
    process.removeListener('exit', killAll);
    process.removeListener('SIGINT', onSignal);
    process.removeListener('SIGTERM', onSignal);
    tmp.cleanup();
    removeTemp = null;
  }
}
