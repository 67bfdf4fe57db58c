// The per-shot render cache folder, outDir/<manifest hash>/:
//   manifest.json            the manifest (canonical JSON), for people and render nodes
//   segment-0000.mkv         frames [first, first + N) as lossless (FFVHuff) 16-bit R'G'B' BT.2020 PQ
//   segment-0000.json        its record (size, SHA-256, light levels), written after the .mkv is renamed into place
//   result.json              written last: the render is complete
// Everything is written under a `.partial` name and renamed when whole, so a killed render leaves either a
// complete file or a `.partial` one, and `.partial` files are only ever deleted.
import {
  closeSync,
  existsSync,
  fsyncSync,
  openSync,
  readdirSync,
  readFileSync,
  renameSync,
  statSync,
  unlinkSync,
} from 'node:fs';
import { join } from 'node:path';
import { ServiceError } from '../../common/contract';
import { writeFully } from '../../node/file-io';
import { RenderResult, RenderSegment } from '../../common/contract/render';
import { sha256OnThread } from './grade-thread';

export const PARTIAL = '.partial';
export const RESULT_FILE = 'result.json';
export const MANIFEST_FILE = 'manifest.json';

export const segmentFile = (index: number): string => `segment-${String(index).padStart(4, '0')}.mkv`;
export const segmentRecordFile = (index: number): string => `segment-${String(index).padStart(4, '0')}.json`;

/** Writes `text` under a temporary name, flushes it, and renames it into place. */
export function writeFileAtomic(file: string, text: string): void {
  const tmp = file + PARTIAL;
  const fd = openSync(tmp, 'w');
  try {
    writeFully(fd, Buffer.from(text, 'utf8'), 0);
    fsyncSync(fd);
  } finally {
    closeSync(fd);
  }
  renameSync(tmp, file);
}

/** Flushes a finished file to disk before it is renamed into place (a rename can outlive unflushed data). */
export function flushFile(file: string): void {
  const fd = openSync(file, 'r+');
  try {
    fsyncSync(fd);
  } finally {
    closeSync(fd);
  }
}

/** Leftovers of a killed render: never complete, always removed before rendering. */
export function removePartials(dir: string): void {
  for (const name of readdirSync(dir)) if (name.endsWith(PARTIAL)) unlinkSync(join(dir, name));
}

/** A full disk, whoever saw it (Node's ENOSPC or ffmpeg's words), as one plain message; other errors as they are. */
export function diskFullError(e: unknown, dir: string): unknown {
  const text = e instanceof Error ? e.message : String(e);
  if ((e as NodeJS.ErrnoException).code !== 'ENOSPC' && !/no space left/i.test(text)) return e;
  return new ServiceError(
    'io',
    `Disk full: no space left in ${dir} for the render; it resumes from its last complete segment once space is freed`,
  );
}

function readJson(file: string): unknown {
  try {
    return JSON.parse(readFileSync(file, 'utf8'));
  } catch {
    return null;
  }
}

/**
 * A completed segment: its record parses, belongs to this manifest and index, and the file's SHA-256 matches
 * (a file without a record, or with a record that does not match, is rendered again). Hashed on a render thread:
 * checking a resumed UHD render's segments is seconds of reading.
 */
export async function readCompletedSegment(dir: string, hash: string, index: number): Promise<RenderSegment | null> {
  const parsed = RenderSegment.safeParse(readJson(join(dir, segmentRecordFile(index))));
  if (!parsed.success) return null;
  const r = parsed.data;
  if (r.manifestHash !== hash || r.index !== index || r.file !== segmentFile(index)) return null;
  const file = join(dir, r.file);
  if (
    !existsSync(file) ||
    statSync(file).size !== r.bytes ||
    (await sha256OnThread(file, { spread: true })) !== r.sha256
  )
    return null;
  return r;
}

/** The result record if the render is complete: it matches the hash and every segment is there at its size. */
export function readCompletedResult(dir: string, hash: string): RenderResult | null {
  const parsed = RenderResult.safeParse(readJson(join(dir, RESULT_FILE)));
  if (!parsed.success || parsed.data.manifestHash !== hash) return null;
  for (const s of parsed.data.segments) {
    const file = join(dir, s.file);
    if (!existsSync(file) || statSync(file).size !== s.bytes) return null;
  }
  return parsed.data;
}
