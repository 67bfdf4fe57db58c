// The only place that knows how to find and start ffmpeg / ffprobe. Everything else goes through MediaService.
// Binaries: REMASTER_FFMPEG / REMASTER_FFPROBE (or the paths given to createMediaService) win over the
// app's resources (packaged) and @ffmpeg-installer / @ffprobe-installer. Decoding and probing spawn them
// directly (rawvideo over pipes); only encoders go through fluent-ffmpeg, in encode.ts.
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import { constants, setPriority } from 'node:os';
import { join } from 'node:path';
import { ServiceError } from '../../common/contract';

export interface Binaries {
  ffmpeg: string;
  ffprobe: string;
}

function fromInstaller(pkg: string): string | null {
  try {
    const p = (require(pkg) as { path: string }).path;
    // Packaged with electron-builder, binaries must live outside app.asar.
    return p.replace('app.asar', 'app.asar.unpacked');
  } catch {
    return null;
  }
}

/** The binaries electron-builder copies into the app's resources (extraResources, see electron-builder.yml). */
function fromResources(name: 'ffmpeg' | 'ffprobe'): string | null {
  const res = (process as { resourcesPath?: string }).resourcesPath;
  if (!res) return null;
  const p = join(res, 'ffmpeg', process.platform === 'win32' ? `${name}.exe` : name);
  return existsSync(p) ? p : null;
}

export function resolveBinaries(override: Partial<Binaries> = {}): Binaries {
  const ffmpeg =
    override.ffmpeg ??
    process.env.REMASTER_FFMPEG ??
    fromResources('ffmpeg') ??
    fromInstaller('@ffmpeg-installer/ffmpeg') ??
    'ffmpeg';
  const ffprobe =
    override.ffprobe ??
    process.env.REMASTER_FFPROBE ??
    fromResources('ffprobe') ??
    fromInstaller('@ffprobe-installer/ffprobe') ??
    'ffprobe';
  return { ffmpeg, ffprobe };
}

/** Extensions ffmpeg's image2 demuxer claims, and then reads a `%` in the path as a frame-number pattern. */
const IMAGE_SEQUENCE_EXT =
  /\.(png|jpe?g|tiff?|dpx|exr|bmp|gif|tga|webp|jp2|j2k|pgm|ppm|pnm|pam|pbm|sgi|ras|sun|xbm|xwd|pcx|pix|im\d+)$/i;

/**
 * The input arguments for one source file, read as exactly that file: the `file:` protocol, so a name that
 * starts with '-' or looks like a URL ('concat:', 'http:') is not an option or a protocol, and for an image
 * whose path holds a '%', the image2 demuxer with `-pattern_type none`, so it is not a numbered sequence.
 * Works for ffmpeg and ffprobe alike.
 */
export function inputArgs(file: string): string[] {
  const literal = file.includes('%') && IMAGE_SEQUENCE_EXT.test(file) ? ['-f', 'image2', '-pattern_type', 'none'] : [];
  return [...literal, '-i', `file:${file}`];
}

/** A folder as part of an image2 output pattern ('%06d.jpg'): a literal '%' must be written '%%'. */
export const escapePattern = (path: string): string => path.replace(/%/g, '%%');

/** Why a binary did not start, in words that say what to do: a spawn error alone names neither. */
export function cannotRun(bin: string, e: NodeJS.ErrnoException): ServiceError {
  const fix = 'or set REMASTER_FFMPEG / REMASTER_FFPROBE to a working ffmpeg';
  if (e.code === 'EACCES' || e.code === 'EPERM')
    return new ServiceError(
      'internal',
      `${bin} is not executable for this user (${e.code}): run \`chmod 755 ${bin}\` (npm ci does, in its postinstall step) ${fix}`,
    );
  if (e.code === 'ENOENT') return new ServiceError('internal', `${bin} not found: reinstall with npm ci ${fix}`);
  return new ServiceError('internal', `Cannot run ${bin}: ${e.message}; ${fix}`);
}

export interface RunResult {
  stdout: Buffer;
  stderr: string;
  code: number | null;
}

