// Writes one cache segment: planar 16-bit R'G'B' frames piped into ffmpeg, FFV1 (lossless) in Matroska. Bit-exact
// flags keep the muxer from writing a random segment UID or the encoder's version, so the same frames give
// the same bytes on every run (a resumed render must end byte-identical to an uninterrupted one). The slice
// count is fixed because it shapes the bitstream; slices are also what ffmpeg spreads over threads.
import { spawn } from 'node:child_process';
import { ServiceError } from '../../common/contract';
import type { PqFrame } from '../../common/colour';
import type { Binaries } from '../media';

export const SEGMENT_CODEC_ARGS = [
  '-c:v',
  'ffv1',
  '-level',
  '3',
  '-slices',
  '16',
  '-slicecrc',
  '1',
  '-g',
  '1',
  '-pix_fmt',
  'gbrp16le',
];

export interface SegmentEncoder {
  /** A planar frame (R, G, B planes); resolves when ffmpeg has taken it (pipe backpressure). */
  write(frame: PqFrame): Promise<void>;
  /** Ends the stream and waits for ffmpeg to finish the file. */
  finish(): Promise<void>;
  /** Kills ffmpeg; the file it was writing is left for the caller to remove. */
  abort(): void;
}

export function openSegmentEncoder(
  bin: Binaries,
  file: string,
  size: { width: number; height: number },
  frameRate: string,
): SegmentEncoder {
  const args = [
    '-v',
    'error',
    '-nostdin',
    '-y',
    '-f',
    'rawvideo',
    '-pix_fmt',
    'gbrp16le',
    '-s',
    `${size.width}x${size.height}`,
    '-framerate',
    frameRate,
    '-i',
    'pipe:0',
    ...SEGMENT_CODEC_ARGS,
    '-color_primaries',
    'bt2020',
    '-color_trc',
    'smpte2084',
    '-colorspace',
    'rgb',
    '-color_range',
    'pc',
    '-fflags',
    '+bitexact',
    '-flags',
    '+bitexact',
    '-f',
    'matroska',
    file,
  ];
  const child = spawn(bin.ffmpeg, args, { stdio: ['pipe', 'ignore', 'pipe'], windowsHide: true });
  let stderr = '';
  child.stderr.on('data', (b: Buffer) => {
    if (stderr.length < 16384) stderr += b.toString();
  });
  const exited = new Promise<number | null>((resolve, reject) => {
    child.on('error', (e) => reject(new ServiceError('internal', `Cannot run ${bin.ffmpeg}: ${e.message}`)));
    child.on('close', (code) => resolve(code));
  });
  exited.catch(() => undefined); // reported by write() or finish()
  child.stdin.on('error', () => undefined); // EPIPE when ffmpeg died: its exit status tells why
  const failure = (): ServiceError => {
    const why = stderr.trim().split('\n').slice(-1)[0] || 'ffmpeg exited';
    return new ServiceError(
      /No space left/i.test(stderr) ? 'io' : 'internal',
      `Could not write render segment ${file}: ${why}`,
    );
  };
  return {
    write(frame) {
      if (frame.layout !== 'planar') throw new ServiceError('internal', 'Render segments take planar frames');
      if (child.exitCode !== null || child.killed) return Promise.reject(failure());
      const n = frame.width * frame.height;
      const plane = (c: number) => Buffer.from(frame.data.buffer, frame.data.byteOffset + 2 * c * n, 2 * n);
      return new Promise((resolve, reject) => {
        // gbrp16le's plane order is G, B, R.
        child.stdin.write(plane(1));
        child.stdin.write(plane(2));
        const ok = child.stdin.write(plane(0), (e) => (e ? reject(failure()) : undefined));
        if (ok) resolve();
        else {
          // 'drain' never comes if ffmpeg dies first: its exit settles the wait too.
          child.stdin.once('drain', () => resolve());
          void exited.then(() => reject(failure()), reject);
        }
      });
    },
    async finish() {
      child.stdin.end();
      const code = await exited;
      if (code !== 0) throw failure();
    },
    abort() {
      child.kill('SIGKILL');
    },
  };
}
