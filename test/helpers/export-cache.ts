// A tiny synthetic render cache for export tests: lossless FFV1 (gbrp16le) Matroska segments of BT.2020 PQ
// full-range R'G'B', written by the bundled ffmpeg from frames made here, with each frame's light measured by
// measureFrame exactly as the render does.
import { execFileSync } from 'node:child_process';
import { join } from 'node:path';
import {
  bt2111Bars,
  codePatternToPqFrame,
  fillRect,
  measureFrame,
  solidFrame,
  type PqFrame,
} from '../../src-main/common/colour';
import type { ExportFrameLight } from '../../src-main/core/export';
import { bins } from './media-fixtures';

export const W = 384,
  H = 216;

export interface CacheSegment {
  file: string;
  frames: number;
  light: ExportFrameLight[];
  pictures: PqFrame[];
}

function lightOf(f: PqFrame): ExportFrameLight {
  const m = measureFrame(f, { gamut: false });
  return { maxCll: m.maxCll, frameAverage: m.fall };
}

/** Writes rgb48 frames as one FFV1 segment and returns the frames' light. */
export function writeSegment(file: string, frames: PqFrame[]): CacheSegment {
  const raw = Buffer.concat(frames.map((f) => Buffer.from(f.data.buffer, f.data.byteOffset, f.data.byteLength)));
  execFileSync(
    bins.ffmpeg,
    [
      '-v',
      'error',
      '-nostdin',
      '-y',
      '-f',
      'rawvideo',
      '-pix_fmt',
      'rgb48le',
      '-s',
      `${W}x${H}`,
      '-framerate',
      '24000/1001',
      '-i',
      '-',
      '-c:v',
      'ffv1',
      '-level',
      '3',
      '-pix_fmt',
      'gbrp16le',
      '-color_primaries',
      'bt2020',
      '-color_trc',
      'smpte2084',
      '-colorspace',
      'rgb',
      '-color_range',
      'pc',
      file,
    ],
    { input: raw, stdio: ['pipe', 'ignore', 'pipe'], maxBuffer: 1 << 28 },
  );
  return { file, frames: frames.length, light: frames.map(lightOf), pictures: frames };
}

/** Segment A: BT.2111 PQ bars (100% = 10000 nits) with a 1000-nit white square moving over the left grey panel. */
export function barsSegment(dir: string, frames = 16): CacheSegment {
  const bars = codePatternToPqFrame(bt2111Bars(W, H));
  return writeSegment(
    join(dir, 'segment-0000.mkv'),
    Array.from({ length: frames }, (_, i) => {
      const f: PqFrame = { ...bars, data: bars.data.slice() };
      fillRect(f, 4, 8 + 4 * i, 24, 16, 1000, 1000, 1000);
      return f;
    }),
  );
}

/** The highlight shot's peak: MaxCLL of segment B alone. */
export const HIGHLIGHT_NITS = 1500;

/** Segment B: a 20-nit grey shot with a 1500-nit white square moving across and growing (so MaxFALL has one frame). */
export function highlightSegment(dir: string, frames = 16): CacheSegment {
  return writeSegment(
    join(dir, 'segment-0001.mkv'),
    Array.from({ length: frames }, (_, i) => {
      const f = solidFrame(W, H, 20, 20, 20);
      fillRect(f, 40 + 12 * i, 60, 32 + 2 * i, 32 + 2 * i, HIGHLIGHT_NITS, HIGHLIGHT_NITS, HIGHLIGHT_NITS);
      return f;
    }),
  );
}

/** Full-range R'G'B' noise: it compresses badly (about 64 KB a frame in HEVC at 384x216), so its master outgrows a small disk. */
export function noiseSegment(dir: string, frames = 24): CacheSegment {
  let seed = 12345;
  const rnd = (): number => (seed = (Math.imul(seed, 1664525) + 1013904223) >>> 0) >>> 16;
  return writeSegment(
    join(dir, 'segment-noise.mkv'),
    Array.from({ length: frames }, () => {
      const f = solidFrame(W, H, 0, 0, 0);
      for (let i = 0; i < f.data.length; i++) f.data[i] = rnd();
      return f;
    }),
  );
}

/**
 * A master's light as the test measures it: the bundled ffmpeg decodes it to full-range R'G'B' through its own
 * command line here (zscale with the HDR10 matrix, range and siting), and measureFrame takes each frame.
 */
export function decodedLight(file: string, width: number, height: number): { maxCll: number; maxFall: number } {
  const raw = execFileSync(
    bins.ffmpeg,
    [
      '-v',
      'error',
      '-i',
      file,
      '-vf',
      'zscale=min=2020_ncl:rin=limited:cin=topleft:m=gbr:r=full:d=none,format=gbrp16le',
      '-f',
      'rawvideo',
      '-pix_fmt',
      'rgb48le',
      '-',
    ],
    { maxBuffer: 1 << 30 },
  );
  const bytes = width * height * 6;
  let maxCll = 0,
    maxFall = 0;
  for (let at = 0; at + bytes <= raw.length; at += bytes) {
    const data = new Uint16Array(width * height * 3);
    new Uint8Array(data.buffer).set(raw.subarray(at, at + bytes));
    const m = measureFrame({ width, height, data, layout: 'rgb48' }, { gamut: false });
    maxCll = Math.max(maxCll, m.maxCll);
    maxFall = Math.max(maxFall, m.fall);
  }
  return { maxCll, maxFall };
}
