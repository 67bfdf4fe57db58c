// The analytic BT.2408 SDR -> HDR mapping of sdr-to-hdr.ts (sdrToHdrPixel with its defaults: no expansion, which
// belongs to the grade) as GLSL ES 3.00, so the viewer shows an HDR picture the moment an SDR frame arrives.
// The resize step is the texture sampling's business; this is steps (b)-(f) per pixel. A Chromium test holds
// it to the TypeScript within one 10-bit code.
import { BT709_TO_BT2020 } from './primaries';
import { REFERENCE_WHITE_NITS } from './transfer';
import { mat3ToGlsl } from './grade-glsl';

const f = (v: number) => {
  const s = String(v);
  return /[.eE]/.test(s) ? s : s + '.0';
};
const m = Array.from(mat3ToGlsl(BT709_TO_BT2020), (v) => f(v)).join(', ');

/**
 * `vec3 sdrToHdrBase(vec3 sdr)`: SDR BT.709 R'G'B' (0..1) -> BT.2020 PQ R'G'B'. Include it after GRADE_GLSL, whose
 * `nitsToPq` it uses (one PQ in the shader). The matrix holds float64 values rounded to float32 by the compiler.
 */
export const SDR_TO_HDR_GLSL = `
const mat3 BT709_TO_BT2020 = mat3(${m});
const float SDR_WHITE_NITS = ${f(REFERENCE_WHITE_NITS)};
float bt1886(float v) { return v > 0.0 ? pow(v, 2.4) : 0.0; }
vec3 sdrToHdrBase(vec3 sdr) {
  vec3 v = clamp(sdr, 0.0, 1.0);
  vec3 nits = BT709_TO_BT2020 * (vec3(bt1886(v.r), bt1886(v.g), bt1886(v.b)) * SDR_WHITE_NITS);
  return vec3(nitsToPq(nits.r), nitsToPq(nits.g), nitsToPq(nits.b));
}
`;
