// 16-bit RGB TIFF stills that carry their own colour: baseline little-endian TIFF 6.0, uncompressed strips,
// chunky R'G'B' 16,16,16, and the ICC profile in tag 34675 (TIFF/EP, ICC.1 Annex B). ffmpeg's tiff encoder
// (4.1) writes no ICC profile, so the still is written here instead.
import { open, rename, unlink } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';

const SHORT = 3,
  LONG = 4,
  RATIONAL = 5,
  UNDEFINED = 7;
/** About 64 KiB per strip, the size TIFF readers are tuned for. */
const STRIP_BYTES = 64 << 10;

interface Entry {
  tag: number;
  type: number;
  count: number;
  values?: number[];
  data?: Uint8Array;
}

const TYPE_SIZE: Record<number, number> = { [SHORT]: 2, [LONG]: 4, [RATIONAL]: 8, [UNDEFINED]: 1 };

/** Encodes interleaved R'G'B' (3 samples a pixel, row-major) as a TIFF, optionally with an ICC profile. */
export function encodeTiff16(width: number, height: number, rgb: Uint16Array, icc?: Uint8Array): Uint8Array {
  if (!(Number.isInteger(width) && Number.isInteger(height) && width > 0 && height > 0))
    throw new RangeError('bad TIFF size');
  if (rgb.length !== width * height * 3)
    throw new RangeError(`expected ${width * height * 3} samples, got ${rgb.length}`);
  const rowBytes = width * 6;
  const rowsPerStrip = Math.max(1, Math.floor(STRIP_BYTES / rowBytes));
  const strips = Math.ceil(height / rowsPerStrip);
  const pixelBytes = rowBytes * height;
  const stripCounts = Array.from(
    { length: strips },
    (_, i) => Math.min(rowsPerStrip, height - i * rowsPerStrip) * rowBytes,
  );

  // Layout: header (8), pixel data, then the IFD and the values that do not fit in its entries.
  const pixelsAt = 8;
  const ifdAt = pixelsAt + pixelBytes + (pixelBytes % 2); // the IFD starts on a word boundary
  const entries: Entry[] = [
    { tag: 256, type: LONG, count: 1, values: [width] }, // ImageWidth
    { tag: 257, type: LONG, count: 1, values: [height] }, // ImageLength
    { tag: 258, type: SHORT, count: 3, values: [16, 16, 16] }, // BitsPerSample
    { tag: 259, type: SHORT, count: 1, values: [1] }, // Compression: none
    { tag: 262, type: SHORT, count: 1, values: [2] }, // PhotometricInterpretation: RGB
    { tag: 273, type: LONG, count: strips, values: stripCounts.map((_, i) => pixelsAt + i * rowsPerStrip * rowBytes) }, // StripOffsets
    { tag: 277, type: SHORT, count: 1, values: [3] }, // SamplesPerPixel
    { tag: 278, type: LONG, count: 1, values: [rowsPerStrip] }, // RowsPerStrip
    { tag: 279, type: LONG, count: strips, values: stripCounts }, // StripByteCounts
    { tag: 282, type: RATIONAL, count: 1, values: [72, 1] }, // XResolution
    { tag: 283, type: RATIONAL, count: 1, values: [72, 1] }, // YResolution
    { tag: 284, type: SHORT, count: 1, values: [1] }, // PlanarConfiguration: chunky
    { tag: 296, type: SHORT, count: 1, values: [2] }, // ResolutionUnit: inch
    { tag: 339, type: SHORT, count: 3, values: [1, 1, 1] }, // SampleFormat: unsigned integer
  ];
  if (icc) entries.push({ tag: 34675, type: UNDEFINED, count: icc.length, data: icc }); // ICCProfile

  const ifdSize = 2 + entries.length * 12 + 4;
  let extraAt = ifdAt + ifdSize;
  const extras: { at: number; entry: Entry }[] = [];
  for (const e of entries) {
    const bytes = e.count * TYPE_SIZE[e.type];
    if (bytes > 4) {
      extras.push({ at: extraAt, entry: e });
      extraAt += bytes + (bytes % 2);
    }
  }
  const out = new Uint8Array(extraAt);
  const dv = new DataView(out.buffer);
  out.set([0x49, 0x49, 42, 0]); // "II", 42: little-endian TIFF
  dv.setUint32(4, ifdAt, true);
  for (let i = 0; i < rgb.length; i++) dv.setUint16(pixelsAt + 2 * i, rgb[i], true);

  const writeValues = (e: Entry, at: number): void => {
    if (e.data) out.set(e.data, at);
    else
      e.values!.forEach((v, i) =>
        e.type === SHORT ? dv.setUint16(at + 2 * i, v, true) : dv.setUint32(at + 4 * i, v, true),
      );
  };
  dv.setUint16(ifdAt, entries.length, true);
  entries.forEach((e, i) => {
    const at = ifdAt + 2 + 12 * i;
    dv.setUint16(at, e.tag, true);
    dv.setUint16(at + 2, e.type, true);
    dv.setUint32(at + 4, e.count, true);
    const extra = extras.find((x) => x.entry === e);
    if (extra) {
      dv.setUint32(at + 8, extra.at, true);
      writeValues(e, extra.at);
    } else writeValues(e, at + 8);
  });
  dv.setUint32(ifdAt + 2 + 12 * entries.length, 0, true); // no next IFD
  return out;
}

/** Writes the TIFF beside `path` and renames it over, so a failed write never leaves half a still. */
export async function writeTiff16(
  path: string,
  width: number,
  height: number,
  rgb: Uint16Array,
  icc?: Uint8Array,
): Promise<void> {
  const bytes = encodeTiff16(width, height, rgb, icc);
  const tmp = join(dirname(path), `.${basename(path)}.${process.pid}.tmp`);
  try {
    const fh = await open(tmp, 'w');
    try {
      await fh.writeFile(bytes);
      await fh.datasync();
    } finally {
      await fh.close();
    }
    await rename(tmp, path);
  } catch (e) {
    await unlink(tmp).catch(() => undefined);
    throw e;
  }
}
