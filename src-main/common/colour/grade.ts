// The grade: one shot's parameters applied to the network's HDR output, in linear light.
// This TypeScript is the reference; grade-glsl.ts is the same maths for the preview and a Chromium
// test holds the two within one 10-bit code. Change both together.
import { z } from 'zod';
import { BT2020_TO_P3, P3_TO_BT2020, type Mat3 } from './primaries';
import { nitsToPq, pqToNits, PQ_PEAK_NITS, REFERENCE_WHITE_NITS } from './transfer';
import { nitsToPqFast, pqToNitsFast } from './transfer-fast';
import { BT2020_LUMA } from './sdr-to-hdr';

/** A numeric parameter: a slider with a numeric field. `scale: 'log'` spreads a range of decades evenly. */
export interface SliderParameter {
  kind: 'slider';
  label: string;
  unit: string;
  min: number;
  max: number;
  step: number;
  default: number;
  scale?: 'linear' | 'log';
  hint?: string;
}
export interface ToggleParameter {
  kind: 'toggle';
  label: string;
  default: boolean;
  hint: string;
}
export interface ChoiceParameter<V extends string = string> {
  kind: 'choice';
  label: string;
  values: readonly [V, ...V[]];
  /** What the colorist reads for each value. */
  names: Readonly<Record<V, string>>;
  default: V;
  hint: string;
}
export type GradeParameter = SliderParameter | ToggleParameter | ChoiceParameter;

/**
 * Every grade parameter once, in the order the grade panel shows them: label, unit, range, step, default.
 * The schema below and the grade panel read this; nothing about a parameter is written anywhere else.
 */
export const GRADE_PARAMETERS = {
  exposure: { kind: 'slider', label: 'Exposure', unit: 'stops', min: -4, max: 4, step: 0.05, default: 0 },
  diffuseWhite: {
    kind: 'slider',
    label: 'Diffuse white',
    unit: 'nits',
    min: 80,
    max: 400,
    step: 1,
    default: REFERENCE_WHITE_NITS,
  },
  highlightExpansion: {
    kind: 'toggle',
    label: 'Highlight expansion',
    default: false,
    hint: 'Lift highlights above the knee toward the highlight peak',
  },
  highlightKnee: {
    kind: 'slider',
    label: 'Highlight knee',
    unit: '× diffuse white',
    min: 0.3,
    max: 0.95,
    step: 0.01,
    default: 0.6,
  },
  highlightPeak: {
    kind: 'slider',
    label: 'Highlight peak',
    unit: 'nits',
    min: 203,
    max: 10000,
    step: 10,
    default: 1000,
    scale: 'log',
  },
  saturation: { kind: 'slider', label: 'Saturation', unit: '×', min: 0, max: 2, step: 0.01, default: 1 },
  blackLevel: { kind: 'slider', label: 'Black level', unit: 'nits', min: -0.5, max: 0.5, step: 0.001, default: 0 },
  modelStrength: {
    kind: 'slider',
    label: 'Model strength',
    unit: '',
    min: 0,
    max: 1,
    step: 0.01,
    default: 1,
    hint: '0 = analytic BT.2408 mapping, 1 = model',
  },
  content: {
    kind: 'choice',
    label: 'Content',
    values: ['live', 'graphics'],
    names: { live: 'Live action', graphics: 'Animation & graphics' },
    default: 'live',
    hint: 'Which network variant runs: live action lets what is clipped in the SDR expand as a light (lamps, sun, speculars); animation & graphics lifts nothing near diffuse white, clipped or not (cartoon colours and titles stay paint; Highlight expansion still lifts highlights)',
  },
  gamutMapping: {
    kind: 'choice',
    label: 'Gamut mapping',
    values: ['clip', 'compress'],
    names: { clip: 'Clip', compress: 'Compress' },
    default: 'clip',
    hint: 'Out-of-gamut colours: clip negatives (default: leaves in-gamut colours untouched), or compress toward neutral (also softens colours near the gamut edge)',
  },
  gamutLimit: {
    kind: 'choice',
    label: 'Gamut limit',
    values: ['bt2020', 'p3'],
    names: { bt2020: 'BT.2020', p3: 'P3-D65' },
    default: 'bt2020',
    hint: 'Container is always BT.2020; p3 keeps colours inside P3-D65',
  },
} as const satisfies Record<string, GradeParameter>;

