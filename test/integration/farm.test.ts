// Issue 22: the render farm end to end on this machine. A real redis-server on 127.0.0.1 (a free port, a temp
// folder), the built `remaster` CLI as submitter and as 3 worker processes, the demo project's shots trimmed to
// a few frames, the analytic baseline model. One worker is SIGKILLed mid-shot, one is cut off (stopped past its
// lock, then continued), one fails each job's first attempt, the submission is sent twice; every shot must still be rendered exactly once, the export job run once
// and verify, the library's rows match the cache, and nothing be left behind. Then the same shots as an Open Job
// Description bundle: the template against a schema of the subset we write, that schema against the
// specification's own samples, and a RenderShots task run as a scheduler would run it.
import assert from 'node:assert/strict';
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { existsSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { z } from 'zod';
import { cta861Value } from '../../src-main/common/colour';
import { EventHub } from '../../src-main/core/events';
import { FarmQueue, mapPath, parsePathMapping, type FarmStatus } from '../../src-main/core/farm';
import { openLibrary } from '../../src-main/core/library';
import { demoCuts } from '../../src-main/core/library/demo';
import { createLogger } from '../../src-main/core/log';
import { appRoot } from '../../src-main/core/paths';
import { tempDir } from '../helpers/core';
import { startRedis, hasRedisServer, type PrivateRedis } from '../helpers/redis';
import { BASELINE_X2, DEMO_CLIP } from '../helpers/render-fixture';

const root = appRoot();
const cli = join(root, '.build', 'main', 'cli.cjs');
const built = existsSync(cli) && readFileSync(cli, 'utf8').includes('farm submit');
const skip = !hasRedisServer
  ? 'redis-server is not installed (apt-get install -y redis-server): the farm tests need a real Redis'
  : !built
    ? 'the built CLI is missing or predates the farm commands: run npm run build first'
    : false;

/**
 * The workers' job lock: long enough that a live worker always renews it (a 1440p frame's grading holds its event
 * loop for seconds on two busy cores), short enough that a dead or stopped one loses its job quickly.
 */
const LOCK_SECONDS = 10;
const tmp = tempDir('remaster-farm-');
const data = join(tmp.dir, 'data');
const log = createLogger({ quiet: true, level: 'error' });
let redis: PrivateRedis | null = null;
let url = '';
const workers: Worker[] = [];
/** The short shots the farm renders: [id, frames]. */
let shots: { id: string; frames: number }[] = [];
let projectId = '';

interface Worker {
  name: string;
  child: ChildProcess;
  out: string;
  err: string;
  exited: Promise<number | null>;
}

function remaster(...args: string[]): { code: number | null; stdout: string; stderr: string } {
  const r = spawnSync(process.execPath, [cli, '--data', data, ...args], {
    cwd: root,
    encoding: 'utf8',
    timeout: 120_000,
  });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

function startWorker(name: string, env: Record<string, string> = {}): Worker {
  const child = spawn(
    process.execPath,
    [cli, 'worker', '--redis', url, '--cache', join(data, 'cache'), '--lock-seconds', String(LOCK_SECONDS)],
    { cwd: root, env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'pipe'] },
  );
  const w: Worker = {
    name,
    child,
    out: '',
    err: '',
    exited: new Promise((resolve) => child.once('exit', (code) => resolve(code))),
  };
  child.stdout!.on('data', (d: Buffer) => (w.out += d.toString()));
  child.stderr!.on('data', (d: Buffer) => (w.err += d.toString()));
  workers.push(w);
  return w;
}

async function waitFor<T>(what: string, ms: number, probe: () => T | null | undefined | Promise<T | null | undefined>) {
  const end = Date.now() + ms;
  for (;;) {
    const v = await probe();
    if (v) return v;
    if (Date.now() > end) throw new Error(`timed out after ${ms / 1000} s waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 250));
  }
}

before(async () => {
  if (skip) return;
  redis = await startRedis(tmp.dir);
  url = redis.url;

  // The demo project, its first four shots cut to 3 or 4 frames (the rest of each becomes a shot not submitted).
  const lib = openLibrary({ dataDir: data, log, events: new EventHub(), restrictToRoots: false });
  try {
    projectId = lib.createProject('Farm').id;
    await lib.importClips(projectId, [DEMO_CLIP], { knownCuts: { [DEMO_CLIP]: demoCuts() }, proxies: false }).done;
    const all = lib.api['shots.list']({ projectId });
    for (const [i, s] of all.slice(0, 4).entries())
      lib.api['shots.split']({ shotId: s.id, frame: s.firstFrame + 3 + (i % 2) });
    const cut = new Set(all.slice(0, 4).map((s) => s.id));
    shots = lib.api['shots.list']({ projectId })
      .filter((s) => cut.has(s.id))
      .map((s) => ({ id: s.id, frames: s.lastFrame - s.firstFrame + 1 }));
  } finally {
    lib.close();
  }
});

after(async () => {
  for (const w of workers) if (w.child.exitCode === null && w.child.signalCode === null) w.child.kill('SIGKILL');
  await redis?.stop();
  tmp.cleanup();
});

const doneLines = (w: Worker) => [...w.out.matchAll(/^done ([0-9a-f]{12}) /gm)].map((m) => m[1]);

test(
  'farm: 3 workers, one killed mid-shot, one cut off, one failing first attempts, sent twice: each shot once',
  { skip, timeout: 540_000 },
  async () => {
    assert.deepEqual(
      shots.map((s) => s.frames),
      [3, 4, 3, 4],
    );
    const ids = shots.map((s) => s.id).join(',');
    const model = BASELINE_X2;
    const first = remaster('farm', 'submit', 'Farm', '--shots', ids, '--redis', url, '--model', model);
    assert.equal(first.code, 0, first.stderr);
    const exportId = /export job (export-[0-9a-f]{32}) waits/.exec(first.stdout)?.[1];
    assert.ok(exportId, first.stdout);
    assert.match(first.stdout, /4 shot jobs queued/);
    // The same submission again adds nothing: the export job's id names the set of renders, shot jobs their hash.
    const again = remaster('farm', 'submit', 'Farm', '--shots', ids, '--redis', url, '--model', model);
    assert.equal(again.code, 0, again.stderr);
    assert.match(again.stdout, /the 4 shots are in the farm's queue already/);

    const before = JSON.parse(
      remaster('farm', 'status', 'Farm', '--redis', url, '--model', model, '--json').stdout,
    ) as FarmStatus;
    const submitted = before.shots.filter((s) => shots.some((x) => x.id === s.shotId));
    assert.deepEqual(
      submitted.map((s) => s.state),
      ['waiting', 'waiting', 'waiting', 'waiting'],
    );
    assert.equal(before.exportJob?.state, 'waiting-children');
    const hashes = submitted.map((s) => s.hash);

    const queue = await FarmQueue.open(url);
    try {
      assert.deepEqual(await queue.counts().then((c) => [c.waiting, c['waiting-children']]), [4, 1]);

      const a = startWorker('A');
      const b = startWorker('B');
      const c = startWorker('C', { REMASTER_FARM_FAIL_FIRST: '1' });
      // A is killed once it is inside a shot: a frame done, not the last.
      const taken = await waitFor('worker A to be mid-shot', 240_000, () => {
        const m = [...a.err.matchAll(/^([0-9a-f]{12}) frame (\d+)\/(\d+)/gm)].find((x) => +x[2] > 0 && +x[2] < +x[3]);
        return m?.[1];
      });
      a.child.kill('SIGKILL');
      assert.equal(await a.exited, null);
      // Its render-shot child (which reads farm-manifest-<pid>.json.partial) goes with it: nothing renders on.
      await waitFor("the killed worker's render-shot to end", 20_000, () =>
        spawnSync('pgrep', ['-f', `farm-manifest-${a.child.pid}.json`]).status === 1 ? true : null,
      );

      // A network cut: B or C stopped (SIGSTOP) mid-shot past its lock; the job goes to the other, and the one
      // cut off, continued, finds its lock gone and drops its copy of the render.
      const from = new Map([b, c].map((w) => [w, w.err.length]));
      const [cut, cutHash] = await waitFor('worker B or C to be mid-shot', 240_000, () => {
        for (const w of [b, c]) {
          const m = [...w.err.slice(from.get(w)).matchAll(/^([0-9a-f]{12}) frame (\d+)\/(\d+)/gm)].find(
            (x) => +x[2] > 0 && +x[2] < +x[3],
          );
          if (m) return [w, m[1]] as const;
        }
        return null;
      });
      cut.child.kill('SIGSTOP');
      // Past the lock and the next stalled-job check (every half lock): the job is back in the queue by then.
      await new Promise((r) => setTimeout(r, (LOCK_SECONDS * 1.6 + 1) * 1000));
      cut.child.kill('SIGCONT');

      const exp = await waitFor('the export job to finish', 420_000, async () => {
        const j = await queue.get(exportId);
        return j && ['completed', 'failed'].includes(j.state) ? j : null;
      });
      assert.equal(exp.state, 'completed', `${exp.failedReason}\nB: ${b.out}\nC: ${c.out}`);
      assert.deepEqual(exp.returnValue, {
        shots: 4,
        frames: 14,
        node: (exp.returnValue as { node: string }).node,
      });

      // The one cut off says so once it runs again: at once, or when its render (a child it does not stop) ends.
      await waitFor(`the cut-off worker to drop ${cutHash}`, 60_000, () =>
        new RegExp(`^lost ${cutHash}: its lock expired`, 'm').test(cut.out),
      );
      // Exactly once: each render completed by one worker, the killed one's shot by another; the export once.
      const done = [...doneLines(a), ...doneLines(b), ...doneLines(c)];
      assert.deepEqual(
        [...done].sort(),
        hashes.map((h) => h.slice(0, 12)).sort(),
        `A: ${a.out}\nB: ${b.out}\nC: ${c.out}`,
      );
      assert.ok(!doneLines(a).includes(taken), 'the killed worker did not finish its shot');
      assert.ok(doneLines(b).includes(taken) || doneLines(c).includes(taken));
      assert.equal([...(b.out + c.out).matchAll(/^export export-/gm)].length, 1);
      assert.match(c.out, /^failed [0-9a-f]{12}: injected failure/m);
      // …and after it the render was done once, by whichever worker took the job next (the continued one too).
      assert.equal(done.filter((h) => h === cutHash).length, 1);
      const counts = await queue.counts();
      assert.deepEqual(
        [counts.waiting, counts.active, counts.delayed, counts.failed, counts['waiting-children'], counts.completed],
        [0, 0, 0, 0, 0, 5],
      );
      for (const h of hashes) assert.equal((await queue.get(h))?.state, 'completed');
    } finally {
      await queue.close();
    }

    // Workers stop on SIGTERM, cleanly.
    for (const w of workers.slice(1)) {
      w.child.kill('SIGTERM');
      assert.equal(await w.exited, 0, w.err);
    }

    // Status merges the results into the library in one go; a second status merges nothing more.
    const st = remaster('farm', 'status', 'Farm', '--redis', url, '--model', model);
    assert.equal(st.code, 0, st.stderr);
    assert.match(st.stdout, /4 of \d+ shots rendered; 4 merged into the library now/);
    assert.match(st.stdout, /^export\texport-[0-9a-f]{32}\tcompleted$/m);
    assert.match(remaster('farm', 'status', 'Farm', '--model', model).stdout, /; 0 merged into the library now/);
    // The library's rows are the cache's results; `render` finds nothing left to do.
    const lib = openLibrary({ dataDir: data, log, events: new EventHub(), restrictToRoots: false, readOnly: true });
    try {
      const rows = lib.db
        .prepare('SELECT shot_id, manifest_hash, frames, max_cll, max_fall, state, cache_path FROM renders')
        .all() as {
        shot_id: string;
        manifest_hash: string;
        frames: number;
        max_cll: number;
        max_fall: number;
        state: string;
        cache_path: string;
      }[];
      assert.equal(rows.length, 4);
      for (const [i, s] of shots.entries()) {
        const row = rows.find((r) => r.shot_id === s.id)!;
        assert.equal(row.manifest_hash, hashes[i]);
        assert.equal(row.state, 'done');
        assert.equal(row.frames, s.frames);
        const result = JSON.parse(readFileSync(join(row.cache_path, 'result.json'), 'utf8')) as {
          maxCll: number;
          maxFall: number;
          frameCount: number;
        };
        assert.equal(row.max_cll, cta861Value(result.maxCll));
        assert.equal(row.max_fall, cta861Value(result.maxFall));
        assert.ok(row.max_cll > 100 && row.max_fall > 1 && row.max_fall <= row.max_cll, JSON.stringify(row));
        // Nothing half-written left beside the render (a killed worker's pieces were cleared by the next render).
        assert.deepEqual(
          readdirSync(row.cache_path).filter((f) => f.endsWith('.partial')),
          [],
          row.cache_path,
        );
      }
    } finally {
      lib.close();
    }
    const local = remaster('render', 'Farm', '--shots', ids, '--model', model);
    assert.equal(local.code, 0, local.stderr);
    assert.match(local.stdout, /every shot is rendered/);
  },
);

// ---- Open Job Description ----

const Identifier = z
  .string()
  .regex(/^[A-Za-z_][A-Za-z0-9_]*$/)
  .max(64);
const Loose = z.object({}).passthrough();
const JobParameter = z.discriminatedUnion('type', [
  z
    .object({
      name: Identifier,
      type: z.literal('PATH'),
      objectType: z.enum(['FILE', 'DIRECTORY']).optional(),
      dataFlow: z.enum(['NONE', 'IN', 'OUT', 'INOUT']).optional(),
      default: z.string().optional(),
      description: z.string().max(2048).optional(),
      userInterface: Loose.optional(),
    })
    .strict(),
  z
    .object({
      name: Identifier,
      type: z.literal('STRING'),
      default: z.string().optional(),
      allowedValues: z.array(z.string()).min(1).optional(),
      description: z.string().max(2048).optional(),
      userInterface: Loose.optional(),
    })
    .strict(),
  z
    .object({
      name: Identifier,
      type: z.literal('INT'),
      default: z.union([z.number().int(), z.string()]).optional(),
      allowedValues: z
        .array(z.union([z.number().int(), z.string()]))
        .min(1)
        .optional(),
      minValue: z.number().int().optional(),
      maxValue: z.number().int().optional(),
      description: z.string().max(2048).optional(),
      userInterface: Loose.optional(),
    })
    .strict(),
]);
const TaskParameter = z
  .object({
    name: Identifier,
    type: z.enum(['INT', 'FLOAT', 'STRING', 'PATH']),
    range: z.union([
      z
        .array(z.union([z.string(), z.number()]))
        .min(1)
        .max(1024),
      z.string().min(1),
    ]),
  })
  .strict();
const Action = z
  .object({
    command: z.string().min(1),
    args: z.array(z.string()).optional(),
    timeout: z.number().int().min(1).optional(),
  })
  .strict();
const EmbeddedFile = z
  .object({
    name: Identifier,
    type: z.literal('TEXT'),
    data: z.string().min(1),
    runnable: z.boolean().optional(),
    filename: z.string().optional(),
  })
  .strict();
const HostRequirements = z
  .object({
    amounts: z
      .array(
        z
          .object({
            name: z.string().regex(/^amount\.[a-z_][\w.]*$/i),
            min: z.number().min(0).optional(),
            max: z.number().min(0).optional(),
          })
          .strict(),
      )
      .min(1)
      .optional(),
    attributes: z
      .array(
        z
          .object({
            name: z.string().regex(/^attr\.[a-z_][\w.]*$/i),
            anyOf: z.array(z.string().min(1)).min(1).optional(),
            allOf: z.array(z.string().min(1)).min(1).optional(),
          })
          .strict(),
      )
      .min(1)
      .optional(),
  })
  .strict()
  .refine((h) => h.amounts || h.attributes, 'hostRequirements needs amounts or attributes');
const Step = z
  .object({
    name: z.string().min(1).max(64),
    description: z.string().max(2048).optional(),
    dependencies: z
      .array(z.object({ dependsOn: z.string().min(1) }).strict())
      .min(1)
      .optional(),
    parameterSpace: z
      .object({ taskParameterDefinitions: z.array(TaskParameter).min(1).max(16), combination: z.string().optional() })
      .strict()
      .optional(),
    hostRequirements: HostRequirements.optional(),
    script: z
      .object({
        actions: z.object({ onRun: Action, onCancel: Action.optional() }).strict(),
        embeddedFiles: z.array(EmbeddedFile).min(1).optional(),
      })
      .strict(),
  })
  .strict();
/** The subset of jobtemplate-2023-09 that Remaster writes, with the references between its parts checked. */
const JobTemplate = z
  .object({
    specificationVersion: z.literal('jobtemplate-2023-09'),
    name: z.string().min(1).max(128),
    description: z.string().max(2048).optional(),
    parameterDefinitions: z.array(JobParameter).min(1).max(50).optional(),
    steps: z.array(Step).min(1),
  })
  .strict()
  .superRefine((t, ctx) => {
    const params = new Set((t.parameterDefinitions ?? []).map((p) => p.name));
    const seen = new Set<string>();
    for (const s of t.steps) {
      for (const d of s.dependencies ?? [])
        if (!seen.has(d.dependsOn))
          ctx.addIssue({ code: 'custom', message: `${s.name} depends on unknown step ${d.dependsOn}` });
      if (seen.has(s.name)) ctx.addIssue({ code: 'custom', message: `two steps named ${s.name}` });
      seen.add(s.name);
      const taskParams = new Set(s.parameterSpace?.taskParameterDefinitions.map((p) => p.name));
      const files = new Set(s.script.embeddedFiles?.map((f) => f.name));
      const text = JSON.stringify(s.script.actions);
      for (const [, kind, name] of text.matchAll(
        /\{\{\s*(Param|Task\.Param|Task\.File|RawParam|Task\.RawParam)\.(\w+)\s*\}\}/g,
      )) {
        const known = kind.endsWith('File') ? files : kind.startsWith('Task') ? taskParams : params;
        if (!known.has(name))
          ctx.addIssue({ code: 'custom', message: `${s.name}: {{${kind}.${name}}} is not defined` });
      }
    }
  });

const fixtures = join(root, 'test', 'fixtures', 'openjd');

test("the OpenJD schema accepts the specification's sample templates and rejects broken ones", () => {
  for (const f of ['ffmpeg.json', 'host-requirements.json', 'stdout-messages.json']) {
    const r = JobTemplate.safeParse(JSON.parse(readFileSync(join(fixtures, f), 'utf8')));
    assert.ok(r.success, `${f}: ${JSON.stringify(r.error?.issues)}`);
  }
  const sample = JSON.parse(readFileSync(join(fixtures, 'ffmpeg.json'), 'utf8')) as {
    steps: { dependencies?: unknown }[];
  };
  const bad = (patch: (t: Record<string, unknown>) => void) => {
    const t = structuredClone(sample) as Record<string, unknown>;
    patch(t);
    return JobTemplate.safeParse(t).success;
  };
  assert.equal(
    bad(() => undefined),
    true,
  );
  assert.equal(
    bad((t) => (t.specificationVersion = 'jobtemplate-2099-01')),
    false,
  );
  assert.equal(
    bad((t) => ((t.steps as { dependencies: unknown }[])[1].dependencies = [{ dependsOn: 'nope' }])),
    false,
  );
  assert.equal(
    bad((t) => (t.steps = [])),
    false,
  );
  assert.equal(
    bad((t) => ((t.parameterDefinitions as { name: string }[])[0].name = 'bad name')),
    false,
  );
  assert.equal(
    bad((t) => ((t.parameterDefinitions as unknown[]).length = 1)),
    false,
  ); // {{Param.FPS}} undefined
});

test(
  'farm export-job writes an OpenJD bundle; its RenderShots task renders like the farm did',
  { skip, timeout: 300_000 },
  async () => {
    const out = join(tmp.dir, 'bundle');
    // One shot left to render: the rest of the first demo shot, cut to 3 frames again.
    const lib = openLibrary({ dataDir: data, log, events: new EventHub(), restrictToRoots: false });
    let shot = '';
    try {
      const rest = lib.api['shots.list']({ projectId })[1];
      lib.api['shots.split']({ shotId: rest.id, frame: rest.firstFrame + 3 });
      shot = rest.id;
    } finally {
      lib.close();
    }
    const r = remaster(
      'farm',
      'export-job',
      'Farm',
      '--format',
      'openjd',
      '--out',
      out,
      '--shots',
      shot,
      '--model',
      BASELINE_X2,
    );
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stdout, /RenderShots with 1 task, then Export/);
    const template = JSON.parse(readFileSync(join(out, 'template.json'), 'utf8')) as z.infer<typeof JobTemplate>;
    const parsed = JobTemplate.safeParse(template);
    assert.ok(parsed.success, JSON.stringify(parsed.error?.issues));
    assert.deepEqual(
      template.steps.map((s) => [s.name, s.dependencies?.[0].dependsOn ?? null]),
      [
        ['RenderShots', null],
        ['Export', 'RenderShots'],
      ],
    );
    const render = template.steps[0];
    assert.deepEqual(render.hostRequirements?.amounts?.[0], { name: 'amount.worker.gpu', min: 1 });
    const [manifest] = render.parameterSpace!.taskParameterDefinitions[0].range as string[];
    assert.ok(existsSync(manifest), manifest);
    // The same tasks for other schedulers: line N is task N's manifest.
    assert.equal(readFileSync(join(out, 'manifests.txt'), 'utf8'), `${manifest}\n`);
    assert.match(manifest, /\/renders\/[0-9a-f]{64}\/manifest\.json$/);

    // The task as an OpenJD runtime runs it: the embedded file with the format strings resolved, its stdout read
    // for openjd_progress / openjd_status lines.
    const file = join(tmp.dir, 'render-task.sh');
    writeFileSync(file, render.script.embeddedFiles![0].data, { mode: 0o755 });
    const wrapper = join(tmp.dir, 'remaster');
    writeFileSync(wrapper, `#!/bin/sh\nexec "${process.execPath}" "${cli}" "$@"\n`, { mode: 0o755 });
    const cache = join(tmp.dir, 'openjd-cache');
    const args = render.script.actions.onRun.args!.map((a) =>
      a
        .replace('{{Task.File.Render}}', file)
        .replace('{{Task.Param.Manifest}}', manifest)
        .replace('{{Param.RenderCache}}', cache)
        .replace('{{Param.Remaster}}', wrapper),
    );
    const task = spawnSync(render.script.actions.onRun.command, args, { encoding: 'utf8', timeout: 240_000 });
    assert.equal(task.status, 0, task.stdout + task.stderr);
    assert.match(task.stdout, /^openjd_status: rendering /m);
    assert.match(task.stdout, /^openjd_progress: \d+$/m);
    assert.match(task.stdout, /^openjd_progress: 100$/m);
    const dirName = manifest.split('/').at(-2)!;
    const result = JSON.parse(readFileSync(join(cache, dirName, 'result.json'), 'utf8')) as { frameCount: number };
    assert.equal(result.frameCount, 3);

    // The same render through the farm's worker code gives the identical result record and segments.
    const sub = remaster('farm', 'submit', 'Farm', '--shots', shot, '--redis', url, '--model', BASELINE_X2);
    assert.equal(sub.code, 0, sub.stderr);
    // Alone on the queue: a worker an earlier test left running (it failed before stopping them) takes no job here.
    for (const o of workers) if (o.child.exitCode === null && o.child.signalCode === null) o.child.kill('SIGKILL');
    const w = startWorker('D');
    await waitFor('worker D to render the shot', 240_000, () => doneLines(w).length === 1 && /^export /m.test(w.out));
    w.child.kill('SIGTERM');
    assert.equal(await w.exited, 0);
    const farmDir = join(data, 'cache', projectId, 'renders', dirName);
    assert.deepEqual(
      JSON.parse(readFileSync(join(farmDir, 'result.json'), 'utf8')),
      JSON.parse(readFileSync(join(cache, dirName, 'result.json'), 'utf8')),
    );
  },
);

test('path mapping: the longest matching prefix, whole folder names only; bad mappings are bad input', () => {
  const maps = ['/Volumes/media=/mnt/media', '/Volumes/media/grade=/srv/grade/'].map(parsePathMapping);
  assert.deepEqual(maps[1], { from: '/Volumes/media/grade', to: '/srv/grade' });
  assert.equal(mapPath('/Volumes/media/a/demo.mp4', maps), '/mnt/media/a/demo.mp4');
  assert.equal(mapPath('/Volumes/media/grade/x.mov', maps), '/srv/grade/x.mov');
  assert.equal(mapPath('/Volumes/media2/x.mov', maps), '/Volumes/media2/x.mov');
  assert.equal(mapPath('/Volumes/media', maps), '/mnt/media');
  for (const bad of ['media=/mnt', '/a', '=/b', '/a=b'])
    assert.throws(() => parsePathMapping(bad), /--map .*expected FROM=TO/);
});
