// Fetching the viewer's pictures: the JPEG scrub proxy (while moving), the full-resolution source frame and
// the network's output (when the playhead rests). The raw ones are 16-bit files in the cache; an <img> would
// round them to 8 bits, so they travel as bytes and become float textures.
import type { Clip, RawFrame } from '../../../src-main/common/contract';
import type { ConnectedApi } from '../../api';
import type { NetworkPicture, SdrPicture } from './pipeline';

export type Loaded<T> = { ok: true; value: T } | { ok: false; code: string; message: string };

const fail = (code: string, message: string) => ({ ok: false as const, code, message });

export async function loadProxy(api: ConnectedApi, clip: Clip, frame: number): Promise<Loaded<SdrPicture>> {
  const r = await api.call('media.proxyFrame', { clipId: clip.id, frame });
  if (!r.ok) return fail(r.error.code, r.error.message);
  if (!r.value.path)
    return fail('no_proxy', clip.proxyState === 'building' ? 'Building scrub proxies…' : 'No proxy for this frame');
  try {
    const blob = await (await fetch(api.mediaUrl(r.value.path))).blob();
    // As coded: a colour-managed decode would move the SDR values the HDR mapping starts from.
    const image = await createImageBitmap(blob, { colorSpaceConversion: 'none', premultiplyAlpha: 'none' });
    return { ok: true, value: { kind: 'image', image, width: image.width, height: image.height } };
  } catch {
    return fail('load_failed', 'This frame could not be loaded (its proxy may be rebuilding)');
  }
}

async function rawBytes(api: ConnectedApi, f: RawFrame, pictures: number): Promise<Uint16Array> {
  const buf = await (await fetch(api.mediaUrl(f.path))).arrayBuffer();
  const want = f.width * f.height * 3 * pictures;
  if (buf.byteLength < want * 2) throw new Error(`raw frame is ${buf.byteLength} bytes, expected ${want * 2}`);
  return new Uint16Array(buf, 0, want); // little-endian, as every platform we run on
}

/** 16-bit full-range code values -> 0..1 floats, one picture of an interleaved file. */
export function rawToFloat(u16: Uint16Array, offset: number, count: number): Float32Array {
  const out = new Float32Array(count);
  for (let i = 0; i < count; i++) out[i] = u16[offset + i] / 65535;
  return out;
}

export async function loadSourceFrame(api: ConnectedApi, clip: Clip, frame: number): Promise<Loaded<SdrPicture>> {
  const r = await api.call('preview.sourceFrame', { clipId: clip.id, frame });
  if (!r.ok) return fail(r.error.code, r.error.message);
  try {
    const u16 = await rawBytes(api, r.value, 1);
    const { width, height } = r.value;
    return { ok: true, value: { kind: 'raw', rgb: rawToFloat(u16, 0, width * height * 3), width, height } };
  } catch (e) {
    return fail('load_failed', (e as Error).message);
  }
}

export interface NetworkFrame extends NetworkPicture {
  model: string | null;
}

export async function loadNetworkFrame(
  api: ConnectedApi,
  clip: Clip,
  frame: number,
  maxWidth: number,
): Promise<Loaded<NetworkFrame>> {
  const r = await api.call('preview.networkFrame', {
    clipId: clip.id,
    frame,
    maxWidth: Math.min(Math.max(Math.round(maxWidth), 16), 8192),
  });
  if (!r.ok) return fail(r.error.code, r.error.message);
  try {
    const u16 = await rawBytes(api, r.value, 2);
    const { width, height } = r.value;
    const n = width * height * 3;
    return {
      ok: true,
      value: { hdr: rawToFloat(u16, 0, n), base: rawToFloat(u16, n, n), width, height, model: r.value.model },
    };
  } catch (e) {
    return fail('load_failed', (e as Error).message);
  }
}

/** The network's frames are grade-independent: a few recent ones kept so a grade change or a step back never waits. */
export class NetworkCache {
  private readonly frames = new Map<string, NetworkFrame>();
  constructor(private readonly capacity = 8) {}
  key = (clip: Clip, frame: number) => `${clip.id}:${frame}`;
  get(clip: Clip, frame: number): NetworkFrame | undefined {
    const k = this.key(clip, frame);
    const f = this.frames.get(k);
    if (f) {
      this.frames.delete(k);
      this.frames.set(k, f);
    }
    return f;
  }
  put(clip: Clip, frame: number, f: NetworkFrame): void {
    this.frames.set(this.key(clip, frame), f);
    while (this.frames.size > this.capacity) this.frames.delete(this.frames.keys().next().value!);
  }
}
