// Test patterns as files a colorist can send down a display chain: BT.2111 PQ bars, a PQ luminance stair,
// SDR SMPTE bars. Exact code values in lossless video (.mkv FFV1) or 16-bit TIFF; ProRes 4444 XQ in .mov.
import {
  bt2111Bars,
  codePatternToPqFrame,
  pqLuminanceStair,
  rgbPlanesToYcbcr,
  smpteBars,
  type CodePattern,
  type PlanarRgb,
} from '../common/colour';
import { bt2100PqIccProfile } from '../common/colour/icc';
import { ServiceError } from '../common/contract';
import { writeTiff16 } from './master/tiff16';
import { resolveBinaries } from './media';
import { writeStillVideo, type VideoTags } from './media/encode';

export const PATTERNS = ['bt2111', 'pq-stair', 'smpte-sdr'] as const;
export type PatternName = (typeof PATTERNS)[number];

/** R'G'B' planes of the pattern (signal values: 0 = black code, 1 = nominal peak; may go beyond for bars). */
function patternPlanes(name: PatternName, width: number, height: number): { planes: PlanarRgb; tags: VideoTags } {
  if (name === 'smpte-sdr') {
    return {
      planes: smpteBars(width, height).planes,
      tags: { primaries: 'bt709', transfer: 'bt709', matrix: 'bt709' },
    };
  }
  const pq: CodePattern | null = name === 'bt2111' ? bt2111Bars(width, height) : null;
  const n = width * height;
  const planes = { r: new Float32Array(n), g: new Float32Array(n), b: new Float32Array(n) };
  if (pq) {
    // 10-bit narrow codes back to signal values, keeping the -7% and 109% patches outside 0..1.
    for (let i = 0; i < n; i++) {
      planes.r[i] = (pq.r[i] - 64) / 876;
      planes.g[i] = (pq.g[i] - 64) / 876;
      planes.b[i] = (pq.b[i] - 64) / 876;
    }
  } else {
    const f = pqLuminanceStair(width, height);
    for (let i = 0; i < n; i++) {
      planes.r[i] = f.data[3 * i] / 65535;
      planes.g[i] = f.data[3 * i + 1] / 65535;
      planes.b[i] = f.data[3 * i + 2] / 65535;
    }
  }
  return { planes, tags: { primaries: 'bt2020', transfer: 'smpte2084', matrix: 'bt2020nc' } };
}

export async function writePattern(name: PatternName, file: string, width: number, height: number): Promise<void> {
  if (!/\.(tiff?|mkv|mov)$/i.test(file))
    throw new ServiceError(
      'bad_input',
      `${file}: choose .tif (16-bit R'G'B'), .mkv (lossless 10-bit) or .mov (ProRes 4444 XQ)`,
    );
  if (width < 64 || height < 64 || width > 8192 || height > 4320 || width % 2 || height % 2)
    throw new ServiceError('bad_input', `size ${width}x${height}: use even sizes from 64x64 to 8192x4320`);
  if (/\.tiff?$/i.test(file)) {
    // Full-range 16-bit: sub-black and super-white clip (TIFF has no footroom). PQ patterns say so in an ICC
    // profile (cicp BT.2020 / PQ); the SDR bars carry none rather than a wrong one.
    const rgb48 =
      name === 'bt2111'
        ? codePatternToPqFrame(bt2111Bars(width, height)).data
        : interleave(patternPlanes(name, width, height).planes, width * height);
    return writeTiff16(file, width, height, rgb48, name === 'smpte-sdr' ? undefined : bt2100PqIccProfile());
  }
  const bin = resolveBinaries();
  const { planes, tags } = patternPlanes(name, width, height);
  const y = rgbPlanesToYcbcr(planes, width, height, { matrix: tags.matrix, range: 'narrow', bits: 10, format: '444' });
  const yuv = new Uint16Array(3 * width * height);
  yuv.set(y.y, 0);
  yuv.set(y.cb, width * height);
  yuv.set(y.cr, 2 * width * height);
  return writeStillVideo(bin, file, width, height, yuv, tags);
}

function interleave(p: PlanarRgb, n: number): Uint16Array {
  const out = new Uint16Array(3 * n);
  const q = (v: number) => (v <= 0 ? 0 : v >= 1 ? 65535 : Math.round(v * 65535));
  for (let i = 0; i < n; i++) {
    out[3 * i] = q(p.r[i]);
    out[3 * i + 1] = q(p.g[i]);
    out[3 * i + 2] = q(p.b[i]);
  }
  return out;
}
