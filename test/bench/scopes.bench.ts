// Scopes on one 3840x2160 16-bit PQ frame, against ffmpeg's own `waveform` filter on the same frame.
//
// Ours: computeScopes() at its defaults, reusing the previous result's arrays as a worker does: exact
// light levels over every pixel; waveform + parade + histogram from every 3rd pixel of every 3rd row;
// CIE xy, false colour and gamut shares from every 6th (the default sample budgets at UHD). For
// reference also every 2nd (2 M waveform samples) and every pixel (steps 1/1). Median and minimum of
// repeated runs in this process.
//
// ffmpeg: `waveform` (luma, its default column mode) on the same frame as yuv444p12le (BT.2020 NCL Y' of
// our R'G'B'; 12-bit is the deepest the 4.1 filter takes without an inserted scaler), and
// `waveform=display=parade:components=7` on gbrp12le for the RGB parade. Fairness: one ffmpeg process
// reads the raw frame K times (-stream_loop), single-threaded (-threads 1 -filter_threads 1), output to
// the null muxer; the same command with `-vf null` is timed too, and the per-frame filter cost is
// (t_waveform − t_null) / K, which removes process start-up, probing and reading the file. Each is the
// median of R runs. ffmpeg also draws its 4096-row scope image; ours returns counts for the renderer.
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { createRequire } from 'node:module';
import type { BenchContext } from './run';
import { computeScopes, measureFrame, type PqFrame } from '../../src-main/common/colour';

const require_ = createRequire(__filename);
const FFMPEG: string = process.env.REMASTER_FFMPEG ?? (require_('@ffmpeg-installer/ffmpeg') as { path: string }).path;
const W = 3840,
  H = 2160;
const K = 10; // frames per ffmpeg process
const R = 3; // ffmpeg runs per variant

