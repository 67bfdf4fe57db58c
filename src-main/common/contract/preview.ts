// Frames for the viewer beyond the scrub proxies: the source frame at full resolution (frame-accurate), and the
// network's output for a frame at the viewer's resolution. Both arrive as raw 16-bit files in the cache, which
// the renderer fetches through the host's cache route (`api.mediaUrl(path)`) and uploads as textures: an
// <img> would round them to 8 bits. Implemented by src-main/core/preview.
import { z } from 'zod';
import { GradeParams } from '../colour/grade';
import { ClipId, ProjectId, ShotId } from './library';

/**
 * The raw layouts, little-endian uint16, rows top to bottom, interleaved R'G'B':
 * - 'sdr-rgb16': the source's BT.709 R'G'B' (full range, 0..65535), after the clip's deinterlace/square pixels;
 * - 'hdr-pair-rgb16': two pictures one after the other, the network's `hdr` then the analytic `base`, both
 *   BT.2020 PQ R'G'B' full range (0..65535): the grade blends them (modelStrength), so the viewer needs both;
 * - 'graded-rgb16': a rendered frame, graded: BT.2020 PQ R'G'B' full range, the pixels the master is made from.
 */
export const RawFrameLayout = z.enum(['sdr-rgb16', 'hdr-pair-rgb16', 'graded-rgb16']);
export type RawFrameLayout = z.infer<typeof RawFrameLayout>;

export const RawFrame = z.object({
  /** A file in the cache (fetch it with api.mediaUrl). */
  path: z.string(),
  layout: RawFrameLayout,
  width: z.number().int(),
  height: z.number().int(),
  /** Which clip frame it is (the request's). */
  frame: z.number().int(),
  /** For network frames: the model file's name, so the viewer can say which network made it. */
  model: z.string().nullable(),
});
export type RawFrame = z.infer<typeof RawFrame>;

const FrameRef = {
  clipId: ClipId,
  frame: z.number().int().min(0),
  /** Largest width wanted (the viewer's size in device pixels); the frame's own size when smaller. */
  maxWidth: z.number().int().min(16).max(8192).optional(),
};

/** A frame of a shot's completed render, with what it was rendered with (the viewer shows it only under that grade). */
export const RenderedFrame = RawFrame.extend({
  grade: GradeParams,
  /** The library's grade version the render holds. */
  gradeVersion: z.number().int(),
  /** The render's size (the master's picture before any delivery resize). */
  renderedWidth: z.number().int(),
  renderedHeight: z.number().int(),
});
export type RenderedFrame = z.infer<typeof RenderedFrame>;

export const previewMethods = {
  /** The clip's frame, decoded frame-accurately at full resolution (or maxWidth). Cached per clip and frame. */
  'preview.sourceFrame': { request: z.object(FrameRef).strict(), response: RawFrame },
  /**
   * The network's output for the frame (independent of the grade but for the content setting, which picks the
   * model file; cached per clip, frame, model file and size). Runs ahead
   * of render tiles in the worker's queue. The output is maxWidth wide at most (input scaled to maxWidth/scale).
   * While a clip's network frame is pending, a request for another frame (or size) of that clip supersedes it:
   * the older one answers with the error code 'cancelled' (expected while scrubbing, not a failure to show).
   */
  'preview.networkFrame': {
    request: z
      .object({
        ...FrameRef,
        /** The shot's content (its grade's `content`): which network variant runs. */
        content: GradeParams.shape.content,
      })
      .strict(),
    response: RawFrame,
  },
  /**
   * A frame of a rendered shot as its render cache holds it (graded, the network's output at the render's
   * resolution), resized to maxWidth at most. 'not_found' when the shot's render is missing or stale.
   */
  'preview.renderedFrame': {
    request: z
      .object({ projectId: ProjectId, shotId: ShotId, ...FrameRef })
      .omit({ clipId: true })
      .strict(),
    response: RenderedFrame,
  },
} as const;

export const previewEvents = {} as const;
