// Encoding our own pictures to files. The only module that imports fluent-ffmpeg (archived upstream):
// it builds encoder command lines and reports progress; keep it here so it can be replaced in one place.
// Decoding and probing spawn ffmpeg directly (ffmpeg.ts): raw pipes, exact arguments, cancellable.
import { basename } from 'node:path';
import { PassThrough } from 'node:stream';
import ffmpeg from 'fluent-ffmpeg';
import { ServiceError } from '../../common/contract';
import type { Binaries } from './ffmpeg';

/** Writes interleaved rgb48 codes as a deflate-compressed 16-bit TIFF. */
export function writeTiff16(bin: Binaries, file: string, width: number, height: number, rgb48: Uint16Array): Promise<void> {
  return new Promise((resolve, reject) => {
    const input = new PassThrough();
    ffmpeg()
      .setFfmpegPath(bin.ffmpeg)
      .input(input)
      .inputFormat('rawvideo')
      .inputOptions(['-pix_fmt rgb48le', `-s ${width}x${height}`])
      .outputOptions(['-frames:v 1', '-c:v tiff', '-compression_algo deflate', '-pix_fmt rgb48le'])
      .output(file)
      .on('error', (e: Error, _stdout: string | null, stderr: string | null) => {
        const why = (stderr || e.message).trim().split('\n').slice(-1)[0];
        reject(new ServiceError(/No space left/i.test(stderr ?? '') ? 'io' : 'internal', `Could not write ${basename(file)}: ${why}`));
      })
      .on('end', () => resolve())
      .run();
    input.end(Buffer.from(rgb48.buffer, rgb48.byteOffset, rgb48.byteLength));
  });
}
