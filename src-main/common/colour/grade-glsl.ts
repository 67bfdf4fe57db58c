// The grade as GLSL ES 3.00 (WebGL2) for the renderer preview: the same steps and constants as
// gradePixel() in grade.ts, fed the same PreparedGrade values as uniforms. Written for software WebGL
// too (SwiftShader): pow() is only ever called on positive bases, since pow(0, y) and pow(<0, y) are
// undefined in GLSL and some implementations return NaN for them.
import { GAMUT_COMPRESS_THRESHOLD, prepareGrade, type GradeParams, type PreparedGrade } from './grade';
import { BT2020_TO_P3, P3_TO_BT2020, type Mat3 } from './primaries';
import { PQ_C1, PQ_C2, PQ_C3, PQ_M1, PQ_M2, REFERENCE_WHITE_NITS } from './transfer';
import { BT2020_LUMA } from './sdr-to-hdr';

const f = (v: number) => {
  const s = String(v);
  return /[.eE]/.test(s) ? s : s + '.0';
};

/**
 * Uniform declarations and `vec3 applyGrade(vec3 hdrModel, vec3 hdrBase)`: BT.2020 PQ R'G'B' in and out.
 * Include it in any fragment shader (after the `#version` and precision lines).
 */
export const GRADE_GLSL = `
uniform float u_gain;
uniform float u_diffuseWhite;
uniform float u_blackLevel;
uniform float u_expansionRatio;
uniform float u_knee;
uniform float u_saturation;
uniform float u_modelStrength;
uniform float u_compress;       // 1.0 = compress, 0.0 = clip
uniform float u_limitP3;        // 1.0 = keep inside P3-D65
uniform float u_compressScale;
uniform mat3 u_bt2020ToP3;
uniform mat3 u_p3ToBt2020;

const float PQ_M1 = ${f(PQ_M1)};
const float PQ_M2 = ${f(PQ_M2)};
const float PQ_C1 = ${f(PQ_C1)};
const float PQ_C2 = ${f(PQ_C2)};
const float PQ_C3 = ${f(PQ_C3)};
const vec3 LUMA2020 = vec3(${f(BT2020_LUMA[0])}, ${f(BT2020_LUMA[1])}, ${f(BT2020_LUMA[2])});
const float COMPRESS_T = ${f(GAMUT_COMPRESS_THRESHOLD)};

// PQ EOTF. e^(1/m2) lies close to 1 and the formula subtracts c1 from it: with pow() (relative error
// ~1e-6 in SwiftShader) that cancellation alone costs several 10-bit codes after a strong saturation.
// So take w = ln(e)/m2 and form e^(1/m2) - 1 = e^w - 1 by its series (|w| <= 0.18 wherever the result
// is above 0 nits; 8 terms leave < 1e-10), then num = (e^w - 1) + (1 - c1), den = (c2 - c3) - c3·(e^w - 1).
float pqToNits(float e) {
  e = clamp(e, 0.0, 1.0);
  if (e <= 0.0) return 0.0;
  float w = log2(e) * (0.6931471805599453 / PQ_M2);
  if (w < -0.2) return 0.0;
  float em1 = w * (1.0 + w * (0.5 + w * (0.16666666666666666 + w * (0.041666666666666664
            + w * (0.008333333333333333 + w * (0.001388888888888889 + w * 0.0001984126984126984))))));
  float num = em1 + (1.0 - PQ_C1);
  if (num <= 0.0) return 0.0;
  return 10000.0 * pow(num / ((PQ_C2 - PQ_C3) - PQ_C3 * em1), 1.0 / PQ_M1);
}

float nitsToPq(float n) {
  float y = clamp(n, 0.0, 10000.0) / 10000.0;
  if (y <= 0.0) return 7.3095590e-7; // c1^m2: PQ of 0 nits
  float ym = pow(y, PQ_M1);
  return pow((PQ_C1 + PQ_C2 * ym) / (1.0 + PQ_C3 * ym), PQ_M2);
}

float compressDistance(float d) {
  if (d <= COMPRESS_T) return d;
  float u = (d - COMPRESS_T) / u_compressScale;
  return COMPRESS_T + u_compressScale * u / (1.0 + u);
}

vec3 gamutHandle(vec3 v) {
  if (u_compress > 0.5) {
    float ach = max(v.r, max(v.g, v.b));
    if (ach > 0.0) {
      vec3 d = (vec3(ach) - v) / ach;
      v = vec3(ach) - vec3(compressDistance(d.r), compressDistance(d.g), compressDistance(d.b)) * ach;
    }
  }
  return clamp(v, 0.0, 10000.0);
}

vec3 applyGrade(vec3 hdrModel, vec3 hdrBase) {
  vec3 b = vec3(pqToNits(hdrBase.r), pqToNits(hdrBase.g), pqToNits(hdrBase.b));
  vec3 m = vec3(pqToNits(hdrModel.r), pqToNits(hdrModel.g), pqToNits(hdrModel.b));
  vec3 v = (b + u_modelStrength * (m - b)) * u_gain;
  if (u_blackLevel != 0.0) {
    vec3 fade = vec3(1.0) - min(v / u_diffuseWhite, vec3(1.0));
    v = max(v + u_blackLevel * fade * fade, vec3(0.0));
  }
  if (u_expansionRatio > 1.0) {
    float x = dot(LUMA2020, v) / u_diffuseWhite;
    float t = clamp((x - u_knee) / (1.0 - u_knee), 0.0, 1.0);
    v *= 1.0 + (u_expansionRatio - 1.0) * t * t * (3.0 - 2.0 * t);
  }
  float pk = max(v.r, max(v.g, v.b));
  if (pk > 10000.0) v *= 10000.0 / pk;
  if (u_saturation != 1.0) {
    float y = dot(LUMA2020, v);
    v = vec3(y) + u_saturation * (v - vec3(y));
  }
  if (u_limitP3 > 0.5) v = u_p3ToBt2020 * gamutHandle(u_bt2020ToP3 * v);
  else v = gamutHandle(v);
  return vec3(nitsToPq(v.r), nitsToPq(v.g), nitsToPq(v.b));
}
`;