/** Runs a binary to completion, collecting stdout (bounded) and stderr. Rejects only when it cannot start. */
export function run(
  bin: string,
  args: string[],
  opts: { signal?: AbortSignal; maxStdout?: number } = {},
): Promise<RunResult> {
  return new Promise((resolve, reject) => {
    let child: ChildProcess;
    try {
      child = spawn(bin, args, { stdio: ['ignore', 'pipe', 'pipe'], windowsHide: true });
    } catch (e) {
      reject(cannotRun(bin, e as Error));
      return;
    }
    const chunks: Buffer[] = [];
    let size = 0;
    const max = opts.maxStdout ?? 1 << 30;
    let err = '';
    const onAbort = (): void => {
      child.kill('SIGKILL');
    };
    opts.signal?.addEventListener('abort', onAbort, { once: true });
    child.stdout!.on('data', (b: Buffer) => {
      size += b.length;
      if (size <= max) chunks.push(b);
      else child.kill('SIGKILL');
    });
    child.stderr!.on('data', (b: Buffer) => {
      if (err.length < 64 * 1024) err += b.toString();
    });
    child.on('error', (e) => {
      opts.signal?.removeEventListener('abort', onAbort);
      reject(cannotRun(bin, e));
    });
    child.on('close', (code) => {
      opts.signal?.removeEventListener('abort', onAbort);
      if (opts.signal?.aborted) {
        reject(new ServiceError('cancelled', 'Cancelled'));
        return;
      }
      resolve({ stdout: Buffer.concat(chunks), stderr: err, code });
    });
  });
}

/**
 * Streams fixed-size raw frames from ffmpeg's stdout to `onFrame`, in order. When `onFrame` returns a promise
 * (a bounded queue that is full), reading pauses until it settles, so ffmpeg waits instead of decoding ahead
 * into memory. Resolves with the number of frames once ffmpeg exits cleanly and every promise has settled.
 */
export function streamFrames(
  bin: string,
  args: string[],
  frameBytes: number,
  onFrame: (frame: Buffer, index: number) => void | Promise<void>,
  opts: { signal?: AbortSignal; what: string; background?: boolean },
): Promise<number> {
  return new Promise((resolve, reject) => {
    if (opts.signal?.aborted) {
      reject(new ServiceError('cancelled', 'Cancelled'));
      return;
    }
    const child = spawn(bin, args, { stdio: ['ignore', 'pipe', 'pipe'], windowsHide: true });
    if (opts.background) runInBackground(child.pid);
    let pending: Buffer[] = [];
    let pendingBytes = 0;
    let index = 0;
    let err = '';
    let failed: unknown = null;
    let waiting: Promise<void> = Promise.resolve();
    const fail = (e: unknown): void => {
      failed ??= e;
      child.kill('SIGKILL');
    };
    const onAbort = (): void => {
      child.kill('SIGKILL');
    };
    opts.signal?.addEventListener('abort', onAbort, { once: true });
    child.stdout.on('data', (b: Buffer) => {
      pending.push(b);
      pendingBytes += b.length;
      if (pendingBytes < frameBytes) return;
      let buf = Buffer.concat(pending);
      let off = 0;
      try {
        while (buf.length - off >= frameBytes) {
          const r = onFrame(buf.subarray(off, off + frameBytes), index++);
          off += frameBytes;
          if (r) {
            child.stdout.pause();
            waiting = Promise.all([waiting, r]).then(
              () => void child.stdout.resume(),
              (e: unknown) => fail(e),
            );
          }
        }
      } catch (e) {
        fail(e);
      }
      buf = buf.subarray(off);
      pending = buf.length ? [Buffer.from(buf)] : [];
      pendingBytes = buf.length;
    });
    child.stderr.on('data', (b: Buffer) => {
      if (err.length < 64 * 1024) err += b.toString();
    });
    child.on('error', (e) => reject(cannotRun(bin, e)));
    child.on('close', (code) => {
      opts.signal?.removeEventListener('abort', onAbort);
      void waiting.then(() => {
        if (opts.signal?.aborted) return reject(new ServiceError('cancelled', 'Cancelled'));
        if (failed) return reject(failed);
        if (code !== 0) return reject(new ServiceError('bad_input', `${opts.what}: ffmpeg failed: ${lastLines(err)}`));
        resolve(index);
      });
    });
  });
}

export function lastLines(stderr: string, n = 2): string {
  const lines = stderr
    .split(/\r?\n/)
    .map((l) => l.trim())
    .filter(Boolean);
  return lines.slice(-n).join(' / ') || 'no message';
}

/**
 * A render's helper processes (its source decode, its cache encoder) run below the network's priority, in the
 * gaps the worker's non-spinning threads leave (README, "A render grades on a thread of its own"); the bounded
 * queues between the stages keep them from falling far behind. Best effort: where the platform refuses, the
 * process stays at normal priority and the render is only slower.
 */
export const BACKGROUND_PRIORITY = constants.priority.PRIORITY_BELOW_NORMAL;

export function runInBackground(pid: number | undefined): void {
  if (pid === undefined) return;
  try {
    setPriority(pid, BACKGROUND_PRIORITY);
  } catch {
    // not permitted here: only slower
  }
}
