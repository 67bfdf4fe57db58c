// Every ffmpeg / ffprobe command line the export runs, in one place.
// R'G'B' -> Y'CbCr goes through zscale (zimg) with the matrix, range and chroma siting spelt out: on the BT.2111
// bars it gives the published 10-bit codes exactly (and our ycbcr.ts's codes everywhere), where swscale's
// `scale` lands 2-3 codes high (white 943, 40% grey 415). Dither is off: the cache is 16-bit, the master 10-bit.
import { x265MasterDisplay, x265MaxCll, type MasteringDisplay } from '../../common/colour';
import { inputArgs } from '../media/ffmpeg';
import { rateString, type ExportInput, type FrameRate, type MasterFormat } from './plan';

const QUIET = ['-v', 'error', '-nostdin', '-hide_banner'];

/**
 * Rendered frames to a delivery raster: resized in PQ R'G'B' to fit it whole, keeping the picture's shape, and
 * centred on black (code 0, 0 nits). '' when the sizes match. The filter is Mitchell-Netravali's cubic (B = C =
 * 1/3): in PQ a small overshoot is a lot of light, and the sharp filters ring into bright halos (a 1500-nit
 * square on grey, doubled: Mitchell 1815 nits at its edges, splines 2736-3361, bilinear 1500 but soft).
 */
export function rasterFilter(from: { width: number; height: number }, to: { width: number; height: number }): string {
  if (from.width === to.width && from.height === to.height) return '';
  const k = Math.min(to.width / from.width, to.height / from.height);
  const even = (v: number) => Math.max(2, 2 * Math.round(v / 2));
  const w = Math.min(to.width, even(from.width * k)),
    h = Math.min(to.height, even(from.height * k));
  const pad =
    w === to.width && h === to.height
      ? ''
      : `,pad=${to.width}:${to.height}:${(to.width - w) / 2}:${(to.height - h) / 2}:black`;
  return `${resizeFilter(w, h)}${pad}`;
}

/**
 * A resize of rendered PQ R'G'B' to exactly `width` x `height`, square pixels. zimg's bicubic is Mitchell's
 * (B = C = 1/3) and keeps 16-bit levels: swscale's planar 16-bit path lifts R' and B' by ~400 of 65535 whatever
 * its flags. The sizes are rounded to even, so the shape may move by a fraction of a pixel: the pixels stay square.
 */
export function resizeFilter(width: number, height: number): string {
  return `zscale=w=${width}:h=${height}:filter=bicubic,setsar=1`;
}

/** One cache file's frames as rgb48le on stdout, for the TIFF writer (gbrp16 and 16-bit TIFF repack losslessly). */
export function decodeInputArgs(input: ExportInput, raster = ''): string[] {
  const trim = `trim=start_frame=${input.firstFrame}:end_frame=${input.firstFrame + input.frames},setpts=PTS-STARTPTS${raster ? `,${raster}` : ''}`;
  return [
    ...QUIET,
    ...inputArgs(input.file),
    '-map',
    '0:v:0',
    '-vf',
    trim,
    '-f',
    'rawvideo',
    '-pix_fmt',
    'rgb48le',
    '-',
  ];
}

const TAGS = ['-color_primaries', 'bt2020', '-color_trc', 'smpte2084', '-colorspace', 'bt2020nc', '-color_range', 'tv'];

const PIX_FMT: Record<Exclude<MasterFormat, 'tiff16'>, string> = {
  'hdr10-hevc': 'yuv420p10le',
  prores4444xq: 'yuv444p10le',
  prores422hq: 'yuv422p10le',
};

export function masterPixFmt(format: MasterFormat): string {
  return format === 'tiff16' ? 'rgb48le' : PIX_FMT[format];
}

/** Full-range PQ R'G'B' -> BT.2020nc narrow Y'CbCr, chroma top-left (HDR10's chroma_loc 2). */
function toYcbcr(pixFmt: string): string {
  return `zscale=min=gbr:rin=full:m=2020_ncl:r=limited:c=topleft:d=none,format=${pixFmt}`;
}

