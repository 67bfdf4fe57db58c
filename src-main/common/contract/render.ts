// A shot's render, described as data: the frozen manifest a render node runs (its hash names the cache folder)
// and the result record written last. Pure: the hash itself is taken in core/render (node:crypto) over
// canonicalJson(renderIdentity(manifest)).
import { z } from 'zod';
import { GradeParams } from '../colour/grade';
import { ClipOptions, FieldOrder } from './library';

/** 2 (2026-12-07): the cache's FFVHuff with fixed tables (`-context 0`), not per-frame ones; segments of both
 * kinds cannot be joined, so every render of version 1 is stale. */
export const RENDER_FORMAT_VERSION = 2;

const Int = z.number().int();
const Size = z.object({ width: Int.min(2).max(16384), height: Int.min(2).max(16384) }).strict();
const Sha256 = z.string().regex(/^[0-9a-f]{64}$/, 'a lowercase hex SHA-256');
/** POSIX, Windows drive or UNC: a render node must not resolve paths against its own working folder. */
const AbsolutePath = z.string().regex(/^(\/|[A-Za-z]:[\\/]|\\\\)/, 'an absolute path');

/** The probe facts decoding depends on (the rest of ProbeResult is for people, not for the decoder). */
export const RenderSourceProbe = z
  .object({
    width: Int.min(16).max(16384),
    height: Int.min(16).max(16384),
    pixFmt: z.string().min(1),
    bitDepth: Int.min(1).max(16),
    /** Rational "24000/1001". */
    frameRate: z.string().regex(/^\d+\/\d+$/),
    vfr: z.boolean(),
    /** Sample aspect ratio "num:den". */
    sar: z.string().regex(/^\d+:\d+$/),
    fieldOrder: FieldOrder,
    colour: z
      .object({
        primaries: z.string().nullable(),
        transfer: z.string().nullable(),
        matrix: z.string().nullable(),
        range: z.enum(['tv', 'pc']).nullable(),
      })
      .strict(),
    /** Seconds from the container's start to the first video frame. */
    startTime: z.number().min(0),
    durationFrames: Int.min(1),
  })
  .strict();
export type RenderSourceProbe = z.infer<typeof RenderSourceProbe>;

export const RenderManifest = z
  .object({
    formatVersion: z.literal(RENDER_FORMAT_VERSION),
    source: z
      .object({ path: AbsolutePath, fingerprint: z.string().min(1).max(200), probe: RenderSourceProbe })
      .strict(),
    /** Frames of the clip, inclusive, in decode order after deinterlacing. */
    frames: z
      .object({ first: Int.min(0), last: Int.min(0) })
      .strict()
      .refine((f) => f.last >= f.first, 'last frame before first'),
    clip: ClipOptions.strict(),
    /** Size the frames are decoded to before the model (square pixels applied): the clip's own size, or smaller for proofs. */
    input: Size,
    model: z.object({ path: AbsolutePath, sha256: Sha256, scale: z.union([z.literal(2), z.literal(4)]) }).strict(),
    /** The shot's grade: its version in the grade history and the full values (defaults filled in). */
    grade: z.object({ version: Int.min(0), params: GradeParams }).strict(),
    /** The rendered frame size: input × model scale. */
    output: Size,
    /** Frames per cache segment: the unit of resumption and of atomic writes. */
    segmentFrames: Int.min(1).max(1000).default(24),
  })
  .strict()
  .refine(
    (m) => m.output.width === m.input.width * m.model.scale && m.output.height === m.input.height * m.model.scale,
    'output size must be input size × model scale',
  );
export type RenderManifest = z.infer<typeof RenderManifest>;

/**
 * A manifest as this version reads it, or why not: one written for another render format (an older or newer
 * Remaster, as on a farm whose nodes are not all updated) says so rather than listing schema errors.
 */
export function parseRenderManifest(
  json: unknown,
): { ok: true; manifest: RenderManifest } | { ok: false; why: string } {
  const version = (json as { formatVersion?: unknown } | null)?.formatVersion;
  if (typeof version === 'number' && version !== RENDER_FORMAT_VERSION)
    return {
      ok: false,
      why: `a render manifest of format ${version}, from another version of Remaster (this one renders format ${RENDER_FORMAT_VERSION}); update both to the same version`,
    };
  const parsed = RenderManifest.safeParse(json);
  if (parsed.success) return { ok: true, manifest: parsed.data };
  return {
    ok: false,
    why: `not a render manifest: ${parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; ')}`,
  };
}
export type RenderManifestInput = z.input<typeof RenderManifest>;

