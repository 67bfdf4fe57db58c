// Entry of the GPU kit's bench (`npm run gpu-kit`): runs app-gpu.bench without npm or tsx on a lent machine and
// writes the figures as JSON. Usage: node gpu-bench.cjs OUT.json [--provider webgpu] [--frames N] [--scale-down N]
import { writeFileSync } from 'node:fs';
import { describeGpu, measure, type AppGpuResult } from './app-gpu.bench';

async function main(): Promise<void> {
  const args = process.argv.slice(2);
  const out = args[0];
  if (!out || out.startsWith('--')) throw new Error('usage: gpu-bench.cjs OUT.json [--provider P] [--frames N]');
  const opt = (name: string, def: string) => {
    const i = args.indexOf(`--${name}`);
    return i >= 0 && args[i + 1] ? args[i + 1] : def;
  };
  const results: AppGpuResult[] = [];
  const gpu = describeGpu();
  console.log(`GPU: ${gpu}`);
  await measure(
    {
      provider: opt('provider', 'webgpu'),
      frames: Number(opt('frames', '10')),
      scaleDown: Number(opt('scale-down', '1')),
    },
    (r) => {
      results.push(r);
      writeFileSync(out, JSON.stringify({ date: new Date().toISOString(), gpu, results }, null, 1));
      console.log(
        `${r.model} ${r.input.join('x')} ${r.device}: ${r.fps.toFixed(2)} fps (${r.msPerFrame.toFixed(0)} ms), ` +
          `GPU ${r.idleMiB ?? '-'} -> ${r.peakMiB ?? '-'} MiB, vs CPU max ${r.maxCodesVsCpu.toFixed(2)} codes` +
          (r.providerNote ? ` [${r.providerNote}]` : ''),
      );
    },
  );
}

main().catch((e: unknown) => {
  console.error(e instanceof Error ? e.stack : String(e));
  process.exit(1);
});
