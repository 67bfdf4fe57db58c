// Runs every committed ONNX model in models/ with onnxruntime-node on the small fixture in models/golden and
// compares with the golden outputs exported once from PyTorch / the float64 reference (max |diff| <= 1e-4).
// Also checks the analytic baseline graph against a reference computed here, pixel by pixel.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import * as ort from 'onnxruntime-node';

const root = new URL('../..', import.meta.url).pathname;
const modelsDir = join(root, 'models');
const goldenDir = join(modelsDir, 'golden');

interface F32Ref {
  file: string;
  shape: number[];
  sha256?: string;
}
interface GoldenModel {
  hdr: F32Ref;
  base: F32Ref | { same_as: 'hdr' };
  source?: string;
}
interface Manifest {
  fixture: F32Ref;
  tolerance_max_abs: number;
  models: Record<string, GoldenModel>;
  /** the highlight-gate fixture: [[row0, row1], [col0, col1]) of a white card and a clipped lamp, input pixels */
  whites: {
    fixture: F32Ref;
    card_rows_cols: [[number, number], [number, number]];
    lamp_rows_cols: [[number, number], [number, number]];
    models: Record<string, F32Ref>;
  };
  /** a flat yellow clipped in R' and G' only (paint in a cartoon or a title): [[row0, row1], [col0, col1]) */
  paint: {
    fixture: F32Ref;
    patch_rows_cols: [[number, number], [number, number]];
    models: Record<string, F32Ref>;
  };
}

const manifest: Manifest = JSON.parse(readFileSync(join(goldenDir, 'manifest.json'), 'utf8'));

function readF32(ref: F32Ref): Float32Array {
  const buf = readFileSync(join(goldenDir, ref.file));
  const n = ref.shape.reduce((a, b) => a * b, 1);
  assert.equal(buf.byteLength, n * 4, `${ref.file}: size`);
  const out = new Float32Array(n);
  for (let i = 0; i < n; i++) out[i] = buf.readFloatLE(i * 4);
  return out;
}

function maxAbsDiff(a: Float32Array, b: Float32Array): number {
  assert.equal(a.length, b.length);
  let m = 0;
  for (let i = 0; i < a.length; i++) {
    const d = Math.abs(a[i] - b[i]);
    if (!(d <= m)) m = d; // NaN propagates as failure
  }
  return m;
}

const fixture = readF32(manifest.fixture);
const fixtureTensor = () => new ort.Tensor('float32', fixture.slice(), manifest.fixture.shape);

async function run(file: string, input: ort.Tensor): Promise<Record<string, ort.Tensor>> {
  const session = await ort.InferenceSession.create(join(modelsDir, file), { intraOpNumThreads: 1 });
  try {
    assert.deepEqual([...session.inputNames], ['sdr']);
    assert.deepEqual([...session.outputNames].sort(), ['base', 'hdr']);
    return (await session.run({ sdr: input })) as Record<string, ort.Tensor>;
  } finally {
    await session.release();
  }
}

for (const [file, gold] of Object.entries(manifest.models)) {
  test(`${file}: matches golden outputs within ${manifest.tolerance_max_abs}`, async () => {
    assert.ok(existsSync(join(modelsDir, file)), `${file} is committed`);
    const out = await run(file, fixtureTensor());
    const hdrRef = readF32(gold.hdr);
    assert.deepEqual([...out.hdr.dims], gold.hdr.shape);
    assert.deepEqual([...out.base.dims], gold.hdr.shape);
    const dh = maxAbsDiff(out.hdr.data as Float32Array, hdrRef);
    assert.ok(dh <= manifest.tolerance_max_abs, `hdr max abs diff ${dh}`);
    const baseRef = 'same_as' in gold.base ? hdrRef : readF32(gold.base);
    const db = maxAbsDiff(out.base.data as Float32Array, baseRef);
    assert.ok(db <= manifest.tolerance_max_abs, `base max abs diff ${db}`);
    const [n, c, h, w] = manifest.fixture.shape;
    assert.equal(n * c * h * w, fixture.length);
  });
}

