// Test media made on the spot with the app's own ffmpeg: small (320x180), fast, with known contents.
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { resolveBinaries } from '../../src-main/core/media/ffmpeg';
import type { Logger } from '../../src-main/core/log';

export const bins = resolveBinaries();
export const RATE = '24000/1001';

export function ffmpeg(args: string[]): void {
  execFileSync(bins.ffmpeg, ['-v', 'error', '-nostdin', '-y', ...args], { stdio: ['ignore', 'ignore', 'pipe'] });
}

export function tempDir(prefix = 'remaster-test-'): { dir: string; cleanup(): void } {
  const dir = mkdtempSync(join(tmpdir(), prefix));
  return { dir, cleanup: () => rmSync(dir, { recursive: true, force: true }) };
}

/** A logger that keeps quiet (errors still reach stderr). */
export const quietLog: Logger = {
  debug() {},
  info() {},
  warn() {},
  error(m, d) {
    if (process.env.REMASTER_TEST_VERBOSE) process.stderr.write(`ERROR ${m} ${JSON.stringify(d)}\n`);
  },
  child() {
    return quietLog;
  },
};

/** Fixtures are cached per process run in one folder (building them is the slow part). */
const cacheDir = join(tmpdir(), `remaster-fixtures-${process.pid}`);
process.on('exit', () => rmSync(cacheDir, { recursive: true, force: true }));
function cached(name: string, make: (file: string) => void): string {
  mkdirSync(cacheDir, { recursive: true });
  const f = join(cacheDir, name);
  if (!existsSync(f)) make(f);
  return f;
}

export interface LabelledCut {
  kind: 'cut' | 'dissolve' | 'fade';
  /** First frame of the new shot (for gradual ones: the middle of the transition). */
  frame: number;
  from?: number;
  to?: number;
}

/**
 * 256 frames, 320x180, 24000/1001, H.264 BT.709: six shots of different moving content with hard cuts at 40, 80
 * and 216, a 12-frame dissolve over 120..131, a fade to black and back over 168..187 (one cut), and a one-frame
 * white flash at 200 (not a cut).
 */
export const LABELLED_FRAMES = 256;
export const LABELLED_CUTS: LabelledCut[] = [
  { kind: 'cut', frame: 40 },
  { kind: 'cut', frame: 80 },
  { kind: 'dissolve', frame: 126, from: 120, to: 131 },
  { kind: 'fade', frame: 178, from: 168, to: 187 },
  { kind: 'cut', frame: 216 },
];
export const LABELLED_FLASH = 200;

export function labelledClip(): string {
  return cached('labelled.mp4', (file) => {
    const src = (s: string): string => `${s},format=yuv420p,setsar=1`;
    const r = `s=320x180:r=${RATE}`;
    const t = (a: number, b: number): string => `trim=start_frame=${a}:end_frame=${b},setpts=PTS-STARTPTS`;
    const graph = [
      `${src(`testsrc2=${r}`)},${t(0, 40)}[A]`,
      `${src(`mandelbrot=${r}`)},${t(0, 40)}[B]`,
      `${src(`life=${r}:mold=10:ratio=0.2:seed=7:life_color=#30d040:death_color=#802020`)},${t(0, 52)},split[c1][c2]`,
      `[c1]${t(0, 40)}[C1]`,
      `[c2]${t(40, 52)}[C2]`,
      `${src(`smptehdbars=s=640x360:r=${RATE}`)},crop=320:180:x='min(300,n*3)':y='90+20*sin(n/9)',${t(0, 56)},split[d1][d2]`,
      `[d1]${t(0, 12)}[D1]`,
      `[d2]${t(12, 56)},fade=out:start_frame=36:nb_frames=8[D2]`,
      `[C2][D1]blend=all_expr='A*(1-(N+1)/13)+B*((N+1)/13)'[X]`,
      `${src(`color=c=black:${r}`)},${t(0, 4)}[K]`,
      `${src(`testsrc=${r}`)},${t(0, 36)},fade=in:start_frame=0:nb_frames=8,lutyuv=y=235:u=128:v=128:enable='eq(n,20)'[E]`,
      `${src(`cellauto=${r}:rule=110:seed=3`)},hue=h=200:s=3,${t(0, 40)}[F]`,
      `[A][B][C1][X][D2][K][E][F]concat=n=8:v=1:a=0,format=yuv420p[out]`,
    ].join(';');
    ffmpeg([
      '-filter_complex',
      graph,
      '-map',
      '[out]',
      '-r',
      RATE,
      '-c:v',
      'libx264',
      '-preset',
      'veryfast',
      '-crf',
      '20',
      '-g',
      '48',
      '-pix_fmt',
      'yuv420p',
      '-color_primaries',
      'bt709',
      '-color_trc',
      'bt709',
      '-colorspace',
      'bt709',
      '-color_range',
      'tv',
      '-movflags',
      '+faststart',
      file,
    ]);
  });
}

