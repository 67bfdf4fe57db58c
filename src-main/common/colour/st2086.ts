// SMPTE ST 2086 mastering display colour volume and CTA-861.3 content light level, in the exact
// forms x265 and ffmpeg take and print.
import { parseRational, rationalValue } from '../timecode';
import { BT2020, D65, P3_D65, type Chromaticity, type ColourSpace } from './primaries';

export interface MasteringDisplay {
  red: Chromaticity;
  green: Chromaticity;
  blue: Chromaticity;
  white: Chromaticity;
  /** Peak luminance, nits. */
  maxNits: number;
  /** Black level, nits. */
  minNits: number;
}

export type MasteringPreset = 'p3-d65-1000' | 'bt2020-4000';

function fromSpace(cs: ColourSpace, maxNits: number, minNits: number): MasteringDisplay {
  return { red: cs.red, green: cs.green, blue: cs.blue, white: D65, maxNits, minNits };
}

/** The two displays masters are commonly graded on; anything else is `customMasteringDisplay`. */
export const MASTERING_PRESETS: Readonly<Record<MasteringPreset, MasteringDisplay>> = {
  'p3-d65-1000': fromSpace(P3_D65, 1000, 0.005),
  'bt2020-4000': fromSpace(BT2020, 4000, 0.005),
};

export function customMasteringDisplay(primaries: ColourSpace, maxNits: number, minNits: number): MasteringDisplay {
  if (!(maxNits > minNits) || minNits < 0) throw new RangeError('mastering display needs 0 <= min < max nits');
  return fromSpace(primaries, maxNits, minNits);
}

/** ST 2086 units: chromaticity 0.00002, luminance 0.0001 nits. */
export const CHROMA_UNIT_DEN = 50000;
export const LUMINANCE_UNIT_DEN = 10000;

const cu = (v: number) => Math.round(v * CHROMA_UNIT_DEN);
const lu = (v: number) => Math.round(v * LUMINANCE_UNIT_DEN);

/** The integer fields as coded in the SEI (chromaticities ×50000, luminance ×10000). */
export function masteringDisplayCodes(md: MasteringDisplay) {
  return {
    green: [cu(md.green.x), cu(md.green.y)] as const,
    blue: [cu(md.blue.x), cu(md.blue.y)] as const,
    red: [cu(md.red.x), cu(md.red.y)] as const,
    white: [cu(md.white.x), cu(md.white.y)] as const,
    maxLuminance: lu(md.maxNits),
    minLuminance: lu(md.minNits),
  };
}

/** x265 `master-display` value: G(x,y)B(x,y)R(x,y)WP(x,y)L(max,min), in that order. */
export function x265MasterDisplay(md: MasteringDisplay): string {
  const c = masteringDisplayCodes(md);
  const p = (v: readonly [number, number]) => `(${v[0]},${v[1]})`;
  return `G${p(c.green)}B${p(c.blue)}R${p(c.red)}WP${p(c.white)}L(${c.maxLuminance},${c.minLuminance})`;
}

/** x265 `max-cll` value "MaxCLL,MaxFALL". */
export function x265MaxCll(maxCll: number, maxFall: number): string {
  return `${maxCll},${maxFall}`;
}

/** Parse an x265 master-display string (whitespace tolerated). Throws on anything else. */
export function parseX265MasterDisplay(s: string): MasteringDisplay {
  const m = /^G\((\d+),(\d+)\)B\((\d+),(\d+)\)R\((\d+),(\d+)\)WP\((\d+),(\d+)\)L\((\d+),(\d+)\)$/.exec(
    s.replace(/\s+/g, ''),
  );
  if (!m) throw new Error(`not an x265 master-display string: ${s}`);
  const n = m.slice(1).map(Number);
  const xy = (i: number) => ({ x: n[i] / CHROMA_UNIT_DEN, y: n[i + 1] / CHROMA_UNIT_DEN });
  return {
    green: xy(0),
    blue: xy(2),
    red: xy(4),
    white: xy(6),
    maxNits: n[8] / LUMINANCE_UNIT_DEN,
    minNits: n[9] / LUMINANCE_UNIT_DEN,
  };
}

/**
 * ffmpeg's "Mastering display metadata" side data (AVMasteringDisplayMetadata) as ffprobe prints it
 * (`-show_frames`/`-show_streams` JSON): rationals over 50000 and 10000.
 */
export interface FfmpegMasteringSideData {
  side_data_type: 'Mastering display metadata';
  red_x: string;
  red_y: string;
  green_x: string;
  green_y: string;
  blue_x: string;
  blue_y: string;
  white_point_x: string;
  white_point_y: string;
  min_luminance: string;
  max_luminance: string;
}

export function ffmpegMasteringSideData(md: MasteringDisplay): FfmpegMasteringSideData {
  const c = masteringDisplayCodes(md);
  const r = (v: number) => `${v}/${CHROMA_UNIT_DEN}`;
  return {
    side_data_type: 'Mastering display metadata',
    red_x: r(c.red[0]),
    red_y: r(c.red[1]),
    green_x: r(c.green[0]),
    green_y: r(c.green[1]),
    blue_x: r(c.blue[0]),
    blue_y: r(c.blue[1]),
    white_point_x: r(c.white[0]),
    white_point_y: r(c.white[1]),
    min_luminance: `${c.minLuminance}/${LUMINANCE_UNIT_DEN}`,
    max_luminance: `${c.maxLuminance}/${LUMINANCE_UNIT_DEN}`,
  };
}

export interface FfmpegContentLightSideData {
  side_data_type: 'Content light level metadata';
  max_content: number;
  max_average: number;
}

export function ffmpegContentLightSideData(maxCll: number, maxFall: number): FfmpegContentLightSideData {
  return { side_data_type: 'Content light level metadata', max_content: maxCll, max_average: maxFall };
}

const rational = (s: unknown): number => {
  const r = parseRational(s);
  return r ? rationalValue(r) : NaN;
};

/** Read ffprobe's side data back (either rationals as strings or plain numbers). Undefined if incomplete. */
export function parseFfmpegMasteringSideData(sd: Record<string, unknown>): MasteringDisplay | undefined {
  const k = [
    'red_x',
    'red_y',
    'green_x',
    'green_y',
    'blue_x',
    'blue_y',
    'white_point_x',
    'white_point_y',
    'min_luminance',
    'max_luminance',
  ];
  const v = k.map((key) => rational(sd[key]));
  if (v.some((x) => !Number.isFinite(x))) return undefined;
  return {
    red: { x: v[0], y: v[1] },
    green: { x: v[2], y: v[3] },
    blue: { x: v[4], y: v[5] },
    white: { x: v[6], y: v[7] },
    minNits: v[8],
    maxNits: v[9],
  };
}

/** Which preset a display matches (to the SEI's own precision), or 'custom'. */
export function identifyMasteringDisplay(md: MasteringDisplay): MasteringPreset | 'custom' {
  const s = x265MasterDisplay(md);
  for (const [name, p] of Object.entries(MASTERING_PRESETS))
    if (x265MasterDisplay(p) === s) return name as MasteringPreset;
  return 'custom';
}