/** The inverse of {@link toYcbcr}, as the read-back decodes a master: back to full-range R'G'B', 16-bit. */
const FROM_YCBCR = 'zscale=min=2020_ncl:rin=limited:cin=topleft:m=gbr:r=full:d=none,format=gbrp16le';

/** Closed GOPs of at most two seconds, so every key frame carries the headers and SEI a player joins on. */
export function keyframeInterval(rate: FrameRate): number {
  return Math.max(1, Math.floor((2 * rate.num) / rate.den));
}

export function x265Params(md: MasteringDisplay, maxCll: number, maxFall: number, rate: FrameRate): string {
  return [
    'log-level=error',
    'hdr10=1',
    'repeat-headers=1',
    'colorprim=bt2020',
    'transfer=smpte2084',
    'colormatrix=bt2020nc',
    'range=limited',
    'chromaloc=2',
    `master-display=${x265MasterDisplay(md)}`,
    `max-cll=${x265MaxCll(maxCll, maxFall)}`,
    `keyint=${keyframeInterval(rate)}`,
    'min-keyint=1',
    'open-gop=0',
  ].join(':');
}

/**
 * The programme's frames as one ffmpeg input, read by the encoder itself (no frames through Node): the cache
 * files in order through the concat demuxer, each cut after the last frame it gives (`outpoint`, half a frame
 * past it, so the cache's millisecond timestamps cannot tip it either way). The frames before each file's first
 * wanted one are dropped afterwards by {@link programmeFilter}, counted in frames, not seconds.
 */
export function concatList(inputs: readonly ExportInput[], rate: FrameRate): string {
  // The concat demuxer's quoting: a path in '...' with each ' written '\''.
  const quote = (p: string): string => `'${p.replace(/'/g, "'\\''")}'`;
  return inputs
    .map((i) => {
      const outpoint = ((i.firstFrame + i.frames - 0.5) * rate.den) / rate.num;
      return `file ${quote(`file:${i.file}`)}\noutpoint ${outpoint.toFixed(9)}\n`;
    })
    .join('');
}

/** The concat list as the encoder's input: a file, or '-' for the list on stdin. */
export function concatInputArgs(list: string): string[] {
  const from = list === '-' ? ['-protocol_whitelist', 'file,pipe', '-i', 'pipe:0'] : ['-i', `file:${list}`];
  return ['-f', 'concat', '-safe', '0', ...from];
}

/**
 * Frame selection and timing after the concat demuxer: drops each input's frames before its `firstFrame`
 * (positions in the concatenated stream, which holds firstFrame + frames of each), then numbers the frames
 * again at the programme's exact rate (the outpoints leave half-frame steps between files).
 */
export function programmeFilter(inputs: readonly ExportInput[], rate: FrameRate): string {
  const drops: string[] = [];
  let at = 0;
  for (const i of inputs) {
    if (i.firstFrame > 0) drops.push(`between(n\\,${at}\\,${at + i.firstFrame - 1})`);
    at += i.firstFrame + i.frames;
  }
  const select = drops.length ? `select=not(${drops.join('+')}),` : '';
  return `${select}setpts=N*${rate.den}/${rate.num}/TB`;
}

export interface EncodeSpec {
  format: Exclude<MasterFormat, 'tiff16'>;
  /** The video input's ffmpeg arguments (concatInputArgs) and filters to run on it before the conversion. */
  video: { input: string[]; filter?: string };
  width: number;
  height: number;
  rate: FrameRate;
  mastering: MasteringDisplay;
  maxCll: number;
  maxFall: number;
  crf: number;
  audio?: { file: string; startSeconds: number; durationSeconds: number };
  timecode?: string;
  out: string;
}

