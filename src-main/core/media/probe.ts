// ffprobe's JSON, read once: the video stream as the app describes it (size, rate, frames, colour tags),
// shared by clip import (ProbeResult) and HDR measurement (hdr-source.ts).
import { statSync } from 'node:fs';
import { ServiceError, type FieldOrder, type ProbeResult } from '../../common/contract';
import { formatRational, parseFrameRate, parseRational, rationalValue } from '../../common/timecode';
import { inputArgs, lastLines, run, type Binaries } from './ffmpeg';

export const MIN_DIM = 16;
export const MAX_DIM = 16384;

export type FfprobeSideData = Record<string, unknown> & { side_data_type?: string };

export interface FfprobeStream {
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
  /** Where 4:2:0 chroma samples sit ('left', 'topleft', 'center'...). */
  chroma_location?: string;
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
  side_data_list?: FfprobeSideData[];
}

export interface FfprobeJson {
  streams?: FfprobeStream[];
  format?: { format_name?: string; duration?: string; start_time?: string; tags?: Record<string, string> };
}

/** Streams and format of a file; `json` is null when ffprobe failed or printed something unreadable. */
export async function ffprobeJson(
  bin: Binaries,
  file: string,
  opts: { signal?: AbortSignal } = {},
): Promise<{ json: FfprobeJson | null; code: number | null; stderr: string }> {
  const args = ['-v', 'error', '-print_format', 'json', '-show_format', '-show_streams', ...inputArgs(file)];
  const r = await run(bin.ffprobe, args, { signal: opts.signal, maxStdout: 16 << 20 });
  let json: FfprobeJson | null = null;
  if (r.code === 0) {
    try {
      json = JSON.parse(r.stdout.toString('utf8')) as FfprobeJson;
    } catch {
      json = null;
    }
  }
  return { json, code: r.code, stderr: r.stderr };
}

/** The picture: the first video stream that is not cover art. */
export const videoStreamOf = (j: FfprobeJson): FfprobeStream | undefined =>
  (j.streams ?? []).find((s) => s.codec_type === 'video' && !s.disposition?.attached_pic);

export interface VideoStream {
  codec: string;
  codecLong: string;
  profile: string | null;
  pixFmt: string;
  bitDepth: number;
  width: number;
  height: number;
  /** Lowest-terms rational: the average rate, else the stream's base rate, else 25/1. */
  frameRate: string;
  vfr: boolean;
  durationSeconds: number;
  /** From the container's frame count, else duration × rate; at least 1. */
  frames: number;
  colour: ProbeResult['colour'];
}

/** A frame rate in lowest terms ("48000/2002" → "24000/1001"), or null for none ("0/0"). */
const rateOf = (s: string | undefined): string | null => {
  const r = parseFrameRate(s);
  return r ? formatRational(r) : null;
};

/** An aspect ratio ("64:45") in lowest terms, or null for none ("0:1"). */
const ratioOf = (s: string | undefined): string | null => {
  const r = parseRational(s, ':');
  return r && r.num > 0 && r.den > 0 ? formatRational(r, ':') : null;
};

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

const tidy = (v: string | undefined): string | null =>
  !v || v === 'unknown' || v === 'unspecified' || v === 'reserved' ? null : v;

export function describeVideoStream(v: FfprobeStream, format: FfprobeJson['format'] = {}): VideoStream {
  const pixFmt = v.pix_fmt ?? '';
  const r = rateOf(v.r_frame_rate);
  const avg = rateOf(v.avg_frame_rate);
  const frameRate = avg ?? r ?? '25/1';
  const fps = rationalValue(parseFrameRate(frameRate)!);
  const vfr = !!(r && avg && r !== avg && Math.abs(fps - rationalValue(parseFrameRate(r)!)) > 0.01);
  const durationSeconds = Number(v.duration ?? format.duration ?? 0) || 0;
  const nb = Number(v.nb_frames);
  const frames = Number.isInteger(nb) && nb > 0 ? nb : Math.max(1, Math.round(durationSeconds * fps));
  const range = v.color_range === 'tv' || v.color_range === 'pc' ? v.color_range : /^yuvj/.test(pixFmt) ? 'pc' : null;
  return {
    codec: v.codec_name ?? 'none',
    codecLong: v.codec_long_name ?? v.codec_name ?? 'none',
    profile: v.profile ?? null,
    pixFmt,
    bitDepth: bitDepthOf(pixFmt, v.bits_per_raw_sample),
    width: v.width ?? 0,
    height: v.height ?? 0,
    frameRate,
    vfr,
    durationSeconds,
    frames,
    colour: {
      primaries: tidy(v.color_primaries),
      transfer: tidy(v.color_transfer),
      matrix: tidy(v.color_space),
      range,
    },
  };
}

