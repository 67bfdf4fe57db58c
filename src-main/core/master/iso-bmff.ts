// Pure byte logic for ISO BMFF / QuickTime: parse a moov box into a tree, put HDR10 colour boxes (colr, mdcv,
// clli) into the HEVC sample entries, shift chunk offsets, serialise again. No file IO here (see mp4-boxes.ts).
//
// Layouts followed (checked against FFmpeg's libavformat/movenc.c, mov_write_colr_tag / mov_write_mdcv_tag /
// mov_write_clli_tag, and ISO/IEC 14496-12 §8.5.2 for the 78-byte VisualSampleEntry preamble):
// - colr: colour_type 'nclx' (ISO BMFF) = u16 primaries, u16 transfer, u16 matrix, u8 full_range_flag<<7;
//   QuickTime files ('qt  ' brand) use 'nclc', the same without the range byte (video range is implied).
// - mdcv (ISO/IEC 23001-8 / QuickTime "Mastering display colour volume"), 24 bytes, no version/flags:
//   u16 x,y for G, B, R (HEVC SEI order) then white, in 0.00002; u32 max then min luminance in 0.0001 cd/m².
// - clli (content light level), 4 bytes: u16 MaxCLL, u16 MaxFALL, in cd/m².

export interface BoxNode {
  type: string;
  /** 16-byte header (largesize) in the source; kept on output. */
  large: boolean;
  /** Bytes between the header and the first child (stsd: version/flags + count; sample entry: 78 bytes). */
  preamble: Uint8Array;
  /** Child boxes for the containers walked here; undefined for leaves. */
  children?: BoxNode[];
  /** Payload of a leaf (everything after the header). */
  payload?: Uint8Array;
}

export interface ColrNclx {
  kind: 'nclx' | 'nclc';
  primaries: number;
  transfer: number;
  matrix: number;
  fullRange: boolean;
}
export interface MdcvCodes {
  green: [number, number];
  blue: [number, number];
  red: [number, number];
  white: [number, number];
  maxLuminance: number;
  minLuminance: number;
}
export interface ClliValues {
  maxCll: number;
  maxFall: number;
}

export interface SampleEntryColour {
  format: string;
  /** Child box types of the sample entry, in file order. */
  boxes: string[];
  colr?: ColrNclx | { kind: string };
  mdcv?: MdcvCodes;
  clli?: ClliValues;
}

const PLAIN_CONTAINERS = new Set(['moov', 'trak', 'mdia', 'minf', 'stbl']);
const HEVC_ENTRIES = new Set(['hvc1', 'hev1']);
const VISUAL_PREAMBLE = 78;
const HDR_BOXES = new Set(['colr', 'mdcv', 'clli']);

const fourcc = (b: Uint8Array, at: number): string => String.fromCharCode(b[at], b[at + 1], b[at + 2], b[at + 3]);
const view = (b: Uint8Array): DataView => new DataView(b.buffer, b.byteOffset, b.byteLength);

export interface BoxHeader {
  type: string;
  headerSize: number;
  size: number;
}

/** Reads a box header at `at`; `room` is what is left in the parent (size 0 means "to the end of the parent"). */
export function readBoxHeader(b: Uint8Array, at: number, room: number): BoxHeader {
  if (room < 8) throw new Error(`truncated box header at ${at}`);
  const dv = view(b);
  let size = dv.getUint32(at);
  const type = fourcc(b, at + 4);
  let headerSize = 8;
  if (size === 1) {
    if (room < 16) throw new Error(`truncated largesize header of '${type}'`);
    size = Number(dv.getBigUint64(at + 8));
    headerSize = 16;
  } else if (size === 0) size = room;
  if (size < headerSize || size > room) throw new Error(`box '${type}' at ${at} has bad size ${size}`);
  return { type, headerSize, size };
}

function preambleLength(type: string, parent: string | undefined): number {
  if (type === 'stsd') return 8;
  if (parent === 'stsd' && HEVC_ENTRIES.has(type)) return VISUAL_PREAMBLE;
  return 0;
}

function parseChildren(b: Uint8Array, start: number, end: number, parent: string): BoxNode[] {
  const out: BoxNode[] = [];
  for (let at = start; at < end;) {
    const h = readBoxHeader(b, at, end - at);
    out.push(parseBox(b, at, h, parent));
    at += h.size;
  }
  return out;
}

