// Scrub proxies: one JPEG per frame (000000.jpg, 000001.jpg...) written by the scan's ffmpeg run. ffmpeg's
// image2 muxer ignores write errors, so a full disk leaves empty files behind an exit status of 0: the
// folder's free space is checked before, and every file after.
import { closeSync, mkdirSync, openSync, readdirSync, readSync, statfsSync, statSync, unlinkSync } from 'node:fs';
import { join } from 'node:path';
import { ServiceError } from '../../common/contract';
import { escapePattern } from './ffmpeg';

const PROXY_FILE = /^\d{6}\.jpg$/;

export const proxyName = (frame: number): string => `${String(frame).padStart(6, '0')}.jpg`;

/** The image2 output pattern for a proxy folder; any '%' in the folder's own path is escaped. */
export const proxyPattern = (dir: string): string => join(escapePattern(dir), '%06d.jpg');

/**
 * Bytes a set of proxies takes at least: about 1 bit a pixel at the quality we write (-q:v 5) for ordinary
 * pictures, each file rounded up to whole blocks. Grainy pictures take more; the check after writing catches those.
 */
export function estimateProxyBytes(width: number, height: number, frames: number, blockSize = 4096): number {
  const perFile = Math.ceil((width * height) / 8 / blockSize) * blockSize;
  return perFile * Math.max(1, frames);
}

const mb = (bytes: number): string => (bytes / 1e6).toFixed(1);

/** Makes the folder, clears proxies of an earlier build, and fails early when the estimate does not fit. */
export function prepareProxyDir(dir: string, width: number, height: number, frames: number): void {
  mkdirSync(dir, { recursive: true });
  for (const f of readdirSync(dir)) if (PROXY_FILE.test(f)) unlinkSync(join(dir, f));
  const fs = statfsSync(dir);
  const free = fs.bavail * fs.bsize;
  const needed = estimateProxyBytes(width, height, frames, fs.bsize);
  if (needed > free) {
    throw new ServiceError(
      'io',
      `Not enough space for scrub proxies in ${dir}: about ${mb(needed)} MB needed for ${frames} frames, ${mb(free)} MB free`,
    );
  }
}

/** A complete JPEG ends with the EOI marker (FF D9); a write cut short by a full disk does not. */
function endsWithEoi(file: string, size: number): boolean {
  const fd = openSync(file, 'r');
  try {
    const b = Buffer.alloc(2);
    return readSync(fd, b, 0, 2, size - 2) === 2 && b[0] === 0xff && b[1] === 0xd9;
  } finally {
    closeSync(fd);
  }
}

/** Fails unless the folder holds exactly `frames` proxies, each a complete, non-empty JPEG. */
export function verifyProxies(dir: string, frames: number): void {
  let missing = 0;
  let empty = 0;
  let cut = 0;
  for (let i = 0; i < frames; i++) {
    let size: number;
    try {
      size = statSync(join(dir, proxyName(i))).size;
    } catch {
      missing++;
      continue;
    }
    if (size === 0) empty++;
    else if (size < 2 || !endsWithEoi(join(dir, proxyName(i)), size)) cut++;
  }
  if (empty || cut) {
    const short = cut ? `, ${cut} cut short` : '';
    throw new ServiceError(
      'io',
      `Scrub proxies in ${dir}: disk full?: ${empty} of ${frames} proxy frames are empty${short}`,
    );
  }
  const written = readdirSync(dir).filter((f) => PROXY_FILE.test(f)).length;
  if (missing || written !== frames) {
    throw new ServiceError(
      'io',
      `Scrub proxies in ${dir}: ${written} proxy frames written for ${frames} decoded (${missing} missing)`,
    );
  }
}
