// `remaster farm submit|status|export-job`: a project's shots rendered by a render farm. BullMQ on Redis for a
// small studio (`remaster worker` on each render machine), or an Open Job Description bundle for a facility's
// scheduler. Only these commands open the library; the render machines never do.
import type { FarmQueue } from '../../core/farm';
import type { Library } from '../../core/library';
import type { ModelRef } from '../../core/library/renders';
import { CliError, defineCommand, type CliContext } from '../context';
import { shotList } from '../delivery';
import { withLibrary } from '../library';

/** The model the manifests name (a graphics shot's names its variant beside it), and its scale as the inference
 *  worker reports it (as `render` plans). */
async function modelRef(arg: string | undefined): Promise<ModelRef> {
  const [{ InferenceClient }, { forkLauncher }, { defaultModelPath }, { createLogger }, { resolve, basename }] =
    await Promise.all([
      import('../../core/inference/client'),
      import('../../core/inference/launcher'),
      import('../../core/inference/models'),
      import('../../core/log'),
      import('node:path'),
    ]);
  const path = resolve(arg ?? defaultModelPath());
  const inference = new InferenceClient({
    launcher: forkLauncher(),
    modelPath: path,
    log: createLogger({ quiet: true, level: 'error' }),
  });
  let scale: number | undefined;
  try {
    await inference.start();
    scale = inference.status().model?.scale;
  } catch {
    scale = undefined; // the same fallback as the library's planner: the file's name
  } finally {
    await inference.close();
  }
  scale ??= /x4\b|-x4/.test(basename(path)) ? 4 : 2;
  if (scale !== 2 && scale !== 4) throw new CliError(`${path} scales x${scale}: renders need x2 or x4`);
  return { path, scale };
}

async function withQueue<T>(url: string | undefined, run: (q: FarmQueue | null) => Promise<T>): Promise<T> {
  if (!url) return run(null);
  const { FarmQueue } = await import('../../core/farm');
  const q = await FarmQueue.open(url);
  try {
    return await run(q);
  } finally {
    await q.close();
  }
}

const withFarm = <T>(
  ctx: CliContext,
  model: string | undefined,
  url: string | undefined,
  run: (lib: Library, m: ModelRef, q: FarmQueue | null) => Promise<T>,
): Promise<T> =>
  import('../../core/farm')
    .then(({ redisConnection }) => url && redisConnection(url)) // a bad URL is bad input, before the model starts
    .then(() => modelRef(model))
    .then((m) => withQueue(url, (q) => withLibrary(ctx, (lib) => run(lib, m, q))));

const modelOption = {
  type: 'string',
  value: 'FILE',
  help: 'the .onnx model the shots render with (default: the app’s model)',
} as const;

export const submit = defineCommand({
  name: 'farm submit',
  args: ['PROJECT'],
  summary: "queue a project's new or stale shots on a BullMQ render farm: a job per shot, then an export",
  options: {
    redis: { type: 'string', value: 'URL', required: true, help: 'redis://host:6379 (rediss:// for TLS)' },
    shots: { type: 'string', value: 'ID,...', help: 'only these shots (ids from `remaster shots PROJECT --json`)' },
    model: modelOption,
  },
  run: ({ args: [name], options }, ctx) =>
    withFarm(ctx, options.model, options.redis, async (lib, model, q) => {
      const { submitToFarm } = await import('../../core/farm');
      const r = await submitToFarm(lib, q!, { project: name, model, shotIds: shotList(options.shots) });
      const merged = r.merged ? ` (${r.merged} rendered by the farm merged into the library first)` : '';
      if (!r.stale) process.stdout.write(`project "${name}": every shot is rendered${merged}\n`);
      else if (!r.added)
        process.stdout.write(`project "${name}": the ${r.stale} shots are in the farm's queue already${merged}\n`);
      else
        process.stdout.write(
          `project "${name}": ${r.added} shot jobs queued, export job ${r.exportJobId} waits for them${merged}\n`,
        );
      return 0;
    }),
});

export const status = defineCommand({
  name: 'farm status',
  args: ['PROJECT'],
  summary: "each shot's progress on the farm; merges the renders it completed into the library",
  options: {
    redis: { type: 'string', value: 'URL', help: 'the farm’s Redis (without it: merge from the render cache only)' },
    model: modelOption,
    json: { type: 'boolean', help: 'as JSON' },
  },
  run: ({ args: [name], options }, ctx) =>
    withFarm(ctx, options.model, options.redis, async (lib, model, q) => {
      const { farmStatus } = await import('../../core/farm');
      const s = await farmStatus(lib, q, { project: name, model });
      if (options.json) {
        process.stdout.write(JSON.stringify(s, null, 2) + '\n');
        return 0;
      }
      for (const shot of s.shots) {
        const frames = shot.framesDone === null ? '' : ` ${shot.framesDone}/${shot.framesTotal} frames`;
        const who = shot.node ? ` on ${shot.node}` : '';
        const err = shot.error ? `: ${shot.error}` : '';
        process.stdout.write(`${shot.order + 1}\t${shot.label}\t${shot.state}${frames}${who}${err}\n`);
      }
      if (s.exportJob)
        process.stdout.write(
          `export\t${s.exportJob.id}\t${s.exportJob.state}${s.exportJob.failedReason ? `: ${s.exportJob.failedReason}` : ''}\n`,
        );
      const done = s.shots.filter((x) => x.state === 'rendered').length;
      process.stdout.write(
        `${done} of ${s.shots.length} shots rendered; ${s.merged.length} merged into the library now\n`,
      );
      return 0;
    }),
});

export const exportJob = defineCommand({
  name: 'farm export-job',
  args: ['PROJECT'],
  summary: "write the stale shots as an Open Job Description bundle for a facility's scheduler",
  options: {
    format: { type: 'string', value: 'openjd', default: 'openjd', help: 'the bundle format' },
    out: { type: 'string', value: 'DIR', required: true, help: 'the bundle folder (template.json goes there)' },
    master: { type: 'string', value: 'PATH', help: 'the master the Export step writes (a job parameter)' },
    shots: { type: 'string', value: 'ID,...', help: 'only these shots' },
    model: modelOption,
  },
  run: async ({ args: [name], options }, ctx) => {
    if (options.format !== 'openjd') throw new CliError(`--format ${options.format}: only openjd is written`);
    const { resolve } = await import('node:path');
    return withFarm(ctx, options.model, undefined, async (lib, model) => {
      const { writeOpenJdBundle } = await import('../../core/farm');
      const b = writeOpenJdBundle(lib, {
        project: name,
        model,
        out: resolve(options.out),
        shotIds: shotList(options.shots),
        master: options.master ? resolve(options.master) : undefined,
      });
      process.stdout.write(
        `${b.dir}/template.json: OpenJD jobtemplate-2023-09, RenderShots with ${b.manifests.length} task${b.manifests.length === 1 ? '' : 's'}, then Export\n`,
      );
      return 0;
    });
  },
});
