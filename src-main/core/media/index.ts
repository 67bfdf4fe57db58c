// Media access: probe, frame-accurate decode to rgb48le, sequential decode, one-pass scan for shot detection
// and scrub proxies. All through ffmpeg child processes with raw pipes (see ffmpeg.ts).
import { createHash } from 'node:crypto';
import { closeSync, mkdirSync, openSync, readSync, statSync } from 'node:fs';
import { basename, join } from 'node:path';
import { ServiceError, type ClipOptions, type FieldOrder, type ProbeResult } from '../../common/contract';
import type { Logger } from '../log';
import { lastLines, resolveBinaries, run, streamFrames, type Binaries } from './ffmpeg';

export { resolveBinaries, type Binaries } from './ffmpeg';

/** What decoding needs to know about a clip: its file, its probe and the per-clip options. */
export interface MediaInput {
  file: string;
  probe: ProbeResult;
  options: ClipOptions;
}

export interface RgbFrame {
  frame: number;
  width: number;
  height: number;
  /** rgb48le: width*height*3 little-endian uint16, full range R'G'B' (BT.709 primaries/transfer as in the source). */
  data: Buffer;
}

export interface ScanOptions {
  /** Small frames for analysis (rgb24), e.g. 64x36. */
  analysisWidth: number;
  analysisHeight: number;
  onAnalysisFrame(rgb: Buffer, index: number): void;
  /** Folder to write one JPEG per frame (000000.jpg...), or null for none. */
  proxyDir: string | null;
  proxyHeight?: number;
  signal?: AbortSignal;
}

export interface MediaService {
  readonly binaries: Binaries;
  probe(file: string, opts?: { signal?: AbortSignal }): Promise<ProbeResult>;
  /** Fast content fingerprint: size + SHA-1 of the first, middle and last 256 KiB. Opens the file read-only. */
  fingerprint(file: string): string;
  /** Decoded, display-ready size for a clip (square pixels applied) scaled to `width` when given. */
  outputSize(input: MediaInput, width?: number): { width: number; height: number };
  /** Frame-accurate: frame N (0-based, in decode order after deinterlace) as rgb48le. */
  decodeFrame(input: MediaInput, frame: number, opts?: { width?: number; signal?: AbortSignal }): Promise<RgbFrame>;
  /** Sequential decode of frames [from, to] without re-seeking (for renders). */
  decodeRange(input: MediaInput, from: number, to: number, onFrame: (f: RgbFrame) => void | Promise<void>, opts?: { width?: number; signal?: AbortSignal }): Promise<number>;
  /** One decode pass: analysis frames to a callback, and optionally a JPEG per frame for scrubbing. */
  scan(input: MediaInput, opts: ScanOptions): Promise<{ frames: number }>;
  /** Filters that every decode of this clip applies (deinterlace, square pixels), for other modules' ffmpeg runs. */
  clipFilters(input: MediaInput): string[];
  /** The input arguments to seek precisely to `frame` (used before -i). */
  seekArgs(input: MediaInput, frame: number): string[];
}

const MAX_DIM = 16384;
const MIN_DIM = 16;

