// Plain-Node helpers that every main-side process (main, inference worker, CLI) may import: nothing here
// depends on a service, Electron or the DOM.
import { createHash } from 'node:crypto';
import { closeSync, openSync, readSync, writeSync } from 'node:fs';

/** A file's SHA-256, hex, read in 1 MiB pieces. */
export function sha256File(file: string): string {
  const h = createHash('sha256');
  const fd = openSync(file, 'r');
  try {
    const buf = Buffer.allocUnsafe(1 << 20);
    for (let n; (n = readSync(fd, buf, 0, buf.length, null)) > 0;) h.update(buf.subarray(0, n));
  } finally {
    closeSync(fd);
  }
  return h.digest('hex');
}

/** Writes all of `bytes` at `position` (writeSync may write fewer bytes than asked); returns the position after them. */
export function writeFully(fd: number, bytes: Uint8Array, position: number): number {
  for (let done = 0; done < bytes.length;) done += writeSync(fd, bytes, done, bytes.length - done, position + done);
  return position + bytes.length;
}

/** Fills `bytes` from `position` (readSync may read fewer bytes than asked); false when the file ends first. */
export function readFully(fd: number, bytes: Uint8Array, position: number): boolean {
  for (let done = 0; done < bytes.length;) {
    const got = readSync(fd, bytes, done, bytes.length - done, position + done);
    if (got === 0) return false;
    done += got;
  }
  return true;
}
