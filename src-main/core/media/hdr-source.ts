// Reading an HDR file for measurement: its own HDR10 metadata (ST 2086, CTA-861.3) from ffprobe, and its
// frames as full-range 16-bit BT.2020 PQ R'G'B' (rgb48le) from ffmpeg, decoded with the file's own matrix.
import { existsSync, statSync } from 'node:fs';
import { basename } from 'node:path';
import { parseFfmpegMasteringSideData, type DeclaredHdrMetadata } from '../../common/colour';
import { ServiceError } from '../../common/contract';
import { lastLines, run, streamFrames, type Binaries } from './ffmpeg';

export interface HdrSource {
  file: string;
  kind: 'video' | 'image';
  codec: string;
  profile: string | null;
  pixFmt: string;
  width: number;
  height: number;
  frameRate: string;
  /** Frames expected (from the container; 1 for an image). */
  frames: number;
  tags: { primaries: string | null; transfer: string | null; matrix: string | null; range: string | null };
  /** Metadata in the first frame's SEI (HEVC) and in the container (MP4/MOV mdcv/clli boxes). */
  declared: { sei: DeclaredHdrMetadata; container: DeclaredHdrMetadata };
}

type SideData = Record<string, unknown> & { side_data_type?: string };
interface Stream {
  codec_type?: string;
  codec_name?: string;
  profile?: string;
  pix_fmt?: string;
  width?: number;
  height?: number;
  r_frame_rate?: string;
  avg_frame_rate?: string;
  nb_frames?: string;
  duration?: string;
  color_primaries?: string;
  color_transfer?: string;
  color_space?: string;
  color_range?: string;
  side_data_list?: SideData[];
}

const IMAGE_CODECS = new Set(['tiff', 'png', 'mjpeg', 'bmp', 'dpx', 'exr']);

function declaredFrom(list: SideData[] | undefined): DeclaredHdrMetadata {
  const out: DeclaredHdrMetadata = {};
  for (const sd of list ?? []) {
    if (sd.side_data_type === 'Mastering display metadata') out.mastering = parseFfmpegMasteringSideData(sd);
    if (sd.side_data_type === 'Content light level metadata') {
      out.maxCll = Number(sd.max_content) || 0;
      out.maxFall = Number(sd.max_average) || 0;
    }
  }
  return out;
}

export async function probeHdrSource(bin: Binaries, file: string): Promise<HdrSource> {
  const name = basename(file);
  if (!existsSync(file)) throw new ServiceError('not_found', `${name}: no such file`);
  if (!statSync(file).isFile()) throw new ServiceError('bad_input', `${name}: not a file`);
  if (statSync(file).size === 0) throw new ServiceError('bad_input', `${name}: the file is empty`);
  const s = await run(bin.ffprobe, ['-v', 'error', '-select_streams', 'v:0', '-show_streams', '-of', 'json', file], { maxStdout: 4 << 20 });
  let stream: Stream | undefined;
  try {
    stream = (JSON.parse(s.stdout.toString()) as { streams?: Stream[] }).streams?.[0];
  } catch {
    stream = undefined;
  }
  if (s.code !== 0 || !stream || !stream.width || !stream.height) {
    throw new ServiceError('bad_input', `${name}: no video or image in this file${s.stderr ? ` (${lastLines(s.stderr, 1)})` : ''}`);
  }
  const f = await run(bin.ffprobe, ['-v', 'error', '-select_streams', 'v:0', '-read_intervals', '%+#1', '-show_frames', '-show_entries', 'frame=side_data_list', '-of', 'json', file], { maxStdout: 4 << 20 });
  let frameSide: SideData[] | undefined;
  try {
    frameSide = (JSON.parse(f.stdout.toString()) as { frames?: { side_data_list?: SideData[] }[] }).frames?.[0]?.side_data_list;
  } catch {
    frameSide = undefined;
  }
  const kind = IMAGE_CODECS.has(stream.codec_name ?? '') ? 'image' : 'video';
  const rate = stream.avg_frame_rate && stream.avg_frame_rate !== '0/0' ? stream.avg_frame_rate : (stream.r_frame_rate ?? '0/1');
  const [rn, rd] = rate.split('/').map(Number);
  const frames = kind === 'image' ? 1 : Number(stream.nb_frames) || Math.round((Number(stream.duration) || 0) * (rd ? rn / rd : 0)) || 0;
  return {
    file,
    kind,
    codec: stream.codec_name ?? '?',
    profile: stream.profile ?? null,
    pixFmt: stream.pix_fmt ?? '?',
    width: stream.width,
    height: stream.height,
    frameRate: rate,
    frames,
    tags: { primaries: stream.color_primaries ?? null, transfer: stream.color_transfer ?? null, matrix: stream.color_space ?? null, range: stream.color_range ?? null },
    declared: { sei: declaredFrom(frameSide), container: declaredFrom(stream.side_data_list) },
  };
}

/** Streams every frame as rgb48le PQ codes. Y'CbCr sources are converted with their own matrix and range. */
export function readPqFrames(bin: Binaries, src: HdrSource, onFrame: (rgb48: Uint16Array, index: number) => void, opts: { signal?: AbortSignal } = {}): Promise<number> {
  const yuv = /^yuv|^nv|^p01/.test(src.pixFmt);
  const matrix = src.tags.matrix?.startsWith('bt2020') ? 'bt2020' : src.tags.matrix === 'bt709' ? 'bt709' : 'bt2020';
  const range = src.tags.range === 'pc' ? 'full' : 'limited';
  const vf = yuv ? ['-vf', `scale=in_color_matrix=${matrix}:in_range=${range}:flags=accurate_rnd+full_chroma_int+full_chroma_inp`] : [];
  const bytes = src.width * src.height * 6;
  // One aligned buffer, reused: frames are handed over synchronously, one at a time.
  const codes = new Uint16Array(bytes / 2);
  const view = new Uint8Array(codes.buffer);
  return streamFrames(
    bin.ffmpeg,
    ['-v', 'error', '-nostdin', '-i', src.file, '-map', '0:v:0', ...vf, '-f', 'rawvideo', '-pix_fmt', 'rgb48le', '-'],
    bytes,
    (buf, i) => {
      view.set(buf); // the pipe's buffer may start at an odd byte
      onFrame(codes, i);
    },
    { signal: opts.signal, what: basename(src.file) },
  );
}