function parseBox(b: Uint8Array, at: number, h: BoxHeader, parent: string | undefined): BoxNode {
  const bodyStart = at + h.headerSize,
    end = at + h.size;
  const pre = preambleLength(h.type, parent);
  const large = h.headerSize === 16;
  if (PLAIN_CONTAINERS.has(h.type) || pre > 0) {
    if (end - bodyStart < pre) throw new Error(`box '${h.type}' too short`);
    return {
      type: h.type,
      large,
      preamble: b.subarray(bodyStart, bodyStart + pre),
      children: parseChildren(b, bodyStart + pre, end, h.type),
    };
  }
  return { type: h.type, large, preamble: new Uint8Array(0), payload: b.subarray(bodyStart, end) };
}

/** Parses a whole moov box (header included). */
export function parseMoov(moov: Uint8Array): BoxNode {
  const h = readBoxHeader(moov, 0, moov.length);
  if (h.type !== 'moov') throw new Error(`expected moov, found '${h.type}'`);
  return parseBox(moov, 0, h, undefined);
}

export function nodeSize(n: BoxNode): number {
  const body = n.children ? n.children.reduce((s, c) => s + nodeSize(c), 0) : n.payload!.length;
  return (n.large ? 16 : 8) + n.preamble.length + body;
}

function writeNode(n: BoxNode, out: Uint8Array, at: number): number {
  const size = nodeSize(n),
    dv = view(out);
  if (n.large) {
    dv.setUint32(at, 1);
    dv.setBigUint64(at + 8, BigInt(size));
  } else {
    if (size > 0xffffffff) throw new Error(`box '${n.type}' outgrew a 32-bit size`);
    dv.setUint32(at, size);
  }
  for (let i = 0; i < 4; i++) out[at + 4 + i] = n.type.charCodeAt(i);
  let p = at + (n.large ? 16 : 8);
  out.set(n.preamble, p);
  p += n.preamble.length;
  if (n.children) for (const c of n.children) p = writeNode(c, out, p);
  else {
    out.set(n.payload!, p);
    p += n.payload!.length;
  }
  return p;
}

export function serialise(n: BoxNode): Uint8Array {
  const out = new Uint8Array(nodeSize(n));
  writeNode(n, out, 0);
  return out;
}

const child = (n: BoxNode, type: string): BoxNode | undefined => n.children?.find((c) => c.type === type);
const descend = (n: BoxNode, ...types: string[]): BoxNode | undefined =>
  types.reduce<BoxNode | undefined>((at, t) => at && child(at, t), n);

/** The HEVC sample entries of the video ('vide' handler) tracks, with each track's stbl. */
export function videoSampleEntries(moov: BoxNode): { stbl: BoxNode; entry: BoxNode }[] {
  const found: { stbl: BoxNode; entry: BoxNode }[] = [];
  for (const trak of moov.children ?? []) {
    if (trak.type !== 'trak') continue;
    const hdlr = descend(trak, 'mdia', 'hdlr');
    if (!hdlr?.payload || hdlr.payload.length < 12 || fourcc(hdlr.payload, 8) !== 'vide') continue;
    const stbl = descend(trak, 'mdia', 'minf', 'stbl');
    const stsd = stbl && child(stbl, 'stsd');
    for (const entry of stsd?.children ?? []) if (HEVC_ENTRIES.has(entry.type)) found.push({ stbl: stbl!, entry });
  }
  return found;
}

const leaf = (type: string, payload: Uint8Array): BoxNode => ({
  type,
  large: false,
  preamble: new Uint8Array(0),
  payload,
});

/** BT.2020 / PQ / BT.2020 non-constant luminance, narrow range (H.273 code points 9, 16, 9). */
export function hdr10Colr(kind: 'nclx' | 'nclc'): BoxNode {
  const p = new Uint8Array(kind === 'nclx' ? 11 : 10),
    dv = view(p);
  for (let i = 0; i < 4; i++) p[i] = kind.charCodeAt(i);
  dv.setUint16(4, 9);
  dv.setUint16(6, 16);
  dv.setUint16(8, 9);
  if (kind === 'nclx') p[10] = 0; // full_range_flag 0: narrow range
  return leaf('colr', p);
}

