// `remaster pattern`: test patterns with exact code values, to send down a display chain.
import { CliError, defineCommand } from '../context';

export default defineCommand({
  name: 'pattern',
  args: ['PATTERN', 'OUT'],
  summary: 'write a test pattern (bt2111, pq-stair or smpte-sdr) to a .tif, .mkv or .mov file',
  options: { size: { type: 'string', value: 'WxH', default: '1920x1080', help: 'picture size' } },
  async run({ args: [name, file], options }) {
    // Loaded here: `--help` does not need the colour and media code.
    const { PATTERNS, writePattern } = await import('../../core/patterns');
    const pattern = PATTERNS.find((p) => p === name);
    if (!pattern) throw new CliError(`unknown pattern "${name}": choose ${PATTERNS.join(', ')}`);
    const m = /^(\d+)x(\d+)$/.exec(options.size);
    if (!m) throw new CliError(`--size must look like 1920x1080, got ${options.size}`);
    await writePattern(pattern, file, Number(m[1]), Number(m[2]));
    process.stdout.write(`${file}: ${pattern} ${m[1]}x${m[2]}\n`);
    return 0;
  },
});
