// Small WebGL2 helpers for the viewer: programs, textures, render targets.

export function program(gl: WebGL2RenderingContext, vs: string, fs: string): WebGLProgram {
  const compile = (type: number, src: string) => {
    const s = gl.createShader(type)!;
    gl.shaderSource(s, src);
    gl.compileShader(s);
    if (!gl.getShaderParameter(s, gl.COMPILE_STATUS))
      throw new Error(`shader: ${gl.getShaderInfoLog(s) ?? 'compile failed'}`);
    return s;
  };
  const p = gl.createProgram()!;
  gl.attachShader(p, compile(gl.VERTEX_SHADER, vs));
  gl.attachShader(p, compile(gl.FRAGMENT_SHADER, fs));
  gl.linkProgram(p);
  if (!gl.getProgramParameter(p, gl.LINK_STATUS))
    throw new Error(`program: ${gl.getProgramInfoLog(p) ?? 'link failed'}`);
  return p;
}

export function texture(gl: WebGL2RenderingContext, filter: number): WebGLTexture {
  const t = gl.createTexture()!;
  gl.bindTexture(gl.TEXTURE_2D, t);
  gl.texParameteri(gl.TEXTURE_2D, gl.TEXTURE_MIN_FILTER, filter);
  gl.texParameteri(gl.TEXTURE_2D, gl.TEXTURE_MAG_FILTER, filter);
  gl.texParameteri(gl.TEXTURE_2D, gl.TEXTURE_WRAP_S, gl.CLAMP_TO_EDGE);
  gl.texParameteri(gl.TEXTURE_2D, gl.TEXTURE_WRAP_T, gl.CLAMP_TO_EDGE);
  return t;
}

/**
 * Interleaved 16-bit R'G'B' codes (rows top to bottom) into an RGB16UI texture, as they came from the file: half
 * the bytes of floats and no conversion loop on the UI thread; shaders read them with texelFetch and / 65535.
 */
export function uploadRgb16(
  gl: WebGL2RenderingContext,
  t: WebGLTexture,
  data: Uint16Array,
  width: number,
  height: number,
): void {
  gl.bindTexture(gl.TEXTURE_2D, t);
  gl.pixelStorei(gl.UNPACK_ALIGNMENT, 1);
  gl.texImage2D(gl.TEXTURE_2D, 0, gl.RGB16UI, width, height, 0, gl.RGB_INTEGER, gl.UNSIGNED_SHORT, data);
}

/** A decoded image (the JPEG proxy) as it is coded: no colour management, no premultiplication. */
export function uploadImage(gl: WebGL2RenderingContext, t: WebGLTexture, image: TexImageSource): void {
  gl.bindTexture(gl.TEXTURE_2D, t);
  gl.pixelStorei(gl.UNPACK_COLORSPACE_CONVERSION_WEBGL, gl.NONE);
  gl.pixelStorei(gl.UNPACK_PREMULTIPLY_ALPHA_WEBGL, false);
  gl.pixelStorei(gl.UNPACK_FLIP_Y_WEBGL, false);
  gl.texImage2D(gl.TEXTURE_2D, 0, gl.RGBA8, gl.RGBA, gl.UNSIGNED_BYTE, image);
}

export interface Target {
  texture: WebGLTexture;
  framebuffer: WebGLFramebuffer;
  width: number;
  height: number;
}
export type FloatTarget = Target;

/** An RGBA32F render target (needs EXT_color_buffer_float), resized in place. */
export function floatTarget(
  gl: WebGL2RenderingContext,
  filter: number,
  old: Target | null,
  width: number,
  height: number,
): Target {
  return renderTarget(gl, filter, old, width, height, 'float');
}

/** An RGBA8 render target (bytes the scopes read back), resized in place. */
export function byteTarget(gl: WebGL2RenderingContext, old: Target | null, width: number, height: number): Target {
  return renderTarget(gl, gl.NEAREST, old, width, height, 'byte');
}

function renderTarget(
  gl: WebGL2RenderingContext,
  filter: number,
  old: Target | null,
  width: number,
  height: number,
  kind: 'float' | 'byte',
): Target {
  if (old && old.width === width && old.height === height) return old;
  if (old) {
    gl.deleteTexture(old.texture);
    gl.deleteFramebuffer(old.framebuffer);
  }
  const tex = texture(gl, filter);
  if (kind === 'float') gl.texImage2D(gl.TEXTURE_2D, 0, gl.RGBA32F, width, height, 0, gl.RGBA, gl.FLOAT, null);
  else gl.texImage2D(gl.TEXTURE_2D, 0, gl.RGBA8, width, height, 0, gl.RGBA, gl.UNSIGNED_BYTE, null);
  const framebuffer = gl.createFramebuffer()!;
  gl.bindFramebuffer(gl.FRAMEBUFFER, framebuffer);
  gl.framebufferTexture2D(gl.FRAMEBUFFER, gl.COLOR_ATTACHMENT0, gl.TEXTURE_2D, tex, 0);
  if (gl.checkFramebufferStatus(gl.FRAMEBUFFER) !== gl.FRAMEBUFFER_COMPLETE)
    throw new Error(`${kind} render target incomplete`);
  gl.bindFramebuffer(gl.FRAMEBUFFER, null);
  return { texture: tex, framebuffer, width, height };
}