export function mdcvBox(c: MdcvCodes): BoxNode {
  const p = new Uint8Array(24),
    dv = view(p);
  [c.green, c.blue, c.red, c.white].forEach(([x, y], i) => {
    dv.setUint16(4 * i, x);
    dv.setUint16(4 * i + 2, y);
  });
  dv.setUint32(16, c.maxLuminance);
  dv.setUint32(20, c.minLuminance);
  return leaf('mdcv', p);
}

export function clliBox(v: ClliValues): BoxNode {
  const p = new Uint8Array(4),
    dv = view(p);
  dv.setUint16(0, v.maxCll);
  dv.setUint16(2, v.maxFall);
  return leaf('clli', p);
}

/** Replaces colr/mdcv/clli in an HEVC sample entry: colr where it was (else after hvcC), mdcv and clli after it. */
export function putHdrBoxes(entry: BoxNode, boxes: BoxNode[]): void {
  const kids = entry.children!;
  let at = kids.findIndex((c) => c.type === 'colr');
  if (at < 0) at = kids.findIndex((c) => c.type === 'hvcC') + 1 || kids.length;
  const before = kids.slice(0, at).filter((c) => !HDR_BOXES.has(c.type));
  const after = kids.slice(at).filter((c) => !HDR_BOXES.has(c.type));
  entry.children = [...before, ...boxes, ...after];
}

/**
 * Adds `delta` to every chunk offset (stco/co64) at or past `from`: the bytes after the old moov move by the
 * growth of moov. Returns how many offsets moved.
 */
export function shiftChunkOffsets(moov: BoxNode, from: number, delta: number): number {
  let moved = 0;
  if (delta === 0) return 0;
  for (const trak of moov.children ?? []) {
    if (trak.type !== 'trak') continue;
    for (const table of descend(trak, 'mdia', 'minf', 'stbl')?.children ?? []) {
      if (table.type !== 'stco' && table.type !== 'co64') continue;
      const copy = table.payload!.slice(),
        dv = view(copy);
      const count = dv.getUint32(4),
        wide = table.type === 'co64';
      if (copy.length < 8 + count * (wide ? 8 : 4)) throw new Error(`truncated ${table.type}`);
      for (let i = 0; i < count; i++) {
        const at = 8 + i * (wide ? 8 : 4);
        const off = wide ? Number(dv.getBigUint64(at)) : dv.getUint32(at);
        if (off < from) continue;
        if (wide) dv.setBigUint64(at, BigInt(off + delta));
        else if (off + delta > 0xffffffff) throw new Error('a chunk offset would pass 4 GiB in stco; remux with co64');
        else dv.setUint32(at, off + delta);
        moved++;
      }
      table.payload = copy;
    }
  }
  return moved;
}

function readColr(p: Uint8Array): SampleEntryColour['colr'] {
  const kind = fourcc(p, 0),
    dv = view(p);
  if ((kind !== 'nclx' && kind !== 'nclc') || p.length < 10) return { kind };
  return {
    kind,
    primaries: dv.getUint16(4),
    transfer: dv.getUint16(6),
    matrix: dv.getUint16(8),
    fullRange: kind === 'nclx' && (p[10] & 0x80) !== 0,
  };
}

/** What the HEVC sample entries of the video tracks say about colour. */
export function readSampleEntryColour(moov: BoxNode): SampleEntryColour[] {
  return videoSampleEntries(moov).map(({ entry }) => {
    const out: SampleEntryColour = { format: entry.type, boxes: entry.children!.map((c) => c.type) };
    for (const c of entry.children!) {
      const p = c.payload,
        dv = p && view(p);
      if (!p || !dv) continue;
      if (c.type === 'colr' && !out.colr) out.colr = readColr(p);
      if (c.type === 'mdcv' && p.length >= 24) {
        const xy = (i: number): [number, number] => [dv.getUint16(4 * i), dv.getUint16(4 * i + 2)];
        out.mdcv = {
          green: xy(0),
          blue: xy(1),
          red: xy(2),
          white: xy(3),
          maxLuminance: dv.getUint32(16),
          minLuminance: dv.getUint32(20),
        };
      }
      if (c.type === 'clli' && p.length >= 4) out.clli = { maxCll: dv.getUint16(0), maxFall: dv.getUint16(2) };
    }
    return out;
  });
}

