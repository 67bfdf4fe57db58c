// `remaster still IN OUT.tif [--scale 2|4] [--strength S] [--white-nits N] [--quality standard|best] [--model FILE]`
import { parseArgs } from 'node:util';
import { createLogger } from '../../core/log';
import { upconvertStill } from '../../core/still';
import { CliError, type CliCommand } from '../context';

const still: CliCommand = async (args, ctx) => {
  let parsed;
  try {
    parsed = parseArgs({
      args,
      allowPositionals: true,
      options: { scale: { type: 'string', default: '2' }, strength: { type: 'string', default: '1' }, 'white-nits': { type: 'string', default: '203' }, quality: { type: 'string', default: 'standard' }, model: { type: 'string' } },
    });
  } catch (e) {
    throw new CliError(e instanceof Error ? e.message : String(e));
  }
  const [input, output, ...rest] = parsed.positionals;
  if (!input || !output || rest.length) throw new CliError('usage: remaster still <in.png|jpg|tif> <out.tif> [--scale 2|4] [--strength S] [--white-nits N] [--quality standard|best] [--model FILE]');
  if (!/\.tiff?$/i.test(output)) throw new CliError(`the output must be a .tif file (16-bit BT.2020 PQ), got ${output}`);
  const scale = Number(parsed.values.scale);
  if (scale !== 2 && scale !== 4) throw new CliError(`--scale must be 2 or 4, got ${parsed.values.scale}`);
  const strength = Number(parsed.values.strength);
  if (!(strength >= 0 && strength <= 1)) throw new CliError(`--strength must be between 0 and 1, got ${parsed.values.strength}`);
  const white = Number(parsed.values['white-nits']);
  if (!(white >= 80 && white <= 400)) throw new CliError(`--white-nits must be between 80 and 400, got ${parsed.values['white-nits']}`);
  const quality = parsed.values.quality;
  if (quality !== 'standard' && quality !== 'best') throw new CliError(`--quality must be standard or best, got ${quality}`);
  const log = createLogger({ quiet: true, level: 'warn' });
  let last = -1;
  const r = await upconvertStill(input, output, {
    scale,
    strength,
    whiteNits: white,
    modelPath: parsed.values.model,
    quality,
    log,
    onProgress: (d, t) => {
      const pct = Math.floor((100 * d) / t);
      if (pct !== last && t > 1) ctx.progress(`${quality === 'best' ? 'model runs' : 'tiles'} ${d}/${t} (${pct}%)`);
      last = pct;
    },
  });
  process.stdout.write(`${output}: ${r.width}x${r.height} BT.2020 PQ 16-bit TIFF (model ${r.model}${quality === 'best' ? ', quality best: 8 orientations' : ''}, ${r.device}, ${(r.ms / 1000).toFixed(1)} s)\n`);
  return 0;
};

export default still;
