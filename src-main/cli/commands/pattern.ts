// `remaster pattern bt2111|pq-stair|smpte-sdr OUT.(tif|mkv|mov) [--size 1920x1080]`
import { parseArgs } from 'node:util';
import { PATTERNS, writePattern, type PatternName } from '../../core/patterns';
import { CliError, type CliCommand } from '../context';

const pattern: CliCommand = async (args) => {
  let parsed;
  try {
    parsed = parseArgs({ args, allowPositionals: true, options: { size: { type: 'string', default: '1920x1080' } } });
  } catch (e) {
    throw new CliError(e instanceof Error ? e.message : String(e));
  }
  const [name, file, ...rest] = parsed.positionals;
  if (!name || !file || rest.length) throw new CliError(`usage: remaster pattern ${PATTERNS.join('|')} <out.tif|out.mkv|out.mov> [--size WxH]`);
  if (!(PATTERNS as readonly string[]).includes(name)) throw new CliError(`unknown pattern "${name}": choose ${PATTERNS.join(', ')}`);
  const m = /^(\d+)x(\d+)$/.exec(parsed.values.size);
  if (!m) throw new CliError(`--size must look like 1920x1080, got ${parsed.values.size}`);
  await writePattern(name as PatternName, file, Number(m[1]), Number(m[2]));
  process.stdout.write(`${file}: ${name} ${m[1]}x${m[2]}\n`);
  return 0;
};

export default pattern;
