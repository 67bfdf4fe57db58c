// The only place that knows how to find and start ffmpeg / ffprobe. Everything else goes through MediaService.
// Binaries: REMASTER_FFMPEG / REMASTER_FFPROBE (or the paths given to createMediaService) win over the
// app's resources (packaged) and @ffmpeg-installer / @ffprobe-installer. Decoding and probing spawn them
// directly (rawvideo over pipes); only encoders go through fluent-ffmpeg, in encode.ts.
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
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
  const ffmpeg = override.ffmpeg ?? process.env.REMASTER_FFMPEG ?? fromResources('ffmpeg') ?? fromInstaller('@ffmpeg-installer/ffmpeg') ?? 'ffmpeg';
  const ffprobe = override.ffprobe ?? process.env.REMASTER_FFPROBE ?? fromResources('ffprobe') ?? fromInstaller('@ffprobe-installer/ffprobe') ?? 'ffprobe';
  return { ffmpeg, ffprobe };
}

export interface RunResult {
  stdout: Buffer;
  stderr: string;
  code: number | null;
}

/** Runs a binary to completion, collecting stdout (bounded) and stderr. Rejects only when it cannot start. */
export function run(bin: string, args: string[], opts: { signal?: AbortSignal; maxStdout?: number } = {}): Promise<RunResult> {
  return new Promise((resolve, reject) => {
    let child: ChildProcess;
    try {
      child = spawn(bin, args, { stdio: ['ignore', 'pipe', 'pipe'], windowsHide: true });
    } catch (e) {
      reject(new ServiceError('internal', `Cannot start ${bin}: ${(e as Error).message}`));
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
      reject(new ServiceError('internal', `Cannot run ${bin}: ${e.message}. Set REMASTER_FFMPEG / REMASTER_FFPROBE to a working ffmpeg.`));
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
 * Streams fixed-size raw frames from ffmpeg's stdout to `onFrame` (called in order, synchronously).
 * Resolves with the number of frames when ffmpeg exits cleanly.
 */
export function streamFrames(
  bin: string,
  args: string[],
  frameBytes: number,
  onFrame: (frame: Buffer, index: number) => void,
  opts: { signal?: AbortSignal; what: string },
): Promise<number> {
  return new Promise((resolve, reject) => {
    if (opts.signal?.aborted) {
      reject(new ServiceError('cancelled', 'Cancelled'));
      return;
    }
    const child = spawn(bin, args, { stdio: ['ignore', 'pipe', 'pipe'], windowsHide: true });
    let pending: Buffer[] = [];
    let pendingBytes = 0;
    let index = 0;
    let err = '';
    let failed: unknown = null;
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
          onFrame(buf.subarray(off, off + frameBytes), index++);
          off += frameBytes;
        }
      } catch (e) {
        failed = e;
        child.kill('SIGKILL');
      }
      buf = buf.subarray(off);
      pending = buf.length ? [Buffer.from(buf)] : [];
      pendingBytes = buf.length;
    });
    child.stderr.on('data', (b: Buffer) => {
      if (err.length < 64 * 1024) err += b.toString();
    });
    child.on('error', (e) => reject(new ServiceError('internal', `Cannot run ${bin}: ${e.message}`)));
    child.on('close', (code) => {
      opts.signal?.removeEventListener('abort', onAbort);
      if (opts.signal?.aborted) return reject(new ServiceError('cancelled', 'Cancelled'));
      if (failed) return reject(failed);
      if (code !== 0) return reject(new ServiceError('bad_input', `${opts.what}: ffmpeg failed: ${lastLines(err)}`));
      resolve(index);
    });
  });
}

export function lastLines(stderr: string, n = 2): string {
  const lines = stderr.split(/\r?\n/).map((l) => l.trim()).filter(Boolean);
  return lines.slice(-n).join(' / ') || 'no message';
}
