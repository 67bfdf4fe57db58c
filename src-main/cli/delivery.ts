// What `render` and `export` share: the library's delivery methods on an inference worker of the command's
// own, job progress on stderr (a bar with fps and ETA on a terminal, plain lines otherwise), Ctrl-C cancels.
import type { Job } from '../common/contract';
import { formatEta } from '../common/eta';
import { EventHub } from '../core/events';
import type { DeliveryService, Library } from '../core/library';
import type { CliContext } from './context';
import { withLibrary } from './library';

const BAR = 24;

/** Prints a job's progress: rewritten in place on a TTY, else a line at most every 2 s and on each state change. */
export function progressPrinter(ctx: CliContext): (job: Job) => void {
  const tty = process.stderr.isTTY === true;
  let last = '';
  let lastAt = 0;
  return (j) => {
    const pct = `${(j.fraction * 100).toFixed(0).padStart(3)}%`;
    const running = j.state === 'running' || j.state === 'queued';
    const eta = running && j.etaSeconds ? `, ${formatEta(j.etaSeconds)}` : '';
    if (tty) {
      const filled = Math.round(j.fraction * BAR);
      const line = `[${'#'.repeat(filled)}${'.'.repeat(BAR - filled)}] ${pct} ${j.message}${eta}`;
      const width = process.stderr.columns ?? 120;
      process.stderr.write(
        `\r${line.slice(0, width - 1).padEnd(Math.min(width - 1, last.length))}${running ? '' : '\n'}`,
      );
      last = line;
      return;
    }
    const line = `[${pct}] ${j.message}${eta}`;
    if (line !== last && (Date.now() - lastAt > 2000 || !running)) {
      ctx.progress(line);
      last = line;
      lastAt = Date.now();
    }
  };
}

/** Opens the library with a worker for `modelPath` (default: the app's model), runs, closes both. */
export async function withDelivery<T>(
  ctx: CliContext,
  modelArg: string | undefined,
  run: (lib: Library, delivery: DeliveryService, watchJob: (jobId: string | null) => void) => Promise<T>,
): Promise<T> {
  const [{ forkLauncher }, { defaultModelPath }, { ModelPool }, { createLogger }, { resolve }] = await Promise.all([
    import('../core/inference/launcher'),
    import('../core/inference/models'),
    import('../core/inference/pool'),
    import('../core/log'),
    import('node:path'),
  ]);
  const modelPath = resolve(modelArg ?? defaultModelPath());
  const events = new EventHub();
  let watched: string | null = null;
  const print = progressPrinter(ctx);
  events.subscribe((ev, payload) => {
    if (ev === 'job.progress' && (payload as Job).id === watched) print(payload as Job);
  });
  // One worker per model file: shots whose content is animation & graphics run the model's graphics variant.
  const models = new ModelPool({
    launcher: forkLauncher(),
    modelPath,
    log: createLogger({ quiet: true, level: 'warn' }),
  });
  try {
    return await withLibrary(
      ctx,
      async (lib) => {
        // Ctrl-C cancels the job; what it finished stays (a render resumes from its segments).
        const onSigint = (): void => {
          if (watched) lib.api['jobs.cancel']({ jobId: watched });
        };
        process.once('SIGINT', onSigint);
        try {
          return await run(lib, lib.delivery({ models }), (id) => (watched = id));
        } finally {
          process.removeListener('SIGINT', onSigint);
        }
      },
      events,
    );
  } finally {
    await models.close();
  }
}

/** `--shots ID,ID`: the shot ids, or undefined for all. */
export function shotList(arg: string | undefined): string[] | undefined {
  if (arg === undefined) return undefined;
  const ids = arg
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean);
  return ids.length ? ids : undefined;
}

/**
 * One warning line per clip of these shots (all when undefined) whose colour tags say it is not SDR BT.709: a
 * render or export of it goes ahead, but the colorist reading the terminal should know its result will be wrong.
 */
export function warnNotSdr(lib: Library, projectId: string, shotIds: string[] | undefined, command: string): void {
  const detail = lib.api['library.getProject']({ projectId });
  const used = new Set(detail.shots.filter((s) => !shotIds || shotIds.includes(s.id)).map((s) => s.clipId));
  for (const c of detail.clips)
    if (used.has(c.id) && c.colourWarning)
      process.stderr.write(`remaster ${command}: warning: ${c.path}: ${c.colourWarning}\n`);
}
