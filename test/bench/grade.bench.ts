// The render's grade on one 1920x1080 frame (network result and baseline -> 16-bit cache codes, then the frame's
// light level), the default grade two ways:
// - in this process after five grades with other settings, as a long session grades many shots: before
//   2026-12-07 V8 deoptimized the loop on settings it had not seen and could leave it about twice as slow;
// - on the grade thread, as a render runs it (shared memory, below normal priority), whose compiled code has
//   seen only this grade: the baseline. Goal: ratio <= 1.3.
// Then the same on this machine's grade threads (a frame's rows shared among one thread per core) against one
// thread: what a render gains where the network leaves the CPU free (a GPU, the analytic model).
import {
  GradeParams,
  gradeFrameToCodes,
  measureFrame,
  prepareGrade,
  type GradeParamsInput,
} from '../../src-main/common/colour';
import { FrameBuffers, type HdrFrame } from '../../src-main/core/inference/tiled';
import { gradeOnThread, setGradeThreads, sharedCodes } from '../../src-main/core/render/grade-thread';
import { renderThreads } from '../../src-main/node/cpu-cores';
import { TEST_GRADE } from '../helpers/render-fixture';
import type { BenchContext } from './run';

const W = 1920,
  H = 1080,
  n = W * H;
const RUNS = 8;
const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[xs.length >> 1];

/** Smooth ramps with a highlight, as an up-converted picture is; the model's result a little off the baseline. */
function frame(pool: FrameBuffers): HdrFrame {
  const f = pool.take(6 * n);
  const up = { width: W, height: H, hdr: f.subarray(0, 3 * n), base: f.subarray(3 * n) };
  for (let y = 0; y < H; y++)
    for (let x = 0; x < W; x++) {
      const i = y * W + x;
      const light = (x - 1500) ** 2 + (y - 300) ** 2 < 80 ** 2 ? 0.35 : 0;
      for (let c = 0; c < 3; c++) {
        const v = Math.min(1, 0.15 + 0.45 * (x / W) + 0.1 * (y / H) + 0.05 * c + light);
        up.base[c * n + i] = v;
        up.hdr[c * n + i] = Math.min(1, v * (1 + 0.02 * Math.sin(x * 0.7 + y * 1.3)) + light * 0.3);
      }
    }
  return up;
}

async function medianMs(runs: number, once: () => unknown): Promise<number> {
  const times: number[] = [];
  for (let i = 0; i < runs + 3; i++) {
    const t0 = performance.now();
    await once();
    if (i >= 3) times.push(performance.now() - t0);
  }
  return median(times);
}

export default async function bench(ctx: BenchContext): Promise<void> {
  const up = frame(new FrameBuffers());
  const codes = sharedCodes(W, H);
  const planes = (a: Float32Array) => ({ r: a.subarray(0, n), g: a.subarray(n, 2 * n), b: a.subarray(2 * n) });
  const inProcess = (grade: GradeParamsInput) => {
    const q = prepareGrade(GradeParams.parse(grade));
    return () => measureFrame(gradeFrameToCodes(planes(up.hdr), planes(up.base), q, W, H, codes), { gamut: false });
  };
  // A graded shot, then four others each with one setting back at its default (an integer again: 0, 1, false).
  const graded: GradeParamsInput = TEST_GRADE;
  const others = [
    graded,
    { ...graded, blackLevel: 0 },
    { ...graded, highlightExpansion: false },
    { ...graded, saturation: 1 },
    { ...graded, modelStrength: 1 },
  ];
  for (const g of others) await medianMs(3, inProcess(g));
  const after = await medianMs(RUNS, inProcess({}));

  const params = GradeParams.parse({});
  await setGradeThreads(1);
  const onThread = await medianMs(RUNS, () => gradeOnThread(up, params, codes));
  ctx.report({
    name: `grade + light level, ${W}x${H}, default grade, on the grade thread (shared memory, below normal priority)`,
    value: onThread,
    unit: 'ms',
  });
  ctx.report({
    name: '  the same in-process, after five grades with other settings',
    value: after,
    unit: 'ms',
    baseline: { name: 'the grade thread', value: onThread, unit: 'ms' },
    ratio: after / onThread,
    note: 'goal <= 1.3: a loop that has seen every setting costs 10-25 % more than one that has seen one grade (2.1x before, when V8 left it deoptimized)',
  });

  const threads = renderThreads();
  const up2 = frame(new FrameBuffers());
  const codes2 = sharedCodes(W, H);
  await setGradeThreads(threads);
  const pooled = await medianMs(RUNS, () => gradeOnThread(up2, params, codes2));
  await setGradeThreads(1);
  const single = await medianMs(RUNS, () => gradeOnThread(up2, params, codes2));
  await setGradeThreads(threads);
  ctx.report({
    name: `  the same on ${threads} grade thread${threads === 1 ? '' : 's'} (a frame's rows shared), nothing else running`,
    value: pooled,
    unit: 'ms',
    baseline: { name: 'one grade thread', value: single, unit: 'ms' },
    ratio: pooled / single,
    note: 'below 1: what a render whose network leaves the CPU free gains per frame',
  });
}
