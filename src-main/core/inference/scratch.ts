// Scratch files through which run inputs reach the inference worker and results come back (see the worker
// protocol's 'run' request and RunFileOutput): in shared memory where the OS has it, so a UHD frame's outputs cost
// one write and one read.
import { randomUUID } from 'node:crypto';
import { accessSync, closeSync, constants, existsSync, openSync, readdirSync, statSync, unlinkSync } from 'node:fs';
import { open, type FileHandle } from 'node:fs/promises';
import { join } from 'node:path';
import { ServiceError } from '../../common/contract';
import type { RunFileOutput, RunOutput } from '../../common/worker/protocol';
import { writeFully } from '../../node/file-io';

/**
 * The RAM-backed shared-memory folder (/dev/shm on Linux), or null where there is none: there results stay on
 * the IPC path rather than put 200 MB of temp-file writes per UHD frame on the disk.
 */
export function scratchDir(): string | null {
  try {
    if (statSync('/dev/shm').isDirectory()) {
      accessSync('/dev/shm', constants.W_OK);
      return '/dev/shm';
    }
  } catch {
    // no shared-memory folder here
  }
  return null;
}

let staleSwept = false;

/** A fresh scratch file name for one inference client (null: no shared memory here); files left by dead Remaster
 *  processes are removed first. */
export function newScratchFile(dir: string | null = scratchDir()): string | null {
  if (!dir) return null;
  if (!staleSwept) {
    staleSwept = true;
    removeStaleScratch(dir);
  }
  return join(dir, `remaster-worker-${process.pid}-${randomUUID().slice(0, 8)}.f32`);
}

/** A crashed app leaves its scratch files behind, and in /dev/shm they hold RAM until reboot. */
export function removeStaleScratch(dir: string): number {
  let removed = 0;
  let names: string[] = [];
  try {
    names = readdirSync(dir);
  } catch {
    return 0;
  }
  for (const name of names) {
    const m = /^remaster-worker-(\d+)-[A-Za-z0-9]+\.f32$/.exec(name);
    if (!m || processAlive(Number(m[1]))) continue;
    try {
      unlinkSync(join(dir, name));
      removed++;
    } catch {
      // someone else's file or already gone
    }
  }
  return removed;
}

function processAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === 'EPERM'; // alive, owned by another user
  }
}

/** Writes a run's input to the scratch file (from offset 0; the file is reused, never truncated: the request's
 *  dims say how much of it is valid). */
export function writeScratchFile(file: string, data: Float32Array): void {
  // O_NOFOLLOW: never write through a link planted under the scratch file's name.
  const fd = openSync(file, constants.O_RDWR | constants.O_CREAT | (constants.O_NOFOLLOW ?? 0), 0o600);
  try {
    writeFully(fd, new Uint8Array(data.buffer, data.byteOffset, data.byteLength), 0);
  } finally {
    closeSync(fd);
  }
}

/**
 * Reads a run result the worker wrote to its scratch file, into `into` when given (and large enough). Read on
 * libuv's threads: a UHD result is 200 MB, tens of milliseconds the main thread (the app's, and the one feeding
 * the network) would otherwise spend copying.
 */
export async function readRunFile(r: RunFileOutput, into?: Float32Array<ArrayBufferLike>): Promise<RunOutput> {
  const n = r.dims.reduce((a, b) => a * b, 1);
  const sets = r.hdrIsBase ? 1 : 2; // an analytic model's result is its baseline: written once
  if (r.bytes !== sets * 4 * n)
    throw new ServiceError('worker_failed', `Inference worker wrote ${r.bytes} bytes for a ${r.dims.join('x')} result`);
  const out = into && into.length >= sets * n ? into.subarray(0, sets * n) : new Float32Array(sets * n);
  const bytes = new Uint8Array(out.buffer, out.byteOffset, out.byteLength);
  let fh: FileHandle;
  try {
    fh = await open(r.file, 'r');
  } catch (e) {
    throw new ServiceError('worker_failed', `Cannot read the inference worker's result (${(e as Error).message})`);
  }
  try {
    if ((await fh.stat()).size < r.bytes)
      throw new ServiceError(
        'worker_failed',
        `Inference worker's result file is shorter than the ${r.bytes} bytes it reported`,
      );
    for (let done = 0; done < bytes.length;) {
      const { bytesRead } = await fh.read(bytes, done, bytes.length - done, done).catch((e: Error) => {
        throw new ServiceError('worker_failed', `Cannot read the inference worker's result (${e.message})`);
      });
      if (bytesRead === 0) throw new ServiceError('worker_failed', "Inference worker's result file ended early");
      done += bytesRead;
    }
  } finally {
    await fh.close().catch(() => undefined); // the error that matters is the read's
  }
  if (r.hdrIsBase) return { hdr: out, base: out, dims: r.dims, ms: r.ms };
  return { hdr: out.subarray(0, n), base: out.subarray(n), dims: r.dims, ms: r.ms };
}

/**
 * A result that came inline through IPC (no shared-memory folder here), copied into the caller's buffer as a file's
 * would be read: a render's frames are then in shared memory on every platform (its grade threads read them there).
 */
export function copyRunOutput(r: RunOutput, into?: Float32Array<ArrayBufferLike>): RunOutput {
  const n = r.hdr.length;
  const alias = r.hdr === r.base;
  if (!into || into.length < (alias ? 1 : 2) * n) return r;
  into.set(r.hdr, 0);
  const hdr = into.subarray(0, n);
  if (alias) return { ...r, hdr, base: hdr }; // one array, as the worker sent it
  into.set(r.base, n);
  return { ...r, hdr, base: into.subarray(n, 2 * n) };
}

export function removeScratchFile(file: string): void {
  try {
    if (existsSync(file)) unlinkSync(file);
  } catch {
    // best effort: a later start sweeps it
  }
}
