// The viewer's GL pipeline over one WebGL2 canvas: holds the SDR picture, the network's pair when there is
// one, and the grade; runs the grade pass only when one of them changed, the display pass on every paint.
// Pictures are replaced only once the new one is uploaded, so the canvas never shows an empty frame between.
import type { GradeParams } from '../../../src-main/common/colour/grade';
import { gradeUniforms } from '../../../src-main/common/colour/grade-glsl';
import { floatTarget, program, texture, uploadImage, uploadRgbFloat, type FloatTarget } from './gl';
import { DISPLAY_PASS_SHADER, GRADE_PASS_SHADER, VERTEX_SHADER } from './shaders';

export type SdrPicture =
  | { kind: 'image'; image: TexImageSource; width: number; height: number }
  | { kind: 'raw'; rgb: Float32Array; width: number; height: number };
export interface NetworkPicture {
  hdr: Float32Array;
  base: Float32Array;
  width: number;
  height: number;
}

export type ViewMode = 'sdr' | 'hdr' | 'wipe' | 'side';
const MODES: Record<ViewMode, number> = { sdr: 0, hdr: 1, wipe: 2, side: 3 };

export interface DisplayState {
  mode: ViewMode;
  /** The image's rectangle in the canvas (in one half of it side by side), top-down device pixels. */
  rect: { x: number; y: number; w: number; h: number };
  /** Wipe divider, canvas x in device pixels. */
  wipe: number;
  /** 'sdr': EETF to displayPeak and gamma 2.4; 'extended': linear BT.709, 1.0 = sdrWhite nits. */
  output: 'sdr' | 'extended';
  displayPeak: number;
  sdrWhite: number;
  /** u_eetf (eetfUniform). */
  eetf: Float32Array;
  falseColour: boolean;
  gamutWarning: 'off' | 'bt709' | 'p3';
}

export class ViewerPipeline {
  private readonly gradeProg: WebGLProgram;
  private readonly displayProg: WebGLProgram;
  private readonly filter: number;
  private readonly sdrTex: WebGLTexture;
  private readonly hdrTex: WebGLTexture;
  private readonly baseTex: WebGLTexture;
  private graded: FloatTarget | null = null;
  private extended: FloatTarget | null = null;
  private sdrSize: [number, number] | null = null;
  private network: [number, number] | null = null;
  private grade: GradeParams | null = null;
  private dirty = true;

  constructor(private readonly gl: WebGL2RenderingContext) {
    if (!gl.getExtension('EXT_color_buffer_float'))
      throw new Error('this WebGL2 has no float render targets (EXT_color_buffer_float)');
    // Float textures filter linearly only with this extension; without it the viewer samples nearest.
    this.filter = gl.getExtension('OES_texture_float_linear') ? gl.LINEAR : gl.NEAREST;
    this.gradeProg = program(gl, VERTEX_SHADER, GRADE_PASS_SHADER);
    this.displayProg = program(gl, VERTEX_SHADER, DISPLAY_PASS_SHADER);
    this.sdrTex = texture(gl, this.filter);
    this.hdrTex = texture(gl, gl.NEAREST);
    this.baseTex = texture(gl, gl.NEAREST);
  }

  get workingSize(): [number, number] | null {
    return this.network ?? this.sdrSize;
  }

  get hasNetwork(): boolean {
    return this.network !== null;
  }

  setSdr(p: SdrPicture): void {
    if (p.kind === 'image') uploadImage(this.gl, this.sdrTex, p.image);
    else uploadRgbFloat(this.gl, this.sdrTex, p.rgb, p.width, p.height);
    this.sdrSize = [p.width, p.height];
    this.dirty = true;
  }

  setNetwork(p: NetworkPicture | null): void {
    if (p) {
      uploadRgbFloat(this.gl, this.hdrTex, p.hdr, p.width, p.height);
      uploadRgbFloat(this.gl, this.baseTex, p.base, p.width, p.height);
    }
    this.network = p ? [p.width, p.height] : null;
    this.dirty = true;
  }

  setGrade(g: GradeParams): void {
    if (g !== this.grade) this.dirty = true;
    this.grade = g;
  }

