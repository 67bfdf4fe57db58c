// The viewer's GL pipeline over one WebGL2 canvas: holds the SDR picture, the network's pair when there is
// one, and the grade; runs the grade pass only when one of them changed, the display pass on every paint.
// Pictures are replaced only once the new one is uploaded, so the canvas never shows an empty frame between,
// and a picture already on the GPU is not uploaded again. The scopes' copy of the graded picture is read back
// asynchronously (packed to 16-bit codes, through a pixel buffer and a fence), never inside a paint.
import { DEFAULT_GRADE, type GradeParams } from '../../../src-main/common/colour/grade';
import { canonicalJson } from '../../../src-main/common/contract';
import { gradeUniforms } from '../../../src-main/common/colour/grade-glsl';
import {
  byteTarget,
  floatTarget,
  program,
  texture,
  uploadImage,
  uploadRgb16,
  type FloatTarget,
  type Target,
} from './gl';
import {
  displayPassShader,
  gradePassShader,
  MAP_PASS_SHADER,
  PACK_RGB48_SHADER,
  UNPACK16_SHADER,
  VERTEX_SHADER,
} from './shaders';

export type SdrPicture =
  | { kind: 'image'; image: TexImageSource; width: number; height: number }
  /** The full-resolution frame's 16-bit R'G'B' codes (interleaved, rows top to bottom), as the file holds them. */
  | { kind: 'raw'; rgb16: Uint16Array; width: number; height: number };
export interface NetworkPicture {
  /** The network's output and the analytic base, each interleaved 16-bit BT.2020 PQ R'G'B' codes. */
  hdr: Uint16Array;
  base: Uint16Array;
  width: number;
  height: number;
}

/** A frame of a shot's render: graded already (interleaved 16-bit BT.2020 PQ R'G'B'), under `grade` only. */
export interface RenderedPicture {
  pq: Uint16Array;
  width: number;
  height: number;
  grade: GradeParams;
  model: string | null;
}

