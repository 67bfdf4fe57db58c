// Whether this display and browser can show HDR highlights: feature-detected, never assumed. The one path used
// is a WebGPU canvas (rgba16float, toneMapping 'extended'), and only when the screen reports high dynamic range
// and the context keeps the mode after configure(). Otherwise the viewer maps HDR to SDR with the EETF.
// (A 'rec2100-pq' canvas is not offered to WebGL2 canvases; Chromium has it only behind a flag for 2D.)

// WebGPU types are not in the DOM lib this project compiles against: the few members used, declared here.
interface GpuTexture {
  createView(): unknown;
  destroy(): void;
}
interface GpuDevice {
  createTexture(d: { size: [number, number]; format: string; usage: number }): GpuTexture;
  queue: {
    writeTexture(
      dst: { texture: GpuTexture },
      data: Float32Array,
      layout: { bytesPerRow: number },
      size: [number, number],
    ): void;
    submit(b: unknown[]): void;
  };
  createShaderModule(d: { code: string }): unknown;
  createRenderPipeline(d: unknown): { getBindGroupLayout(i: number): unknown };
  createBindGroup(d: unknown): unknown;
  createCommandEncoder(): {
    beginRenderPass(d: unknown): {
      setPipeline(p: unknown): void;
      setBindGroup(i: number, g: unknown): void;
      draw(n: number): void;
      end(): void;
    };
    finish(): unknown;
  };
}
interface GpuContext {
  configure(c: Record<string, unknown>): void;
  getConfiguration?(): { toneMapping?: { mode?: string } } | null;
  getCurrentTexture(): GpuTexture;
}
interface Gpu {
  requestAdapter(): Promise<{ requestDevice(): Promise<GpuDevice> } | null>;
}

export type HdrDisplay = { kind: 'sdr'; why: string } | { kind: 'webgpu-extended'; device: GpuDevice };

export async function detectHdrDisplay(): Promise<HdrDisplay> {
  if (typeof matchMedia !== 'function' || !matchMedia('(dynamic-range: high)').matches)
    return { kind: 'sdr', why: 'the screen reports standard dynamic range' };
  const gpu = (navigator as Navigator & { gpu?: Gpu }).gpu;
  if (!gpu) return { kind: 'sdr', why: 'no WebGPU in this browser' };
  try {
    const adapter = await gpu.requestAdapter();
    if (!adapter) return { kind: 'sdr', why: 'no WebGPU adapter' };
    const device = await adapter.requestDevice();
    const probe = document.createElement('canvas').getContext('webgpu') as unknown as GpuContext | null;
    if (!probe) return { kind: 'sdr', why: 'no WebGPU canvas' };
    probe.configure({ device, format: 'rgba16float', toneMapping: { mode: 'extended' } });
    if (probe.getConfiguration?.()?.toneMapping?.mode !== 'extended')
      return { kind: 'sdr', why: 'the canvas does not keep extended tone mapping' };
    return { kind: 'webgpu-extended', device };
  } catch (e) {
    return { kind: 'sdr', why: `WebGPU failed: ${(e as Error).message}` };
  }
}

const WGSL = `
@group(0) @binding(0) var pic: texture_2d<f32>;
@vertex fn vs(@builtin(vertex_index) i: u32) -> @builtin(position) vec4f {
  let p = vec2f(f32((i << 1u) & 2u), f32(i & 2u));
  return vec4f(p * 2.0 - 1.0, 0.0, 1.0);
}
@fragment fn fs(@builtin(position) p: vec4f) -> @location(0) vec4f {
  let size = textureDimensions(pic);
  // The WebGL read-back is bottom-up; the canvas is top-down.
  return vec4f(textureLoad(pic, vec2u(u32(p.x), size.y - 1u - u32(p.y)), 0).rgb, 1.0);
}`;

/** Shows linear extended-range BT.709 pixels (1.0 = SDR white) on a WebGPU canvas. */
export class ExtendedPresenter {
  private readonly ctx: GpuContext;
  private readonly pipeline: { getBindGroupLayout(i: number): unknown };
  private tex: { t: GpuTexture; w: number; h: number } | null = null;

  constructor(
    canvas: HTMLCanvasElement,
    private readonly device: GpuDevice,
  ) {
    this.ctx = canvas.getContext('webgpu') as unknown as GpuContext;
    this.ctx.configure({
      device,
      format: 'rgba16float',
      colorSpace: 'srgb',
      toneMapping: { mode: 'extended' },
      alphaMode: 'opaque',
    });
    const module = device.createShaderModule({ code: WGSL });
    this.pipeline = device.createRenderPipeline({
      layout: 'auto',
      vertex: { module, entryPoint: 'vs' },
      fragment: { module, entryPoint: 'fs', targets: [{ format: 'rgba16float' }] },
      primitive: { topology: 'triangle-list' },
    });
  }

  present(px: Float32Array, w: number, h: number): void {
    const d = this.device;
    if (!this.tex || this.tex.w !== w || this.tex.h !== h) {
      this.tex?.t.destroy();
      // TEXTURE_BINDING | COPY_DST
      this.tex = { t: d.createTexture({ size: [w, h], format: 'rgba32float', usage: 0x04 | 0x02 }), w, h };
    }
    d.queue.writeTexture({ texture: this.tex.t }, px, { bytesPerRow: w * 16 }, [w, h]);
    const group = d.createBindGroup({
      layout: this.pipeline.getBindGroupLayout(0),
      entries: [{ binding: 0, resource: this.tex.t.createView() }],
    });
    const enc = d.createCommandEncoder();
    const pass = enc.beginRenderPass({
      colorAttachments: [
        {
          view: this.ctx.getCurrentTexture().createView(),
          loadOp: 'clear',
          storeOp: 'store',
          clearValue: [0, 0, 0, 1],
        },
      ],
    });
    pass.setPipeline(this.pipeline);
    pass.setBindGroup(0, group);
    pass.draw(3);
    pass.end();
    d.queue.submit([enc.finish()]);
  }
}
