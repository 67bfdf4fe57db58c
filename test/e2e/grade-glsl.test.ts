// Renders the GLSL grade in Chromium (software WebGL2 here) and holds it to the TypeScript grade within
// one 10-bit code value (|Δ|·1023 ≤ 1 on the full-range PQ signal) over a dense sweep.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { chromiumAvailable, launchChromium } from '../helpers/browser';
import { GRADE_FRAGMENT_SHADER, GRADE_VERTEX_SHADER, gradeUniforms } from '../../src-main/common/colour/grade-glsl';
import { applyGrade, GradeParams, type GradeParamsInput } from '../../src-main/common/colour/grade';

// Inputs: a dense grid of PQ signals for the model, the base derived from it (so model/base differ by
// realistic amounts), plus extremes: 0, 1, out-of-range, saturated primaries.
function inputs(): { model: Float32Array; base: Float32Array; count: number } {
  const m: number[] = [],
    b: number[] = [];
  const levels = [0, 0.01, 0.03, 0.06, 0.1, 0.15, 0.2, 0.3, 0.4, 0.5, 0.58, 0.65, 0.7, 0.75, 0.8, 0.9, 1];
  for (const r of levels)
    for (const g of levels)
      for (const bb of levels) {
        m.push(r, g, bb, 1);
        b.push(Math.min(1, r * 0.97 + 0.01), g * 0.95, Math.max(0, bb - 0.05), 1);
      }
  for (let i = 0; i <= 64; i++) {
    const v = i / 64;
    m.push(v, v, v, 1);
    b.push(v, v, v, 1);
  }
  m.push(-0.1, 0.5, 1.2, 1);
  b.push(0.5, -0.2, 1.1, 1);
  // pad to a whole number of rows of 64
  while ((m.length / 4) % 64 !== 0) {
    m.push(0.5, 0.4, 0.3, 1);
    b.push(0.45, 0.4, 0.35, 1);
  }
  return { model: Float32Array.from(m), base: Float32Array.from(b), count: m.length / 4 };
}

// Deterministic pseudo-random parameter sets across the whole ranges, beside the hand-picked corners.
function randomSets(count: number): GradeParamsInput[] {
  let seed = 12345;
  const rnd = () => (seed = (seed * 1103515245 + 12345) & 0x7fffffff) / 0x7fffffff;
  const pick = (min: number, max: number) => min + (max - min) * rnd();
  return Array.from({ length: count }, () => ({
    exposure: pick(-4, 4),
    diffuseWhite: pick(80, 400),
    highlightExpansion: rnd() < 0.5,
    highlightKnee: pick(0.3, 0.95),
    highlightPeak: pick(203, 10000),
    saturation: pick(0, 2),
    blackLevel: pick(-0.5, 0.5),
    modelStrength: pick(0, 1),
    gamutMapping: rnd() < 0.5 ? 'clip' : 'compress',
    gamutLimit: rnd() < 0.5 ? 'bt2020' : 'p3',
  }));
}

const PARAM_SETS: GradeParamsInput[] = [
  {},
  { modelStrength: 0 },
  { modelStrength: 0.5, exposure: 1.5 },
  { exposure: -3 },
  { exposure: 4 },
  { diffuseWhite: 100 },
  { diffuseWhite: 400, saturation: 1.6 },
  { saturation: 0 },
  { saturation: 2, gamutMapping: 'clip' },
  { saturation: 2, gamutMapping: 'compress' },
  { saturation: 1.5, gamutLimit: 'p3' },
  { saturation: 1.5, gamutLimit: 'p3', gamutMapping: 'clip' },
  { blackLevel: 0.5 },
  { blackLevel: -0.5 },
  { blackLevel: 0.05, exposure: -1 },
  { highlightExpansion: true },
  { highlightExpansion: true, highlightKnee: 0.3, highlightPeak: 4000 },
  { highlightExpansion: true, highlightKnee: 0.95, highlightPeak: 10000, diffuseWhite: 80 },
  {
    highlightExpansion: true,
    highlightPeak: 600,
    saturation: 1.3,
    exposure: 0.7,
    blackLevel: 0.02,
    modelStrength: 0.3,
    gamutLimit: 'p3',
  },
  ...randomSets(40),
];

