// Y'CbCr (non-constant luminance) for BT.709 and BT.2020, quantisation at 8/10/12/16 bits, and chroma
// subsampling with the siting the delivery format declares (HDR10 asks for top-left, chroma_loc 2).
import { BT2020_KB, BT2020_KR, BT709_KB, BT709_KR } from './primaries';

export type YcbcrMatrix = 'bt709' | 'bt2020nc';
export type SignalRange = 'narrow' | 'full';
export type BitDepth = 8 | 10 | 12 | 16;
export type ChromaFormat = '444' | '422' | '420';
/** Chroma sample position. left = chroma_loc 0 (MPEG-2/H.264 default), topleft = chroma_loc 2 (BT.2020/HDR10). */
export type ChromaSiting = 'left' | 'topleft';

export function lumaCoefficients(m: YcbcrMatrix): { kr: number; kb: number; kg: number } {
  const kr = m === 'bt709' ? BT709_KR : BT2020_KR;
  const kb = m === 'bt709' ? BT709_KB : BT2020_KB;
  return { kr, kb, kg: 1 - kr - kb };
}

/** R'G'B' [0,1] -> Y' [0,1], Cb/Cr [-0.5,0.5] (analogue values, no quantisation). */
export function rgbToYcbcr(r: number, g: number, b: number, m: YcbcrMatrix): [number, number, number] {
  const { kr, kb, kg } = lumaCoefficients(m);
  const y = kr * r + kg * g + kb * b;
  return [y, (b - y) / (2 * (1 - kb)), (r - y) / (2 * (1 - kr))];
}

export function ycbcrToRgb(y: number, cb: number, cr: number, m: YcbcrMatrix): [number, number, number] {
  const { kr, kb, kg } = lumaCoefficients(m);
  const r = y + 2 * (1 - kr) * cr;
  const b = y + 2 * (1 - kb) * cb;
  return [r, (y - kr * r - kb * b) / kg, b];
}

/** Lowest and highest code a writer may emit (narrow range keeps the timing-reference codes free). */
export function codeLimits(bits: BitDepth, range: SignalRange): { min: number; max: number } {
  const top = (1 << bits) - 1;
  if (range === 'full') return { min: 0, max: top };
  const s = 1 << (bits - 8);
  return { min: s, max: top - s };
}

/** Y' [0,1] -> integer code. Narrow: (219·Y'+16)·2^(n-8) (10-bit 64..940); full: Y'·(2^n-1). Clipped to {@link codeLimits}. */
export function quantizeLuma(y: number, bits: BitDepth, range: SignalRange): number {
  const v = range === 'narrow' ? (219 * y + 16) * (1 << (bits - 8)) : y * ((1 << bits) - 1);
  const { min, max } = codeLimits(bits, range);
  return Math.min(max, Math.max(min, Math.round(v)));
}

/** Cb/Cr [-0.5,0.5] -> code. Narrow: (224·C+128)·2^(n-8) (10-bit 64..960); full: C·(2^n-1)+2^(n-1). */
export function quantizeChroma(c: number, bits: BitDepth, range: SignalRange): number {
  const v = range === 'narrow' ? (224 * c + 128) * (1 << (bits - 8)) : c * ((1 << bits) - 1) + (1 << (bits - 1));
  const { min, max } = codeLimits(bits, range);
  return Math.min(max, Math.max(min, Math.round(v)));
}

export function dequantizeLuma(code: number, bits: BitDepth, range: SignalRange): number {
  return range === 'narrow' ? (code / (1 << (bits - 8)) - 16) / 219 : code / ((1 << bits) - 1);
}

export function dequantizeChroma(code: number, bits: BitDepth, range: SignalRange): number {
  return range === 'narrow' ? (code / (1 << (bits - 8)) - 128) / 224 : (code - (1 << (bits - 1))) / ((1 << bits) - 1);
}

export interface PlanarRgb {
  r: Float32Array;
  g: Float32Array;
  b: Float32Array;
}

export interface YcbcrFrame {
  width: number;
  height: number;
  /** Chroma plane size (ceil halves for 4:2:0 / 4:2:2). */
  chromaWidth: number;
  chromaHeight: number;
  y: Uint16Array;
  cb: Uint16Array;
  cr: Uint16Array;
  format: ChromaFormat;
  siting: ChromaSiting;
  matrix: YcbcrMatrix;
  range: SignalRange;
  bits: BitDepth;
}

export interface YcbcrOptions {
  matrix: YcbcrMatrix;
  range: SignalRange;
  bits: BitDepth;
  format?: ChromaFormat;
  siting?: ChromaSiting;
}

export function chromaSize(w: number, h: number, format: ChromaFormat): [number, number] {
  return [format === '444' ? w : (w + 1) >> 1, format === '420' ? (h + 1) >> 1 : h];
}

const clampI = (v: number, hi: number) => (v < 0 ? 0 : v > hi ? hi : v);

/**
 * Downsample a full-resolution chroma plane. Horizontally chroma is co-sited with even luma columns
 * (both sitings): [1,2,1]/4. Vertically (4:2:0): top-left is co-sited with even rows, [1,2,1]/4; left
 * sits midway between rows 2j and 2j+1, [1,3,3,1]/8. Edges repeat the edge sample. Both filters pass
 * linear ramps unchanged, so {@link upsampleChroma} restores a ramp exactly away from the edges.
 */
