// Still images in: an SDR picture (PNG, JPEG, TIFF; 8 or 16 bit) as planar float R'G'B'. Sources are only
// ever read. (Writing is in encode.ts.)
import { existsSync, statSync } from 'node:fs';
import { basename } from 'node:path';
import { rgb48ToFloatPlanes } from '../../common/colour';
import { ServiceError } from '../../common/contract';
import { inputArgs, lastLines, run, type Binaries } from './ffmpeg';

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

export async function probeStill(
  bin: Binaries,
  file: string,
): Promise<{ width: number; height: number; codec: string; pixFmt: string; bitDepth: number }> {
  const name = basename(file);
  if (!existsSync(file)) throw new ServiceError('not_found', `${name}: no such file`);
  if (statSync(file).size === 0) throw new ServiceError('bad_input', `${name}: the file is empty`);
  const r = await run(
    bin.ffprobe,
    [
      '-v',
      'error',
      '-select_streams',
      'v:0',
      '-show_entries',
      'stream=codec_type,codec_name,width,height,pix_fmt,bits_per_raw_sample',
      '-of',
      'json',
      ...inputArgs(file),
    ],
    { maxStdout: 1 << 20 },
  );
  let stream: ProbeStream | undefined;
  try {
    stream = (JSON.parse(r.stdout.toString()) as { streams?: ProbeStream[] }).streams?.[0];
  } catch {
    stream = undefined;
  }
  if (r.code !== 0 || !stream || stream.codec_type !== 'video' || !stream.width || !stream.height) {
    throw new ServiceError(
      'bad_input',
      `${name}: not a readable image${r.stderr ? ` (${lastLines(r.stderr, 1)})` : ''}`,
    );
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
    throw new ServiceError(
      'bad_input',
      `${basename(file)}: ${width}x${height} is too large (limit ${Math.floor(opts.maxPixels / 1e6)} megapixels for this scale)`,
    );
  }
  // JPEG is full-range BT.601 Y'CbCr by definition; ffmpeg converts it (and RGB formats) to R'G'B' correctly.
  const r = await run(
    bin.ffmpeg,
    ['-v', 'error', '-nostdin', ...inputArgs(file), '-frames:v', '1', '-f', 'rawvideo', '-pix_fmt', 'rgb48le', '-'],
    { maxStdout: width * height * 6 + 1 },
  );
  const expected = width * height * 6;
  if (r.code !== 0 || r.stdout.length !== expected) {
    throw new ServiceError(
      'bad_input',
      `${basename(file)}: could not decode the image${r.stderr ? ` (${lastLines(r.stderr, 1)})` : ''}`,
    );
  }
  const codes = new Uint16Array(r.stdout.buffer, r.stdout.byteOffset, expected / 2);
  return { width, height, bitDepth: info.bitDepth, planes: rgb48ToFloatPlanes(codes, width, height) };
}
