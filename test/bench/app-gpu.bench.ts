// The app's own inference path on a GPU provider: the worker process, the tiler and the scratch hand-over, as a
// render uses them, at HD -> UHD (x2 from 1920x1080, x4 from 960x540), float32 and float16, with the CPU's output
// as the reference for the difference in 10-bit codes and the GPU memory nvidia-smi sees.
// Skipped where no GPU device exists (the dev machines); `npm run gpu-kit` packs it for a lent GPU machine, where
// it runs without npm (test/bench/app-gpu-main.ts). REMASTER_BENCH_PROVIDER picks the provider (default webgpu),
// REMASTER_BENCH_FRAMES the frames timed per model (default 10), REMASTER_BENCH_SCALE_DOWN=N divides the frame
// sides (plumbing checks on the CPU).
import { spawnSync } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { InferenceClient } from '../../src-main/core/inference/client';
import { forkLauncher } from '../../src-main/core/inference/launcher';
import { upconvertFrame } from '../../src-main/core/inference/tiled';
import { createLogger } from '../../src-main/core/log';
import { appRoot } from '../../src-main/core/paths';
import { gpuDevicePresent } from '../../src-main/node/gpu-device';
import type { BenchContext } from './run';

const log = createLogger({ quiet: true, level: 'error' });

/** nvidia-smi's view of the GPU, or null without it. */
function nvidia(query: string): string[] | null {
  const r = spawnSync('nvidia-smi', [`--query-gpu=${query}`, '--format=csv,noheader,nounits'], {
    encoding: 'utf8',
    timeout: 10_000,
  });
  return r.status === 0 ? r.stdout.trim().split('\n')[0].split(', ') : null;
}

/** Peak GPU memory in MiB while `work` runs (sampled every 100 ms), or null without nvidia-smi. */
async function peakMemory<T>(work: () => Promise<T>): Promise<{ value: T; peakMiB: number | null }> {
  let peak: number | null = null;
  let stop = false;
  const poll = (async () => {
    while (!stop) {
      const m = nvidia('memory.used');
      if (m) peak = Math.max(peak ?? 0, Number(m[0]));
      await new Promise((r) => setTimeout(r, 100));
    }
  })();
  try {
    return { value: await work(), peakMiB: peak };
  } finally {
    stop = true;
    await poll;
  }
}

/** A frame with real photographic texture: the golden fixture (a wallpaper crop) mirrored across the frame. */
function photoFrame(w: number, h: number): Float32Array {
  const fx = new Float32Array(
    readFileSync(join(appRoot(), 'models', 'golden', 'fixture-1x3x24x40.f32')).buffer.slice(0),
  );
  const fw = 40;
  const fh = 24;
  const out = new Float32Array(3 * w * h);
  const fold = (v: number, n: number) => {
    const m = v % (2 * n);
    return m < n ? m : 2 * n - 1 - m;
  };
  for (let c = 0; c < 3; c++)
    for (let y = 0; y < h; y++)
      for (let x = 0; x < w; x++) out[(c * h + y) * w + x] = fx[(c * fh + fold(y, fh)) * fw + fold(x, fw)];
  return out;
}

export interface AppGpuResult {
  model: string;
  precision: string;
  device: string;
  providerNote: string | null;
  input: [number, number];
  fps: number;
  msPerFrame: number;
  peakMiB: number | null;
  idleMiB: number | null;
  /** Largest difference from the CPU's float32 output on a 480x270 crop, in 10-bit codes (876 per unit). */
  maxCodesVsCpu: number;
  meanCodesVsCpu: number;
}

export async function measure(
  opts: { provider: string; frames: number; scaleDown: number; models?: string[] },
  onResult: (r: AppGpuResult) => void,
): Promise<void> {
  const dir = join(appRoot(), 'models');
  const models =
    opts.models ??
    readdirSync(dir)
      .filter((f) => /^(srItm|paper)-x[24]\.onnx$/.test(f))
      .sort();
  const crop = { w: Math.max(16, Math.round(480 / opts.scaleDown)), h: Math.max(16, Math.round(270 / opts.scaleDown)) };
  const sample = photoFrame(crop.w, crop.h);
  for (const file of models) {
    const modelPath = join(dir, file);
    const cpu = new InferenceClient({
      launcher: forkLauncher({ REMASTER_PROVIDER: 'cpu', REMASTER_PRECISION: 'fp32' }),
      modelPath,
      log,
    });
    const reference = await upconvertFrame(cpu, sample, crop.w, crop.h);
    await cpu.close();
    for (const precision of ['fp32', 'fp16']) {
      const client = new InferenceClient({
        launcher: forkLauncher({ REMASTER_PROVIDER: opts.provider, REMASTER_PRECISION: precision }),
        modelPath,
        log,
      });
      try {
        await client.start();
        const status = client.status();
        const scale = status.model?.scale ?? 2;
        const w = Math.round(3840 / scale / opts.scaleDown);
        const h = Math.round(2160 / scale / opts.scaleDown);
        const frame = photoFrame(w, h);
        const idle = nvidia('memory.used');
        await upconvertFrame(client, frame, w, h); // warm-up: shader compilation, allocations
        const { value: ms, peakMiB } = await peakMemory(async () => {
          const t0 = performance.now();
          for (let i = 0; i < opts.frames; i++) await upconvertFrame(client, frame, w, h);
          return (performance.now() - t0) / opts.frames;
        });
        const got = await upconvertFrame(client, sample, crop.w, crop.h);
        let max = 0;
        let sum = 0;
        for (let i = 0; i < got.hdr.length; i++) {
          const d = Math.abs(got.hdr[i] - reference.hdr[i]) * 876;
          max = Math.max(max, d);
          sum += d;
        }
        onResult({
          model: file.replace(/\.onnx$/, ''),
          precision: status.model?.precision ?? precision,
          device: status.device,
          providerNote: status.providerNote,
          input: [w, h],
          fps: 1000 / ms,
          msPerFrame: ms,
          peakMiB,
          idleMiB: idle ? Number(idle[0]) : null,
          maxCodesVsCpu: max,
          meanCodesVsCpu: sum / got.hdr.length,
        });
      } finally {
        await client.close();
      }
    }
  }
}

export function describeGpu(): string {
  const n = nvidia('name,driver_version,memory.total');
  return n ? `${n[0]}, driver ${n[1]}, ${n[2]} MiB` : 'no nvidia-smi';
}

export default async function bench(ctx: BenchContext): Promise<void> {
  const provider = process.env.REMASTER_BENCH_PROVIDER ?? 'webgpu';
  if (provider !== 'cpu' && !gpuDevicePresent()) {
    console.log('  skipped: no GPU device here (a lent GPU machine runs it through `npm run gpu-kit`)');
    return;
  }
  await measure(
    {
      provider,
      frames: Number(process.env.REMASTER_BENCH_FRAMES ?? 10),
      scaleDown: Number(process.env.REMASTER_BENCH_SCALE_DOWN ?? 1),
    },
    (r) =>
      ctx.report({
        name: `app ${r.model} ${r.input.join('x')} on ${r.device}`,
        value: r.fps,
        unit: 'frames/s',
        note: `${r.msPerFrame.toFixed(0)} ms/frame, GPU memory ${r.peakMiB ?? '-'} MiB peak, vs CPU max ${r.maxCodesVsCpu.toFixed(2)} / mean ${r.meanCodesVsCpu.toFixed(3)} codes${r.providerNote ? `; ${r.providerNote}` : ''}`,
      }),
  );
}