export function createMediaService(opts: { log: Logger; cacheDir: string; binaries?: Partial<Binaries> }): MediaService {
  const log = opts.log;
  const binaries = resolveBinaries(opts.binaries);

  async function probe(file: string, o: { signal?: AbortSignal } = {}): Promise<ProbeResult> {
    let st;
    try {
      st = statSync(file);
    } catch {
      throw new ServiceError('not_found', `${file}: no such file (missing or moved)`);
    }
    if (st.isDirectory()) throw new ServiceError('bad_input', `${file}: is a folder, not a media file`);
    if (st.size === 0) throw new ServiceError('bad_input', `${file}: empty file (0 bytes)`);
    const r = await run(binaries.ffprobe, ['-v', 'error', '-print_format', 'json', '-show_format', '-show_streams', file], { signal: o.signal, maxStdout: 16 << 20 });
    if (r.code !== 0) {
      const why = lastLines(r.stderr, 1);
      const hint = /moov atom not found|Invalid data found|End of file|truncat/i.test(r.stderr) ? 'truncated or not a media file' : 'not a media file ffprobe can read';
      throw new ServiceError('bad_input', `${file}: ${hint} (${why})`);
    }
    let json: FfprobeJson;
    try {
      json = JSON.parse(r.stdout.toString('utf8')) as FfprobeJson;
    } catch {
      throw new ServiceError('bad_input', `${file}: ffprobe gave unreadable output`);
    }
    return normaliseProbe(file, json);
  }

  function outputSize(input: MediaInput, width?: number): { width: number; height: number } {
    const p = input.probe;
    let w = p.width;
    const h = p.height;
    if (input.options.squarePixels) {
      const [sn, sd] = parseRatio(p.sar, ':');
      if (sn > 0 && sd > 0 && sn !== sd) w = Math.round((w * sn) / sd / 2) * 2;
    }
    if (width && width > 0 && width !== w) {
      const ww = Math.max(2, Math.round(width / 2) * 2);
      return { width: ww, height: Math.max(2, Math.round((h * ww) / w / 2) * 2) };
    }
    return { width: w, height: h };
  }

  function clipFilters(input: MediaInput): string[] {
    const f: string[] = [];
    const p = input.probe;
    const interlaced = p.fieldOrder !== 'progressive' && p.fieldOrder !== 'unknown';
    const d = input.options.deinterlace;
    if ((d === 'auto' && interlaced) || d === 'bwdif') f.push('bwdif=mode=send_frame:parity=auto:deint=all');
    else if (d === 'yadif') f.push('yadif=mode=send_frame:parity=auto:deint=all');
    else if (d === 'ivtc') f.push('fieldmatch', 'decimate');
    return f;
  }

  function matrixOf(p: ProbeResult): 'bt709' | 'bt2020' | 'smpte170m' | 'smpte240m' {
    const m = p.colour.matrix;
    if (m === 'bt709') return 'bt709';
    if (m === 'bt2020nc' || m === 'bt2020c') return 'bt2020';
    if (m === 'smpte170m' || m === 'bt470bg') return 'smpte170m';
    if (m === 'smpte240m') return 'smpte240m';
    // Untagged: HD and larger are BT.709, SD is BT.601.
    return p.height >= 720 || p.width >= 1280 ? 'bt709' : 'smpte170m';
  }
  const isFull = (p: ProbeResult): boolean => p.colour.range === 'pc' || /^yuvj/.test(p.pixFmt);

  /** yuv → R'G'B' with the source's matrix and range, for swscale (8-bit analysis and proxies). */
  function colourArgs(p: ProbeResult): string {
    return `in_color_matrix=${matrixOf(p)}:in_range=${isFull(p) ? 'pc' : 'tv'}:out_range=pc`;
  }

  /**
   * Decode chain to 16-bit R'G'B': zimg (zscale) does the matrix and range in floating point, so narrow-range
   * 235 lands on 65535 exactly (swscale's 8-bit path stops one code short). RGB sources skip the matrix.
   */
  function rgbChain(input: MediaInput, width: number | undefined, pixFmt: string): string {
    const p = input.probe;
    const { width: w, height: h } = outputSize(input, width);
    const isRgb = /^(rgb|bgr|gbr|argb|abgr|rgba|bgra|0rgb|rgb0|bgr0|0bgr|pal8|gray|ya)/.test(p.pixFmt);
    let z = `zscale=w=${w}:h=${h}:filter=bicubic`;
    if (!isRgb) {
      const m = matrixOf(p);
      const zm = m === 'bt709' ? '709' : m === 'bt2020' ? '2020_ncl' : m === 'smpte240m' ? '240m' : '170m';
      z += `:matrixin=${zm}:rangein=${isFull(p) ? 'full' : 'limited'}:range=full`;
    }
    const planar = pixFmt === 'rgb48le' ? 'gbrp16le' : 'gbrp';
    return [...clipFilters(input), z, `format=${planar}`, `format=${pixFmt}`].join(',');
  }

  function fps(p: ProbeResult): number {
    const [n, d] = parseRatio(p.frameRate, '/');
    return n > 0 && d > 0 ? n / d : 25;
  }

  function seekArgs(input: MediaInput, frame: number): string[] {
    if (frame <= 0) return [];
    // Half a frame early: accurate seeking then drops every frame before N, whatever the rounding.
    const t = input.probe.startTime + (frame - 0.5) / fps(input.probe);
    return ['-ss', t.toFixed(6)];
  }

  function checkDecodable(input: MediaInput): void {
    const p = input.probe;
    if (p.width < MIN_DIM || p.height < MIN_DIM || p.width > MAX_DIM || p.height > MAX_DIM) {
      throw new ServiceError('bad_input', `${input.file}: absurd picture size ${p.width}x${p.height}`);
    }
  }

  async function decodeRange(input: MediaInput, from: number, to: number, onFrame: (f: RgbFrame) => void | Promise<void>, o: { width?: number; signal?: AbortSignal } = {}): Promise<number> {
    checkDecodable(input);
    if (from < 0 || to < from) throw new ServiceError('bad_request', `Bad frame range ${from}..${to}`);
    const { width, height } = outputSize(input, o.width);
    const bytes = width * height * 6;
    // Variable frame rate: timestamps do not give frame numbers, so count frames from the start instead.
    const vfr = input.probe.vfr && from > 0;
    const chain = (vfr ? `select=gte(n\\,${from}),` : '') + rgbChain(input, o.width, 'rgb48le');
    const args = ['-v', 'error', '-nostdin', ...(vfr ? [] : seekArgs(input, from)), '-i', input.file, '-an', '-sn', '-dn', '-vsync', 'passthrough', '-vf', chain, '-frames:v', String(to - from + 1), '-f', 'rawvideo', '-pix_fmt', 'rgb48le', 'pipe:1'];
    const queue: Promise<void>[] = [];
    const n = await streamFrames(binaries.ffmpeg, args, bytes, (buf, i) => {
      const r = onFrame({ frame: from + i, width, height, data: Buffer.from(buf) });
      if (r) queue.push(r);
    }, { signal: o.signal, what: input.file });
    await Promise.all(queue);
    return n;
  }

  async function decodeFrame(input: MediaInput, frame: number, o: { width?: number; signal?: AbortSignal } = {}): Promise<RgbFrame> {
    let out: RgbFrame | null = null;
    await decodeRange(input, frame, frame, (f) => {
      out = f;
    }, o);
    if (!out) throw new ServiceError('not_found', `${input.file}: no frame ${frame} (the clip has ${input.probe.durationFrames} frames)`);
    return out;
  }

  async function scan(input: MediaInput, o: ScanOptions): Promise<{ frames: number }> {
    checkDecodable(input);
    const aw = o.analysisWidth;
    const ah = o.analysisHeight;
    const pre = clipFilters(input);
    const colour = colourArgs(input.probe);
    const head = pre.length ? pre.join(',') + ',' : '';
    const analysis = `scale=${aw}:${ah}:${colour}:flags=area,format=rgb24`;
    const args = ['-v', 'error', '-nostdin', '-i', input.file, '-an', '-sn', '-dn'];
    if (o.proxyDir) {
      mkdirSync(o.proxyDir, { recursive: true });
      const { width, height } = outputSize(input);
      const ph = Math.min(o.proxyHeight ?? 270, height);
      const pw = Math.max(2, Math.round((width * ph) / height / 2) * 2);
      args.push(
        '-filter_complex', `[0:v]${head}split=2[a][b];[a]${analysis}[d];[b]scale=${pw}:${ph}:${colour}:flags=bicubic,format=rgb24[p]`,
        '-map', '[d]', '-vsync', 'passthrough', '-f', 'rawvideo', '-pix_fmt', 'rgb24', 'pipe:1',
        '-map', '[p]', '-vsync', 'passthrough', '-c:v', 'mjpeg', '-q:v', '5', '-start_number', '0', '-y', join(o.proxyDir, '%06d.jpg'),
      );
    } else {
      args.push('-vf', head + analysis, '-vsync', 'passthrough', '-f', 'rawvideo', '-pix_fmt', 'rgb24', 'pipe:1');
    }
    const frames = await streamFrames(binaries.ffmpeg, args, aw * ah * 3, o.onAnalysisFrame, { signal: o.signal, what: input.file });
    if (frames === 0) throw new ServiceError('bad_input', `${input.file}: no decodable video frames`);
    return { frames };
  }

  function fingerprint(file: string): string {
    const st = statSync(file);
    const h = createHash('sha1');
    h.update(String(st.size) + ':');
    const chunk = 256 * 1024;
    const fd = openSync(file, 'r'); // read-only, always
    try {
      const buf = Buffer.alloc(chunk);
      const ranges: [number, number][] = st.size <= chunk * 3 ? [[0, st.size]] : [[0, chunk], [Math.floor(st.size / 2) - chunk / 2, chunk], [st.size - chunk, chunk]];
      for (const [start, len] of ranges) {
        let pos = start;
        while (pos < start + len) {
          const n = readSync(fd, buf, 0, Math.min(chunk, start + len - pos), pos);
          if (n <= 0) break;
          h.update(buf.subarray(0, n));
          pos += n;
        }
      }
    } finally {
      closeSync(fd);
    }
    return h.digest('hex');
  }

  log.debug('media binaries', binaries);
  return { binaries, probe, fingerprint, outputSize, decodeFrame, decodeRange, scan, clipFilters, seekArgs };
}

