// False colour by luminance in nits (BT.2020 Y of the graded picture): one table for the shader and the legend.
// Bands follow what a colorist checks: crushed blacks, shadows, mid-tones, SDR white (100), HDR reference white
// (203, BT.2408), specular ranges up to common mastering peaks (1000, 4000).
export interface FalseColourBand {
  /** Upper bound, nits (exclusive); the last band has none. */
  below: number;
  label: string;
  /** Display colour, 0..1 sRGB-ish (the legend uses the same). */
  rgb: readonly [number, number, number];
}

export const FALSE_COLOUR_BANDS: readonly FalseColourBand[] = [
  { below: 0.1, label: '< 0.1', rgb: [0.3, 0, 0.45] },
  { below: 1, label: '< 1', rgb: [0, 0, 0.85] },
  { below: 10, label: '< 10', rgb: [0, 0.55, 0.85] },
  { below: 100, label: '< 100', rgb: [0.45, 0.45, 0.45] },
  { below: 203, label: '< 203', rgb: [0.1, 0.75, 0.1] },
  { below: 400, label: '< 400', rgb: [0.9, 0.9, 0] },
  { below: 1000, label: '< 1000', rgb: [1, 0.55, 0] },
  { below: 4000, label: '< 4000', rgb: [1, 0, 0] },
  { below: Infinity, label: '≥ 4000', rgb: [1, 1, 1] },
];

/** The band a luminance falls in (the shader's rule, for tests and tooltips). */
export function falseColourBand(nits: number): FalseColourBand {
  return FALSE_COLOUR_BANDS.find((b) => nits < b.below) ?? FALSE_COLOUR_BANDS[FALSE_COLOUR_BANDS.length - 1];
}

export const cssColour = (rgb: readonly number[]) => `rgb(${rgb.map((v) => Math.round(v * 255)).join(', ')})`;