/** The graded picture as the scopes take it: interleaved 16-bit BT.2020 PQ R'G'B' (rgb48), rows top to bottom. */
export interface ScopePixels {
  width: number;
  height: number;
  pq: Uint16Array<ArrayBuffer>;
  /** The graded picture's own size, which these pixels sample. */
  gradedWidth: number;
  gradedHeight: number;
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

/**
 * A grade change on a large picture is first drawn from a draft of at most this many pixels (point-sampled), so
 * the picture follows a slider at once; the full-resolution grade follows when the changes pause (refine()).
 * Software WebGL (no GPU) grades ~4-5 Mpixel/s: a 1280x720 grade pass alone is ~200 ms there, a draft ~20 ms.
 */
export const DRAFT_PIXELS = 400 * 225;

/** The size of the scopes' frame: the graded picture's, point-sampled down to at most `maxPixels`, width even. */
export function scopeFrameSize(width: number, height: number, maxPixels: number): [number, number] {
  const k = Math.max(1, Math.sqrt((width * height) / maxPixels));
  const w = Math.max(2, Math.round(width / k / 2) * 2);
  return [w, Math.max(1, Math.round(height / k))];
}

/** The grade pass's constants for this grade (see gradePassShader): switches, and parameters at neutral. */
function gradeConstants(floats: Record<string, number>, network: boolean): Record<string, number> {
  const c: Record<string, number> = {
    u_network: network ? 1 : 0,
    u_compress: floats.u_compress,
    u_limitP3: floats.u_limitP3,
  };
  if (floats.u_blackLevel === 0) c.u_blackLevel = 0;
  if (floats.u_expansionRatio <= 1) c.u_expansionRatio = floats.u_expansionRatio;
  if (floats.u_saturation === 1) c.u_saturation = 1;
  return c;
}

function scaledSize(width: number, height: number, maxPixels: number): [number, number] {
  const k = Math.max(1, Math.sqrt((width * height) / maxPixels));
  return [Math.max(1, Math.round(width / k)), Math.max(1, Math.round(height / k))];
}

export class ViewerPipeline {
  /** Grade pass programs by the constants they were specialised for (gradeConstants). */
  private readonly gradeProgs = new Map<string, WebGLProgram>();
  /** The display pass over the map pass's target, and the one that maps each canvas pixel itself. */
  private readonly displayMappedProg: WebGLProgram;
  private readonly displayProg: WebGLProgram;
  private readonly mapProg: WebGLProgram;
  private readonly unpackProg: WebGLProgram;
  private readonly packProg: WebGLProgram;
  private readonly filter: number;
  private readonly imageTex: WebGLTexture;
  private readonly codesTex: WebGLTexture;
  private readonly hdrTex: WebGLTexture;
  private readonly baseTex: WebGLTexture;
  /** The raw source frame as floats (filtered by the display pass like the proxy's texture). */
  private raw: FloatTarget | null = null;
  private sdrTex: WebGLTexture;
  /** The full-resolution graded picture, a draft of it, and which of them is on screen. */
  private full: FloatTarget | null = null;
  private draft: FloatTarget | null = null;
  private graded: FloatTarget | null = null;
  /** Bumped on every grade pass: the map pass reruns only when this or the display state changed. */
  private gradedGen = 0;
  private mapped: FloatTarget | null = null;
  private mappedKey = '';
  private extended: FloatTarget | null = null;
  private packed: Target | null = null;
  private pbo: WebGLBuffer | null = null;
  private sdrSize: [number, number] | null = null;
  private sdrPicture: SdrPicture | null = null;
  private network: [number, number] | null = null;
  private networkPicture: NetworkPicture | null = null;
  private grade: GradeParams | null = null;
  private readonly renderedTex: WebGLTexture;
  private renderedPicture: RenderedPicture | null = null;
  private renderedGrade = '';
  /** What the graded picture on screen came from. */
  private gradedFrom: 'analytic' | 'network' | 'rendered' = 'analytic';
  /** A new picture (always graded at full resolution), a new grade (a draft first), the full grade still owed. */
  private pictureDirty = true;
  private gradeDirty = true;
  private fullStale = false;
  private readonly uniforms = new Map<WebGLProgram, Map<string, WebGLUniformLocation | null>>();

  constructor(private readonly gl: WebGL2RenderingContext) {
    if (!gl.getExtension('EXT_color_buffer_float'))
      throw new Error('this WebGL2 has no float render targets (EXT_color_buffer_float)');
    // Float textures filter linearly only with this extension; without it the viewer samples nearest.
    this.filter = gl.getExtension('OES_texture_float_linear') ? gl.LINEAR : gl.NEAREST;
    this.displayMappedProg = program(gl, VERTEX_SHADER, displayPassShader(true));
    this.displayProg = program(gl, VERTEX_SHADER, displayPassShader(false));
    this.mapProg = program(gl, VERTEX_SHADER, MAP_PASS_SHADER);
    this.unpackProg = program(gl, VERTEX_SHADER, UNPACK16_SHADER);
    this.packProg = program(gl, VERTEX_SHADER, PACK_RGB48_SHADER);
    this.imageTex = texture(gl, this.filter);
    this.sdrTex = this.imageTex;
    // Integer textures sample nearest only; a 1x1 picture until the first upload keeps their samplers valid.
    this.codesTex = texture(gl, gl.NEAREST);
    this.hdrTex = texture(gl, gl.NEAREST);
    this.baseTex = texture(gl, gl.NEAREST);
    this.renderedTex = texture(gl, gl.NEAREST);
    for (const t of [this.codesTex, this.hdrTex, this.baseTex, this.renderedTex])
      uploadRgb16(gl, t, new Uint16Array(3), 1, 1);
    // The default grade's passes, analytic and network, compiled now: software WebGL takes long enough over a
    // compile to stall the first scrub or the network frame's arrival.
    const neutral = gradeUniforms(DEFAULT_GRADE).floats;
    for (const network of [false, true]) this.gradeProgram(gradeConstants(neutral, network));
  }

