// Rendered frames in programme order: each cache file decoded by its own ffmpeg, one after another, and handed
// over one rgb48 frame at a time. Backpressure comes from awaiting the consumer, so memory stays one frame.
import { spawn } from 'node:child_process';
import { basename } from 'node:path';
import type { Readable } from 'node:stream';
import { ServiceError } from '../../common/contract';
import { lastLines, run, type Binaries } from '../media/ffmpeg';
import { decodeInputArgs, inputSizeArgs } from './ffmpeg-args';
import type { ExportInput } from './plan';

export async function probeInputSize(bin: Binaries, file: string): Promise<{ width: number; height: number }> {
  const r = await run(bin.ffprobe, inputSizeArgs(file), { maxStdout: 1 << 20 });
  let s: { width?: number; height?: number } | undefined;
  try {
    s = (JSON.parse(r.stdout.toString()) as { streams?: { width?: number; height?: number }[] }).streams?.[0];
  } catch {
    s = undefined;
  }
  if (r.code !== 0 || !s?.width || !s.height)
    throw new ServiceError('bad_input', `${basename(file)}: not a rendered frame file (${lastLines(r.stderr, 1)})`);
  return { width: s.width, height: s.height };
}

/** The one picture size of all inputs; a mixed programme is refused before anything is written. */
export async function programmeSize(
  bin: Binaries,
  inputs: readonly ExportInput[],
): Promise<{ width: number; height: number }> {
  const files = [...new Set(inputs.map((i) => i.file))];
  const sizes = await Promise.all(files.map((f) => probeInputSize(bin, f)));
  const [first] = sizes;
  sizes.forEach((s, i) => {
    if (s.width !== first.width || s.height !== first.height) {
      throw new ServiceError(
        'bad_input',
        `${basename(files[i])} is ${s.width}x${s.height}, the programme ${first.width}x${first.height}`,
      );
    }
  });
  return first;
}

/**
 * Calls `onFrame` with each whole frame of `frameBytes` arriving on `stream` (a reused array: copy what you keep),
 * awaiting it before reading on; resolves with the count. Trailing bytes short of a frame are ignored.
 */
export async function forEachRawFrame(
  stream: Readable,
  frameBytes: number,
  onFrame: (frame: Uint8Array) => Promise<void> | void,
): Promise<number> {
  const bytes = new Uint8Array(frameBytes);
  let fill = 0,
    got = 0;
  for await (const chunk of stream as AsyncIterable<Buffer>) {
    for (let at = 0; at < chunk.length;) {
      const n = Math.min(frameBytes - fill, chunk.length - at);
      bytes.set(chunk.subarray(at, at + n), fill);
      fill += n;
      at += n;
      if (fill === frameBytes) {
        fill = 0;
        got++;
        await onFrame(bytes);
      }
    }
  }
  return got;
}

/**
 * Calls `onFrame` with every frame of every input in order (the array is reused: copy what you keep) and
 * resolves with the frame count. An input that holds fewer frames than asked for is an error.
 */
export async function forEachFrame(
  bin: Binaries,
  inputs: readonly ExportInput[],
  width: number,
  height: number,
  onFrame: (rgb48: Uint16Array, index: number) => Promise<void> | void,
  signal?: AbortSignal,
  /** rasterFilter's resize to `width` x `height`, if the frames are not that size already. */
  raster = '',
): Promise<number> {
  const frameBytes = width * height * 6;
  let index = 0;
  for (const input of inputs) {
    if (signal?.aborted) throw new ServiceError('cancelled', 'Cancelled');
    const child = spawn(bin.ffmpeg, decodeInputArgs(input, raster), {
      stdio: ['ignore', 'pipe', 'pipe'],
      windowsHide: true,
    });
    let err = '';
    child.stderr.on('data', (b: Buffer) => {
      if (err.length < 16384) err += b.toString();
    });
    const closed = new Promise<number | null>((resolve, reject) => {
      child.on('error', (e) => reject(new ServiceError('internal', `Cannot run ${bin.ffmpeg}: ${e.message}`)));
      child.on('close', resolve);
    });
    const onAbort = (): void => void child.kill('SIGKILL');
    signal?.addEventListener('abort', onAbort, { once: true });
    let got: number;
    try {
      got = await forEachRawFrame(child.stdout, frameBytes, (bytes) =>
        onFrame(new Uint16Array(bytes.buffer, bytes.byteOffset, bytes.length / 2), index++),
      );
    } catch (e) {
      child.kill('SIGKILL');
      throw e;
    } finally {
      signal?.removeEventListener('abort', onAbort);
    }
    const code = await closed;
    if (signal?.aborted) throw new ServiceError('cancelled', 'Cancelled');
    if (code !== 0) throw new ServiceError('bad_input', `${basename(input.file)}: cannot decode (${lastLines(err)})`);
    if (got !== input.frames) {
      throw new ServiceError(
        'bad_input',
        `${basename(input.file)}: asked for frames ${input.firstFrame}..${input.firstFrame + input.frames - 1}, it holds ${got} of them`,
      );
    }
  }
  return index;
}