export type GradeParameterKey = keyof typeof GRADE_PARAMETERS;
type KeysOfKind<K extends GradeParameter['kind']> = {
  [P in GradeParameterKey]: (typeof GRADE_PARAMETERS)[P]['kind'] extends K ? P : never;
}[GradeParameterKey];
export type SliderKey = KeysOfKind<'slider'>;

/** The parameters with their keys, in panel order. */
export const GRADE_PARAMETER_LIST: readonly ({ key: GradeParameterKey } & GradeParameter)[] = Object.entries(
  GRADE_PARAMETERS,
).map(([key, p]) => ({ key: key as GradeParameterKey, ...p }));

/** The numeric parameters' ranges (a view of {@link GRADE_PARAMETERS}). */
export const GRADE_RANGES = Object.fromEntries(
  GRADE_PARAMETER_LIST.filter((p) => p.kind === 'slider').map((p) => [p.key, GRADE_PARAMETERS[p.key]]),
) as unknown as { readonly [K in SliderKey]: (typeof GRADE_PARAMETERS)[K] };

const num = (r: SliderParameter) =>
  z
    .number()
    .min(r.min)
    .max(r.max)
    .default(r.default)
    .describe(`${r.label}${r.unit ? ` (${r.unit})` : ''}${r.hint ? `: ${r.hint}` : ''}`);
const toggle = (p: ToggleParameter) => z.boolean().default(p.default).describe(p.hint);
const choice = <V extends string>(p: ChoiceParameter<V>) => z.enum(p.values).default(p.default).describe(p.hint);

export const GradeParams = z.object({
  exposure: num(GRADE_PARAMETERS.exposure),
  diffuseWhite: num(GRADE_PARAMETERS.diffuseWhite),
  highlightExpansion: toggle(GRADE_PARAMETERS.highlightExpansion),
  highlightKnee: num(GRADE_PARAMETERS.highlightKnee),
  highlightPeak: num(GRADE_PARAMETERS.highlightPeak),
  saturation: num(GRADE_PARAMETERS.saturation),
  blackLevel: num(GRADE_PARAMETERS.blackLevel),
  modelStrength: num(GRADE_PARAMETERS.modelStrength),
  content: choice(GRADE_PARAMETERS.content),
  gamutMapping: choice(GRADE_PARAMETERS.gamutMapping),
  gamutLimit: choice(GRADE_PARAMETERS.gamutLimit),
});
export type GradeParams = z.infer<typeof GradeParams>;
export type GradeParamsInput = z.input<typeof GradeParams>;
export const DEFAULT_GRADE: GradeParams = GradeParams.parse({});

/**
 * The highest light the grade means to make: the usual 1000-nit master, or its highlight peak where that is
 * higher. The viewer's EETF rolls off from it; light above it (an exposure pushed too far) is clipped there.
 */
export function gradePeakNits(g: GradeParams): number {
  return g.highlightExpansion ? Math.max(1000, g.highlightPeak) : 1000;
}
/** A shot's picture content, which picks the network variant (not part of the grade's maths). */
export type ShotContent = GradeParams['content'];
// The schema and the description name the same keys, checked by the compiler both ways.
type Same<A, B> = [A] extends [B] ? ([B] extends [A] ? true : false) : false;
const describedOnce: Same<keyof GradeParams, GradeParameterKey> = true;
void describedOnce;

/** Gamut compression: distances beyond THRESHOLD are compressed so that LIMIT lands on the gamut edge. */
export const GAMUT_COMPRESS_THRESHOLD = 0.8;
export const GAMUT_COMPRESS_LIMIT = 1.2;

/**
 * Constants derived from the parameters once per grade (not per pixel). The GLSL gets exactly these as
 * uniforms, so both implementations start from the same float values.
 */