  get workingSize(): [number, number] | null {
    const r = this.renderedApplies() ? this.renderedPicture : null;
    return r ? [r.width, r.height] : (this.network ?? this.sdrSize);
  }

  /** The render stands for the picture only under the grade it was rendered with (a live change grades anew). */
  private renderedApplies(): boolean {
    return this.grade !== null && this.rendersUnder(this.grade);
  }

  /** A rendered frame is held and was rendered with `grade`. */
  rendersUnder(grade: GradeParams): boolean {
    return this.renderedPicture !== null && canonicalJson(grade) === this.renderedGrade;
  }

  /** What the graded picture on screen came from: the analytic base, the network's frame, or the shot's render. */
  get source(): 'analytic' | 'network' | 'rendered' {
    return this.gradedFrom;
  }

  /** The graded picture's size: the working size, or the draft's while a grade change is drafted. */
  get gradedSize(): [number, number] | null {
    return this.graded ? [this.graded.width, this.graded.height] : null;
  }

  /** The SDR picture on the GPU is the 8-bit scrub proxy (scrubbing, playing), not the full-resolution frame. */
  get showsProxy(): boolean {
    return this.sdrPicture?.kind === 'image';
  }

  get hasNetwork(): boolean {
    return this.network !== null;
  }

  setSdr(p: SdrPicture): void {
    if (p === this.sdrPicture) return; // already on the GPU
    const gl = this.gl;
    if (p.kind === 'image') {
      uploadImage(gl, this.imageTex, p.image);
      this.sdrTex = this.imageTex;
    } else {
      uploadRgb16(gl, this.codesTex, p.rgb16, p.width, p.height);
      this.raw = this.unpack(this.codesTex, this.raw, p.width, p.height);
      this.sdrTex = this.raw.texture;
    }
    this.sdrPicture = p;
    this.sdrSize = [p.width, p.height];
    this.pictureDirty = true;
  }

  setNetwork(p: NetworkPicture | null): void {
    if (p === this.networkPicture) return;
    if (p) {
      uploadRgb16(this.gl, this.hdrTex, p.hdr, p.width, p.height);
      uploadRgb16(this.gl, this.baseTex, p.base, p.width, p.height);
    }
    this.networkPicture = p;
    this.network = p ? [p.width, p.height] : null;
    this.pictureDirty = true;
  }

  setRendered(p: RenderedPicture | null): void {
    if (p === this.renderedPicture) return;
    if (p) uploadRgb16(this.gl, this.renderedTex, p.pq, p.width, p.height);
    this.renderedPicture = p;
    this.renderedGrade = p ? canonicalJson(p.grade) : '';
    this.pictureDirty = true;
  }

  setGrade(g: GradeParams): void {
    if (g !== this.grade) this.gradeDirty = true;
    this.grade = g;
  }

  /** What is on screen: the full-resolution grade, or a draft whose full grade is still owed (refine()). */
  get quality(): 'full' | 'draft' {
    return this.fullStale ? 'draft' : 'full';
  }

  /**
   * Runs the grade pass when its inputs changed; true when it ran (a new graded picture). A new picture is graded
   * at full resolution; a grade change alone, on a picture larger than DRAFT_PIXELS, as a draft when `draft`.
   */
  runGrade(draft = true): boolean {
    const work = this.workingSize;
    if (!work || !this.grade || !(this.pictureDirty || this.gradeDirty)) return false;
    if (this.renderedApplies()) {
      this.renderedPass();
      this.pictureDirty = this.gradeDirty = this.fullStale = false;
      return true;
    }
    const asDraft = draft && !this.pictureDirty && work[0] * work[1] > DRAFT_PIXELS;
    this.gradePass(asDraft);
    this.pictureDirty = this.gradeDirty = false;
    this.fullStale = asDraft;
    return true;
  }

