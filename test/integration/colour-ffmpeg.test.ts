// ffmpeg (4.1, zimg's zscale) as a real peer for the colour core: the same SDR frames converted
// 709 -> 2020 PQ at npl=203 by zscale and by us must agree within one 10-bit code where the definitions
// match. Deliberate differences (see src-main/common/colour/README.md) are not compared:
// resampling kernels (zimg 'bicubic' is Mitchell B=C=1/3, ours is Keys a=-0.5 to match ONNX) and the
// chroma subsampling filter (compared only where chroma is flat).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { createRequire } from 'node:module';
import {
  sdrToHdrPixel,
  rgbPlanesToYcbcr,
  narrow10FromSignal,
  nitsToPq,
  pqToNits,
  bt2111Bars,
  codePatternToPqFrame,
  measureFrame,
  computeScopes,
  ycbcrToRgbPlanes,
} from '../../src-main/common/colour';

const require_ = createRequire(__filename);
const FFMPEG: string = process.env.REMASTER_FFMPEG ?? (require_('@ffmpeg-installer/ffmpeg') as { path: string }).path;

function ffmpeg(args: string[], input?: Buffer): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const p = spawn(FFMPEG, ['-hide_banner', '-v', 'error', ...args], { stdio: ['pipe', 'pipe', 'pipe'] });
    const out: Buffer[] = [],
      err: Buffer[] = [];
    p.stdout.on('data', (d: Buffer) => out.push(d));
    p.stderr.on('data', (d: Buffer) => err.push(d));
    p.on('error', reject);
    p.on('close', (code) =>
      code === 0
        ? resolve(Buffer.concat(out))
        : reject(new Error(`ffmpeg ${args.join(' ')} exited ${code}: ${Buffer.concat(err).toString()}`)),
    );
    p.stdin.on('error', () => undefined); // ffmpeg may close stdin early on failure; the exit code reports it
    p.stdin.end(input ?? Buffer.alloc(0));
  });
}

const u16 = (b: Buffer) => new Uint16Array(b.buffer.slice(b.byteOffset, b.byteOffset + b.byteLength));
const f32 = (b: Buffer) => new Float32Array(b.buffer.slice(b.byteOffset, b.byteOffset + b.byteLength));

const W = 256,
  H = 128;

/** An SDR rgb48le frame: 8x8 flat blocks over a sweep of R'G'B' levels (chroma is flat inside blocks). */
function sweepFrame(): Uint16Array {
  const d = new Uint16Array(W * H * 3);
  const levels = [0, 0.02, 0.06, 0.1, 0.2, 0.3, 0.4, 0.5, 0.6, 0.7, 0.8, 0.9, 0.95, 1];
  let k = 0;
  for (let by = 0; by < H / 8; by++)
    for (let bx = 0; bx < W / 8; bx++, k++) {
      const r = levels[k % 14],
        g = levels[Math.floor(k / 14) % 14],
        b = levels[(k * 5 + 3) % 14];
      for (let y = 0; y < 8; y++)
        for (let x = 0; x < 8; x++) {
          const i = 3 * ((by * 8 + y) * W + bx * 8 + x);
          d[i] = Math.round(r * 65535);
          d[i + 1] = Math.round(g * 65535);
          d[i + 2] = Math.round(b * 65535);
        }
    }
  return d;
}

async function testsrc2Frame(): Promise<Uint16Array> {
  return u16(
    await ffmpeg([
      '-f',
      'lavfi',
      '-i',
      `testsrc2=s=${W}x${H}:d=1`,
      '-frames:v',
      '1',
      '-vf',
      'format=rgb48le',
      '-f',
      'rawvideo',
      '-',
    ]),
  );
}

const ZSCALE = 'zscale=tin=709:pin=709:min=gbr:rin=full:t=smpte2084:p=2020:npl=203';
const rawIn = ['-f', 'rawvideo', '-pix_fmt', 'rgb48le', '-s', `${W}x${H}`, '-i', '-'];

/** Our baseline (no resize) on an rgb48 SDR frame -> planar PQ floats. */
function ours(sdr: Uint16Array): { r: Float32Array; g: Float32Array; b: Float32Array } {
  const n = W * H;
  const o = { r: new Float32Array(n), g: new Float32Array(n), b: new Float32Array(n) };
  for (let i = 0; i < n; i++) {
    const [r, g, b] = sdrToHdrPixel(sdr[3 * i] / 65535, sdr[3 * i + 1] / 65535, sdr[3 * i + 2] / 65535);
    o.r[i] = r;
    o.g[i] = g;
    o.b[i] = b;
  }
  return o;
}