  /** Runs the grade pass when its inputs changed; true when it ran (a new graded picture). */
  runGrade(): boolean {
    const size = this.workingSize;
    if (!this.dirty || !size || !this.grade) return false;
    const gl = this.gl;
    this.graded = floatTarget(gl, this.filter, this.graded, size[0], size[1]);
    gl.bindFramebuffer(gl.FRAMEBUFFER, this.graded.framebuffer);
    gl.viewport(0, 0, size[0], size[1]);
    gl.useProgram(this.gradeProg);
    this.bind(this.gradeProg, 'u_sdr', 0, this.sdrTex);
    this.bind(this.gradeProg, 'u_hdr', 1, this.hdrTex);
    this.bind(this.gradeProg, 'u_base', 2, this.baseTex);
    gl.uniform1i(gl.getUniformLocation(this.gradeProg, 'u_network'), this.network ? 1 : 0);
    const u = gradeUniforms(this.grade);
    for (const [k, v] of Object.entries(u.floats)) gl.uniform1f(gl.getUniformLocation(this.gradeProg, k), v);
    for (const [k, v] of Object.entries(u.mat3s))
      gl.uniformMatrix3fv(gl.getUniformLocation(this.gradeProg, k), false, v);
    gl.drawArrays(gl.TRIANGLES, 0, 3);
    gl.bindFramebuffer(gl.FRAMEBUFFER, null);
    this.dirty = false;
    return true;
  }

  /** The graded picture as interleaved 16-bit BT.2020 PQ R'G'B', rows top to bottom. */
  readGraded(): { width: number; height: number; pq: Uint16Array } | null {
    if (!this.graded) return null;
    const { width, height } = this.graded;
    const px = this.readTarget(this.graded);
    const pq = new Uint16Array(width * height * 3);
    for (let i = 0, j = 0; j < pq.length; i += 4, j += 3) {
      for (let c = 0; c < 3; c++) pq[j + c] = Math.round(Math.min(Math.max(px[i + c], 0), 1) * 65535);
    }
    return { width, height, pq };
  }

  /** Paints the canvas; with output 'extended' paints into a float target and returns its pixels instead. */
  display(s: DisplayState): Float32Array | null {
    const gl = this.gl;
    if (!this.graded) return null;
    const w = gl.drawingBufferWidth,
      h = gl.drawingBufferHeight;
    if (s.output === 'extended') {
      this.extended = floatTarget(gl, gl.NEAREST, this.extended, w, h);
      gl.bindFramebuffer(gl.FRAMEBUFFER, this.extended.framebuffer);
    } else gl.bindFramebuffer(gl.FRAMEBUFFER, null);
    gl.viewport(0, 0, w, h);
    const p = this.displayProg;
    gl.useProgram(p);
    this.bind(p, 'u_sdr', 0, this.sdrTex);
    this.bind(p, 'u_graded', 1, this.graded.texture);
    const loc = (n: string) => gl.getUniformLocation(p, n);
    gl.uniform2f(loc('u_canvas'), w, h);
    gl.uniform4f(loc('u_rect'), s.rect.x, s.rect.y, s.rect.w, s.rect.h);
    gl.uniform1i(loc('u_mode'), MODES[s.mode]);
    gl.uniform1f(loc('u_wipe'), s.wipe);
    gl.uniform1i(loc('u_output'), s.output === 'extended' ? 1 : 0);
    gl.uniform1f(loc('u_displayPeak'), s.displayPeak);
    gl.uniform1f(loc('u_sdrWhite'), s.sdrWhite);
    gl.uniform4fv(loc('u_eetf'), s.eetf);
    gl.uniform1i(loc('u_falseColour'), s.falseColour ? 1 : 0);
    gl.uniform1i(loc('u_gamutWarning'), s.gamutWarning === 'bt709' ? 1 : s.gamutWarning === 'p3' ? 2 : 0);
    gl.drawArrays(gl.TRIANGLES, 0, 3);
    if (s.output !== 'extended') return null;
    const out = this.readTarget(this.extended!);
    gl.bindFramebuffer(gl.FRAMEBUFFER, null);
    return out;
  }

  private readTarget(t: FloatTarget): Float32Array {
    const gl = this.gl;
    const px = new Float32Array(t.width * t.height * 4);
    gl.bindFramebuffer(gl.FRAMEBUFFER, t.framebuffer);
    gl.readPixels(0, 0, t.width, t.height, gl.RGBA, gl.FLOAT, px);
    gl.bindFramebuffer(gl.FRAMEBUFFER, null);
    return px;
  }

  private bind(p: WebGLProgram, name: string, unit: number, t: WebGLTexture): void {
    const gl = this.gl;
    gl.activeTexture(gl.TEXTURE0 + unit);
    gl.bindTexture(gl.TEXTURE_2D, t);
    gl.uniform1i(gl.getUniformLocation(p, name), unit);
  }
}
