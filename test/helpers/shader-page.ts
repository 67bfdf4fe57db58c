// Runs one fragment shader over an RGBA float input (one pixel each, rows of 64) in Chromium's WebGL2 and
// returns the float output. Sent as source text: tsx's transpile would add helpers the page does not have.
import type { Page } from 'playwright';

export async function runShader(
  page: Page,
  vs: string,
  fs: string,
  input: number[],
  vec4s: Record<string, number[]> = {},
): Promise<{ out: number[]; renderer: string }> {
  const data = input.slice();
  while ((data.length / 4) % 64 !== 0) data.push(0, 0, 0, 1);
  const args = { vs, fs, data, width: 64, height: data.length / 4 / 64, vec4s };
  const r = (await page.evaluate(`(({ vs, fs, data, width, height, vec4s }) => {
    const gl = document.createElement('canvas').getContext('webgl2');
    if (!gl || !gl.getExtension('EXT_color_buffer_float')) return { error: 'no WebGL2 float targets' };
    const sh = (type, src) => { const s = gl.createShader(type); gl.shaderSource(s, src); gl.compileShader(s);
      if (!gl.getShaderParameter(s, gl.COMPILE_STATUS)) throw new Error(gl.getShaderInfoLog(s)); return s; };
    const prog = gl.createProgram();
    gl.attachShader(prog, sh(gl.VERTEX_SHADER, vs)); gl.attachShader(prog, sh(gl.FRAGMENT_SHADER, fs));
    gl.linkProgram(prog);
    if (!gl.getProgramParameter(prog, gl.LINK_STATUS)) return { error: gl.getProgramInfoLog(prog) };
    gl.useProgram(prog);
    const tex = gl.createTexture();
    gl.bindTexture(gl.TEXTURE_2D, tex);
    gl.texParameteri(gl.TEXTURE_2D, gl.TEXTURE_MIN_FILTER, gl.NEAREST);
    gl.texParameteri(gl.TEXTURE_2D, gl.TEXTURE_MAG_FILTER, gl.NEAREST);
    gl.texImage2D(gl.TEXTURE_2D, 0, gl.RGBA32F, width, height, 0, gl.RGBA, gl.FLOAT, new Float32Array(data));
    for (const [k, v] of Object.entries(vec4s)) gl.uniform4fv(gl.getUniformLocation(prog, k), v);
    const target = gl.createTexture();
    gl.bindTexture(gl.TEXTURE_2D, target);
    gl.texImage2D(gl.TEXTURE_2D, 0, gl.RGBA32F, width, height, 0, gl.RGBA, gl.FLOAT, null);
    const fb = gl.createFramebuffer();
    gl.bindFramebuffer(gl.FRAMEBUFFER, fb);
    gl.framebufferTexture2D(gl.FRAMEBUFFER, gl.COLOR_ATTACHMENT0, gl.TEXTURE_2D, target, 0);
    gl.activeTexture(gl.TEXTURE0); gl.bindTexture(gl.TEXTURE_2D, tex);
    gl.viewport(0, 0, width, height);
    gl.drawArrays(gl.TRIANGLES, 0, 3);
    const px = new Float32Array(width * height * 4);
    gl.readPixels(0, 0, width, height, gl.RGBA, gl.FLOAT, px);
    return { out: Array.from(px), renderer: gl.getParameter(gl.RENDERER) };
  })(${JSON.stringify(args)})`)) as { error: string } | { out: number[]; renderer: string };
  if ('error' in r) throw new Error(`WebGL2: ${r.error}`);
  return r;
}
