// The viewer's two WebGL2 passes. Grade pass: at the working resolution, SDR R'G'B' -> analytic base (or the
// network's hdr + base) -> the shot's grade -> graded BT.2020 PQ, into a float target the scopes read back.
// Display pass: per canvas pixel, the SDR source or the graded picture (per mode, zoom, pan, wipe), then
// display mapping and overlays. The maths lives in common (grade, SDR->HDR, EETF); only wiring is here.
import { GRADE_GLSL, GRADE_VERTEX_SHADER, mat3ToGlsl } from '../../../src-main/common/colour/grade-glsl';
import { SDR_TO_HDR_GLSL } from '../../../src-main/common/colour/sdr-to-hdr-glsl';
import { EETF_GLSL } from '../../../src-main/common/colour/eetf';
import { BT2020_TO_BT709, BT2020_TO_P3 } from '../../../src-main/common/colour/primaries';
import { FALSE_COLOUR_BANDS } from './false-colour';

export const VERTEX_SHADER = GRADE_VERTEX_SHADER;

const glslMat3 = (m: Parameters<typeof mat3ToGlsl>[0]) =>
  `mat3(${Array.from(mat3ToGlsl(m), (v) => v.toPrecision(9)).join(', ')})`;
const vec3 = (c: readonly number[]) => `vec3(${c.map((v) => v.toFixed(4)).join(', ')})`;

export const GRADE_PASS_SHADER = `#version 300 es
precision highp float;
precision highp int;
uniform highp sampler2D u_sdr;
uniform highp sampler2D u_hdr;
uniform highp sampler2D u_base;
uniform int u_network;
out vec4 outColour;
${GRADE_GLSL}
${SDR_TO_HDR_GLSL}
void main() {
  ivec2 p = ivec2(gl_FragCoord.xy);
  vec3 model, base;
  if (u_network == 1) {
    model = texelFetch(u_hdr, p, 0).rgb;
    base = texelFetch(u_base, p, 0).rgb;
  } else {
    base = sdrToHdrBase(texelFetch(u_sdr, p, 0).rgb);
    model = base; // without the network, the model's output is the analytic base (its skip path)
  }
  outColour = vec4(applyGrade(model, base), 1.0);
}
`;

// False colour: bands of luminance in nits, each a colour; the legend reads the same table.
const bandGlsl = FALSE_COLOUR_BANDS.map((b, i) =>
  i < FALSE_COLOUR_BANDS.length - 1
    ? `  if (y < ${b.below.toFixed(4)}) return ${vec3(b.rgb)};`
    : `  return ${vec3(b.rgb)};`,
).join('\n');

export const DISPLAY_PASS_SHADER = `#version 300 es
precision highp float;
precision highp int;
uniform highp sampler2D u_sdr;
uniform highp sampler2D u_graded;
uniform vec2 u_canvas;        // canvas size, device pixels
uniform vec4 u_rect;          // image rectangle in the (half) canvas, top-down device pixels: x, y, w, h
uniform int u_mode;           // 0 SDR source, 1 HDR result, 2 A/B wipe, 3 side by side
uniform float u_wipe;         // wipe divider, canvas x in device pixels
uniform int u_output;         // 0 SDR display (EETF + gamma 2.4), 1 extended linear (1.0 = u_sdrWhite nits)
uniform float u_displayPeak;
uniform float u_sdrWhite;
uniform int u_falseColour;
uniform int u_gamutWarning;   // 0 off, 1 outside BT.709, 2 outside P3
out vec4 outColour;
const float PQ_M1 = 0.1593017578125;
const float PQ_M2 = 78.84375;
const float PQ_C1 = 0.8359375;
const float PQ_C2 = 18.8515625;
const float PQ_C3 = 18.6875;
float pqToNits(float e) {
  e = clamp(e, 0.0, 1.0);
  if (e <= 0.0) return 0.0;
  float ep = pow(e, 1.0 / PQ_M2);
  float num = max(ep - PQ_C1, 0.0);
  return num <= 0.0 ? 0.0 : 10000.0 * pow(num / (PQ_C2 - PQ_C3 * ep), 1.0 / PQ_M1);
}
${EETF_GLSL}
const mat3 TO_709 = ${glslMat3(BT2020_TO_BT709)};
const mat3 TO_P3 = ${glslMat3(BT2020_TO_P3)};
const vec3 LUMA2020 = vec3(0.2627, 0.678, 0.0593);
vec3 falseColour(float y) {
${bandGlsl}
}
vec3 showHdr(vec3 pq, vec2 px) {
  vec3 nits = vec3(pqToNits(pq.r), pqToNits(pq.g), pqToNits(pq.b));
  if (u_falseColour == 1) return falseColour(dot(LUMA2020, nits));
  if (u_gamutWarning > 0) {
    vec3 t = u_gamutWarning == 1 ? TO_709 * nits : TO_P3 * nits;
    float tol = 1e-3 * max(max(t.r, max(t.g, t.b)), 1e-3);
    bool stripe = mod(floor((px.x + px.y) / 6.0), 2.0) < 1.0;
    if (min(t.r, min(t.g, t.b)) < -tol && stripe) return vec3(1.0, 0.0, 1.0);
  }
  if (u_output == 1) return TO_709 * nits / u_sdrWhite;
  vec3 mapped = vec3(pqToNits(eetf(pq.r)), pqToNits(eetf(pq.g)), pqToNits(eetf(pq.b)));
  vec3 rel = clamp(TO_709 * (mapped / u_displayPeak), 0.0, 1.0);
  return pow(rel, vec3(1.0 / 2.4));
}
void main() {
  vec2 px = vec2(gl_FragCoord.x, u_canvas.y - gl_FragCoord.y);
  vec2 local = px;
  bool hdr = u_mode == 1 || (u_mode == 2 && px.x >= u_wipe);
  if (u_mode == 3) {
    hdr = px.x >= u_canvas.x * 0.5;
    if (hdr) local.x -= u_canvas.x * 0.5;
  }
  vec2 uv = (local - u_rect.xy) / u_rect.zw;
  if (u_mode == 2 && abs(px.x - u_wipe) < 1.0) { outColour = vec4(1.0); return; }
  if (uv.x < 0.0 || uv.y < 0.0 || uv.x > 1.0 || uv.y > 1.0) { outColour = vec4(0.0, 0.0, 0.0, 1.0); return; }
  vec3 c = hdr ? showHdr(texture(u_graded, uv).rgb, px) : texture(u_sdr, uv).rgb;
  if (!hdr && u_output == 1) c = pow(c, vec3(2.4)); // linear, SDR white at the display's SDR white
  outColour = vec4(c, 1.0);
}
`;