export interface PreparedGrade {
  /** (diffuseWhite / 203) · 2^exposure: the inputs were rendered with SDR 100% at 203 nits. */
  gain: number;
  diffuseWhite: number;
  blackLevel: number;
  /** peak / diffuse white (1 = no expansion). */
  expansionRatio: number;
  knee: number;
  saturation: number;
  modelStrength: number;
  compress: boolean;
  limitP3: boolean;
  /** Gamut compression scale s = (1−t)(lim−t)/(lim−1). */
  compressScale: number;
}

export function prepareGrade(p: GradeParams): PreparedGrade {
  const t = GAMUT_COMPRESS_THRESHOLD,
    lim = GAMUT_COMPRESS_LIMIT;
  return {
    gain: (p.diffuseWhite / REFERENCE_WHITE_NITS) * Math.pow(2, p.exposure),
    diffuseWhite: p.diffuseWhite,
    blackLevel: p.blackLevel,
    expansionRatio: p.highlightExpansion ? Math.max(1, p.highlightPeak / p.diffuseWhite) : 1,
    knee: Math.min(p.highlightKnee, 0.99),
    saturation: p.saturation,
    modelStrength: p.modelStrength,
    compress: p.gamutMapping === 'compress',
    limitP3: p.gamutLimit === 'p3',
    compressScale: ((1 - t) * (lim - t)) / (lim - 1),
  };
}

// Module-local copies of imported values used per pixel: under CommonJS transpilers (tsx, esbuild
// without bundling) an imported binding is a getter call on every access, which dominated the loop.
const LR = BT2020_LUMA[0],
  LG = BT2020_LUMA[1],
  LB = BT2020_LUMA[2];
const PEAK = PQ_PEAK_NITS;
const TO_P3 = BT2020_TO_P3,
  FROM_P3 = P3_TO_BT2020;

const prepCache = new WeakMap<GradeParams, PreparedGrade>();
/** The prepared constants of a grade, prepared once per params object. */
export function prepared(p: GradeParams | PreparedGrade): PreparedGrade {
  if ('gain' in p) return p;
  let q = prepCache.get(p);
  if (!q) {
    q = prepareGrade(p);
    prepCache.set(p, q);
  }
  return q;
}

const mat = (m: Mat3, v: Float64Array) => {
  const r = v[0],
    g = v[1],
    b = v[2];
  v[0] = m[0] * r + m[1] * g + m[2] * b;
  v[1] = m[3] * r + m[4] * g + m[5] * b;
  v[2] = m[6] * r + m[7] * g + m[8] * b;
};

/** Compress one channel's distance from the achromatic axis (ACES-style, Reinhard shoulder). */
function compressDistance(d: number, s: number): number {
  const t = GAMUT_COMPRESS_THRESHOLD;
  if (d <= t) return d;
  const u = (d - t) / s;
  return t + (s * u) / (1 + u);
}

/** Gamut handling in place on linear nits in the limit space's RGB. */
function gamut(v: Float64Array, q: PreparedGrade): void {
  if (q.compress) {
    const ach = Math.max(v[0], v[1], v[2]);
    if (ach > 0) {
      for (let i = 0; i < 3; i++) {
        const d = (ach - v[i]) / ach; // 0 on the axis, 1 on the gamut edge, >1 outside
        v[i] = ach - compressDistance(d, q.compressScale) * ach;
      }
    }
  }
  // Clip whatever is still outside (all of it in clip mode; beyond LIMIT in compress mode).
  for (let i = 0; i < 3; i++) v[i] = v[i] > 0 ? (v[i] < PEAK ? v[i] : PEAK) : 0;
}

const clamp01 = (v: number) => (v > 0 ? (v < 1 ? v : 1) : 0); // NaN -> 0

/**
 * The grade kernel on one pixel. Inputs are BT.2020 PQ R'G'B' signals (values outside [0,1] are clamped);
 * `out` receives BT.2020 PQ R'G'B' in [0,1]. Steps, all in linear nits:
 *  1 decode both; 2 blend base→model by model strength; 3 gain = diffuse white/203 · 2^exposure;
 *  4 black level: c += black·(1 − min(c/diffuseWhite, 1))², fading out toward diffuse white;
 *  5 highlight expansion on luminance (hue-preserving gain, see expansionGain); 6 anything above 10000 nits
 *  scaled down with its hue kept; 7 saturation about BT.2020 luminance; 8 gamut (to P3 if limited,
 *  compress/clip, back); 9 PQ encode.
 */
