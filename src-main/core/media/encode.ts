// Encoding our own pictures to files. The only module that imports fluent-ffmpeg (archived upstream):
// it builds encoder command lines and reports progress; keep it here so it can be replaced in one place.
// Decoding and probing spawn ffmpeg directly (ffmpeg.ts): raw pipes, exact arguments, cancellable.
import { basename } from 'node:path';
import { PassThrough } from 'node:stream';
import ffmpeg from 'fluent-ffmpeg';
import { ServiceError } from '../../common/contract';
import type { Binaries } from './ffmpeg';

/** Pipes one raw frame (`inputOptions` describe it) into ffmpeg and writes `file` with `outputOptions`. */
function encodeRawFrame(
  bin: Binaries,
  file: string,
  frame: Uint16Array,
  inputOptions: string[],
  outputOptions: string[],
): Promise<void> {
  return new Promise((resolve, reject) => {
    const input = new PassThrough();
    ffmpeg()
      .setFfmpegPath(bin.ffmpeg)
      .input(input)
      .inputFormat('rawvideo')
      .inputOptions(inputOptions)
      .outputOptions(outputOptions)
      .output(`file:${file}`) // a literal path, never a protocol URL
      .on('error', (e: Error, _stdout: string | null, stderr: string | null) => {
        const why = (stderr || e.message).trim().split('\n').slice(-1)[0];
        reject(
          new ServiceError(
            /No space left/i.test(stderr ?? '') ? 'io' : 'internal',
            `Could not write ${basename(file)}: ${why}`,
          ),
        );
      })
      .on('end', () => resolve())
      .run();
    input.end(Buffer.from(frame.buffer, frame.byteOffset, frame.byteLength));
  });
}

export interface VideoTags {
  primaries: 'bt709' | 'bt2020';
  transfer: 'bt709' | 'smpte2084';
  matrix: 'bt709' | 'bt2020nc';
}

/**
 * A still picture held for `seconds` as 10-bit 4:4:4 video: FFV1 (lossless) in .mkv, ProRes 4444 XQ in .mov.
 * `yuv444p10le` holds the Y, Cb, Cr planes in narrow range, exactly as they should reach the display.
 */
export function writeStillVideo(
  bin: Binaries,
  file: string,
  width: number,
  height: number,
  yuv444p10le: Uint16Array,
  tags: VideoTags,
  seconds = 5,
): Promise<void> {
  const mov = /\.mov$/i.test(file);
  const frames = Math.max(1, Math.round((seconds * 24000) / 1001));
  // The MOV muxer of ffmpeg 4.x writes the colr atom (primaries, transfer, matrix) only when asked.
  const codec = mov
    ? ['-c:v prores_ks', '-profile:v 4444xq', '-vendor apl0', '-movflags +write_colr']
    : ['-c:v ffv1', '-level 3'];
  return encodeRawFrame(
    bin,
    file,
    yuv444p10le,
    ['-pix_fmt yuv444p10le', `-s ${width}x${height}`, '-framerate 24000/1001'],
    [
      // One frame in, repeated by the loop filter: no need to pipe the same picture again and again.
      `-vf loop=loop=${frames - 1}:size=1:start=0`,
      ...codec,
      '-pix_fmt yuv444p10le',
      `-color_primaries ${tags.primaries}`,
      `-color_trc ${tags.transfer}`,
      `-colorspace ${tags.matrix}`,
      '-color_range tv',
    ],
  );
}
