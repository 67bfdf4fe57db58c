// `remaster still`: one SDR image up-converted to HDR through the same worker and model as the app.
import { join } from 'node:path';
import { GRADE_PARAMETERS, GradeParams } from '../../common/colour/grade';
import { CliError, defineCommand } from '../context';

export default defineCommand({
  name: 'still',
  args: ['IN', 'OUT.tif'],
  summary: 'up-convert one SDR image (png, jpg, tif) to a 16-bit BT.2020 PQ TIFF',
  options: {
    scale: { type: 'string', value: '2|4', default: '2', help: 'upscale factor' },
    strength: {
      type: 'string',
      value: 'S',
      default: '1',
      help: "the model's share, 0..1; 0 is the analytic BT.2408 mapping exactly",
    },
    'white-nits': { type: 'string', value: 'N', default: '203', help: 'where SDR 100% white lands, 80..400 nits' },
    quality: {
      type: 'string',
      value: 'standard|best',
      default: 'standard',
      help: "best: the model averaged over the picture's 8 orientations, 8x the time",
    },
    content: {
      type: 'string',
      value: GRADE_PARAMETERS.content.values.join('|'),
      default: GRADE_PARAMETERS.content.default,
      help: "graphics: animation and titles, nothing clipped is expanded as a light (the model's graphics variant)",
    },
    model: { type: 'string', value: 'FILE', help: 'another .onnx model that meets models/README.md' },
  },
  async run({ args: [input, output], options }, ctx) {
    if (!/\.tiff?$/i.test(output))
      throw new CliError(`the output must be a .tif file (16-bit BT.2020 PQ), got ${output}`);
    const scale = Number(options.scale);
    if (scale !== 2 && scale !== 4) throw new CliError(`--scale must be 2 or 4, got ${options.scale}`);
    const strength = Number(options.strength);
    if (!(strength >= 0 && strength <= 1))
      throw new CliError(`--strength must be between 0 and 1, got ${options.strength}`);
    const white = Number(options['white-nits']);
    if (!(white >= 80 && white <= 400))
      throw new CliError(`--white-nits must be between 80 and 400, got ${options['white-nits']}`);
    const content = GradeParams.shape.content.safeParse(options.content).data;
    if (!content)
      throw new CliError(`--content must be ${GRADE_PARAMETERS.content.values.join(' or ')}, got ${options.content}`);
    const quality = options.quality;
    if (quality !== 'standard' && quality !== 'best')
      throw new CliError(`--quality must be standard or best, got ${quality}`);
    // Loaded here: `--help` does not need the inference client.
    const [{ upconvertStill }, { createLogger }] = await Promise.all([
      import('../../core/still'),
      import('../../core/log'),
    ]);
    let last = -1;
    const r = await upconvertStill(input, output, {
      scale,
      strength,
      whiteNits: white,
      modelPath: options.model,
      content,
      quality,
      // The log file keeps the worker's own lines; the terminal gets this command's message (main decides).
      log: createLogger({ dir: join(ctx.dataDir, 'logs'), scope: 'cli' }),
      onProgress: (done, total) => {
        const pct = Math.floor((100 * done) / total);
        if (pct !== last && total > 1)
          ctx.progress(`${quality === 'best' ? 'model runs' : 'tiles'} ${done}/${total} (${pct}%)`);
        last = pct;
      },
    });
    const best = quality === 'best' ? ', quality best: 8 orientations' : '';
    process.stdout.write(
      `${output}: ${r.width}x${r.height} BT.2020 PQ 16-bit TIFF (model ${r.model}${best}, ${r.device}, ${(r.ms / 1000).toFixed(1)} s)\n`,
    );
    // Why a faster provider did not run (none found, or one failed at creation or its first run): said once.
    if (r.providerNote) ctx.progress(`note: ${r.providerNote}`);
    if (r.contentNote) ctx.progress(`note: ${r.contentNote}`);
    return 0;
  },
});