  /** The full-resolution grade after drafts; true when it ran. */
  refine(): boolean {
    if (!this.fullStale || !this.workingSize || !this.grade) return false;
    this.gradePass(false);
    this.fullStale = false;
    return true;
  }

  /** The render's pixels as the graded picture: no grade pass, they are graded already. */
  private renderedPass(): void {
    const r = this.renderedPicture!;
    this.full = this.unpack(this.renderedTex, this.full, r.width, r.height);
    this.graded = this.full;
    this.gradedGen++;
    this.gradedFrom = 'rendered';
  }

  /** A texture of 16-bit codes as floats 0..1 in `target` (reused when its size fits). */
  private unpack(codes: WebGLTexture, target: FloatTarget | null, width: number, height: number): FloatTarget {
    const gl = this.gl;
    const t = floatTarget(gl, this.filter, target, width, height);
    gl.bindFramebuffer(gl.FRAMEBUFFER, t.framebuffer);
    gl.viewport(0, 0, width, height);
    gl.useProgram(this.unpackProg);
    this.bind(this.unpackProg, 'u_codes', 0, codes);
    gl.drawArrays(gl.TRIANGLES, 0, 3);
    gl.bindFramebuffer(gl.FRAMEBUFFER, null);
    return t;
  }

  private gradePass(asDraft: boolean): void {
    const work = this.workingSize!;
    const gl = this.gl;
    const [w, h] = asDraft ? scaledSize(work[0], work[1], DRAFT_PIXELS) : work;
    const t = floatTarget(gl, this.filter, asDraft ? this.draft : this.full, w, h);
    if (asDraft) this.draft = t;
    else this.full = t;
    this.graded = t;
    this.gradedGen++;
    this.gradedFrom = this.network ? 'network' : 'analytic';
    gl.bindFramebuffer(gl.FRAMEBUFFER, t.framebuffer);
    gl.viewport(0, 0, w, h);
    const u = gradeUniforms(this.grade!);
    const constants = gradeConstants(u.floats, this.network !== null);
    const p = this.gradeProgram(constants);
    gl.useProgram(p);
    this.bind(p, 'u_sdr', 0, this.sdrTex);
    this.bind(p, 'u_hdr', 1, this.hdrTex);
    this.bind(p, 'u_base', 2, this.baseTex);
    gl.uniform2f(this.loc(p, 'u_step'), work[0] / w, work[1] / h);
    for (const [k, v] of Object.entries(u.floats)) if (!(k in constants)) gl.uniform1f(this.loc(p, k), v);
    for (const [k, v] of Object.entries(u.mat3s)) gl.uniformMatrix3fv(this.loc(p, k), false, v);
    gl.drawArrays(gl.TRIANGLES, 0, 3);
    gl.bindFramebuffer(gl.FRAMEBUFFER, null);
  }

