// `remaster analyze`: what an HDR10 file really contains beside what its metadata declares.
import { defineCommand } from '../context';

export default defineCommand({
  name: 'analyze',
  args: ['FILE'],
  summary: "measure an HDR10 file's light levels and gamut against its declared metadata",
  options: {
    json: { type: 'boolean', help: 'the report as JSON' },
    'per-frame': { type: 'boolean', help: "each frame's light levels too" },
    'assume-pq': { type: 'boolean', help: 'measure a file that is not tagged PQ as if it were' },
  },
  async run({ args: [file], options }, ctx) {
    // Loaded here: `--help` does not need the colour and media code.
    const { analyzeHdrFile, formatReport } = await import('../../core/analyze');
    let lastShown = 0;
    const started = Date.now();
    const report = await analyzeHdrFile(file, {
      assumePq: options['assume-pq'],
      onProgress: (done, total) => {
        // Progress for long files only, a few times a second.
        const now = Date.now();
        if (now - started > 1000 && now - lastShown > 500) {
          lastShown = now;
          const eta = total > done ? (((now - started) / done) * (total - done)) / 1000 : 0;
          ctx.progress(
            `frame ${done}${total ? `/${total} (${Math.floor((100 * done) / total)}%, ${eta.toFixed(0)} s left)` : ''}`,
          );
        }
      },
    });
    if (!options['per-frame']) report.perFrame = [];
    process.stdout.write(options.json ? JSON.stringify(report, null, 2) + '\n' : formatReport(report) + '\n');
    return 0;
  },
});
