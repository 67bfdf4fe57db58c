// Jobs carry their owner (pid, process start identity, host, heartbeat), so a job left unfinished by a process
// that died is seen as interrupted by every process sharing the library (issue 21: a CLI import killed at 44%
// left a job `running` forever in the host). The dying process is real: this file re-runs itself as a child
// that imports a clip through the library and is SIGKILLed mid-import.
import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { hostname } from 'node:os';
import { join } from 'node:path';
import { after, test } from 'node:test';
import type { Job } from '../../src-main/common/contract';
import { EventHub } from '../../src-main/core/events';
import { openLibrary } from '../../src-main/core/library';
import { openDatabase } from '../../src-main/core/library/db';
import { HEARTBEAT_MS, INTERRUPTED, JobManager } from '../../src-main/core/library/jobs';
import { frameNumberClip, quietLog, tempDir } from '../helpers/media-fixtures';

const CHILD = process.env.REMASTER_OWNERS_CHILD;

if (CHILD) {
  // The child: a CLI-like import that reports its progress on stdout until it is killed.
  const [dataDir, projectId, file] = JSON.parse(CHILD) as [string, string, string];
  const events = new EventHub();
  events.subscribe((event, payload) => {
    if (event === 'job.progress') {
      const j = payload as Job;
      process.stdout.write(`${JSON.stringify({ id: j.id, state: j.state, fraction: j.fraction })}\n`);
    }
  });
  const lib = openLibrary({ dataDir, log: quietLog, events });
  void lib
    .importClips(projectId, [file], { knownCuts: { [file]: [] } })
    .done.then(() => process.stdout.write('{"finished":true}\n'));
} else {
  const tmp = tempDir();
  after(() => tmp.cleanup());

  function child(args: [string, string, string]): {
    proc: ChildProcess;
    progress: (min: number) => Promise<{ id: string; fraction: number }>;
  } {
    const proc = spawn(process.execPath, ['--import', 'tsx', __filename], {
      cwd: join(__dirname, '..', '..'),
      env: { ...process.env, REMASTER_OWNERS_CHILD: JSON.stringify(args) },
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    let buf = '';
    const waiters: {
      min: number;
      resolve: (v: { id: string; fraction: number }) => void;
      reject: (e: Error) => void;
    }[] = [];
    proc.stdout!.on('data', (d: Buffer) => {
      buf += String(d);
      let nl: number;
      while ((nl = buf.indexOf('\n')) >= 0) {
        const msg = JSON.parse(buf.slice(0, nl)) as {
          id?: string;
          state?: string;
          fraction?: number;
          finished?: boolean;
        };
        buf = buf.slice(nl + 1);
        for (const w of [...waiters]) {
          if (msg.finished) w.reject(new Error('the child finished before it could be killed'));
          else if (msg.state === 'running' && (msg.fraction ?? 0) >= w.min) {
            waiters.splice(waiters.indexOf(w), 1);
            w.resolve({ id: msg.id!, fraction: msg.fraction! });
          }
        }
      }
    });
    return { proc, progress: (min) => new Promise((resolve, reject) => waiters.push({ min, resolve, reject })) };
  }

  test('an import killed at 44% in another process is seen as interrupted by the process sharing the library', async () => {
    const dataDir = join(tmp.dir, 'shared');
    const setup = openLibrary({ dataDir, log: quietLog, events: new EventHub() });
    const project = setup.createProject('Shared');
    setup.close();
    // The host: its own connection and job manager, open before the CLI starts and after it dies.
    const hostEvents = new EventHub();
    const seen: Job[] = [];
    hostEvents.subscribe((event, payload) => event === 'job.progress' && seen.push(payload as Job));
    const host = openDatabase({ dataDir, log: quietLog });
    const jobs = new JobManager(host.db, hostEvents, quietLog, false);
    const interrupted: string[] = [];
    jobs.onInterrupted((js) => interrupted.push(...js.map((j) => j.job.id)));

    const file = frameNumberClip(720);
    const cli = child([dataDir, project.id, file]);
    const at = await cli.progress(0.44);
    // While the CLI runs, the host sees its job running and leaves it alone.
    const running = jobs.list().find((j) => j.id === at.id);
    assert.equal(running?.state, 'running');
    assert.equal(jobs.othersRunning(), true);
    const row = host.db
      .prepare('SELECT owner_pid, owner_host, owner_start, heartbeat_at FROM jobs WHERE id = ?')
      .get(at.id) as { owner_pid: number; owner_host: string; owner_start: string | null; heartbeat_at: number };
    assert.equal(row.owner_pid, cli.proc.pid);
    assert.equal(row.owner_host, hostname());
    assert.match(row.owner_start ?? '', /^\d+$/, 'the start time from /proc (Linux)');
    const exited = new Promise((r) => cli.proc.once('exit', r));
    cli.proc.kill('SIGKILL');
    assert.equal(await exited, null);
    // The next read in the host finds the job's owner gone.
    const failed = jobs.list().find((j) => j.id === at.id);
    assert.equal(failed?.state, 'failed');
    assert.equal(failed?.error, INTERRUPTED);
    assert.deepEqual(interrupted, [at.id]);
    assert.ok(
      seen.some((j) => j.id === at.id && j.state === 'failed' && j.error === INTERRUPTED),
      'the host pushed the change as job.progress',
    );
    assert.equal(jobs.othersRunning(), false);
    const stored = host.db.prepare('SELECT state, error FROM jobs WHERE id = ?').get(at.id);
    assert.deepEqual(stored, { state: 'failed', error: INTERRUPTED });
    host.db.close();
  });

  test('the issue as reported: a host open on the library shows no ghost clip and re-imports without reopening', async () => {
    const dataDir = join(tmp.dir, 'ghost');
    const events = new EventHub();
    const changed: unknown[] = [];
    events.subscribe((event, payload) => event === 'library.changed' && changed.push(payload));
    // The host: the whole library service, open before the CLI starts and kept open after it dies.
    const host = openLibrary({ dataDir, log: quietLog, events });
    try {
      const project = host.createProject('Shared');
      const file = frameNumberClip(720);
      const cli = child([dataDir, project.id, file]);
      const at = await cli.progress(0.44);
      // The CLI's commits reach the host as library.changed (the UI reloads), within a few polls.
      const t0 = Date.now();
      while (changed.length === 0 && Date.now() - t0 < 5000) await new Promise((r) => setTimeout(r, 50));
      assert.ok(changed.length > 0, 'library.changed in the host for the CLI commits');
      const ghost = host.listClips(project.id);
      assert.equal(ghost.length, 1, 'the CLI clip is listed while its import runs');
      const exited = new Promise((r) => cli.proc.once('exit', r));
      changed.length = 0;
      cli.proc.kill('SIGKILL');
      await exited;
      // Nothing in the host reads meanwhile: it notices the death itself (it watches while others run jobs),
      // removes the clip and tells the UI, within a few heartbeats.
      const rows = () => (host.db.prepare('SELECT count(*) AS n FROM clips').get() as { n: number }).n;
      const t1 = Date.now();
      while (rows() > 0 && Date.now() - t1 < 4 * HEARTBEAT_MS) await new Promise((r) => setTimeout(r, 50));
      assert.equal(rows(), 0, `the ghost clip removed by the host within ${4 * HEARTBEAT_MS} ms`);
      assert.ok(
        changed.some((c) => (c as { projectId: string | null }).projectId === project.id),
        'library.changed for the project, so the UI drops the clip',
      );
      // And the next read, with no reopen: the clip of the dead import is gone, its job failed.
      assert.deepEqual(
        host.listClips(project.id).map((c) => c.id),
        [],
        'no ghost clip (proxy building, 0 shots) is listed',
      );
      const job = host.api['jobs.list']({ projectId: project.id }).find((j) => j.id === at.id);
      assert.deepEqual([job?.state, job?.error], ['failed', INTERRUPTED]);
      // Re-import of the same file in the same host works (it was refused as "already in this project").
      const again = await host.importClips(project.id, [file], { knownCuts: { [file]: [] }, proxies: false }).done;
      assert.equal(again.clips.length, 1);
      assert.equal(again.clips[0].probe.durationFrames, 720);
      assert.equal(host.listClips(project.id).length, 1);
    } finally {
      host.close();
    }
  });

  test('owner rules: a reused pid, another host with a stale or fresh heartbeat, this process', () => {
    const dataDir = join(tmp.dir, 'rules');
    const { db } = openDatabase({ dataDir, log: quietLog });
    const t = new Date().toISOString();
    const insert = (pid: number, start: string | null, host: string, heartbeatAt: number): string => {
      const id = randomUUID();
      db.prepare(
        "INSERT INTO jobs (id, kind, state, created_at, detail_json, owner_pid, owner_start, owner_host, heartbeat_at) VALUES (?, 'import', 'running', ?, '{}', ?, ?, ?, ?)",
      ).run(id, t, pid, start, host, heartbeatAt);
      return id;
    };
    const sleeper = spawn('sleep', ['30']);
    const reused = insert(sleeper.pid!, '1', hostname(), Date.now()); // a live pid, but not the process that started the job
    const farStale = insert(4242, null, 'render-node-7', Date.now() - 4 * HEARTBEAT_MS);
    const farFresh = insert(4242, null, 'render-node-7', Date.now());
    const gone = insert(2 ** 22 + 1, '123', hostname(), Date.now()); // above pid_max: no such process
    const jobs = new JobManager(db, new EventHub(), quietLog, false);
    const state = (id: string): string =>
      (db.prepare('SELECT state FROM jobs WHERE id = ?').get(id) as { state: string }).state;
    assert.equal(state(reused), 'failed');
    assert.equal(state(farStale), 'failed');
    assert.equal(state(farFresh), 'running');
    assert.equal(state(gone), 'failed');
    assert.equal(jobs.othersRunning(), true, 'the other host still beats');
    sleeper.kill();
    db.close();
  });

  test('closing under a paused job records it interrupted and lets it end', async () => {
    const { db } = openDatabase({ dataDir: join(tmp.dir, 'paused'), log: quietLog });
    const jobs = new JobManager(db, new EventHub(), quietLog, false);
    let started!: () => void;
    const running = new Promise<void>((r) => (started = r));
    const { id, done } = jobs.start('render', null, 'Render', async (job) => {
      started();
      for (;;) {
        await job.whilePaused(); // a render between frames, paused until told otherwise
        await new Promise((r) => setTimeout(r, 10));
      }
    });
    await running;
    assert.equal(jobs.pause(id), true);
    jobs.interruptAll();
    await assert.rejects(done, /cancelled/);
    const row = db.prepare('SELECT state, error FROM jobs WHERE id = ?').get(id) as { state: string; error: string };
    assert.deepEqual(row, { state: 'failed', error: 'Interrupted: the library was closed while the job ran' });
    db.close();
  });
}