/** Fragmented files keep sample data offsets in moof boxes this code does not rewrite. */
export function isFragmented(moov: BoxNode): boolean {
  return !!child(moov, 'mvex');
}

/** Where each sample of a track lies in the file, from its stsz, stsc and stco/co64 (ISO/IEC 14496-12 §8.7). */
export function sampleRanges(stbl: BoxNode): { offset: number; size: number }[] {
  const table = (t: string): DataView | undefined => {
    const p = child(stbl, t)?.payload;
    return p && view(p);
  };
  const stsz = table('stsz'),
    stsc = table('stsc');
  const wide = !child(stbl, 'stco');
  const stco = table(wide ? 'co64' : 'stco');
  if (!stsz || !stsc || !stco) throw new Error('sample table without stsz, stsc or chunk offsets');
  const fixed = stsz.getUint32(4),
    count = stsz.getUint32(8);
  const sizeOf = (i: number): number => (fixed !== 0 ? fixed : stsz.getUint32(12 + 4 * i));
  if (fixed === 0 && stsz.byteLength < 12 + 4 * count) throw new Error('truncated stsz');
  const chunks = stco.getUint32(4),
    runs = stsc.getUint32(4);
  if (stco.byteLength < 8 + chunks * (wide ? 8 : 4) || stsc.byteLength < 8 + runs * 12)
    throw new Error('truncated stsc or chunk offsets');
  const chunkOffset = (c: number): number => (wide ? Number(stco.getBigUint64(8 + 8 * c)) : stco.getUint32(8 + 4 * c));
  const out: { offset: number; size: number }[] = [];
  for (let r = 0; r < runs && out.length < count; r++) {
    const first = stsc.getUint32(8 + 12 * r) - 1;
    const next = r + 1 < runs ? stsc.getUint32(8 + 12 * (r + 1)) - 1 : chunks;
    const perChunk = stsc.getUint32(8 + 12 * r + 4);
    for (let c = first; c < next && out.length < count; c++) {
      let offset = chunkOffset(c);
      for (let s = 0; s < perChunk && out.length < count; s++) {
        const size = sizeOf(out.length);
        out.push({ offset, size });
        offset += size;
      }
    }
  }
  if (out.length !== count) throw new Error(`sample table maps ${out.length} of ${count} samples`);
  return out;
}

/** The indexes (0-based) of a track's sync samples, its key frames, from stss; null when every sample is one. */
export function syncSamples(stbl: BoxNode): Set<number> | null {
  const p = child(stbl, 'stss')?.payload;
  if (!p) return null;
  const dv = view(p);
  const count = dv.getUint32(4);
  if (p.length < 8 + 4 * count) throw new Error('truncated stss');
  return new Set(Array.from({ length: count }, (_, i) => dv.getUint32(8 + 4 * i) - 1));
}

/** The parameter-set and SEI NAL units an hvcC box carries (offsets into its payload) and the samples' length size. */
export function hvccNalUnits(hvcc: Uint8Array): { lengthSize: number; nals: { at: number; length: number }[] } {
  if (hvcc.length < 23) throw new Error('truncated hvcC');
  const dv = view(hvcc);
  const lengthSize = (hvcc[21] & 3) + 1;
  const nals: { at: number; length: number }[] = [];
  let at = 23;
  for (let a = 0; a < hvcc[22]; a++) {
    if (at + 3 > hvcc.length) throw new Error('truncated hvcC array');
    const n = dv.getUint16(at + 1);
    at += 3;
    for (let k = 0; k < n; k++) {
      if (at + 2 > hvcc.length) throw new Error('truncated hvcC NAL unit');
      const length = dv.getUint16(at);
      if (at + 2 + length > hvcc.length) throw new Error('truncated hvcC NAL unit');
      nals.push({ at: at + 2, length });
      at += 2 + length;
    }
  }
  return { lengthSize, nals };
}

/** The hvcC box of an HEVC sample entry. */
export function hvccOf(entry: BoxNode): Uint8Array {
  const p = child(entry, 'hvcC')?.payload;
  if (!p) throw new Error(`${entry.type} sample entry without hvcC`);
  return p;
}