// ---------------------------------------------------------------------------------------------- probe

interface FfprobeStream {
  index: number;
  codec_type?: string;
  codec_name?: string;
  codec_long_name?: string;
  codec_tag_string?: string;
  profile?: string;
  pix_fmt?: string;
  width?: number;
  height?: number;
  sample_aspect_ratio?: string;
  display_aspect_ratio?: string;
  r_frame_rate?: string;
  avg_frame_rate?: string;
  field_order?: string;
  color_range?: string;
  color_space?: string;
  color_transfer?: string;
  color_primaries?: string;
  bits_per_raw_sample?: string;
  nb_frames?: string;
  duration?: string;
  start_time?: string;
  channels?: number;
  sample_rate?: string;
  tags?: Record<string, string>;
  disposition?: { attached_pic?: number };
}
interface FfprobeJson {
  streams?: FfprobeStream[];
  format?: { format_name?: string; duration?: string; start_time?: string; tags?: Record<string, string> };
}

function gcd(a: number, b: number): number {
  return b ? gcd(b, a % b) : Math.abs(a);
}

export function parseRatio(s: string | undefined, sep: string): [number, number] {
  if (!s) return [0, 0];
  const [a, b] = s.split(sep);
  const n = Number(a);
  const d = b === undefined ? 1 : Number(b);
  return Number.isFinite(n) && Number.isFinite(d) ? [n, d] : [0, 0];
}