function makeGradeKernel(decode: (e: number) => number, encode: (n: number) => number) {
  return function gradeKernel(
    q: PreparedGrade,
    mr: number,
    mg: number,
    mb: number,
    br: number,
    bg: number,
    bb: number,
    out: Float64Array,
  ): void {
    const s = q.modelStrength;
    const v = out;
    if (s === 1) {
      // the usual case: only the model output is needed (b + 1·(m − b) = m)
      v[0] = decode(clamp01(mr)) * q.gain;
      v[1] = decode(clamp01(mg)) * q.gain;
      v[2] = decode(clamp01(mb)) * q.gain;
    } else if (s === 0) {
      v[0] = decode(clamp01(br)) * q.gain;
      v[1] = decode(clamp01(bg)) * q.gain;
      v[2] = decode(clamp01(bb)) * q.gain;
    } else {
      const bR = decode(clamp01(br)),
        bG = decode(clamp01(bg)),
        bB = decode(clamp01(bb));
      v[0] = (bR + s * (decode(clamp01(mr)) - bR)) * q.gain;
      v[1] = (bG + s * (decode(clamp01(mg)) - bG)) * q.gain;
      v[2] = (bB + s * (decode(clamp01(mb)) - bB)) * q.gain;
    }
    if (q.blackLevel !== 0) {
      for (let i = 0; i < 3; i++) {
        const f = 1 - Math.min(v[i] / q.diffuseWhite, 1);
        v[i] = Math.max(v[i] + q.blackLevel * f * f, 0);
      }
    }
    if (q.expansionRatio > 1) {
      const x = (LR * v[0] + LG * v[1] + LB * v[2]) / q.diffuseWhite;
      let t = (x - q.knee) / (1 - q.knee);
      t = t > 0 ? (t < 1 ? t : 1) : 0;
      const k = 1 + (q.expansionRatio - 1) * t * t * (3 - 2 * t);
      v[0] *= k;
      v[1] *= k;
      v[2] *= k;
    }
    // PQ's 10000-nit ceiling, hue-preserving: scale all three down together rather than clip one channel.
    // Doing it before saturation and gamut also keeps their differences of large numbers small, which the
    // float32 GLSL needs to stay within a code of this.
    const peak = Math.max(v[0], v[1], v[2]);
    if (peak > PEAK) {
      const k = PEAK / peak;
      v[0] *= k;
      v[1] *= k;
      v[2] *= k;
    }
    if (q.saturation !== 1) {
      const y = LR * v[0] + LG * v[1] + LB * v[2];
      for (let i = 0; i < 3; i++) v[i] = y + q.saturation * (v[i] - y);
    }
    if (q.limitP3) {
      mat(TO_P3, v);
      gamut(v, q);
      mat(FROM_P3, v);
    } else gamut(v, q);
    v[0] = encode(v[0]);
    v[1] = encode(v[1]);
    v[2] = encode(v[2]);
  };
}

/** Exact kernel (Math.pow): the reference the GLSL is tested against. */
export const gradePixel = makeGradeKernel(pqToNits, nitsToPq);
/** The same kernel on table-driven PQ (see transfer-fast.ts; ≤ 0.01 of a 10-bit code from the exact one). Frames: grade-frame.ts. */
export const gradePixelFast = makeGradeKernel(pqToNitsFast, nitsToPqFast);

export type Rgb = readonly [number, number, number];

/**
 * The grade on one pixel: BT.2020 PQ R'G'B' of the model output and of the analytic base -> graded
 * BT.2020 PQ R'G'B'. Pass the base twice when there is no model output yet.
 */
export function applyGrade(hdrModel: Rgb, hdrBase: Rgb, params: GradeParams | PreparedGrade): [number, number, number] {
  const o = new Float64Array(3);
  gradePixel(prepared(params), hdrModel[0], hdrModel[1], hdrModel[2], hdrBase[0], hdrBase[1], hdrBase[2], o);
  return [o[0], o[1], o[2]];
}