/** Full-screen triangle without vertex buffers (draw 3 vertices). */
export const GRADE_VERTEX_SHADER = `#version 300 es
void main() {
  vec2 p = vec2(float((gl_VertexID << 1) & 2), float(gl_VertexID & 2));
  gl_Position = vec4(p * 2.0 - 1.0, 0.0, 1.0);
}
`;

/**
 * Fragment shader: texel (x,y) of u_model and u_base (RGBA float textures holding PQ R'G'B') -> graded
 * PQ R'G'B' (alpha 1). Same size in and out, so texelFetch needs no filtering.
 */
export const GRADE_FRAGMENT_SHADER = `#version 300 es
precision highp float;
precision highp int;
uniform highp sampler2D u_model;
uniform highp sampler2D u_base;
out vec4 outColour;
${GRADE_GLSL}
void main() {
  ivec2 p = ivec2(gl_FragCoord.xy);
  outColour = vec4(applyGrade(texelFetch(u_model, p, 0).rgb, texelFetch(u_base, p, 0).rgb), 1.0);
}
`;

/** A Mat3 (row-major) as the column-major array uniformMatrix3fv(…, false, …) expects. */
export function mat3ToGlsl(m: Mat3): Float32Array {
  return new Float32Array([m[0], m[3], m[6], m[1], m[4], m[7], m[2], m[5], m[8]]);
}

export interface GradeUniforms {
  floats: Record<string, number>;
  mat3s: Record<string, Float32Array>;
}

/** The uniform values for a grade: set every `floats` entry with uniform1f and every `mat3s` with uniformMatrix3fv(loc, false, v). */
export function gradeUniforms(params: GradeParams | PreparedGrade): GradeUniforms {
  const q = 'gain' in params ? params : prepareGrade(params);
  return {
    floats: {
      u_gain: q.gain,
      u_diffuseWhite: q.diffuseWhite,
      u_blackLevel: q.blackLevel,
      u_expansionRatio: q.expansionRatio,
      u_knee: q.knee,
      u_saturation: q.saturation,
      u_modelStrength: q.modelStrength,
      u_compress: q.compress ? 1 : 0,
      u_limitP3: q.limitP3 ? 1 : 0,
      u_compressScale: q.compressScale,
    },
    mat3s: { u_bt2020ToP3: mat3ToGlsl(BT2020_TO_P3), u_p3ToBt2020: mat3ToGlsl(P3_TO_BT2020) },
  };
}

/** Reference white the grade's inputs assume (diffuse white gain is relative to it). */
export const GRADE_INPUT_REFERENCE_WHITE = REFERENCE_WHITE_NITS;
