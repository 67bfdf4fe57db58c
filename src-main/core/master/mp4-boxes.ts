// HDR10 container metadata for MP4/MOV masters. ffmpeg 4.1's muxer writes mdcv/clli only from stream side data,
// never from x265-params, so a master with correct SEI still lacks the boxes players read first. This puts
// colr + mdcv + clli into every HEVC video sample entry. Only moov is rewritten; the media data is copied
// through a temporary file beside the master and renamed over it, so a failed write never leaves half a file.
import { open, rename, unlink, type FileHandle } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';
import { masteringDisplayCodes, type MasteringDisplay } from '../../common/colour';
import { contentLightLevels, isVcl, nalUnitType, type ContentLight } from './hevc-sei';
import {
  clliBox,
  hdr10Colr,
  hvccNalUnits,
  hvccOf,
  isFragmented,
  mdcvBox,
  nodeSize,
  parseMoov,
  putHdrBoxes,
  readBoxHeader,
  readSampleEntryColour,
  sampleRanges,
  serialise,
  syncSamples,
  shiftChunkOffsets,
  videoSampleEntries,
  type SampleEntryColour,
} from './iso-bmff';

export type { SampleEntryColour } from './iso-bmff';

export interface Hdr10ContainerMetadata {
  mastering: MasteringDisplay;
  /** CTA-861.3 MaxCLL / MaxFALL, whole nits (0 = unknown). */
  maxCll: number;
  maxFall: number;
}

export interface Hdr10BoxesWritten {
  /** Sample entries given colr + mdcv + clli. */
  entries: number;
  /** Bytes moov grew by (0 when the boxes were already there with the same layout). */
  insertedBytes: number;
  /** Chunk offsets moved because the media data sits after moov (faststart). */
  movedChunkOffsets: number;
}

interface TopBox {
  type: string;
  start: number;
  size: number;
}

const COPY_CHUNK = 8 << 20;

async function readAt(fh: FileHandle, position: number, length: number): Promise<Uint8Array> {
  const out = new Uint8Array(length);
  for (let done = 0; done < length;) {
    const { bytesRead } = await fh.read(out, done, length - done, position + done);
    if (bytesRead === 0) throw new Error(`file ends at ${position + done}, expected ${length} bytes from ${position}`);
    done += bytesRead;
  }
  return out;
}

async function writeAll(fh: FileHandle, bytes: Uint8Array, position: number): Promise<number> {
  for (let done = 0; done < bytes.length;)
    done += (await fh.write(bytes, done, bytes.length - done, position + done)).bytesWritten;
  return position + bytes.length;
}

/** Headers of the top-level boxes (only headers are read: mdat can be gigabytes). */
async function topLevelBoxes(fh: FileHandle): Promise<TopBox[]> {
  const fileSize = (await fh.stat()).size;
  const boxes: TopBox[] = [];
  for (let at = 0; at < fileSize;) {
    const head = await readAt(fh, at, Math.min(16, fileSize - at));
    // readBoxHeader checks sizes against what is left; give it the real room through a padded view.
    const padded = new Uint8Array(16);
    padded.set(head);
    const h = readBoxHeader(padded, 0, fileSize - at);
    boxes.push({ type: h.type, start: at, size: h.size });
    at += h.size;
  }
  return boxes;
}

async function readMoov(fh: FileHandle): Promise<{ moov: TopBox; bytes: Uint8Array; quickTime: boolean }> {
  const boxes = await topLevelBoxes(fh);
  const moovs = boxes.filter((b) => b.type === 'moov');
  if (moovs.length !== 1) throw new Error(`expected one moov box, found ${moovs.length}`);
  const ftyp = boxes.find((b) => b.type === 'ftyp');
  // QuickTime files ('qt  ' major brand, or old ones with no ftyp) take 'nclc' colour boxes.
  const brand = ftyp ? new TextDecoder('latin1').decode(await readAt(fh, ftyp.start + 8, 4)) : 'qt  ';
  return { moov: moovs[0], bytes: await readAt(fh, moovs[0].start, moovs[0].size), quickTime: brand === 'qt  ' };
}

async function copyRange(from: FileHandle, to: FileHandle, start: number, end: number, dest: number): Promise<number> {
  const buf = new Uint8Array(Math.min(COPY_CHUNK, Math.max(1, end - start)));
  for (let at = start; at < end;) {
    const { bytesRead } = await from.read(buf, 0, Math.min(buf.length, end - at), at);
    if (bytesRead === 0) throw new Error('file shrank while copying');
    dest = await writeAll(to, buf.subarray(0, bytesRead), dest);
    at += bytesRead;
  }
  return dest;
}

function checkLightLevel(name: string, v: number): void {
  if (!Number.isInteger(v) || v < 0 || v > 0xffff)
    throw new RangeError(`${name} must be a whole number of nits, 0..65535`);
}

