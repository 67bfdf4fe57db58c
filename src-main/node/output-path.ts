// Every command that writes (still, render, export) checks where it will write before doing any work, so a
// missing or read-only folder fails in a second with its real cause instead of after minutes of inference.
import { closeSync, openSync, rmSync, statfsSync, statSync, constants } from 'node:fs';
import { basename, dirname, join, resolve } from 'node:path';
import { ServiceError } from '../common/contract';

export interface OutputCheck {
  /** Replace an existing file (the caller still writes a temporary name and renames it at the end). */
  force?: boolean;
  /** Bytes the output will need; refused when the file system has less free. */
  estimateBytes?: number;
}

function fsMessage(e: unknown): string {
  const code = (e as NodeJS.ErrnoException).code;
  if (code === 'EACCES' || code === 'EPERM') return 'permission denied';
  if (code === 'EROFS') return 'read-only file system';
  if (code === 'ENOSPC') return 'no space left on the disk';
  return e instanceof Error ? e.message : String(e);
}

/** Free bytes for an unprivileged writer on the file system holding `folder`. */
export function freeBytes(folder: string): number {
  const s = statfsSync(folder);
  return Number(s.bavail) * Number(s.bsize);
}

/** Throws a ServiceError ('bad_input', or 'conflict' for an existing file, 'io' for too little space). */
export function checkOutputFile(path: string, opts: OutputCheck = {}): string {
  const file = resolve(path);
  const folder = dirname(file);
  let st;
  try {
    st = statSync(folder);
  } catch {
    throw new ServiceError('bad_input', `Cannot write ${basename(file)}: no such folder ${folder}`);
  }
  if (!st.isDirectory())
    throw new ServiceError('bad_input', `Cannot write ${basename(file)}: ${folder} is not a folder`);
  try {
    if (statSync(file).isDirectory()) throw new ServiceError('bad_input', `Cannot write ${file}: it is a folder`);
    if (!opts.force) throw new ServiceError('conflict', `${file} already exists; use --force to replace it`);
  } catch (e) {
    if (e instanceof ServiceError) throw e;
  }
  // Try a real write: access(2) says yes to root on a read-only folder, and knows nothing of read-only mounts.
  const probe = join(folder, `.remaster-write-check-${process.pid}`);
  try {
    closeSync(openSync(probe, constants.O_CREAT | constants.O_EXCL | constants.O_WRONLY, 0o600));
    rmSync(probe, { force: true });
  } catch (e) {
    throw new ServiceError('bad_input', `Cannot write in ${folder}: ${fsMessage(e)}`);
  }
  if (opts.estimateBytes !== undefined) {
    const free = freeBytes(folder);
    if (free < opts.estimateBytes) {
      const mb = (n: number) => `${Math.ceil(n / 1e6)} MB`;
      throw new ServiceError(
        'io',
        `Not enough free space in ${folder}: about ${mb(opts.estimateBytes)} needed, ${mb(free)} free`,
      );
    }
  }
  return file;
}
