// How a clip becomes pictures: output size (square pixels), deinterlace filters, the source's matrix and
// range, and where to seek. Pure functions of the probe and the clip's options.
import { ServiceError, type ProbeResult } from '../../common/contract';
import { frameRateValue, parseRational } from '../../common/timecode';
import { MAX_DIM, MIN_DIM } from './probe';
import type { MediaInput } from './types';

export function outputSize(input: MediaInput, width?: number): { width: number; height: number } {
  const p = input.probe;
  let w = p.width;
  const h = p.height;
  if (input.options.squarePixels) {
    const sar = parseRational(p.sar, ':');
    if (sar && sar.num > 0 && sar.den > 0 && sar.num !== sar.den) w = Math.round((w * sar.num) / sar.den / 2) * 2;
  }
  if (width && width > 0 && width !== w) {
    const ww = Math.max(2, Math.round(width / 2) * 2);
    return { width: ww, height: Math.max(2, Math.round((h * ww) / w / 2) * 2) };
  }
  return { width: w, height: h };
}

export function clipFilters(input: MediaInput): string[] {
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
export function colourArgs(p: ProbeResult): string {
  return `in_color_matrix=${matrixOf(p)}:in_range=${isFull(p) ? 'pc' : 'tv'}:out_range=pc`;
}

/**
 * Decode chain to 16-bit R'G'B': zimg (zscale) does the matrix and range in floating point, so narrow-range
 * 235 lands on 65535 exactly (swscale's 8-bit path stops one code short). RGB sources skip the matrix.
 */
export function rgbChain(input: MediaInput, width: number | undefined, pixFmt: string): string {
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

export function seekArgs(input: MediaInput, frame: number): string[] {
  if (frame <= 0) return [];
  // Half a frame early: accurate seeking then drops every frame before N, whatever the rounding.
  const t = input.probe.startTime + (frame - 0.5) / frameRateValue(input.probe.frameRate);
  return ['-ss', t.toFixed(6)];
}

export function checkDecodable(input: MediaInput): void {
  const p = input.probe;
  if (p.width < MIN_DIM || p.height < MIN_DIM || p.width > MAX_DIM || p.height > MAX_DIM) {
    throw new ServiceError('bad_input', `${input.file}: absurd picture size ${p.width}x${p.height}`);
  }
}