/**
 * Frame-numbered clip: each frame shows its own number as 8 binary blocks (40 px wide, white = 1) on the top
 * half and the complement on the bottom half. H.264 with a keyframe every 24 frames, so seeks must decode.
 */
export function frameNumberClip(frames = 100): string {
  return cached(`numbered-${frames}.mp4`, (file) => {
    ffmpeg([
      '-f',
      'lavfi',
      '-i',
      `color=c=gray:s=320x180:r=${RATE}`,
      '-vf',
      `geq=lum='if(eq(mod(floor(N/pow(2,floor(X/40))),2),lt(Y,90)),235,16)':cb=128:cr=128,format=yuv420p`,
      '-frames:v',
      String(frames),
      '-c:v',
      'libx264',
      '-preset',
      'veryfast',
      '-crf',
      '18',
      '-g',
      '24',
      '-bf',
      '2',
      '-pix_fmt',
      'yuv420p',
      '-colorspace',
      'bt709',
      '-color_primaries',
      'bt709',
      '-color_trc',
      'bt709',
      '-color_range',
      'tv',
      '-metadata:s:v',
      'timecode=01:00:00:00',
      file,
    ]);
  });
}

/** Reads the number drawn by frameNumberClip from an rgb48le frame of any size. */
export function readFrameNumber(data: Buffer, width: number, height: number): number {
  let n = 0;
  for (let bit = 0; bit < 8; bit++) {
    const x = Math.floor(((bit * 40 + 20) / 320) * width);
    const yTop = Math.floor(height * 0.25);
    const yBot = Math.floor(height * 0.75);
    const top = data.readUInt16LE((yTop * width + x) * 6);
    const bot = data.readUInt16LE((yBot * width + x) * 6);
    if (top > bot) n |= 1 << bit;
  }
  return n;
}

/**
 * A lossless (FFV1) clip whose Y'CbCr code values we choose, so the decoder's matrix and range can be checked
 * against the standard's equations: 8-bit narrow range, 4:4:4, one flat colour, tagged `matrix`.
 */
export function flatYuvClip(
  name: string,
  y: number,
  cb: number,
  cr: number,
  matrix: 'bt709' | 'smpte170m',
  size = '64x64',
): string {
  return cached(`${name}.mkv`, (file) => {
    const [w, h] = size.split('x').map(Number);
    const raw = Buffer.alloc(w * h * 3);
    raw.fill(y, 0, w * h);
    raw.fill(cb, w * h, 2 * w * h);
    raw.fill(cr, 2 * w * h, 3 * w * h);
    const rawFile = file + '.yuv';
    writeFileSync(rawFile, Buffer.concat([raw, raw]));
    ffmpeg([
      '-f',
      'rawvideo',
      '-pix_fmt',
      'yuv444p',
      '-s',
      size,
      '-r',
      '24',
      '-i',
      rawFile,
      '-c:v',
      'ffv1',
      '-colorspace',
      matrix,
      '-color_range',
      'tv',
      '-color_primaries',
      matrix === 'bt709' ? 'bt709' : 'smpte170m',
      '-color_trc',
      'bt709',
      file,
    ]);
  });
}

