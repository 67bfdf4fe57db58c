// remaster import PROJECT FILE... [--no-shots] [--no-proxies]: probe, fingerprint, shot detection, proxies.
// Progress on stderr; one line per imported clip on stdout. Exit 2 when any file could not be imported.
import { ServiceError } from '../../common/contract';
import { EventHub } from '../../core/events';
import { openCliLibrary } from '../../core/library/cli';
import { CliError, exitCodeFor, type CliCommand } from '../context';

const importCmd: CliCommand = async (args, ctx) => {
  const flags = new Set(args.filter((a) => a.startsWith('--')));
  const [name, ...files] = args.filter((a) => !a.startsWith('--'));
  for (const f of flags) if (f !== '--no-shots' && f !== '--no-proxies') throw new CliError(`unknown option ${f}`);
  if (!name || files.length === 0) throw new CliError('usage: remaster import PROJECT FILE... [--no-shots] [--no-proxies]');
  const events = new EventHub();
  let lastLine = '';
  let lastAt = 0;
  events.subscribe((ev, payload) => {
    if (ev !== 'job.progress') return;
    const j = payload as { fraction: number; message: string; state: string; etaSeconds: number | null };
    const line = `[${(j.fraction * 100).toFixed(0).padStart(3)}%] ${j.message}${j.etaSeconds ? ` (about ${Math.ceil(j.etaSeconds)} s left)` : ''}`;
    if (line !== lastLine && (Date.now() - lastAt > 500 || j.state !== 'running')) {
      ctx.progress(line);
      lastLine = line;
      lastAt = Date.now();
    }
  });
  let lib;
  try {
    lib = openCliLibrary(ctx.dataDir, events);
  } catch (e) {
    throw new CliError(e instanceof Error ? e.message : String(e), exitCodeFor(e));
  }
  const ac = new AbortController();
  let jobId: string | null = null;
  const onSigint = (): void => {
    if (jobId) lib.cancelJob(jobId);
    ac.abort();
  };
  process.once('SIGINT', onSigint);
  try {
    const project = lib.findProject(name);
    const started = lib.importClips(project.id, files, { detectShots: !flags.has('--no-shots'), proxies: !flags.has('--no-proxies') });
    jobId = started.jobId;
    const result = await started.done;
    for (const c of result.clips) {
      const shots = lib.listShots(project.id).filter((s) => s.clipId === c.id).length;
      process.stdout.write(`imported ${c.path}: ${c.width}x${c.height} ${c.frameRate} fps, ${c.frameCount} frames, ${shots} shot${shots === 1 ? '' : 's'}\n`);
    }
    if (result.failures.length) {
      throw new CliError(result.failures.map((f) => f.message).join('; '), result.failures.every((f) => exitCodeFor(new ServiceError(f.code as ServiceError['code'], '')) === 2) ? 2 : 1);
    }
    return 0;
  } catch (e) {
    if (e instanceof ServiceError) throw new CliError(e.message, e.code === 'cancelled' ? 1 : exitCodeFor(e));
    throw e;
  } finally {
    process.removeListener('SIGINT', onSigint);
    lib.close();
  }
};

export default importCmd;
