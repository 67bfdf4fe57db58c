// `remaster analyze`: what an HDR10 file really contains beside what its metadata declares. The measuring is
// core/analyze.ts; the terminal's text of its report lives here with the command.
import type { AnalyzeReport } from '../../core/analyze';
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
    const { analyzeHdrFile } = await import('../../core/analyze');
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

/** The report as the terminal shows it (--json gives the same report as data). */
function formatReport(r: AnalyzeReport): string {
  const s = r.source;
  const pct = (v: number) => (Number.isFinite(v) ? `${(v * 100).toFixed(2)}%` : 'n/a');
  const md = r.declared.mastering;
  const lines = [
    `${s.file}`,
    `  ${s.codec}${s.profile ? ` ${s.profile}` : ''}, ${s.pixFmt}, ${s.width}x${s.height}${s.kind === 'video' ? `, ${s.frameRate} fps, ${r.measured.frames} frames` : ''}`,
    `  tags: primaries ${s.tags.primaries ?? '-'}, transfer ${s.tags.transfer ?? '-'}, matrix ${s.tags.matrix ?? '-'}, range ${s.tags.range ?? '-'}`,
    '',
    `Measured (active picture ${r.measured.activeArea.width}x${r.measured.activeArea.height} at ${r.measured.activeArea.x},${r.measured.activeArea.y}):`,
    `  ${r.measured.bars}`,
    `  MaxCLL   ${String(r.measured.cta.maxCll).padStart(5)} nits  (peak ${r.measured.maxCll.toFixed(1)}, frame ${r.measured.maxCllFrame})`,
    `  MaxFALL  ${String(r.measured.cta.maxFall).padStart(5)} nits  (frame ${r.measured.maxFallFrame}); programme average ${r.measured.averageFall.toFixed(1)} nits`,
    `  outside BT.709 ${pct(r.measured.outsideBt709)} (worst frame ${pct(r.measured.maxOutsideBt709)}), outside P3 ${pct(r.measured.outsideP3)} (worst frame ${pct(r.measured.maxOutsideP3)})`,
    '',
    `Declared (${r.declared.from === 'none' ? 'nothing' : r.declared.from}):`,
    `  MaxCLL   ${r.declared.maxCll ? String(r.declared.maxCll).padStart(5) + ' nits' : '    - (absent)'}`,
    `  MaxFALL  ${r.declared.maxFall ? String(r.declared.maxFall).padStart(5) + ' nits' : '    - (absent)'}`,
    `  mastering display ${md ? `${r.declared.masteringPreset}: peak ${md.maxNits} nits, black ${md.minNits} nits` : '- (absent)'}`,
    '',
    `Verdict: ${r.verdict.verdict.toUpperCase()}`,
    ...r.verdict.findings.map(
      (f) => `  ${f.severity === 'error' ? '✗' : f.severity === 'warning' ? '!' : '✓'} ${f.message}`,
    ),
  ];
  return lines.join('\n');
}