/** A clip with known properties for probe tests: 25 fps, anamorphic 720x576 SAR 16:15, interlaced tff, stereo. */
export function probeClip(): string {
  return cached('probe.mov', (file) => {
    ffmpeg([
      '-f',
      'lavfi',
      '-i',
      'testsrc=s=720x576:r=25',
      '-f',
      'lavfi',
      '-i',
      'sine=frequency=440:sample_rate=48000',
      '-frames:v',
      '50',
      '-t',
      '2',
      '-vf',
      'setsar=16/15,format=yuv422p10le',
      '-c:v',
      'prores_ks',
      '-profile:v',
      '2',
      '-flags',
      '+ilme+ildct',
      '-top',
      '1',
      '-ac',
      '2',
      '-c:a',
      'pcm_s16le',
      '-metadata:s:v',
      'timecode=10:00:00:00',
      '-color_primaries',
      'bt470bg',
      '-color_trc',
      'bt709',
      '-colorspace',
      'bt470bg',
      '-movflags',
      '+write_colr',
      file,
    ]);
  });
}

/** An HDR10-tagged clip (BT.2020 primaries, PQ transfer, 10-bit ProRes): a source Remaster must not take for SDR. */
export function pqClip(): string {
  return cached('pq.mov', (file) => {
    ffmpeg([
      '-f',
      'lavfi',
      '-i',
      'testsrc=s=320x180:r=24',
      '-frames:v',
      '12',
      '-vf',
      'format=yuv422p10le',
      '-c:v',
      'prores_ks',
      '-profile:v',
      '2',
      '-color_primaries',
      'bt2020',
      '-color_trc',
      'smpte2084',
      '-colorspace',
      'bt2020nc',
      '-movflags',
      '+write_colr',
      file,
    ]);
  });
}

/** Variable frame rate: 30 fps with a second of frames dropped (timestamps keep the gap). */
export function vfrClip(): string {
  return cached('vfr.mp4', (file) => {
    ffmpeg([
      '-f',
      'lavfi',
      '-i',
      'testsrc=s=320x180:r=30',
      '-t',
      '3',
      '-vf',
      "select='not(between(n\\,10\\,40))'",
      '-vsync',
      'vfr',
      '-c:v',
      'libx264',
      '-preset',
      'ultrafast',
      file,
    ]);
  });
}

export interface BadFiles {
  zeroByte: string;
  truncated: string;
  notMedia: string;
  audioOnly: string;
  unsupportedCodec: string;
  absurdSize: string;
}

export function badFiles(dir: string): BadFiles {
  const zeroByte = join(dir, 'empty.mov');
  writeFileSync(zeroByte, '');
  const good = frameNumberClip(48);
  const whole = readFileSync(good);
  // Without faststart the moov box is at the end: cutting the file in half loses it, as a copy interrupted midway would.
  const slow = join(dir, 'slow.mp4');
  ffmpeg(['-i', good, '-c', 'copy', slow]);
  const truncated = join(dir, 'truncated.mp4');
  const slowBytes = readFileSync(slow);
  writeFileSync(truncated, slowBytes.subarray(0, Math.floor(slowBytes.length / 2)));
  rmSync(slow);
  const notMedia = join(dir, 'notes.mov');
  writeFileSync(notMedia, 'These are my shooting notes, not a video.\n'.repeat(200));
  const audioOnly = join(dir, 'music.wav');
  ffmpeg(['-f', 'lavfi', '-i', 'sine=frequency=440:sample_rate=48000', '-t', '1', audioOnly]);
  // An MP4 whose sample entry names a codec nobody knows ('avc1' → 'xv99').
  const unsupportedCodec = join(dir, 'strange-codec.mp4');
  const patched = Buffer.from(whole);
  let at = patched.indexOf('avc1');
  while (at >= 0) {
    patched.write('xv99', at);
    at = patched.indexOf('avc1', at + 4);
  }
  writeFileSync(unsupportedCodec, patched);
  const absurdSize = join(dir, 'sliver.mkv');
  ffmpeg(['-f', 'lavfi', '-i', 'color=c=red:s=8x4:r=24', '-frames:v', '4', '-c:v', 'ffv1', absurdSize]);
  return { zeroByte, truncated, notMedia, audioOnly, unsupportedCodec, absurdSize };
}
