// Writes one cache segment: planar 16-bit R'G'B' frames piped into ffmpeg, FFVHuff (lossless) in Matroska.
// FFVHuff rather than FFV1: on the demo's graded 720p frames it keeps 68% of the raw size where FFV1 keeps 55%,
// but encodes in a quarter of FFV1's CPU time (53 against 220 ms a frame) and decodes in a sixth (40 against
// 270 ms), and on a machine the network already keeps busy that CPU time is the render's overhead. Plane
// prediction with its fixed tables (`-context 0`): per-frame tables (`-context 1`) made files 5-7 % smaller but
// took twice the CPU (24 graded 2560x1440 frames: 94 against 45 ms a frame) and, to stay deterministic, ran on
// one thread; fixed tables are frame-threaded with the same bytes at any thread count. Bit-exact flags keep the
// muxer from writing a random segment UID or the encoder's version, so the same frames give the same bytes on
// every run (a resumed render must end byte-identical to an uninterrupted one).
import { spawn } from 'node:child_process';
import { ServiceError } from '../../common/contract';
import type { PqFrame } from '../../common/colour';
import { runInBackground, type Binaries } from '../media';
import { renderThreads } from '../../node/cpu-cores';

/** The cache's codec, as the render result records it. */
export const SEGMENT_CODEC = 'ffvhuff';

export const SEGMENT_CODEC_ARGS = [
  '-c:v',
  SEGMENT_CODEC,
  '-pred',
  'plane',
  '-context',
  '0',
  '-non_deterministic',
  '0',
  '-pix_fmt',
  'gbrp16le',
];

export interface SegmentEncoder {
  /** ffmpeg's process id (undefined when it could not start). */
  readonly pid: number | undefined;
  /** A planar frame (R, G, B planes); resolves when all of it is in ffmpeg's pipe (its buffer is free again). */
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
  /** ffmpeg's encoding threads: the same bytes at any count (a render resumed on another machine). */
  threads = renderThreads(),
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
    '-threads',
    String(threads),
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
  runInBackground(child.pid); // below the network's priority: media/ffmpeg.ts
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
    pid: child.pid,
    write(frame) {
      if (frame.layout !== 'planar') throw new ServiceError('internal', 'Render segments take planar frames');
      // After an exit, its words: stderr is only whole once the process has closed (a full disk is told there).
      if (child.exitCode !== null || child.killed) return exited.then(() => Promise.reject(failure()));
      const n = frame.width * frame.height;
      const plane = (c: number) => Buffer.from(frame.data.buffer, frame.data.byteOffset + 2 * c * n, 2 * n);
      return new Promise((resolve, reject) => {
        // gbrp16le's plane order is G, B, R. Resolved once the last plane is in the pipe, not merely queued in
        // Node: the caller then reuses the frame's buffer, and ffmpeg reading it sets the pace (backpressure).
        child.stdin.write(plane(1));
        child.stdin.write(plane(2));
        child.stdin.write(plane(0), (e) => (e ? void exited.then(() => reject(failure()), reject) : resolve()));
        // The callback may never come if ffmpeg dies first: its exit settles the wait too.
        void exited.then(() => reject(failure()), reject);
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