  /**
   * The graded picture for the scopes, at most `maxPixels` (point-sampled), read back without stalling: the pack
   * pass and the copy into a pixel buffer are queued now, the bytes fetched once the GPU's fence has passed (the
   * UI thread paints meanwhile). One at a time: the caller waits for the answer before asking again.
   */
  readScopePixels(maxPixels: number): Promise<ScopePixels> | null {
    if (!this.graded) return null;
    const gl = this.gl;
    const [w, h] = scopeFrameSize(this.graded.width, this.graded.height, maxPixels);
    const texels = (3 * w) / 2; // two 16-bit codes per RGBA8 texel
    this.packed = byteTarget(gl, this.packed, texels, h);
    gl.bindFramebuffer(gl.FRAMEBUFFER, this.packed.framebuffer);
    gl.viewport(0, 0, texels, h);
    const p = this.packProg;
    gl.useProgram(p);
    this.bind(p, 'u_graded', 0, this.graded.texture);
    gl.uniform2i(this.loc(p, 'u_src'), this.graded.width, this.graded.height);
    gl.uniform2i(this.loc(p, 'u_dst'), w, h);
    gl.drawArrays(gl.TRIANGLES, 0, 3);
    const bytes = w * h * 6;
    this.pbo ??= gl.createBuffer();
    gl.bindBuffer(gl.PIXEL_PACK_BUFFER, this.pbo);
    // Fresh storage for every read: Chromium keeps a shadow copy of a READ buffer per fence, and refilling the
    // old storage discards it with a "written again before being read back" warning on each read.
    gl.bufferData(gl.PIXEL_PACK_BUFFER, bytes, gl.STREAM_READ);
    gl.readPixels(0, 0, texels, h, gl.RGBA, gl.UNSIGNED_BYTE, 0);
    gl.bindBuffer(gl.PIXEL_PACK_BUFFER, null);
    gl.bindFramebuffer(gl.FRAMEBUFFER, null);
    const sync = gl.fenceSync(gl.SYNC_GPU_COMMANDS_COMPLETE, 0)!;
    gl.flush();
    const pbo = this.pbo;
    const { width: gradedWidth, height: gradedHeight } = this.graded;
    return new Promise((resolve, reject) => {
      // A fence's state is updated between tasks, so it is polled from timers, not waited on.
      const poll = () => {
        if (gl.isContextLost()) return reject(new Error('the WebGL context was lost'));
        const s = gl.clientWaitSync(sync, 0, 0);
        if (s === gl.TIMEOUT_EXPIRED) return void setTimeout(poll, 2);
        if (s === gl.WAIT_FAILED) {
          gl.deleteSync(sync);
          return reject(new Error('waiting for the scopes readback failed'));
        }
        const pq = new Uint16Array(w * h * 3);
        gl.bindBuffer(gl.PIXEL_PACK_BUFFER, pbo);
        gl.getBufferSubData(gl.PIXEL_PACK_BUFFER, 0, new Uint8Array(pq.buffer));
        gl.bindBuffer(gl.PIXEL_PACK_BUFFER, null);
        gl.deleteSync(sync);
        resolve({ width: w, height: h, pq, gradedWidth, gradedHeight });
      };
      setTimeout(poll, 0);
    });
  }

  /** Paints the canvas; with output 'extended' paints into a float target and returns its pixels instead. */
  display(s: DisplayState): Float32Array | null {
    const gl = this.gl;
    const graded = this.graded;
    if (!graded) return null;
    const w = gl.drawingBufferWidth,
      h = gl.drawingBufferHeight;
    const mapped = this.mapPass(s, graded, s.mode === 'side' ? w / 2 : w, h);
    if (s.output === 'extended') {
      this.extended = floatTarget(gl, gl.NEAREST, this.extended, w, h);
      gl.bindFramebuffer(gl.FRAMEBUFFER, this.extended.framebuffer);
    } else gl.bindFramebuffer(gl.FRAMEBUFFER, null);
    gl.viewport(0, 0, w, h);
    const p = mapped ? this.displayMappedProg : this.displayProg;
    gl.useProgram(p);
    this.bind(p, 'u_sdr', 0, this.sdrTex);
    this.bind(p, 'u_graded', 1, graded.texture);
    this.bind(p, 'u_mapped', 2, mapped?.texture ?? graded.texture);
    const loc = (n: string) => this.loc(p, n);
    gl.uniform2f(loc('u_canvas'), w, h);
    gl.uniform4f(loc('u_rect'), s.rect.x, s.rect.y, s.rect.w, s.rect.h);
    gl.uniform1i(loc('u_mode'), MODES[s.mode]);
    gl.uniform1f(loc('u_wipe'), s.wipe);
    this.mappingUniforms(p, s);
    gl.drawArrays(gl.TRIANGLES, 0, 3);
    if (s.output !== 'extended') return null;
    // The WebGPU presenter needs the pixels now (only where an HDR canvas exists).
    const out = new Float32Array(w * h * 4);
    gl.readPixels(0, 0, w, h, gl.RGBA, gl.FLOAT, out);
    gl.bindFramebuffer(gl.FRAMEBUFFER, null);
    return out;
  }