// The float16 variants (GPU providers) against the same golden outputs: the residual may move by a quarter of a
// 10-bit code at most; the baseline stays float32 and must match as tightly as the float32 file.
for (const [file, gold] of Object.entries(manifest.models)) {
  const half = file.replace(/\.onnx$/, '.fp16.onnx');
  if (!existsSync(join(modelsDir, half))) continue;
  test(`${half}: within a quarter 10-bit code of the golden outputs, baseline exact`, async () => {
    const out = await run(half, fixtureTensor());
    const dh = maxAbsDiff(out.hdr.data as Float32Array, readF32(gold.hdr));
    assert.ok(dh * 876 <= 0.25, `hdr max diff ${(dh * 876).toFixed(3)} codes`);
    const baseRef = 'same_as' in gold.base ? readF32(gold.hdr) : readF32(gold.base);
    assert.ok(maxAbsDiff(out.base.data as Float32Array, baseRef) <= manifest.tolerance_max_abs);
  });
}

// The trained models end in the highlight gate and the undershoot limit (models/README.md): a white card below SDR
// clipping stays at the baseline (the network without the gate lifted it by up to 122 codes at x2) with no dark
// halo beside it, a clipped lamp still expands. The float16 variants too (their network differs from PyTorch by up
// to 0.7 code here, at the card's hard edge).
/** Each file of a fixture's goldens, and its float16 twin: within 1e-4 of PyTorch, the twin within one code. */
const withHalf = (models: Record<string, F32Ref>) =>
  Object.entries(models).flatMap(([file, ref]) => [
    { file, ref, tolerance: manifest.tolerance_max_abs },
    { file: file.replace(/\.onnx$/, '.fp16.onnx'), ref, tolerance: 1 / 876 },
  ]);

/** A fixture through a file, checked against its golden: `hdr`, `base`, their size and the output scale. */
async function runChecked(file: string, fx: F32Ref, ref: F32Ref, tolerance: number) {
  const out = await run(file, new ort.Tensor('float32', readF32(fx), fx.shape));
  const hdr = out.hdr.data as Float32Array;
  const d = maxAbsDiff(hdr, readF32(ref));
  assert.ok(d <= tolerance, `differs from PyTorch by ${(d * 876).toFixed(3)} codes`);
  const [, , H, W] = out.hdr.dims as number[];
  return { hdr, base: out.base.data as Float32Array, H, W, s: H / fx.shape[2] };
}

for (const { file, ref, tolerance } of withHalf(manifest.whites.models)) {
  // The graphics variants lift nothing near diffuse white, clipped or not: there the lamp stays too.
  const graphics = file.includes('.graphics.');
  const lampText = graphics ? 'a clipped white stays paint' : 'a clipped lamp expands';
  test(`${file}: a white card stays at diffuse white with no dark halo, ${lampText}`, async () => {
    const { fixture: fx, card_rows_cols: card, lamp_rows_cols: lamp } = manifest.whites;
    const { hdr, base, H, W, s } = await runChecked(file, fx, ref, tolerance);
    // largest and mean lift over the baseline, 10-bit codes, inside an input-pixel box (1 px in from its edge)
    const lift = ([[r0, r1], [c0, c1]]: [[number, number], [number, number]]) => {
      let max = -Infinity;
      let sum = 0;
      let n = 0;
      for (let c = 0; c < 3; c++)
        for (let y = (r0 + 1) * s; y < (r1 - 1) * s; y++)
          for (let x = (c0 + 1) * s; x < (c1 - 1) * s; x++) {
            const i = (c * H + y) * W + x;
            const d = (hdr[i] - base[i]) * 876;
            max = Math.max(max, d);
            sum += d;
            n++;
          }
      return { max, mean: sum / n };
    };
    const onCard = lift(card);
    const onLamp = lift(lamp);
    assert.ok(onCard.max <= 0.1, `white card raised by ${onCard.max.toFixed(2)} codes`);
    if (graphics) assert.ok(onLamp.max <= 0.1, `clipped white raised by ${onLamp.max.toFixed(2)} codes`);
    else assert.ok(onLamp.mean >= 50, `clipped lamp expanded by only ${onLamp.mean.toFixed(1)} codes on average`);

    // No dark halo (undershoot limit): in the grey one or two input pixels beside the card, the result goes no
    // deeper below the grey than the baseline's own bicubic ringing (30 codes here; the files before the limit
    // went 165 / 114 codes below it at x2 / x4). The grey ramps along columns: its level is read far above the
    // card, one input pixel to the left (the darker neighbour).
    const [[r0, r1], [c0, c1]] = card;
    let deepest = -Infinity;
    let deepestBase = -Infinity;
    for (let c = 0; c < 3; c++)
      for (let y = 0; y < H; y++)
        for (let x = 0; x < W; x++) {
          const iy = Math.floor(y / s);
          const ix = Math.floor(x / s);
          const away = Math.max(
            iy < r0 ? r0 - iy : iy >= r1 ? iy - r1 + 1 : 0,
            ix < c0 ? c0 - ix : ix >= c1 ? ix - c1 + 1 : 0,
          );
          if (away < 1 || away > 2 || ix >= c1 + 2) continue; // the ring beside the card, not the lamp's patch
          const grey = base[(c * H + s) * W + Math.max(0, x - s)];
          const i = (c * H + y) * W + x;
          deepest = Math.max(deepest, (grey - hdr[i]) * 876);
          deepestBase = Math.max(deepestBase, (grey - base[i]) * 876);
        }
    assert.ok(
      deepest <= deepestBase + tolerance * 876 + 0.5,
      `a dark halo beside the card: ${deepest.toFixed(1)} codes below the grey, the baseline ${deepestBase.toFixed(1)}`,
    );
  });
}

