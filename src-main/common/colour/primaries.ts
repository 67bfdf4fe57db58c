// Colour spaces from their primaries and white point. Matrices are derived (SMPTE RP 177), never
// pasted, so a typo cannot hide; BT.2087's published matrix is the test.

/** 3x3 matrix, row-major: out[i] = m[3i]·r + m[3i+1]·g + m[3i+2]·b. */
export type Mat3 = readonly [number, number, number, number, number, number, number, number, number];

export interface Chromaticity {
  readonly x: number;
  readonly y: number;
}

export interface ColourSpace {
  readonly name: string;
  readonly red: Chromaticity;
  readonly green: Chromaticity;
  readonly blue: Chromaticity;
  readonly white: Chromaticity;
}

export const D65: Chromaticity = { x: 0.3127, y: 0.329 };

export const BT709: ColourSpace = {
  name: 'BT.709',
  red: { x: 0.64, y: 0.33 },
  green: { x: 0.3, y: 0.6 },
  blue: { x: 0.15, y: 0.06 },
  white: D65,
};
export const P3_D65: ColourSpace = {
  name: 'P3-D65',
  red: { x: 0.68, y: 0.32 },
  green: { x: 0.265, y: 0.69 },
  blue: { x: 0.15, y: 0.06 },
  white: D65,
};
export const BT2020: ColourSpace = {
  name: 'BT.2020',
  red: { x: 0.708, y: 0.292 },
  green: { x: 0.17, y: 0.797 },
  blue: { x: 0.131, y: 0.046 },
  white: D65,
};

export type GamutName = 'bt709' | 'p3' | 'bt2020';
export const COLOUR_SPACES: Readonly<Record<GamutName, ColourSpace>> = { bt709: BT709, p3: P3_D65, bt2020: BT2020 };

export function mat3Multiply(a: Mat3, b: Mat3): Mat3 {
  const o: number[] = [];
  for (let i = 0; i < 3; i++)
    for (let j = 0; j < 3; j++) o.push(a[3 * i] * b[j] + a[3 * i + 1] * b[3 + j] + a[3 * i + 2] * b[6 + j]);
  return o as unknown as Mat3;
}

export function mat3Invert(m: Mat3): Mat3 {
  const [a, b, c, d, e, f, g, h, i] = m;
  const A = e * i - f * h,
    B = -(d * i - f * g),
    C = d * h - e * g;
  const det = a * A + b * B + c * C;
  if (det === 0) throw new Error('singular matrix');
  const k = 1 / det;
  return [
    A * k,
    -(b * i - c * h) * k,
    (b * f - c * e) * k,
    B * k,
    (a * i - c * g) * k,
    -(a * f - c * d) * k,
    C * k,
    -(a * h - b * g) * k,
    (a * e - b * d) * k,
  ];
}

export function mat3Apply(m: Mat3, r: number, g: number, b: number): [number, number, number] {
  return [m[0] * r + m[1] * g + m[2] * b, m[3] * r + m[4] * g + m[5] * b, m[6] * r + m[7] * g + m[8] * b];
}

/** XYZ (Y = 1 at white) of a chromaticity with luminance 1. */
function xyToXyz(c: Chromaticity): [number, number, number] {
  return [c.x / c.y, 1, (1 - c.x - c.y) / c.y];
}

/** Linear RGB -> CIE XYZ (Y normalised so RGB 1,1,1 has Y = 1), from primaries and white (RP 177). */
export function rgbToXyzMatrix(cs: ColourSpace): Mat3 {
  const [xr, yr, zr] = xyToXyz(cs.red);
  const [xg, yg, zg] = xyToXyz(cs.green);
  const [xb, yb, zb] = xyToXyz(cs.blue);
  const p: Mat3 = [xr, xg, xb, yr, yg, yb, zr, zg, zb];
  const [wx, wy, wz] = xyToXyz(cs.white);
  const [sr, sg, sb] = mat3Apply(mat3Invert(p), wx, wy, wz);
  return [xr * sr, xg * sg, xb * sb, yr * sr, yg * sg, yb * sb, zr * sr, zg * sg, zb * sb];
}

export function xyzToRgbMatrix(cs: ColourSpace): Mat3 {
  return mat3Invert(rgbToXyzMatrix(cs));
}

/** Linear RGB in `from` -> linear RGB in `to` (same white, so no adaptation). */
export function rgbToRgbMatrix(from: ColourSpace, to: ColourSpace): Mat3 {
  return mat3Multiply(xyzToRgbMatrix(to), rgbToXyzMatrix(from));
}

/** Luminance weights (the Y row) of a space: BT.709 .2126/.7152/.0722, BT.2020 .2627/.6780/.0593 to 4 places. */
export function luminanceWeights(cs: ColourSpace): [number, number, number] {
  const m = rgbToXyzMatrix(cs);
  return [m[3], m[4], m[5]];
}

// The ones every process uses, computed once at import.
export const BT709_TO_XYZ = rgbToXyzMatrix(BT709);
export const P3_TO_XYZ = rgbToXyzMatrix(P3_D65);
export const BT2020_TO_XYZ = rgbToXyzMatrix(BT2020);
export const XYZ_TO_BT2020 = xyzToRgbMatrix(BT2020);
/** ITU-R BT.2087 linear BT.709 -> BT.2020 (published to 4 places; tests check against it). */
export const BT709_TO_BT2020 = rgbToRgbMatrix(BT709, BT2020);
export const BT2020_TO_BT709 = rgbToRgbMatrix(BT2020, BT709);
export const BT2020_TO_P3 = rgbToRgbMatrix(BT2020, P3_D65);
export const P3_TO_BT2020 = rgbToRgbMatrix(P3_D65, BT2020);

/**
 * Y'CbCr luma coefficients as the standards state them (BT.709 Kr .2126 Kb .0722; BT.2020 Kr .2627 Kb .0593).
 * These are rounded by the standards themselves, so luma uses them, not the derived weights.
 */
export const BT709_KR = 0.2126,
  BT709_KB = 0.0722;
export const BT2020_KR = 0.2627,
  BT2020_KB = 0.0593;

/** CIE 1931 xy of a linear RGB pixel; the white point for black (x+y+z = 0), so black plots at white. */
export function chromaticityOf(r: number, g: number, b: number, toXyz: Mat3 = BT2020_TO_XYZ): Chromaticity {
  const [X, Y, Z] = mat3Apply(toXyz, r, g, b);
  const s = X + Y + Z;
  if (!(s > 0)) return D65;
  return { x: X / s, y: Y / s };
}

/** Whether an xy point lies inside (or on) the triangle of a colour space's primaries. */
export function insideGamutXy(x: number, y: number, cs: ColourSpace): boolean {
  const { red: r, green: g, blue: b } = cs;
  const s = (px: number, py: number, a: Chromaticity, c: Chromaticity) =>
    (c.x - a.x) * (py - a.y) - (c.y - a.y) * (px - a.x);
  const d1 = s(x, y, r, g),
    d2 = s(x, y, g, b),
    d3 = s(x, y, b, r);
  const eps = 1e-12;
  return (d1 >= -eps && d2 >= -eps && d3 >= -eps) || (d1 <= eps && d2 <= eps && d3 <= eps);
}