  /**
   * The display mapping of the graded picture at the size it is drawn (its own size when drawn larger), rerun
   * only when the picture or the display settings changed; null when zoomed in past the view (the display pass
   * then maps each canvas pixel itself, as the visible part is all it needs).
   */
  private mapPass(s: DisplayState, graded: FloatTarget, viewW: number, viewH: number): FloatTarget | null {
    if (s.mode === 'sdr') return null;
    if (s.rect.w > viewW + 1 || s.rect.h > viewH + 1) return null;
    const w = Math.max(1, Math.min(graded.width, Math.ceil(s.rect.w))),
      h = Math.max(1, Math.min(graded.height, Math.ceil(s.rect.h)));
    const key = [
      this.gradedGen,
      w,
      h,
      s.output,
      s.displayPeak,
      s.sdrWhite,
      ...s.eetf,
      s.falseColour,
      s.gamutWarning,
    ].join();
    if (this.mapped && key === this.mappedKey && this.mapped.width === w && this.mapped.height === h)
      return this.mapped;
    const gl = this.gl;
    this.mapped = floatTarget(gl, this.filter, this.mapped, w, h);
    gl.bindFramebuffer(gl.FRAMEBUFFER, this.mapped.framebuffer);
    gl.viewport(0, 0, w, h);
    const p = this.mapProg;
    gl.useProgram(p);
    this.bind(p, 'u_graded', 0, graded.texture);
    gl.uniform2f(this.loc(p, 'u_size'), w, h);
    this.mappingUniforms(p, s);
    gl.drawArrays(gl.TRIANGLES, 0, 3);
    gl.bindFramebuffer(gl.FRAMEBUFFER, null);
    this.mappedKey = key;
    return this.mapped;
  }

  private mappingUniforms(p: WebGLProgram, s: DisplayState): void {
    const gl = this.gl;
    gl.uniform1i(this.loc(p, 'u_output'), s.output === 'extended' ? 1 : 0);
    gl.uniform1f(this.loc(p, 'u_displayPeak'), s.displayPeak);
    gl.uniform1f(this.loc(p, 'u_sdrWhite'), s.sdrWhite);
    gl.uniform4fv(this.loc(p, 'u_eetf'), s.eetf);
    gl.uniform1i(this.loc(p, 'u_falseColour'), s.falseColour ? 1 : 0);
    gl.uniform1i(this.loc(p, 'u_gamutWarning'), s.gamutWarning === 'bt709' ? 1 : s.gamutWarning === 'p3' ? 2 : 0);
  }

  private gradeProgram(constants: Record<string, number>): WebGLProgram {
    const key = JSON.stringify(constants);
    let p = this.gradeProgs.get(key);
    if (!p) this.gradeProgs.set(key, (p = program(this.gl, VERTEX_SHADER, gradePassShader(constants))));
    return p;
  }

  /** Uniform locations, looked up once per program and name. */
  private loc(p: WebGLProgram, name: string): WebGLUniformLocation | null {
    let m = this.uniforms.get(p);
    if (!m) this.uniforms.set(p, (m = new Map()));
    if (!m.has(name)) m.set(name, this.gl.getUniformLocation(p, name));
    return m.get(name)!;
  }

  private bind(p: WebGLProgram, name: string, unit: number, t: WebGLTexture): void {
    const gl = this.gl;
    gl.activeTexture(gl.TEXTURE0 + unit);
    gl.bindTexture(gl.TEXTURE_2D, t);
    gl.uniform1i(this.loc(p, name), unit);
  }
}