test('GLSL grade agrees with TypeScript within 1 10-bit code', { timeout: 180_000 }, async (t) => {
  if (!chromiumAvailable()) {
    t.skip('Chromium not found (set REMASTER_CHROMIUM): GLSL grade not checked');
    return;
  }
  const browser = await launchChromium();
  try {
    const page = await browser.newPage();
    const { model, base, count } = inputs();
    const width = 64,
      height = count / 64;
    const sets = PARAM_SETS.map((p) => GradeParams.parse(p));
    const uniforms = sets.map((p) => {
      const u = gradeUniforms(p);
      return {
        floats: u.floats,
        mat3s: Object.fromEntries(Object.entries(u.mat3s).map(([k, v]) => [k, Array.from(v)])),
      };
    });
    // Sent as source text: tsx's transpile would add helpers (__name) that do not exist in the page.
    const args = {
      vs: GRADE_VERTEX_SHADER,
      fs: GRADE_FRAGMENT_SHADER,
      model: Array.from(model),
      base: Array.from(base),
      width,
      height,
      uniforms,
    };
    const result = (await page.evaluate(`(({ vs, fs, model, base, width, height, uniforms }) => {
        const canvas = document.createElement('canvas');
        canvas.width = width; canvas.height = height;
        const gl = canvas.getContext('webgl2');
        if (!gl) return { error: 'no WebGL2' };
        if (!gl.getExtension('EXT_color_buffer_float')) return { error: 'no EXT_color_buffer_float' };
        const sh = (type, src) => {
          const s = gl.createShader(type);
          gl.shaderSource(s, src); gl.compileShader(s);
          if (!gl.getShaderParameter(s, gl.COMPILE_STATUS)) throw new Error(gl.getShaderInfoLog(s) || 'compile');
          return s;
        };
        const prog = gl.createProgram();
        gl.attachShader(prog, sh(gl.VERTEX_SHADER, vs));
        gl.attachShader(prog, sh(gl.FRAGMENT_SHADER, fs));
        gl.linkProgram(prog);
        if (!gl.getProgramParameter(prog, gl.LINK_STATUS)) return { error: gl.getProgramInfoLog(prog) };
        gl.useProgram(prog);
        const tex = (unit, data) => {
          const t = gl.createTexture();
          gl.activeTexture(gl.TEXTURE0 + unit);
          gl.bindTexture(gl.TEXTURE_2D, t);
          gl.texParameteri(gl.TEXTURE_2D, gl.TEXTURE_MIN_FILTER, gl.NEAREST);
          gl.texParameteri(gl.TEXTURE_2D, gl.TEXTURE_MAG_FILTER, gl.NEAREST);
          gl.texImage2D(gl.TEXTURE_2D, 0, gl.RGBA32F, width, height, 0, gl.RGBA, gl.FLOAT, new Float32Array(data));
        };
        tex(0, model); tex(1, base);
        gl.uniform1i(gl.getUniformLocation(prog, 'u_model'), 0);
        gl.uniform1i(gl.getUniformLocation(prog, 'u_base'), 1);
        const target = gl.createTexture();
        gl.activeTexture(gl.TEXTURE2);
        gl.bindTexture(gl.TEXTURE_2D, target);
        gl.texImage2D(gl.TEXTURE_2D, 0, gl.RGBA32F, width, height, 0, gl.RGBA, gl.FLOAT, null);
        const fb = gl.createFramebuffer();
        gl.bindFramebuffer(gl.FRAMEBUFFER, fb);
        gl.framebufferTexture2D(gl.FRAMEBUFFER, gl.COLOR_ATTACHMENT0, gl.TEXTURE_2D, target, 0);
        if (gl.checkFramebufferStatus(gl.FRAMEBUFFER) !== gl.FRAMEBUFFER_COMPLETE) return { error: 'float framebuffer incomplete' };
        gl.viewport(0, 0, width, height);
        const outs = [];
        for (const u of uniforms) {
          for (const [k, v] of Object.entries(u.floats)) gl.uniform1f(gl.getUniformLocation(prog, k), v);
          for (const [k, v] of Object.entries(u.mat3s)) gl.uniformMatrix3fv(gl.getUniformLocation(prog, k), false, v);
          gl.drawArrays(gl.TRIANGLES, 0, 3);
          const px = new Float32Array(width * height * 4);
          gl.readPixels(0, 0, width, height, gl.RGBA, gl.FLOAT, px);
          outs.push(Array.from(px));
        }
        return { outs, renderer: gl.getParameter(gl.RENDERER) };
      })(${JSON.stringify(args)})`)) as { error: string } | { outs: number[][]; renderer: string };
    if ('error' in result) assert.fail(`WebGL2: ${result.error}`);
    let worst = 0,
      worstAt = '';
    let compared = 0;
    sets.forEach((p, s) => {
      const px = result.outs[s];
      for (let i = 0; i < count; i++) {
        const ref = applyGrade(
          [model[4 * i], model[4 * i + 1], model[4 * i + 2]],
          [base[4 * i], base[4 * i + 1], base[4 * i + 2]],
          p,
        );
        for (let c = 0; c < 3; c++) {
          const d = Math.abs(px[4 * i + c] - ref[c]) * 1023;
          compared++;
          if (!(d <= worst)) {
            worst = d;
            worstAt = `set ${s} ${JSON.stringify(PARAM_SETS[s])} pixel ${i} model ${Array.from(model.subarray(4 * i, 4 * i + 3))} base ${Array.from(base.subarray(4 * i, 4 * i + 3))} ch ${c}: gl ${px[4 * i + c]} ts ${ref[c]}`;
          }
        }
      }
    });
    t.diagnostic(`${result.renderer}: ${compared} values, worst |Δ| = ${worst.toFixed(4)} 10-bit codes (${worstAt})`);
    assert.ok(worst <= 1, `worst difference ${worst} codes at ${worstAt}`);
  } finally {
    await browser.close();
  }
});
