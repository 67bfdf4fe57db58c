// Reading an HDR file for measurement: its own HDR10 metadata (ST 2086, CTA-861.3) from ffprobe, and its
// frames as full-range 16-bit BT.2020 PQ R'G'B' (rgb48le) from ffmpeg, decoded with the file's own matrix.
import { existsSync, statSync } from 'node:fs';
import { basename } from 'node:path';
import { parseFfmpegMasteringSideData, type DeclaredHdrMetadata } from '../../common/colour';
import { ServiceError } from '../../common/contract';
import { inputArgs, lastLines, run, streamFrames, type Binaries } from './ffmpeg';
import { describeVideoStream, ffprobeJson, videoStreamOf, type FfprobeSideData } from './probe';

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

const IMAGE_CODECS = new Set(['tiff', 'png', 'mjpeg', 'bmp', 'dpx', 'exr']);

function declaredFrom(list: FfprobeSideData[] | undefined): DeclaredHdrMetadata {
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
  const probe = await ffprobeJson(bin, file);
  const stream = probe.json ? videoStreamOf(probe.json) : undefined;
  if (!stream || !stream.width || !stream.height) {
    const why = probe.stderr ? ` (${lastLines(probe.stderr, 1)})` : '';
    throw new ServiceError('bad_input', `${name}: no video or image in this file${why}`);
  }
  const v = describeVideoStream(stream, probe.json?.format);
  const firstFrame = ['-v', 'error', '-select_streams', 'v:0', '-read_intervals', '%+#1', '-show_frames'];
  const f = await run(
    bin.ffprobe,
    [...firstFrame, '-show_entries', 'frame=side_data_list', '-of', 'json', ...inputArgs(file)],
    {
      maxStdout: 4 << 20,
    },
  );
  let frameSide: FfprobeSideData[] | undefined;
  try {
    frameSide = (JSON.parse(f.stdout.toString()) as { frames?: { side_data_list?: FfprobeSideData[] }[] }).frames?.[0]
      ?.side_data_list;
  } catch {
    frameSide = undefined;
  }
  const kind = IMAGE_CODECS.has(v.codec) ? 'image' : 'video';
  return {
    file,
    kind,
    codec: v.codec,
    profile: v.profile,
    pixFmt: v.pixFmt,
    width: v.width,
    height: v.height,
    frameRate: v.frameRate,
    frames: kind === 'image' ? 1 : v.frames,
    tags: v.colour,
    declared: { sei: declaredFrom(frameSide), container: declaredFrom(stream.side_data_list) },
  };
}

/** Streams every frame as rgb48le PQ codes. Y'CbCr sources are converted with their own matrix and range. */
export function readPqFrames(
  bin: Binaries,
  src: HdrSource,
  onFrame: (rgb48: Uint16Array, index: number) => void,
  opts: { signal?: AbortSignal } = {},
): Promise<number> {
  const yuv = /^yuv|^nv|^p01/.test(src.pixFmt);
  const matrix = src.tags.matrix?.startsWith('bt2020') ? 'bt2020' : src.tags.matrix === 'bt709' ? 'bt709' : 'bt2020';
  const range = src.tags.range === 'pc' ? 'full' : 'limited';
  const vf = yuv
    ? ['-vf', `scale=in_color_matrix=${matrix}:in_range=${range}:flags=accurate_rnd+full_chroma_int+full_chroma_inp`]
    : [];
  const bytes = src.width * src.height * 6;
  // One aligned buffer, reused: frames are handed over synchronously, one at a time.
  const codes = new Uint16Array(bytes / 2);
  const view = new Uint8Array(codes.buffer);
  return streamFrames(
    bin.ffmpeg,
    [
      '-v',
      'error',
      '-nostdin',
      ...inputArgs(src.file),
      '-map',
      '0:v:0',
      ...vf,
      '-f',
      'rawvideo',
      '-pix_fmt',
      'rgb48le',
      '-',
    ],
    bytes,
    (buf, i) => {
      view.set(buf); // the pipe's buffer may start at an odd byte
      onFrame(codes, i);
    },
    { signal: opts.signal, what: basename(src.file) },
  );
}