/** Puts colr (BT.2020/PQ/BT.2020nc, narrow), mdcv and clli into every HEVC video sample entry of `path`. */
export async function writeHdr10Boxes(path: string, meta: Hdr10ContainerMetadata): Promise<Hdr10BoxesWritten> {
  checkLightLevel('MaxCLL', meta.maxCll);
  checkLightLevel('MaxFALL', meta.maxFall);
  const codes = masteringDisplayCodes(meta.mastering);
  const mdcv = {
    green: [...codes.green] as [number, number],
    blue: [...codes.blue] as [number, number],
    red: [...codes.red] as [number, number],
    white: [...codes.white] as [number, number],
    maxLuminance: codes.maxLuminance,
    minLuminance: codes.minLuminance,
  };
  const src = await open(path, 'r');
  const tmp = join(dirname(path), `.${basename(path)}.${process.pid}.hdr10.tmp`);
  let written: Hdr10BoxesWritten;
  try {
    const fileSize = (await src.stat()).size;
    const { moov, bytes, quickTime } = await readMoov(src);
    const tree = parseMoov(bytes);
    if (isFragmented(tree)) throw new Error('fragmented MP4 is not supported for HDR10 boxes');
    const entries = videoSampleEntries(tree);
    if (entries.length === 0) throw new Error('no HEVC (hvc1/hev1) video track');
    for (const { entry } of entries) {
      putHdrBoxes(entry, [
        hdr10Colr(quickTime ? 'nclc' : 'nclx'),
        mdcvBox(mdcv),
        clliBox({ maxCll: meta.maxCll, maxFall: meta.maxFall }),
      ]);
    }
    const delta = nodeSize(tree) - moov.size;
    const movedChunkOffsets = shiftChunkOffsets(tree, moov.start + moov.size, delta);
    const out = await open(tmp, 'w');
    try {
      let at = await copyRange(src, out, 0, moov.start, 0);
      at = await writeAll(out, serialise(tree), at);
      await copyRange(src, out, moov.start + moov.size, fileSize, at);
      await out.datasync();
    } finally {
      await out.close();
    }
    written = { entries: entries.length, insertedBytes: delta, movedChunkOffsets };
  } catch (e) {
    await unlink(tmp).catch(() => undefined);
    throw e;
  } finally {
    await src.close();
  }
  await rename(tmp, path);
  return written;
}

/** The colour boxes of each HEVC video sample entry of `path`, as stored (for verifying a master). */
export async function readHdr10Boxes(path: string): Promise<SampleEntryColour[]> {
  const fh = await open(path, 'r');
  try {
    return readSampleEntryColour(parseMoov((await readMoov(fh)).bytes));
  } finally {
    await fh.close();
  }
}

/** Bytes read from the start of each sample: its prefix SEI sit there, before the slices. */
const SAMPLE_HEAD = 4096;

/**
 * MaxCLL/MaxFALL of every content light level SEI of `path`'s HEVC video tracks, in file order: each hvcC's
 * (x265's headers carry one) and each key frame's prefix SEI (x265 repeats it there). For verifying a master:
 * ffprobe shows only the first frame's.
 */
export async function readContentLightSei(path: string): Promise<ContentLight[]> {
  const fh = await open(path, 'r');
  try {
    const tree = parseMoov((await readMoov(fh)).bytes);
    if (isFragmented(tree)) throw new Error('fragmented MP4 is not supported for HDR10 SEI');
    const found: ContentLight[] = [];
    for (const { stbl, entry } of videoSampleEntries(tree)) {
      const hvcc = hvccOf(entry);
      const { lengthSize, nals } = hvccNalUnits(hvcc);
      for (const n of nals) found.push(...contentLightLevels(hvcc.subarray(n.at, n.at + n.length)));
      // x265 writes them with its headers, on key frames: only those are read (a 2-hour master has 170 000 samples).
      const keys = syncSamples(stbl);
      for (const [i, sample] of sampleRanges(stbl).entries()) {
        if (keys && !keys.has(i)) continue;
        const end = sample.offset + sample.size;
        const head = await readAt(fh, sample.offset, Math.min(SAMPLE_HEAD, sample.size));
        // Length-prefixed NAL units up to the first slice; read from the head where they lie in it.
        const bytesAt = (at: number, length: number): Promise<Uint8Array> | Uint8Array => {
          const h = at - sample.offset;
          return h + length <= head.length ? head.subarray(h, h + length) : readAt(fh, at, length);
        };
        for (let at = sample.offset; at + lengthSize + 2 <= end;) {
          const lead = await bytesAt(at, lengthSize + 2);
          let length = 0;
          for (let i = 0; i < lengthSize; i++) length = length * 256 + lead[i];
          const type = nalUnitType(lead.subarray(lengthSize));
          if (isVcl(type) || at + lengthSize + length > end) break;
          if (type === 39) found.push(...contentLightLevels(await bytesAt(at + lengthSize, length)));
          at += lengthSize + length;
        }
      }
    }
    return found;
  } finally {
    await fh.close();
  }
}