function run(args: string[]): Promise<{ out: Buffer; ms: number }> {
  return new Promise((resolve, reject) => {
    const t0 = performance.now();
    const p = spawn(FFMPEG, ['-hide_banner', '-v', 'error', ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
    const out: Buffer[] = [],
      err: Buffer[] = [];
    p.stdout.on('data', (d: Buffer) => out.push(d));
    p.stderr.on('data', (d: Buffer) => err.push(d));
    p.on('error', reject);
    p.on('close', (c) =>
      c === 0
        ? resolve({ out: Buffer.concat(out), ms: performance.now() - t0 })
        : reject(new Error(`ffmpeg ${args.join(' ')}: ${Buffer.concat(err)}`)),
    );
  });
}

const median = (v: number[]) => {
  const s = [...v].sort((a, b) => a - b);
  return s[s.length >> 1];
};

function timeIt(fn: () => unknown, runs: number): { median: number; min: number } {
  fn();
  fn(); // warm up the JIT and the lookup tables
  const ts: number[] = [];
  for (let i = 0; i < runs; i++) {
    const t0 = performance.now();
    fn();
    ts.push(performance.now() - t0);
  }
  return { median: median(ts), min: Math.min(...ts) };
}

export default async function (ctx: BenchContext): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), 'remaster-scopes-'));
  try {
    // A realistic HDR frame: ffmpeg's testsrc2 (SDR BT.709) mapped to BT.2020 PQ at 203 nits by zscale.
    const { out } = await run([
      '-f',
      'lavfi',
      '-i',
      `testsrc2=s=${W}x${H}:d=1`,
      '-frames:v',
      '1',
      '-vf',
      'format=rgb48le,zscale=tin=709:pin=709:min=gbr:rin=full:t=smpte2084:p=2020:m=gbr:r=full:npl=203,format=rgb48le',
      '-f',
      'rawvideo',
      '-',
    ]);
    const data = new Uint16Array(out.buffer.slice(out.byteOffset, out.byteOffset + out.byteLength));
    // a few highlights above diffuse white so light levels and false colour have work to do
    for (let y = 200; y < 260; y++)
      for (let x = 3000; x < 3200; x++) data.fill(60000, 3 * (y * W + x), 3 * (y * W + x) + 3);
    const frame: PqFrame = { width: W, height: H, data, layout: 'rgb48' };
    const rawPath = join(dir, 'frame.rgb48le');
    writeFileSync(rawPath, data);

    // As a worker runs it: frame after frame, refilling the previous result's arrays.
    const s = computeScopes(frame);
    const ours = timeIt(() => computeScopes(frame, {}, s), 15);
    ctx.report({
      name: 'all scopes, 4K rgb48 (defaults, buffers reused)',
      value: ours.median,
      unit: 'ms median',
      note: `min ${ours.min.toFixed(1)} ms; target < 50 ms; ${s.waveform.samples} waveform samples, ${s.cie.samples} colour samples; MaxCLL ${s.lightLevel.maxCll.toFixed(0)} FALL ${s.lightLevel.fall.toFixed(1)} nits`,
    });
    const fresh = timeIt(() => computeScopes(frame), 9);
    ctx.report({
      name: 'all scopes, fresh arrays each call',
      value: fresh.median,
      unit: 'ms median',
      note: `min ${fresh.min.toFixed(1)} ms`,
    });
    const light = timeIt(() => measureFrame(frame, { gamut: false, active: { x: 0, y: 0, width: W, height: H } }), 9);
    ctx.report({
      name: '  of which exact light levels (every pixel)',
      value: light.median,
      unit: 'ms median',
      note: `min ${light.min.toFixed(1)} ms`,
    });
    const s2 = computeScopes(frame, { waveformStep: 2, colourStep: 4 });
    const half = timeIt(() => computeScopes(frame, { waveformStep: 2, colourStep: 4 }, s2), 9);
    ctx.report({
      name: 'all scopes, steps 2/4 (2.1 M waveform samples)',
      value: half.median,
      unit: 'ms median',
      note: `min ${half.min.toFixed(1)} ms`,
    });
    const full = timeIt(() => computeScopes(frame, { waveformStep: 1, colourStep: 1 }), 3);
    ctx.report({
      name: 'all scopes, every pixel (steps 1/1)',
      value: full.median,
      unit: 'ms median',
      note: `min ${full.min.toFixed(1)} ms`,
    });

    // ffmpeg's waveform on the same frame
    const y12 = join(dir, 'frame.yuv444p12le'),
      g12 = join(dir, 'frame.gbrp12le');
    await run([
      '-f',
      'rawvideo',
      '-pix_fmt',
      'rgb48le',
      '-s',
      `${W}x${H}`,
      '-i',
      rawPath,
      '-vf',
      'zscale=min=gbr:rin=full:m=2020_ncl:r=full,format=yuv444p12le',
      '-f',
      'rawvideo',
      '-y',
      y12,
    ]);
    await run([
      '-f',
      'rawvideo',
      '-pix_fmt',
      'rgb48le',
      '-s',
      `${W}x${H}`,
      '-i',
      rawPath,
      '-vf',
      'format=gbrp12le',
      '-f',
      'rawvideo',
      '-y',
      g12,
    ]);
    const perFrame = async (pixFmt: string, file: string, vf: string) => {
      const args = (f: string) => [
        '-threads',
        '1',
        '-filter_threads',
        '1',
        '-stream_loop',
        String(K - 1),
        '-f',
        'rawvideo',
        '-pix_fmt',
        pixFmt,
        '-s',
        `${W}x${H}`,
        '-i',
        file,
        '-vf',
        f,
        '-f',
        'null',
        '-',
      ];
      const tNull: number[] = [],
        tWave: number[] = [];
      for (let i = 0; i < R; i++) {
        tNull.push((await run(args('null'))).ms);
        tWave.push((await run(args(vf))).ms);
      }
      return Math.max(0, (median(tWave) - median(tNull)) / K);
    };
    const luma = await perFrame('yuv444p12le', y12, 'waveform');
    ctx.report({
      name: 'ffmpeg waveform (luma), per frame',
      value: luma,
      unit: 'ms',
      note: `(t(waveform) − t(null)) / ${K} frames, median of ${R}, 1 thread`,
    });
    const parade = await perFrame('gbrp12le', g12, 'waveform=display=parade:components=7');
    ctx.report({ name: 'ffmpeg waveform parade (R,G,B), per frame', value: parade, unit: 'ms' });
    ctx.report({
      name: 'ours (all scopes) vs ffmpeg luma waveform',
      value: ours.median,
      unit: 'ms',
      baseline: { name: 'ffmpeg waveform', value: luma, unit: 'ms' },
      ratio: ours.median / luma,
      note: `vs ffmpeg luma waveform + RGB parade (${(luma + parade).toFixed(1)} ms): ratio ${(ours.median / (luma + parade)).toFixed(2)}x; load average ${loadavg()[0].toFixed(2)} on ${require_('node:os').cpus().length} cores`,
    });
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
