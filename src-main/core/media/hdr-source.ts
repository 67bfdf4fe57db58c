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
  /** ffprobe's chroma_location, where the file says ('left', 'topleft', ...). */
  chromaLocation: string | null;
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
    chromaLocation: stream.chroma_location && stream.chroma_location !== 'unspecified' ? stream.chroma_location : null,
    declared: { sei: declaredFrom(frameSide), container: declaredFrom(stream.side_data_list) },
  };
}

/** zimg's names for ffprobe's chroma locations (zscale's `chromal`); 4:2:0 without a tag sits left (MPEG-2 on). */
const ZIMG_CHROMA: Record<string, string> = {
  left: 'left',
  center: 'center',
  topleft: 'topleft',
  top: 'top',
  bottomleft: 'bottomleft',
  bottom: 'bottom',
};

/**
 * The Y'CbCr -> full-range R'G'B' conversion for measuring: zimg (zscale), exact on narrow-range codes (10-bit
 * 723, PQ 1000 nits rounded, decodes to 49301 of 65535: 1004 nits). swscale's is ~0.4 % low there (49111: 978).
 */
export function ycbcrToRgbFilter(src: Pick<HdrSource, 'tags' | 'chromaLocation'>): string {
  const m = src.tags.matrix;
  const matrix = m?.startsWith('bt2020') ? '2020_ncl' : m === 'bt709' ? '709' : m === 'smpte170m' ? '170m' : '2020_ncl';
  const range = src.tags.range === 'pc' ? 'full' : 'limited';
  const chroma = ZIMG_CHROMA[src.chromaLocation ?? ''] ?? 'left';
  return `zscale=min=${matrix}:rin=${range}:cin=${chroma}:m=gbr:r=full:d=none,format=gbrp16le`;
}

/** Streams every frame as rgb48le PQ codes. Y'CbCr sources are converted with their own matrix and range. */
export function readPqFrames(
  bin: Binaries,
  src: HdrSource,
  onFrame: (rgb48: Uint16Array, index: number) => void,
  opts: { signal?: AbortSignal } = {},
): Promise<number> {
  const yuv = /^yuv|^nv|^p01/.test(src.pixFmt);
  const vf = yuv ? ['-vf', ycbcrToRgbFilter(src)] : [];
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
