// The viewer's WebGL2 passes. Grade pass: at the working resolution, SDR R'G'B' -> analytic base (or the
// network's hdr + base) -> the shot's grade -> graded BT.2020 PQ, into a float target the scopes read back
// (packed to bytes first, asynchronously).
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

const GRADE_PASS_SHADER = `#version 300 es
precision highp float;
precision highp int;
uniform highp sampler2D u_sdr;
uniform highp usampler2D u_hdr;   // the network's pair as the file's 16-bit codes
uniform highp usampler2D u_base;
uniform int u_network;
uniform vec2 u_step;              // working pixels per target pixel: 1 at full resolution, more for a draft
out vec4 outColour;
${GRADE_GLSL}
${SDR_TO_HDR_GLSL}
void main() {
  ivec2 p = ivec2(floor(gl_FragCoord.xy * u_step)); // a draft samples every u_step-th pixel

  vec3 model, base;
  if (u_network == 1) {
    model = vec3(texelFetch(u_hdr, p, 0).rgb) / 65535.0;
    base = vec3(texelFetch(u_base, p, 0).rgb) / 65535.0;
  } else {
    base = sdrToHdrBase(texelFetch(u_sdr, p, 0).rgb);
    model = base; // without the network, the model's output is the analytic base (its skip path)
  }
  outColour = vec4(applyGrade(model, base), 1.0);
}
`;

/**
 * The grade pass specialised for one grade: the switches (network or analytic, compress, limit to P3) and the
 * parameters at their neutral value (black level 0, no expansion, saturation 1) become constants, so the compiler
 * drops the branches they guard. Software WebGL runs both sides of every branch, uniform or not: specialised,
 * the default grade's pass does about half the work. Same maths: only where a value is fixed anyway.
 */
export function gradePassShader(constants: Readonly<Record<string, number>>): string {
  let src = GRADE_PASS_SHADER;
  for (const [name, v] of Object.entries(constants)) {
    const decl = new RegExp(`uniform (float|int) ${name};`);
    src = src.replace(decl, (_, type: string) =>
      type === 'int' ? `const int ${name} = ${Math.round(v)};` : `const float ${name} = ${glslFloat(v)};`,
    );
  }
  return src;
}

const glslFloat = (v: number) => {
  const s = String(v);
  return /[.eE]/.test(s) ? s : `${s}.0`;
};

// False colour: bands of luminance in nits, each a colour; the legend reads the same table.
const bandGlsl = FALSE_COLOUR_BANDS.map((b, i) =>
  i < FALSE_COLOUR_BANDS.length - 1
    ? `  if (y < ${b.below.toFixed(4)}) return ${vec3(b.rgb)};`
    : `  return ${vec3(b.rgb)};`,
).join('\n');

// The display mapping of a graded PQ value: false colour, or the SDR display's EETF and gamma (or extended linear
// light), and whether it lies outside the gamut the warning names. Shared by the map pass and the display pass.
const DISPLAY_UNIFORMS = `
uniform int u_output;         // 0 SDR display (EETF + gamma 2.4), 1 extended linear (1.0 = u_sdrWhite nits)
uniform float u_displayPeak;
uniform float u_sdrWhite;
uniform int u_falseColour;
uniform int u_gamutWarning;   // 0 off, 1 outside BT.709, 2 outside P3
`;
const DISPLAY_MAPPING = `
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
vec3 mapHdr(vec3 pq, out bool outside) {
  outside = false;
  vec3 nits = vec3(pqToNits(pq.r), pqToNits(pq.g), pqToNits(pq.b));
  if (u_falseColour == 1) return falseColour(dot(LUMA2020, nits));
  if (u_gamutWarning > 0) {
    vec3 t = u_gamutWarning == 1 ? TO_709 * nits : TO_P3 * nits;
    float tol = 1e-3 * max(max(t.r, max(t.g, t.b)), 1e-3);
    outside = min(t.r, min(t.g, t.b)) < -tol;
  }
  if (u_output == 1) return TO_709 * nits / u_sdrWhite;
  vec3 mapped = vec3(pqToNits(eetf(pq.r)), pqToNits(eetf(pq.g)), pqToNits(eetf(pq.b)));
  vec3 rel = clamp(TO_709 * (mapped / u_displayPeak), 0.0, 1.0);
  return pow(rel, vec3(1.0 / 2.4));
}
`;

/**
 * Map pass: the display mapping once per picture pixel as shown (the graded picture at the size it is drawn,
 * or its own size when drawn larger), alpha 0 where the gamut warning applies. The display pass then only
 * samples it: the mapping's dozen pow() per pixel run on a few hundred thousand pixels instead of every
 * canvas pixel on every paint (a wipe drag, a resize).
 */
