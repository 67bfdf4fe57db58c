// Frame-accurate decode to rgb48le: one frame, or a run of frames in one pass without re-seeking.
import { rgb48ToFloatPlanes } from '../../common/colour';
import { ServiceError } from '../../common/contract';
import { inputArgs, streamFrames, type Binaries } from './ffmpeg';
import { checkDecodable, outputSize, rgbChain, seekArgs } from './picture';
import type { MediaInput, RgbFrame } from './types';

export interface DecodeOptions {
  width?: number;
  signal?: AbortSignal;
  /** Below normal priority: a render's decode, a few frames ahead of a network that needs every core. */
  background?: boolean;
}

export async function decodeRange(
  bin: Binaries,
  input: MediaInput,
  from: number,
  to: number,
  onFrame: (f: RgbFrame) => void | Promise<void>,
  o: DecodeOptions = {},
): Promise<number> {
  checkDecodable(input);
  if (from < 0 || to < from) throw new ServiceError('bad_request', `Bad frame range ${from}..${to}`);
  const { width, height } = outputSize(input, o.width);
  const bytes = width * height * 6;
  // Variable frame rate: timestamps do not give frame numbers, so count frames from the start instead.
  const vfr = input.probe.vfr && from > 0;
  const chain = (vfr ? `select=gte(n\\,${from}),` : '') + rgbChain(input, o.width, 'rgb48le');
  const args = [
    ...['-v', 'error', '-nostdin', ...(vfr ? [] : seekArgs(input, from)), ...inputArgs(input.file)],
    ...['-an', '-sn', '-dn', '-vsync', 'passthrough', '-vf', chain, '-frames:v', String(to - from + 1)],
    ...['-f', 'rawvideo', '-pix_fmt', 'rgb48le', 'pipe:1'],
  ];
  // A promise from onFrame holds ffmpeg back until it settles (streamFrames pauses its pipe).
  return streamFrames(
    bin.ffmpeg,
    args,
    bytes,
    (buf, i) => onFrame({ frame: from + i, width, height, data: Buffer.from(buf) }),
    { signal: o.signal, what: input.file, background: o.background },
  );
}

export async function decodeFrame(
  bin: Binaries,
  input: MediaInput,
  frame: number,
  o: DecodeOptions = {},
): Promise<RgbFrame> {
  let out: RgbFrame | null = null;
  await decodeRange(bin, input, frame, frame, (f) => void (out = f), o);
  if (!out) {
    const has = `the clip has ${input.probe.durationFrames} frames`;
    throw new ServiceError('not_found', `${input.file}: no frame ${frame} (${has})`);
  }
  return out;
}

/** The decoder's rgb48le frame -> the model's planar float R'G'B' in [0, 1]. */
export function sdrPlanes(f: RgbFrame): Float32Array {
  const n = f.width * f.height;
  // A Uint16Array view needs an even byte offset; copy in the rare case the Buffer sits on an odd one.
  const codes =
    f.data.byteOffset % 2 === 0
      ? new Uint16Array(f.data.buffer, f.data.byteOffset, 3 * n)
      : new Uint16Array(Uint8Array.from(f.data).buffer);
  return rgb48ToFloatPlanes(codes, f.width, f.height);
}