/**
 * What the cache key covers: everything but where the files happen to be. The source fingerprint and the
 * model's SHA-256 name their content, so a render node that mounts the media elsewhere finds the same cache.
 */
export function renderIdentity(m: RenderManifest): unknown {
  // The grade's content setting only picks the model file, whose SHA is here already; leaving it out keeps the
  // renders made before the setting existed valid.
  const { content, ...params } = m.grade.params;
  void content;
  return {
    ...m,
    grade: { ...m.grade, params },
    source: { fingerprint: m.source.fingerprint, probe: m.source.probe },
    model: { sha256: m.model.sha256, scale: m.model.scale },
  };
}

/** JSON with object keys sorted at every level and no whitespace: equal values give equal bytes. */
export function canonicalJson(value: unknown): string {
  if (value === null || typeof value === 'boolean' || typeof value === 'string') return JSON.stringify(value);
  if (typeof value === 'number') {
    if (!Number.isFinite(value)) throw new Error(`canonicalJson: ${value} is not a JSON number`);
    return JSON.stringify(value);
  }
  if (Array.isArray(value)) return `[${value.map((v) => (v === undefined ? 'null' : canonicalJson(v))).join(',')}]`;
  if (typeof value === 'object') {
    const o = value as Record<string, unknown>;
    const keys = Object.keys(o)
      .filter((k) => o[k] !== undefined)
      .sort();
    return `{${keys.map((k) => `${JSON.stringify(k)}:${canonicalJson(o[k])}`).join(',')}}`;
  }
  throw new Error(`canonicalJson: cannot encode a ${typeof value}`);
}

const Rect = z.object({ x: Int.min(0), y: Int.min(0), width: Int.min(0), height: Int.min(0) }).strict();

/** CTA-861.3 light level of one frame over its active picture, in nits (the rounding to integers happens at export). */
export const FrameLight = z.object({ maxCll: z.number().min(0), frameAverage: z.number().min(0) }).strict();
export type FrameLight = z.infer<typeof FrameLight>;

/** One cache file and what it holds; written beside it (segment-NNNN.json) once the file is complete. */
export const RenderSegment = z
  .object({
    manifestHash: Sha256,
    index: Int.min(0),
    file: z.string().regex(/^segment-\d{4,}\.mkv$/),
    firstFrame: Int.min(0),
    lastFrame: Int.min(0),
    bytes: Int.min(1),
    sha256: Sha256,
    light: z.array(FrameLight),
    /** Union of the frames' active pictures (letterbox removed). */
    active: Rect,
  })
  .strict();
export type RenderSegment = z.infer<typeof RenderSegment>;

export const RenderResult = z
  .object({
    formatVersion: z.literal(RENDER_FORMAT_VERSION),
    manifestHash: Sha256,
    /**
     * How the frames are stored: lossless 16-bit R'G'B' BT.2020 PQ, full range, in Matroska; FFVHuff since
     * 2026-12 (cheaper to write and read), FFV1 before (those caches stay valid: ffmpeg reads either).
     */
    cache: z
      .object({
        container: z.literal('matroska'),
        codec: z.enum(['ffvhuff', 'ffv1']),
        pixFmt: z.literal('gbrp16le'),
      })
      .strict(),
    width: Int,
    height: Int,
    frameRate: z.string(),
    frameCount: Int.min(1),
    segments: z.array(RenderSegment.omit({ manifestHash: true, light: true, active: true })),
    /** Per frame, in order from the first frame of the range. */
    light: z.array(FrameLight),
    maxCll: z.number().min(0),
    maxFall: z.number().min(0),
    /** The shot's active picture: the union of every frame's. */
    active: Rect,
  })
  .strict();
export type RenderResult = z.infer<typeof RenderResult>;

export const RenderProgress = z.object({
  framesDone: Int,
  framesTotal: Int,
  /** Frames rendered by this run (not those found in the cache) per second; 0 before the first. */
  fps: z.number(),
  etaSeconds: z.number().nullable(),
});
export type RenderProgress = z.infer<typeof RenderProgress>;
