// Still images in and out: an SDR picture (PNG, JPEG, TIFF; 8 or 16 bit) as planar float R'G'B', and a
// 16-bit TIFF written from rgb48 codes. Sources are only ever read.
import { spawn } from 'node:child_process';
import { existsSync, statSync } from 'node:fs';
import { basename } from 'node:path';
import { ServiceError } from '../../common/contract';
import { lastLines, run, type Binaries } from './ffmpeg';

export interface SdrImage {
  width: number;
  height: number;
  /** Bits per component of the source (8 or 16, as ffprobe reports it). */
  bitDepth: number;
  /** Planar [R][G][B] float32 in [0,1]: BT.709 R'G'B' as stored. */
  planes: Float32Array;
}

interface ProbeStream {
  codec_type?: string;
  codec_name?: string;
  width?: number;
  height?: number;
  pix_fmt?: string;
  bits_per_raw_sample?: string;
  nb_frames?: string;
}

export async function probeStill(bin: Binaries, file: string): Promise<{ width: number; height: number; codec: string; pixFmt: string; bitDepth: number }> {
  const name = basename(file);
  if (!existsSync(file)) throw new ServiceError('not_found', `${name}: no such file`);
  if (statSync(file).size === 0) throw new ServiceError('bad_input', `${name}: the file is empty`);
  const r = await run(bin.ffprobe, ['-v', 'error', '-select_streams', 'v:0', '-show_entries', 'stream=codec_type,codec_name,width,height,pix_fmt,bits_per_raw_sample', '-of', 'json', file], { maxStdout: 1 << 20 });
  let stream: ProbeStream | undefined;
  try {
    stream = (JSON.parse(r.stdout.toString()) as { streams?: ProbeStream[] }).streams?.[0];
  } catch {
    stream = undefined;
  }
  if (r.code !== 0 || !stream || stream.codec_type !== 'video' || !stream.width || !stream.height) {
    throw new ServiceError('bad_input', `${name}: not a readable image${r.stderr ? ` (${lastLines(r.stderr, 1)})` : ''}`);
  }
  const pixFmt = stream.pix_fmt ?? '';
  const bitDepth = /48|64|16/.test(pixFmt) ? 16 : Number(stream.bits_per_raw_sample) || 8;
  return { width: stream.width, height: stream.height, codec: stream.codec_name ?? '?', pixFmt, bitDepth };
}

/** Reads an SDR image. `maxPixels` guards memory before anything is decoded. */
export async function readSdrImage(bin: Binaries, file: string, opts: { maxPixels: number }): Promise<SdrImage> {
  const info = await probeStill(bin, file);
  const { width, height } = info;
  if (width * height > opts.maxPixels) {
    throw new ServiceError('bad_input', `${basename(file)}: ${width}x${height} is too large (limit ${Math.floor(opts.maxPixels / 1e6)} megapixels for this scale)`);
  }
  // JPEG is full-range BT.601 Y'CbCr by definition; ffmpeg converts it (and RGB formats) to R'G'B' correctly.
  const r = await run(bin.ffmpeg, ['-v', 'error', '-nostdin', '-i', file, '-frames:v', '1', '-f', 'rawvideo', '-pix_fmt', 'rgb48le', '-'], { maxStdout: width * height * 6 + 1 });
  const expected = width * height * 6;
  if (r.code !== 0 || r.stdout.length !== expected) {
    throw new ServiceError('bad_input', `${basename(file)}: could not decode the image${r.stderr ? ` (${lastLines(r.stderr, 1)})` : ''}`);
  }
  const codes = new Uint16Array(r.stdout.buffer, r.stdout.byteOffset, expected / 2);
  const n = width * height;
  const planes = new Float32Array(3 * n);
  for (let i = 0; i < n; i++) {
    planes[i] = codes[3 * i] / 65535;
    planes[n + i] = codes[3 * i + 1] / 65535;
    planes[2 * n + i] = codes[3 * i + 2] / 65535;
  }
  return { width, height, bitDepth: info.bitDepth, planes };
}

/** Writes interleaved rgb48 codes as an uncompressed-then-deflated 16-bit TIFF. */
export function writeTiff16(bin: Binaries, file: string, width: number, height: number, rgb48: Uint16Array): Promise<void> {
  return new Promise((resolve, reject) => {
    const child = spawn(bin.ffmpeg, ['-v', 'error', '-nostdin', '-y', '-f', 'rawvideo', '-pix_fmt', 'rgb48le', '-s', `${width}x${height}`, '-i', '-', '-frames:v', '1', '-c:v', 'tiff', '-compression_algo', 'deflate', '-pix_fmt', 'rgb48le', file], {
      stdio: ['pipe', 'ignore', 'pipe'],
      windowsHide: true,
    });
    let err = '';
    child.stderr.on('data', (b: Buffer) => {
      if (err.length < 16384) err += b.toString();
    });
    child.on('error', (e) => reject(new ServiceError('internal', `Cannot run ffmpeg: ${e.message}`)));
    child.on('close', (code) => {
      if (code === 0) resolve();
      else reject(new ServiceError(/No space left/i.test(err) ? 'io' : 'internal', `Could not write ${basename(file)}: ${lastLines(err, 1)}`));
    });
    child.stdin.on('error', () => undefined); // reported through 'close'
    child.stdin.end(Buffer.from(rgb48.buffer, rgb48.byteOffset, rgb48.byteLength));
  });
}