export function subsampleChroma(
  src: Float32Array,
  w: number,
  h: number,
  format: ChromaFormat,
  siting: ChromaSiting,
): Float32Array {
  if (format === '444') return src.slice();
  const [cw, ch] = chromaSize(w, h, format);
  const tmp = new Float32Array(cw * h);
  for (let y = 0; y < h; y++) {
    const row = y * w;
    for (let i = 0; i < cw; i++) {
      const x = 2 * i;
      tmp[y * cw + i] =
        0.25 * src[row + clampI(x - 1, w - 1)] + 0.5 * src[row + x] + 0.25 * src[row + clampI(x + 1, w - 1)];
    }
  }
  if (format === '422') return tmp;
  const out = new Float32Array(cw * ch);
  for (let j = 0; j < ch; j++) {
    const y0 = 2 * j;
    for (let i = 0; i < cw; i++) {
      const at = (yy: number) => tmp[clampI(yy, h - 1) * cw + i];
      out[j * cw + i] =
        siting === 'topleft'
          ? 0.25 * at(y0 - 1) + 0.5 * at(y0) + 0.25 * at(y0 + 1)
          : 0.125 * at(y0 - 1) + 0.375 * at(y0) + 0.375 * at(y0 + 1) + 0.125 * at(y0 + 2);
    }
  }
  return out;
}

/** Upsample chroma back to luma resolution by linear interpolation between the sited samples. */
export function upsampleChroma(
  src: Float32Array,
  w: number,
  h: number,
  format: ChromaFormat,
  siting: ChromaSiting,
): Float32Array {
  if (format === '444') return src.slice();
  const [cw, ch] = chromaSize(w, h, format);
  // Vertical first (4:2:0 only) into cw x h.
  let tmp: Float32Array;
  if (format === '420') {
    tmp = new Float32Array(cw * h);
    for (let y = 0; y < h; y++) {
      let j0: number, j1: number, f: number;
      if (siting === 'topleft') {
        j0 = y >> 1;
        j1 = (y + 1) >> 1;
        f = (y & 1) * 0.5;
      } else {
        // chroma row j sits at luma y = 2j + 0.5
        const pos = (y - 0.5) / 2;
        j0 = Math.floor(pos);
        f = pos - j0;
        j1 = j0 + 1;
      }
      j0 = clampI(j0, ch - 1);
      j1 = clampI(j1, ch - 1);
      for (let i = 0; i < cw; i++) tmp[y * cw + i] = (1 - f) * src[j0 * cw + i] + f * src[j1 * cw + i];
    }
  } else tmp = src;
  const out = new Float32Array(w * h);
  for (let y = 0; y < h; y++) {
    for (let x = 0; x < w; x++) {
      const i0 = x >> 1;
      const v = (x & 1) === 0 ? tmp[y * cw + i0] : 0.5 * (tmp[y * cw + i0] + tmp[y * cw + clampI(i0 + 1, cw - 1)]);
      out[y * w + x] = v;
    }
  }
  return out;
}

/** Planar R'G'B' [0,1] -> quantised Y'CbCr planes, with chroma subsampled in the signal domain (as encoders do). */
export function rgbPlanesToYcbcr(src: PlanarRgb, w: number, h: number, o: YcbcrOptions): YcbcrFrame {
  const format = o.format ?? '444';
  const siting = o.siting ?? 'topleft';
  const n = w * h;
  const { kr, kb, kg } = lumaCoefficients(o.matrix);
  const y = new Uint16Array(n);
  const cbF = new Float32Array(n);
  const crF = new Float32Array(n);
  const sb = 1 / (2 * (1 - kb)),
    sr = 1 / (2 * (1 - kr));
  for (let i = 0; i < n; i++) {
    const r = src.r[i],
      g = src.g[i],
      b = src.b[i];
    const yy = kr * r + kg * g + kb * b;
    y[i] = quantizeLuma(yy, o.bits, o.range);
    cbF[i] = (b - yy) * sb;
    crF[i] = (r - yy) * sr;
  }
  const [cw, ch] = chromaSize(w, h, format);
  const cbS = subsampleChroma(cbF, w, h, format, siting);
  const crS = subsampleChroma(crF, w, h, format, siting);
  const cb = new Uint16Array(cw * ch);
  const cr = new Uint16Array(cw * ch);
  for (let i = 0; i < cw * ch; i++) {
    cb[i] = quantizeChroma(cbS[i], o.bits, o.range);
    cr[i] = quantizeChroma(crS[i], o.bits, o.range);
  }
  return {
    width: w,
    height: h,
    chromaWidth: cw,
    chromaHeight: ch,
    y,
    cb,
    cr,
    format,
    siting,
    matrix: o.matrix,
    range: o.range,
    bits: o.bits,
  };
}

/** Quantised Y'CbCr planes -> planar R'G'B' (not clipped, so sub-black and super-white survive). */
export function ycbcrToRgbPlanes(f: YcbcrFrame): PlanarRgb {
  const { width: w, height: h } = f;
  const n = w * h;
  const cbD = new Float32Array(f.cb.length);
  const crD = new Float32Array(f.cr.length);
  for (let i = 0; i < cbD.length; i++) {
    cbD[i] = dequantizeChroma(f.cb[i], f.bits, f.range);
    crD[i] = dequantizeChroma(f.cr[i], f.bits, f.range);
  }
  const cb = upsampleChroma(cbD, w, h, f.format, f.siting);
  const cr = upsampleChroma(crD, w, h, f.format, f.siting);
  const { kr, kb, kg } = lumaCoefficients(f.matrix);
  const out: PlanarRgb = { r: new Float32Array(n), g: new Float32Array(n), b: new Float32Array(n) };
  for (let i = 0; i < n; i++) {
    const yy = dequantizeLuma(f.y[i], f.bits, f.range);
    const r = yy + 2 * (1 - kr) * cr[i];
    const b = yy + 2 * (1 - kb) * cb[i];
    out.r[i] = r;
    out.b[i] = b;
    out.g[i] = (yy - kr * r - kb * b) / kg;
  }
  return out;
}