/** A clip for import: the file is checked first so that each fault gets its own message. */
export async function probeClip(
  bin: Binaries,
  file: string,
  opts: { signal?: AbortSignal } = {},
): Promise<ProbeResult> {
  let st;
  try {
    st = statSync(file);
  } catch {
    throw new ServiceError('not_found', `${file}: no such file (missing or moved)`);
  }
  if (st.isDirectory()) throw new ServiceError('bad_input', `${file}: is a folder, not a media file`);
  if (st.size === 0) throw new ServiceError('bad_input', `${file}: empty file (0 bytes)`);
  const r = await ffprobeJson(bin, file, opts);
  if (r.code !== 0) {
    const why = lastLines(r.stderr, 1);
    const hint = /moov atom not found|Invalid data found|End of file|truncat/i.test(r.stderr)
      ? 'truncated or not a media file'
      : 'not a media file ffprobe can read';
    throw new ServiceError('bad_input', `${file}: ${hint} (${why})`);
  }
  if (!r.json) throw new ServiceError('bad_input', `${file}: ffprobe gave unreadable output`);
  return normaliseProbe(file, r.json);
}

export function normaliseProbe(file: string, j: FfprobeJson): ProbeResult {
  const streams = j.streams ?? [];
  const video = videoStreamOf(j);
  const audio = streams.filter((s) => s.codec_type === 'audio');
  if (!video) {
    if (audio.length) {
      const codecs = audio.map((a) => a.codec_name).join(', ');
      throw new ServiceError('bad_input', `${file}: audio only (${codecs}), no video stream to import`);
    }
    throw new ServiceError('bad_input', `${file}: no video stream`);
  }
  if (!video.codec_name || video.codec_name === 'none' || !video.pix_fmt) {
    const tag = video.codec_tag_string ? ` "${video.codec_tag_string}"` : '';
    throw new ServiceError('bad_input', `${file}: unsupported video codec${tag}: this ffmpeg cannot decode it`);
  }
  const v = describeVideoStream(video, j.format);
  const { width, height } = v;
  if (width < MIN_DIM || height < MIN_DIM || width > MAX_DIM || height > MAX_DIM) {
    const supported = `supported: ${MIN_DIM}..${MAX_DIM} pixels each way`;
    throw new ServiceError('bad_input', `${file}: absurd picture size ${width}x${height} (${supported})`);
  }
  const fo = (video.field_order ?? 'unknown') as FieldOrder;
  const fieldOrder: FieldOrder = ['progressive', 'tt', 'bb', 'tb', 'bt'].includes(fo) ? fo : 'unknown';
  const sar = ratioOf(video.sample_aspect_ratio) ?? '1:1';
  const dar = ratioOf(video.display_aspect_ratio) ?? ratioOf(`${width}:${height}`)!;
  const tcStream = streams.find((s) => s.tags?.timecode);
  const startTimecode = video.tags?.timecode ?? j.format?.tags?.timecode ?? tcStream?.tags?.timecode ?? null;
  const vStart = Number(video.start_time ?? 0) || 0;
  const fStart = Number(j.format?.start_time ?? vStart) || 0;
  return {
    file,
    container: j.format?.format_name ?? 'unknown',
    codec: v.codec,
    codecLong: v.codecLong,
    profile: v.profile,
    pixFmt: v.pixFmt,
    bitDepth: v.bitDepth,
    width,
    height,
    sar,
    dar,
    frameRate: v.frameRate,
    vfr: v.vfr,
    fieldOrder,
    colour: v.colour,
    durationSeconds: v.durationSeconds,
    durationFrames: v.frames,
    startTimecode,
    startTime: Math.max(0, vStart - fStart),
    audio: audio.map((a) => ({
      index: a.index,
      codec: a.codec_name ?? 'unknown',
      channels: a.channels ?? 0,
      sampleRate: Number(a.sample_rate ?? 0) || 0,
      language: a.tags?.language ?? null,
    })),
    raw: j,
  };
}