/** The encoder: the programme's frames at the source's exact rate, optional audio copied, one master file out. */
export function encodeArgs(s: EncodeSpec): string[] {
  const rate = rateString(s.rate);
  const args = [...QUIET, ...s.video.input];
  if (s.audio)
    args.push('-ss', String(s.audio.startSeconds), '-t', String(s.audio.durationSeconds), ...inputArgs(s.audio.file));
  args.push('-map', '0:v:0');
  if (s.audio) args.push('-map', '1:a', '-c:a', 'copy');
  const vf = [s.video.filter, toYcbcr(PIX_FMT[s.format])].filter(Boolean).join(',');
  args.push('-vf', vf, '-r', rate, ...TAGS);
  if (s.format === 'hdr10-hevc') {
    args.push('-c:v', 'libx265', '-preset', 'medium', '-crf', String(s.crf), '-tag:v', 'hvc1');
    args.push('-x265-params', x265Params(s.mastering, s.maxCll, s.maxFall, s.rate));
  } else {
    args.push('-c:v', 'prores_ks', '-profile:v', s.format === 'prores4444xq' ? '4444xq' : 'hq', '-vendor', 'apl0');
  }
  if (s.timecode) args.push('-timecode', s.timecode);
  // The mov muxer writes the colr box only when asked; mdcv/clli are added afterwards (mp4-boxes.ts).
  args.push('-movflags', '+write_colr', '-f', /\.mp4$/i.test(s.out) ? 'mp4' : 'mov', '-y', s.out);
  return args;
}

/** File descriptors on which {@link encoderInputArgs} writes its two pictures. */
export const GIVEN_FD = 3;
export const SAMPLED_FD = 4;

/**
 * The encoder's input without encoding, as rgb48le, for measuring: on pipe:3 the programme's frames as the encoder
 * is given them (16-bit R'G'B'), on pipe:4 the same at the master's sampling (10-bit Y'CbCr, its chroma
 * subsampling, by the encode's own conversion) and back to R'G'B' as the read-back decodes it: the master's
 * pictures less the codec's error.
 */
export function encoderInputArgs(
  video: { input: string[]; filter?: string },
  format: Exclude<MasterFormat, 'tiff16'>,
): string[] {
  const programme = video.filter ? `${video.filter},` : '';
  const graph = `[0:v]${programme}split=2[given][m];[m]${toYcbcr(PIX_FMT[format])},${FROM_YCBCR}[sampled]`;
  const raw = ['-f', 'rawvideo', '-pix_fmt', 'rgb48le'];
  return [
    ...QUIET,
    ...video.input,
    '-filter_complex',
    graph,
    '-map',
    '[given]',
    ...raw,
    `pipe:${GIVEN_FD}`,
    '-map',
    '[sampled]',
    ...raw,
    `pipe:${SAMPLED_FD}`,
  ];
}

/** Streams and format (with the container's side data: mdcv / clli as ffprobe reads them). */
export function probeArgs(file: string): string[] {
  return ['-v', 'error', '-show_streams', '-show_format', '-of', 'json', `file:${file}`];
}

/** The first video frame and its side data (the ST 2086 / CTA-861.3 SEI). */
export function firstFrameArgs(file: string): string[] {
  return [
    '-v',
    'error',
    '-select_streams',
    'v:0',
    '-show_frames',
    '-read_intervals',
    '%+#1',
    '-of',
    'json',
    `file:${file}`,
  ];
}

/** Frames really decodable in the first video stream. */
export function countFramesArgs(file: string): string[] {
  return [
    '-v',
    'error',
    '-count_frames',
    '-select_streams',
    'v:0',
    '-show_entries',
    'stream=nb_read_frames',
    '-of',
    'json',
    `file:${file}`,
  ];
}

/** A TIFF sequence as one input: its files are name_0000000.tif, name_0000001.tif, ... */
export function tiffSequenceInput(pattern: string, rate: FrameRate): string[] {
  return ['-f', 'image2', '-framerate', rateString(rate), '-start_number', '0', '-i', pattern];
}

/**
 * The master decoded back to full-range PQ R'G'B' (rgb48le) for re-measuring its light: zscale inverts the
 * encode's matrix, range and siting exactly; R'G'B' masters are passed through.
 */
export function decodeMasterArgs(input: string[], pixFmt: string): string[] {
  const vf = pixFmt.startsWith('yuv') ? ['-vf', FROM_YCBCR] : [];
  return [...QUIET, ...input, '-map', '0:v:0', ...vf, '-f', 'rawvideo', '-pix_fmt', 'rgb48le', '-'];
}

/** Size of a cache file's picture. */
export function inputSizeArgs(file: string): string[] {
  return ['-v', 'error', '-select_streams', 'v:0', '-show_entries', 'stream=width,height', '-of', 'json', file];
}