// The graphics variants (the per-shot Content setting "Animation & graphics") count no clipped input as a
// possible light: a flat yellow clipped in two channels stays at the baseline, where the live-action file lifts it
// (x2 by up to 91 codes at export). Both against their goldens, float32 and float16.
for (const { file, ref, tolerance } of withHalf(manifest.paint.models)) {
  const graphics = file.includes('.graphics.');
  test(`${file}: clipped yellow paint ${graphics ? 'stays at the baseline' : 'may expand as a light'}`, async () => {
    const {
      fixture: fx,
      patch_rows_cols: [[r0, r1], [c0, c1]],
    } = manifest.paint;
    const { hdr, base, H, W, s } = await runChecked(file, fx, ref, tolerance);
    let lift = -Infinity;
    for (let c = 0; c < 3; c++)
      for (let y = (r0 + 1) * s; y < (r1 - 1) * s; y++)
        for (let x = (c0 + 1) * s; x < (c1 - 1) * s; x++) {
          const i = (c * H + y) * W + x;
          lift = Math.max(lift, (hdr[i] - base[i]) * 876);
        }
    if (graphics) assert.ok(lift <= 0.1, `yellow paint raised by ${lift.toFixed(2)} codes`);
    else assert.ok(lift >= 10, `the live-action file no longer treats clipped colour as light (${lift.toFixed(1)})`);
  });
}

