// Fetching the viewer's pictures: the JPEG scrub proxy (while moving), the full-resolution source frame and
// the network's output or, for a rendered shot, its render (when the playhead rests). The raw ones are 16-bit files in the cache; an <img> would
// round them to 8 bits, so they travel as bytes and become 16-bit integer textures.
import type { ShotContent } from '../../../src-main/common/colour/grade';
import type { Clip, RawFrame } from '../../../src-main/common/contract';
import type { ConnectedApi } from '../../api';
import type { NetworkPicture, RenderedPicture, SdrPicture } from './pipeline';

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
  const res = await fetch(api.mediaUrl(f.path));
  if (!res.ok) throw new Error(`the host answered ${res.status} for the frame file`);
  const buf = await res.arrayBuffer();
  const want = f.width * f.height * 3 * pictures;
  if (buf.byteLength < want * 2) throw new Error(`raw frame is ${buf.byteLength} bytes, expected ${want * 2}`);
  return new Uint16Array(buf, 0, want); // little-endian, as every platform we run on
}

/** `wanted()`: false once the playhead has left the frame; its file (6 bytes a pixel) is then not fetched. */
export async function loadSourceFrame(
  api: ConnectedApi,
  clip: Clip,
  frame: number,
  wanted: () => boolean = () => true,
): Promise<Loaded<SdrPicture>> {
  const r = await api.call('preview.sourceFrame', { clipId: clip.id, frame });
  if (!r.ok) return fail(r.error.code, r.error.message);
  if (!wanted()) return fail('cancelled', 'The playhead moved on');
  try {
    const rgb16 = await rawBytes(api, r.value, 1);
    const { width, height } = r.value;
    return { ok: true, value: { kind: 'raw', rgb16, width, height } };
  } catch (e) {
    return fail('load_failed', (e as Error).message);
  }
}

export interface NetworkFrame extends NetworkPicture {
  model: string | null;
}

/** At most `maxWidth` wide (the network then runs on a smaller input), or without it at the model's full output. */
export async function loadNetworkFrame(
  api: ConnectedApi,
  clip: Clip,
  frame: number,
  maxWidth: number | undefined,
  content: ShotContent,
): Promise<Loaded<NetworkFrame>> {
  const r = await api.call('preview.networkFrame', {
    clipId: clip.id,
    frame,
    content,
    maxWidth: maxWidth === undefined ? undefined : Math.min(Math.max(Math.round(maxWidth), 16), 8192),
  });
  if (!r.ok) return fail(r.error.code, r.error.message);
  try {
    const u16 = await rawBytes(api, r.value, 2);
    const { width, height } = r.value;
    const n = width * height * 3;
    return {
      ok: true,
      value: { hdr: u16.subarray(0, n), base: u16.subarray(n, 2 * n), width, height, model: r.value.model },
    };
  } catch (e) {
    return fail('load_failed', (e as Error).message);
  }
}

/** A shot whose render is current: its frames can come from the render cache. `key` changes with each render. */
export interface RenderedShot {
  projectId: string;
  shotId: string;
  key: string;
}

/** At most `maxWidth` wide (the viewer's picture), or without it at the render's own size (zoomed in). */
export async function loadRenderedFrame(
  api: ConnectedApi,
  shot: RenderedShot,
  frame: number,
  maxWidth?: number,
): Promise<Loaded<RenderedPicture>> {
  const r = await api.call('preview.renderedFrame', {
    projectId: shot.projectId,
    shotId: shot.shotId,
    frame,
    maxWidth: maxWidth === undefined ? undefined : Math.min(Math.max(Math.round(maxWidth), 16), 8192),
  });
  if (!r.ok) return fail(r.error.code, r.error.message);
  try {
    const pq = await rawBytes(api, r.value, 1);
    const { width, height, grade, model } = r.value;
    return { ok: true, value: { pq, width, height, grade, model } };
  } catch (e) {
    return fail('load_failed', (e as Error).message);
  }
}

/**
 * Pictures the viewer holds, by clip and frame: a load in flight is shared, not started again (a second request
 * for the same big file is also what makes Chromium fail both), and a few finished ones are kept, least recently
 * used dropped first, within a byte budget. A failed load is forgotten so the next rest tries again.
 */
export class PictureCache<T> {
  private readonly entries = new Map<string, { load: Promise<Loaded<T>>; value: T | null; bytes: number }>();
  constructor(
    private readonly bytesOf: (value: T) => number,
    private readonly limits: { count: number; bytes: number },
  ) {}

  /**
   * The clip's decode inputs are part of the key: a relinked file or new decode options are other pictures; so is
   * `variant` (for the network's frames, the model that made them).
   */
  static key = (clip: Clip, frame: number, variant = '') =>
    `${clip.id}:${clip.fingerprint}:${JSON.stringify(clip.options)}:${frame}:${variant}`;

  /** The finished picture, if held (and now the most recently used). */
  get(clip: Clip, frame: number, variant = ''): T | undefined {
    const k = PictureCache.key(clip, frame, variant);
    const e = this.entries.get(k);
    if (!e?.value) return undefined;
    this.entries.delete(k);
    this.entries.set(k, e);
    return e.value;
  }

  /** Held, or its load in flight. */
  has(clip: Clip, frame: number, variant = ''): boolean {
    return this.entries.has(PictureCache.key(clip, frame, variant));
  }

  /** The held picture, the load already in flight, or a new load. */
  load(clip: Clip, frame: number, start: () => Promise<Loaded<T>>, variant = ''): Promise<Loaded<T>> {
    const k = PictureCache.key(clip, frame, variant);
    const held = this.entries.get(k);
    if (held) {
      this.get(clip, frame, variant);
      return held.load;
    }
    const entry = { load: start(), value: null as T | null, bytes: 0 };
    this.entries.set(k, entry);
    void entry.load.then((r) => {
      if (this.entries.get(k) !== entry) return;
      if (!r.ok) return void this.entries.delete(k);
      entry.value = r.value;
      entry.bytes = this.bytesOf(r.value);
      this.prune();
    });
    return entry.load;
  }

  private prune(): void {
    let bytes = 0;
    // Newest first; loads still in flight weigh nothing yet.
    const newest = [...this.entries].reverse();
    newest.forEach(([k, e], i) => {
      bytes += e.bytes;
      if (i > 0 && (i >= this.limits.count || bytes > this.limits.bytes)) this.entries.delete(k);
    });
  }
}

const MIB = 1 << 20;

/** The resting frame and a couple around it: a full-resolution source frame is 6 bytes a pixel. */
export const sourceCache = () => new PictureCache<SdrPicture>(pictureBytes, { count: 3, bytes: 200 * MIB });

/** Scrub proxies (8-bit, ~0.3 MB each decoded): the frames around the playhead, read ahead of it. */
export const proxyCache = () => new PictureCache<SdrPicture>(pictureBytes, { count: 48, bytes: 48 * MIB });

/** The network's frames are grade-independent: a few recent ones kept so a grade change or a step back never waits. */
export const networkCache = () =>
  new PictureCache<NetworkFrame>((f) => f.hdr.byteLength + f.base.byteLength, { count: 8, bytes: 400 * MIB });

/** Rendered frames (graded, 6 bytes a pixel; 50 MB at the render's size in UHD): a few around the playhead. */
export const renderedCache = () =>
  new PictureCache<RenderedPicture>((f) => f.pq.byteLength, { count: 8, bytes: 240 * MIB });

function pictureBytes(p: SdrPicture): number {
  return p.kind === 'raw' ? p.rgb16.byteLength : p.width * p.height * 4;
}