export const MAP_PASS_SHADER = `#version 300 es
precision highp float;
precision highp int;
uniform highp sampler2D u_graded;
uniform vec2 u_size;          // this target's size
out vec4 outColour;
${DISPLAY_UNIFORMS}
${DISPLAY_MAPPING}
void main() {
  bool outside;
  vec3 c = mapHdr(texture(u_graded, gl_FragCoord.xy / u_size).rgb, outside);
  outColour = vec4(c, outside ? 0.0 : 1.0);
}
`;

/**
 * Display pass, per canvas pixel. Two variants: `mapped` samples the map pass's target (software WebGL runs both
 * sides of a branch, so the cheap variant must not contain the mapping at all), the other maps each pixel.
 */
export const displayPassShader = (mapped: boolean) => `#version 300 es
precision highp float;
precision highp int;
uniform highp sampler2D u_sdr;
uniform highp sampler2D u_graded;
uniform highp sampler2D u_mapped;
uniform vec2 u_canvas;        // canvas size, device pixels
uniform vec4 u_rect;          // image rectangle in the (half) canvas, top-down device pixels: x, y, w, h
uniform int u_mode;           // 0 SDR source, 1 HDR result, 2 A/B wipe, 3 side by side
uniform float u_wipe;         // wipe divider, canvas x in device pixels
out vec4 outColour;
${DISPLAY_UNIFORMS}
${
  mapped
    ? `vec3 showHdr(vec2 uv, vec2 px) {
  // False colour bands stay hard-edged: the nearest texel, not a blend of two bands.
  ivec2 size = textureSize(u_mapped, 0);
  vec4 m = u_falseColour == 1 ? texelFetch(u_mapped, min(ivec2(uv * vec2(size)), size - 1), 0) : texture(u_mapped, uv);
  bool stripe = mod(floor((px.x + px.y) / 6.0), 2.0) < 1.0;
  return m.a < 0.5 && stripe ? vec3(1.0, 0.0, 1.0) : m.rgb;
}`
    : `${DISPLAY_MAPPING}
vec3 showHdr(vec2 uv, vec2 px) {
  bool outside;
  vec3 c = mapHdr(texture(u_graded, uv).rgb, outside);
  bool stripe = mod(floor((px.x + px.y) / 6.0), 2.0) < 1.0;
  return outside && stripe ? vec3(1.0, 0.0, 1.0) : c;
}`
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
  vec3 c = hdr ? showHdr(uv, px) : texture(u_sdr, uv).rgb;
  if (!hdr && u_output == 1) c = pow(c, vec3(2.4)); // linear, SDR white at the display's SDR white
  outColour = vec4(c, 1.0);
}
`;

/** 16-bit codes (the full-resolution source frame) -> 0..1 floats, once per picture, so it can be filtered. */
export const UNPACK16_SHADER = `#version 300 es
precision highp float;
precision highp int;
uniform highp usampler2D u_codes;
out vec4 outColour;
void main() {
  outColour = vec4(vec3(texelFetch(u_codes, ivec2(gl_FragCoord.xy), 0).rgb) / 65535.0, 1.0);
}
`;

/**
 * The graded picture for the scopes as bytes: interleaved 16-bit R'G'B' codes (rgb48, little-endian), two codes
 * per RGBA8 texel, point-sampled to u_dst (its width even). A readback of this is the scopes' frame as is: 6
 * bytes a pixel instead of 16, and no conversion loop on the UI thread.
 */
export const PACK_RGB48_SHADER = `#version 300 es
precision highp float;
precision highp int;
uniform highp sampler2D u_graded;
uniform ivec2 u_src;   // graded picture size
uniform ivec2 u_dst;   // scope frame size
out vec4 outColour;
float code16(int j, int y) {
  int x = j / 3;
  int c = j - 3 * x;
  ivec2 s = ivec2(((2 * x + 1) * u_src.x) / (2 * u_dst.x), ((2 * y + 1) * u_src.y) / (2 * u_dst.y));
  vec3 v = clamp(texelFetch(u_graded, s, 0).rgb, 0.0, 1.0);
  float e = c == 0 ? v.r : (c == 1 ? v.g : v.b);
  return floor(e * 65535.0 + 0.5);
}
void main() {
  ivec2 p = ivec2(gl_FragCoord.xy);
  float a = code16(2 * p.x, p.y);
  float b = code16(2 * p.x + 1, p.y);
  outColour = vec4(mod(a, 256.0), floor(a / 256.0), mod(b, 256.0), floor(b / 256.0)) / 255.0;
}
`;