for (const [name, make] of [
  ['sweep', async () => sweepFrame()],
  ['testsrc2', testsrc2Frame],
] as const) {
  test(`zscale 709->2020 PQ (npl=203) to rgb48le agrees within 1 10-bit code: ${name}`, async (t) => {
    const sdr = await make();
    const ff = u16(
      await ffmpeg(
        [...rawIn, '-vf', `${ZSCALE}:m=gbr:r=full,format=rgb48le`, '-f', 'rawvideo', '-'],
        Buffer.from(sdr.buffer),
      ),
    );
    const o = ours(sdr);
    let worst = 0;
    for (let i = 0; i < W * H; i++) {
      const mine = [o.r[i], o.g[i], o.b[i]];
      for (let c = 0; c < 3; c++) worst = Math.max(worst, Math.abs(mine[c] - ff[3 * i + c] / 65535) * 1023);
    }
    t.diagnostic(`worst |Δ| = ${worst.toFixed(4)} 10-bit codes over ${W * H * 3} values`);
    assert.ok(worst <= 1, `worst ${worst}`);
  });
}

test('zscale to gbrpf32le: float agreement (definitions identical, precision only)', async (t) => {
  const sdr = sweepFrame();
  const ff = f32(
    await ffmpeg(
      [...rawIn, '-vf', `${ZSCALE}:m=gbr:r=full,format=gbrpf32le`, '-f', 'rawvideo', '-'],
      Buffer.from(sdr.buffer),
    ),
  );
  const n = W * H;
  const o = ours(sdr);
  // gbrpf32le planes are G, B, R
  let worst = 0,
    worstNits = 0;
  for (let i = 0; i < n; i++) {
    const pairs: [number, number][] = [
      [o.g[i], ff[i]],
      [o.b[i], ff[n + i]],
      [o.r[i], ff[2 * n + i]],
    ];
    for (const [a, b] of pairs) {
      worst = Math.max(worst, Math.abs(a - b) * 1023);
      if (a > nitsToPq(1)) worstNits = Math.max(worstNits, Math.abs(pqToNits(a) / pqToNits(b) - 1));
    }
  }
  t.diagnostic(
    `worst |Δ| = ${worst.toFixed(5)} 10-bit codes; worst relative light above 1 nit ${(worstNits * 100).toFixed(4)}%`,
  );
  assert.ok(worst <= 1);
});

test('zscale to yuv420p10le (BT.2020 NCL, narrow): luma within 1 code everywhere, chroma where flat', async (t) => {
  const sdr = sweepFrame();
  const ff = u16(
    await ffmpeg(
      [...rawIn, '-vf', `${ZSCALE}:m=2020_ncl:r=limited:c=topleft,format=yuv420p10le`, '-f', 'rawvideo', '-'],
      Buffer.from(sdr.buffer),
    ),
  );
  const o = ours(sdr);
  const mine = rgbPlanesToYcbcr(o, W, H, {
    matrix: 'bt2020nc',
    range: 'narrow',
    bits: 10,
    format: '420',
    siting: 'topleft',
  });
  const n = W * H,
    cw = W / 2,
    ch = H / 2;
  let worstY = 0;
  for (let i = 0; i < n; i++) worstY = Math.max(worstY, Math.abs(mine.y[i] - ff[i]));
  // chroma sample (i, j) at luma (2i, 2j): compare where the 4x4 neighbourhood is one flat block
  let worstC = 0,
    compared = 0;
  for (let j = 0; j < ch; j++)
    for (let i = 0; i < cw; i++) {
      const x = 2 * i,
        y = 2 * j;
      if (x % 8 === 0 || y % 8 === 0 || x % 8 === 6 || y % 8 === 6) continue; // edges of 8x8 blocks
      compared++;
      worstC = Math.max(
        worstC,
        Math.abs(mine.cb[j * cw + i] - ff[n + j * cw + i]),
        Math.abs(mine.cr[j * cw + i] - ff[n + cw * ch + j * cw + i]),
      );
    }
  t.diagnostic(`luma worst ${worstY} codes over ${n}; chroma worst ${worstC} codes over ${compared * 2} flat samples`);
  assert.ok(worstY <= 1);
  assert.ok(compared > 1000 && worstC <= 1);
});