// ---- independent reference of the analytic baseline (Keys a = -0.5 half-pixel edge-clamped upscale, clamp,
// BT.1886 2.4, 203 cd/m2, BT.709 -> BT.2020 from the primaries, PQ inverse EOTF)
function keys(x: number, a = -0.5): number {
  x = Math.abs(x);
  if (x <= 1) return (a + 2) * x ** 3 - (a + 3) * x ** 2 + 1;
  if (x < 2) return a * x ** 3 - 5 * a * x ** 2 + 8 * a * x - 4 * a;
  return 0;
}
function rgbToXyz(p: number[][], white: number[]): number[][] {
  const cols = p.map(([x, y]) => [x / y, 1, (1 - x - y) / y]);
  const P = [0, 1, 2].map((r) => cols.map((col) => col[r]));
  const W = [white[0] / white[1], 1, (1 - white[0] - white[1]) / white[1]];
  const S = solve3(P, W);
  return P.map((row) => row.map((v, j) => v * S[j]));
}
function det3(m: number[][]): number {
  return (
    m[0][0] * (m[1][1] * m[2][2] - m[1][2] * m[2][1]) -
    m[0][1] * (m[1][0] * m[2][2] - m[1][2] * m[2][0]) +
    m[0][2] * (m[1][0] * m[2][1] - m[1][1] * m[2][0])
  );
}
function solve3(m: number[][], v: number[]): number[] {
  const d = det3(m);
  return [0, 1, 2].map((k) => det3(m.map((row, i) => row.map((x, j) => (j === k ? v[i] : x)))) / d);
}
function inv3(m: number[][]): number[][] {
  return [0, 1, 2]
    .map((j) =>
      solve3(
        m,
        [0, 1, 2].map((i) => (i === j ? 1 : 0)),
      ),
    )
    .reduce(
      (acc, col, j) => {
        col.forEach((v, i) => (acc[i][j] = v));
        return acc;
      },
      [
        [0, 0, 0],
        [0, 0, 0],
        [0, 0, 0],
      ] as number[][],
    );
}
function mul3(a: number[][], b: number[][]): number[][] {
  return a.map((row) => [0, 1, 2].map((j) => row.reduce((s, v, k) => s + v * b[k][j], 0)));
}
const D65 = [0.3127, 0.329];
const M = mul3(
  inv3(
    rgbToXyz(
      [
        [0.708, 0.292],
        [0.17, 0.797],
        [0.131, 0.046],
      ],
      D65,
    ),
  ),
  rgbToXyz(
    [
      [0.64, 0.33],
      [0.3, 0.6],
      [0.15, 0.06],
    ],
    D65,
  ),
);
function pq(nits: number): number {
  const m1 = 2610 / 16384,
    m2 = (2523 / 4096) * 128,
    c1 = 3424 / 4096,
    c2 = (2413 / 4096) * 32,
    c3 = (2392 / 4096) * 32;
  const ym = (Math.max(nits, 0) / 10000) ** m1;
  return ((c1 + c2 * ym) / (1 + c3 * ym)) ** m2;
}
function baselinePixel(src: Float32Array, h: number, w: number, s: number, oy: number, ox: number): number[] {
  const sy = (oy + 0.5) / s - 0.5,
    sx = (ox + 0.5) / s - 0.5;
  const y0 = Math.floor(sy),
    x0 = Math.floor(sx);
  const lin = [0, 1, 2].map((c) => {
    let v = 0;
    for (let i = -1; i <= 2; i++) {
      const wy = keys(sy - (y0 + i));
      const yy = Math.min(h - 1, Math.max(0, y0 + i));
      for (let j = -1; j <= 2; j++) {
        const xx = Math.min(w - 1, Math.max(0, x0 + j));
        v += wy * keys(sx - (x0 + j)) * src[c * h * w + yy * w + xx];
      }
    }
    return Math.min(1, Math.max(0, v)) ** 2.4 * 203;
  });
  return M.map((row) => pq(row[0] * lin[0] + row[1] * lin[1] + row[2] * lin[2]));
}

test('BT.709 -> BT.2020 matrix computed from the primaries rounds to BT.2087', () => {
  const bt2087 = [
    [0.6274, 0.3293, 0.0433],
    [0.0691, 0.9195, 0.0114],
    [0.0164, 0.088, 0.8956],
  ];
  assert.deepEqual(
    M.map((r) => r.map((v) => Math.round(v * 1e4) / 1e4)),
    bt2087,
  );
  assert.equal(Math.round(64 + 876 * pq(203)), 573);
});

for (const s of [2, 4]) {
  test(`baseline-x${s}.onnx: hdr equals base and matches the reference (within 1 10-bit code)`, async () => {
    const [, , h, w] = manifest.fixture.shape;
    const out = await run(`baseline-x${s}.onnx`, fixtureTensor());
    const hdr = out.hdr.data as Float32Array;
    const base = out.base.data as Float32Array;
    assert.deepEqual([...out.hdr.dims], [1, 3, h * s, w * s]);
    assert.deepEqual(hdr, base);
    const H = h * s,
      W = w * s;
    const pts = [
      [0, 0],
      [H - 1, W - 1],
      [0, W - 1],
      [H - 1, 0],
      [7, 13],
      [H >> 1, W >> 1],
      [H - 2, 5],
      [11, W - 3],
    ];
    for (const [y, x] of pts) {
      const ref = baselinePixel(fixture, h, w, s, y, x);
      for (let c = 0; c < 3; c++) {
        const got = hdr[c * H * W + y * W + x];
        assert.ok(Math.abs(got - ref[c]) * 1023 < 0.05, `(${c},${y},${x}) got ${got} ref ${ref[c]}`);
      }
    }
    // SDR white -> 203 cd/m2 (PQ 0.5807), black -> 0; dynamic sizes
    const white = await run(
      `baseline-x${s}.onnx`,
      new ort.Tensor('float32', new Float32Array(2 * 3 * 5 * 3).fill(1), [2, 3, 5, 3]),
    );
    assert.deepEqual([...white.hdr.dims], [2, 3, 5 * s, 3 * s]);
    for (const v of white.hdr.data as Float32Array) assert.ok(Math.abs(v - pq(203)) < 1e-5);
  });
}
