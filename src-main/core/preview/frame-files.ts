// The viewer's raw frame files in a clip's cache folder: named by everything that decides their pixels, written
// whole (temporary name, then rename) so the host never serves half a frame, and bounded per clip.
import { createHash } from 'node:crypto';
import { closeSync, mkdirSync, openSync, readdirSync, renameSync, rmSync, statSync, utimesSync } from 'node:fs';
import { dirname, join } from 'node:path';
import type { Clip } from '../../common/contract';
import { writeFully } from '../../node/file-io';

/** Extensions of the layouts ('sdr-rgb16', 'hdr-pair-rgb16', 'graded-rgb16'); served as application/octet-stream. */
export const SDR_EXT = '.sdr16';
export const HDR_EXT = '.hdr16';
export const GRADED_EXT = '.graded16';

/** Per clip, the most recent frames kept, and at most this many bytes of them: a scrubbed clip stays bounded. */
export const MAX_FRAMES_PER_CLIP = 64;
export const MAX_BYTES_PER_CLIP = 1 << 30;

export function framesDir(cacheRoot: string, clip: Clip): string {
  return join(cacheRoot, clip.projectId, clip.id, 'frames');
}

/**
 * A short key for what the decode reads: the source's content and the clip's decode options. A relinked file or
 * new deinterlace/square-pixel options then miss the cache instead of showing stale pixels.
 */
export function sourceKey(clip: Clip): string {
  return createHash('sha1')
    .update(clip.fingerprint)
    .update('\0')
    .update(JSON.stringify(clip.options))
    .digest('hex')
    .slice(0, 10);
}

/** True when `file` is complete (its expected size); refreshes its time so pruning keeps what the viewer uses. */
export function cachedFrame(file: string, bytes: number): boolean {
  try {
    if (statSync(file).size !== bytes) return false;
    const now = new Date();
    utimesSync(file, now, now);
    return true;
  } catch {
    return false;
  }
}

let tempSeq = 0;

/** Writes the frame under a temporary name and renames it into place, then prunes the folder. */
export function writeFrameFile(file: string, data: Uint8Array | readonly Uint8Array[]): void {
  const dir = dirname(file);
  mkdirSync(dir, { recursive: true });
  const tmp = `${file}.${process.pid}-${++tempSeq}.tmp`;
  try {
    const fd = openSync(tmp, 'w');
    try {
      let at = 0;
      for (const part of data instanceof Uint8Array ? [data] : data) at = writeFully(fd, part, at);
    } finally {
      closeSync(fd);
    }
    renameSync(tmp, file);
  } catch (e) {
    rmSync(tmp, { force: true });
    throw e;
  }
  pruneFrames(dir, file);
}

/** Removes the oldest frames beyond the count and byte limits (never `keep`, the one just written). */
export function pruneFrames(
  dir: string,
  keep: string,
  limits = { files: MAX_FRAMES_PER_CLIP, bytes: MAX_BYTES_PER_CLIP },
): void {
  let names: string[];
  try {
    names = readdirSync(dir).filter((n) => [SDR_EXT, HDR_EXT, GRADED_EXT].some((e) => n.endsWith(e)));
  } catch {
    return;
  }
  const files = names
    .map((n) => {
      try {
        const st = statSync(join(dir, n));
        return { path: join(dir, n), mtime: st.mtimeMs, size: st.size };
      } catch {
        return null; // removed meanwhile
      }
    })
    .filter((f) => f !== null)
    .sort((a, b) => (a.path === keep ? -1 : b.path === keep ? 1 : b.mtime - a.mtime));
  let bytes = 0;
  files.forEach((f, i) => {
    bytes += f.size;
    if (f.path !== keep && (i >= limits.files || bytes > limits.bytes)) rmSync(f.path, { force: true });
  });
}