function reduce(s: string | undefined, sep: string): string | null {
  const [n, d] = parseRatio(s, sep);
  if (!(n > 0 && d > 0)) return null;
  const g = gcd(n, d);
  return `${n / g}${sep}${d / g}`;
}

function bitDepthOf(pixFmt: string, raw?: string): number {
  const n = Number(raw);
  if (Number.isInteger(n) && n > 0) return n;
  const m = /p(\d{1,2})(le|be)?$/.exec(pixFmt) ?? /(\d{2})(le|be)$/.exec(pixFmt);
  if (m) {
    const v = Number(m[1]);
    if (v >= 9 && v <= 16) return v;
  }
  if (/48|64/.test(pixFmt)) return 16;
  return 8;
}

const tidy = (v: string | undefined): string | null => (!v || v === 'unknown' || v === 'unspecified' || v === 'reserved' ? null : v);

export function normaliseProbe(file: string, j: FfprobeJson): ProbeResult {
  const streams = j.streams ?? [];
  const video = streams.find((s) => s.codec_type === 'video' && !s.disposition?.attached_pic);
  const audio = streams.filter((s) => s.codec_type === 'audio');
  if (!video) {
    if (audio.length) throw new ServiceError('bad_input', `${file}: audio only (${audio.map((a) => a.codec_name).join(', ')}), no video stream to import`);
    throw new ServiceError('bad_input', `${file}: no video stream`);
  }
  if (!video.codec_name || video.codec_name === 'none' || !video.pix_fmt) {
    throw new ServiceError('bad_input', `${file}: unsupported video codec${video.codec_tag_string ? ` "${video.codec_tag_string}"` : ''}: this ffmpeg cannot decode it`);
  }
  const width = video.width ?? 0;
  const height = video.height ?? 0;
  if (width < MIN_DIM || height < MIN_DIM || width > MAX_DIM || height > MAX_DIM) {
    throw new ServiceError('bad_input', `${file}: absurd picture size ${width}x${height} (supported: ${MIN_DIM}..${MAX_DIM} pixels each way)`);
  }
  const r = reduce(video.r_frame_rate, '/');
  const avg = reduce(video.avg_frame_rate, '/');
  const frameRate = avg ?? r ?? '25/1';
  const [fn, fd] = parseRatio(frameRate, '/');
  const fpsv = fn / fd;
  const vfr = !!(r && avg && r !== avg && Math.abs(fn / fd - (parseRatio(r, '/')[0] / parseRatio(r, '/')[1])) > 0.01);
  const durationSeconds = Number(video.duration ?? j.format?.duration ?? 0) || 0;
  const nb = Number(video.nb_frames);
  const durationFrames = Number.isInteger(nb) && nb > 0 ? nb : Math.max(1, Math.round(durationSeconds * fpsv));
  const fo = (video.field_order ?? 'unknown') as FieldOrder;
  const fieldOrder: FieldOrder = ['progressive', 'tt', 'bb', 'tb', 'bt'].includes(fo) ? fo : 'unknown';
  const sar = reduce(video.sample_aspect_ratio, ':') ?? '1:1';
  const dar = reduce(video.display_aspect_ratio, ':') ?? reduce(`${width}:${height}`, ':')!;
  const tcStream = streams.find((s) => s.tags?.timecode);
  const startTimecode = video.tags?.timecode ?? j.format?.tags?.timecode ?? tcStream?.tags?.timecode ?? null;
  const vStart = Number(video.start_time ?? 0) || 0;
  const fStart = Number(j.format?.start_time ?? vStart) || 0;
  const range = video.color_range === 'tv' || video.color_range === 'pc' ? video.color_range : /^yuvj/.test(video.pix_fmt) ? 'pc' : null;
  return {
    file,
    container: j.format?.format_name ?? 'unknown',
    codec: video.codec_name,
    codecLong: video.codec_long_name ?? video.codec_name,
    profile: video.profile ?? null,
    pixFmt: video.pix_fmt,
    bitDepth: bitDepthOf(video.pix_fmt, video.bits_per_raw_sample),
    width,
    height,
    sar: sar === '0:1' ? '1:1' : sar,
    dar,
    frameRate,
    vfr,
    fieldOrder,
    colour: { primaries: tidy(video.color_primaries), transfer: tidy(video.color_transfer), matrix: tidy(video.color_space), range },
    durationSeconds,
    durationFrames,
    startTimecode,
    startTime: Math.max(0, vStart - fStart),
    audio: audio.map((a) => ({ index: a.index, codec: a.codec_name ?? 'unknown', channels: a.channels ?? 0, sampleRate: Number(a.sample_rate ?? 0) || 0, language: a.tags?.language ?? null })),
    raw: j,
  };
}

export const mediaName = (file: string): string => basename(file);