test('published anchor through ffmpeg: SDR white -> 203 nits -> 10-bit narrow Y 573', async () => {
  const white = new Uint16Array(W * H * 3).fill(65535);
  const ff = u16(
    await ffmpeg(
      [...rawIn, '-vf', `${ZSCALE}:m=2020_ncl:r=limited,format=yuv444p10le`, '-f', 'rawvideo', '-'],
      Buffer.from(white.buffer),
    ),
  );
  assert.equal(ff[0], 573);
  assert.equal(narrow10FromSignal(sdrToHdrPixel(1, 1, 1)[0]), 573);
  assert.equal(ff[W * H], 512);
});

test("our Y'CbCr encode read back by zscale: BT.2111 bars as yuv444p10le -> rgb48le, then measured", async (t) => {
  const w = 384,
    h = 216;
  const p = bt2111Bars(w, h);
  const n = w * h;
  // R'G'B' signals from the 10-bit codes (inside 0..1: the −7% and 109% patches clip as a full-range frame must)
  const sig = (c: number) => Math.min(1, Math.max(0, (c - 64) / 876));
  const planes = { r: Float32Array.from(p.r, sig), g: Float32Array.from(p.g, sig), b: Float32Array.from(p.b, sig) };
  const y = rgbPlanesToYcbcr(planes, w, h, { matrix: 'bt2020nc', range: 'narrow', bits: 10 });
  const raw = new Uint16Array(3 * n);
  raw.set(y.y, 0);
  raw.set(y.cb, n);
  raw.set(y.cr, 2 * n);
  // zscale outputs planar gbrp16le (G, B, R planes); interleave to rgb48 as the pipeline's frames are
  const gbr = u16(
    await ffmpeg(
      [
        '-f',
        'rawvideo',
        '-pix_fmt',
        'yuv444p10le',
        '-s',
        `${w}x${h}`,
        '-i',
        '-',
        '-vf',
        'zscale=min=2020_ncl:rin=limited:m=gbr:r=full,format=gbrp16le',
        '-f',
        'rawvideo',
        '-',
      ],
      Buffer.from(raw.buffer),
    ),
  );
  const ff = new Uint16Array(3 * n);
  for (let i = 0; i < n; i++) {
    ff[3 * i] = gbr[2 * n + i];
    ff[3 * i + 1] = gbr[i];
    ff[3 * i + 2] = gbr[n + i];
  }
  // In 10-bit narrow-range code units (one code = 65535/876 of the 16-bit full-range frame).
  const CODE = 65535 / 876;
  // ffmpeg decodes our Y'CbCr as our own decoder does (definitions identical: ≤ 1 code, in practice ~0)
  const back = ycbcrToRgbPlanes(y);
  const q16 = (v: number) => Math.round(Math.min(1, Math.max(0, v)) * 65535);
  let worstDecode = 0;
  for (let i = 0; i < n; i++) {
    worstDecode = Math.max(
      worstDecode,
      Math.abs(ff[3 * i] - q16(back.r[i])),
      Math.abs(ff[3 * i + 1] - q16(back.g[i])),
      Math.abs(ff[3 * i + 2] - q16(back.b[i])),
    );
  }
  // and the 10-bit 4:4:4 round trip stays within its quantisation bound: ±½ code on Y', Cb, Cr gives up
  // to ½ + 1.8814·½·876/896 ≈ 1.42 codes on B', plus the 16-bit roundings
  const ours = codePatternToPqFrame(p);
  let worst = 0;
  for (let i = 0; i < 3 * n; i++) worst = Math.max(worst, Math.abs(ff[i] - ours.data[i]) / CODE);
  t.diagnostic(
    `ffmpeg decode vs ours: worst ${(worstDecode / CODE).toFixed(3)} codes; round trip vs the pattern: ${worst.toFixed(3)} codes`,
  );
  assert.ok(worstDecode / CODE <= 1);
  assert.ok(worst <= 1.45);
  const frame = { width: w, height: h, data: ff, layout: 'rgb48' as const };
  const m = measureFrame(frame, { active: { x: 0, y: 0, width: w, height: h } });
  const ref = measureFrame(ours, { active: { x: 0, y: 0, width: w, height: h } });
  assert.ok(Math.abs(m.maxCll - ref.maxCll) / ref.maxCll < 0.01);
  assert.ok(Math.abs(m.fall - ref.fall) / ref.fall < 0.01);
  const s = computeScopes(frame);
  for (const code of [414, 572, 940]) assert.ok(s.histogram.luma[code] > 0, `luma ${code}`);
});
