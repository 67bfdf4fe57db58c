// `remaster import`: probe, fingerprint, shot detection, proxies, as the app's import job does them.
// Progress on stderr; one line per imported clip on stdout. Exit 2 when any file could not be imported.
import { ServiceError, type ErrorCode } from '../../common/contract';
import { EventHub } from '../../core/events';
import { CliError, defineCommand, exitCodeFor } from '../context';
import { withLibrary } from '../library';

export default defineCommand({
  name: 'import',
  args: ['PROJECT', 'FILE...'],
  summary: 'import clips into a project: probe, detect shots, build scrub proxies',
  options: {
    'no-shots': { type: 'boolean', help: 'one shot per clip: skip shot detection' },
    'no-proxies': { type: 'boolean', help: 'skip building the scrub proxies' },
  },
  async run({ args: [name, ...files], options }, ctx) {
    const events = new EventHub();
    let lastLine = '';
    let lastAt = 0;
    events.subscribe((ev, payload) => {
      if (ev !== 'job.progress') return;
      const j = payload as { fraction: number; message: string; state: string; etaSeconds: number | null };
      // Failures and warnings are printed once, below or by main: the last line keeps only the count of clips.
      if (j.state !== 'running' && j.state !== 'done') return;
      const message = j.state === 'done' ? j.message.split(';')[0] : j.message;
      const eta = j.etaSeconds ? ` (about ${Math.ceil(j.etaSeconds)} s left)` : '';
      const line = `[${(j.fraction * 100).toFixed(0).padStart(3)}%] ${message}${eta}`;
      if (line !== lastLine && (Date.now() - lastAt > 500 || j.state === 'done')) {
        ctx.progress(line);
        lastLine = line;
        lastAt = Date.now();
      }
    });
    return withLibrary(
      ctx,
      async (lib) => {
        const project = lib.findProject(name);
        const started = lib.importClips(project.id, files, {
          detectShots: !options['no-shots'],
          proxies: !options['no-proxies'],
        });
        // Ctrl-C cancels the job (its partial work is tidied by the library) and the command fails with 1.
        const onSigint = (): void => {
          lib.api['jobs.cancel']({ jobId: started.jobId });
        };
        process.once('SIGINT', onSigint);
        try {
          const result = await started.done;
          for (const c of result.clips) {
            const shots = lib.api['shots.list']({ projectId: project.id }).filter((s) => s.clipId === c.id).length;
            process.stdout.write(
              `imported ${c.path}: ${c.width}x${c.height} ${c.frameRate} fps, ${c.frameCount} frames, ${shots} shot${shots === 1 ? '' : 's'}\n`,
            );
            for (const why of [c.incomplete, c.colourWarning])
              if (why) process.stderr.write(`remaster import: warning: ${c.path}: ${why}\n`);
          }
          if (result.failures.length) {
            const userFixable = result.failures.every(
              (f) => exitCodeFor(new ServiceError(f.code as ErrorCode, '')) === 2,
            );
            throw new CliError(result.failures.map((f) => f.message).join('; '), userFixable ? 2 : 1);
          }
          return 0;
        } finally {
          process.removeListener('SIGINT', onSigint);
        }
      },
      events,
    );
  },
});
