// GPU speed of the network at HD -> UHD (paper configuration and the shipped one), where PyTorch sees a CUDA GPU.
// Runs models/training/remaster_train/bench_cuda.py (PyTorch + cuDNN: onnxruntime-node's CUDA provider could not be installed on
// the GPU machines we measured on) and reports fp16 frames per second with the ratio to fp32 in the same run.
// REMASTER_TORCH_PYTHON picks the interpreter; REMASTER_BENCH_GPU_SMOKE=1 runs the script's tiny CPU mode
// (checks this file's plumbing on machines without a GPU).
import { execFileSync, spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { appRoot } from '../../src-main/core/paths';
import type { BenchContext } from './run';

interface Mode {
  ms_per_frame?: number;
  fps?: number;
  tflop_per_s?: number;
}
interface GpuResult {
  device: string;
  configs: { name: string; input: number[]; output: number[]; modes: Record<string, Mode> }[];
}

function torchWithCuda(): string | null {
  const candidates = [process.env.REMASTER_TORCH_PYTHON, 'python3', '/usr/bin/python3'].filter((p): p is string => !!p);
  for (const py of candidates) {
    const r = spawnSync(py, ['-c', 'import torch; print(torch.cuda.is_available())'], {
      encoding: 'utf8',
      timeout: 60_000,
    });
    if (r.status === 0 && r.stdout.trim() === 'True') return py;
  }
  return null;
}

export default async function bench(ctx: BenchContext): Promise<void> {
  const smoke = process.env.REMASTER_BENCH_GPU_SMOKE === '1';
  const py = smoke ? (process.env.REMASTER_TORCH_PYTHON ?? '/usr/bin/python3') : torchWithCuda();
  if (!py) {
    console.log(
      '  skipped: no CUDA GPU visible to PyTorch (figures from lent GPU machines: models/README.md, "On a GPU")',
    );
    return;
  }
  const dir = mkdtempSync(join(tmpdir(), 'remaster-gpu-bench-'));
  try {
    const out = join(dir, 'gpu.json');
    const args = ['-m', 'remaster_train.bench_cuda', '--out', out, ...(smoke ? ['--smoke'] : ['--compile', '--fused'])];
    execFileSync(py, args, { cwd: join(appRoot(), 'models', 'training'), stdio: ['ignore', 'ignore', 'inherit'] });
    const r = JSON.parse(readFileSync(out, 'utf8')) as GpuResult;
    for (const c of r.configs) {
      const frame = `${c.input.join('x')} -> ${c.output.join('x')}`;
      const fp32 = c.modes.fp32;
      const modes = [
        'fp16_channels_last_cuda_graph',
        'fp16_channels_last_torch_compile',
        'fp16_cudnn_conv_relu_compile',
      ];
      for (const mode of [...modes, ...(smoke ? ['fp32'] : [])]) {
        const m = c.modes[mode];
        if (!m?.fps || !fp32?.fps) continue;
        ctx.report({
          name: `${c.name} ${frame} ${mode.replace(/_/g, ' ')} on ${r.device}`,
          value: m.fps,
          unit: 'frames/s',
          baseline: { name: 'fp32, same run', value: fp32.fps, unit: 'frames/s' },
          ratio: m.fps / fp32.fps,
          note: `${m.ms_per_frame} ms/frame, ${m.tflop_per_s} TFLOP/s`,
        });
      }
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
