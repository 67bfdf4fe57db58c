// `remaster analyze FILE [--json] [--assume-pq]`
import { parseArgs } from 'node:util';
import { analyzeHdrFile, formatReport } from '../../core/analyze';
import { CliError, type CliCommand } from '../context';

const analyze: CliCommand = async (args, ctx) => {
  let parsed;
  try {
    parsed = parseArgs({ args, allowPositionals: true, options: { json: { type: 'boolean', default: false }, 'assume-pq': { type: 'boolean', default: false }, 'per-frame': { type: 'boolean', default: false } } });
  } catch (e) {
    throw new CliError(e instanceof Error ? e.message : String(e));
  }
  const [file, ...rest] = parsed.positionals;
  if (!file || rest.length) throw new CliError('usage: remaster analyze <file> [--json] [--per-frame] [--assume-pq]');
  let lastShown = 0;
  const started = Date.now();
  const report = await analyzeHdrFile(file, {
    assumePq: parsed.values['assume-pq'],
    onProgress: (done, total) => {
      // Progress for long files only, a few times a second.
      const now = Date.now();
      if (now - started > 1000 && now - lastShown > 500) {
        lastShown = now;
        const eta = total > done ? ((now - started) / done) * (total - done) / 1000 : 0;
        ctx.progress(`frame ${done}${total ? `/${total} (${Math.floor((100 * done) / total)}%, ${eta.toFixed(0)} s left)` : ''}`);
      }
    },
  });
  if (!parsed.values['per-frame']) report.perFrame = [];
  process.stdout.write(parsed.values.json ? JSON.stringify(report, null, 2) + '\n' : formatReport(report) + '\n');
  return 0;
};

export default analyze;
