// The viewer's frames beyond the scrub proxies (contract: src-main/common/contract/preview.ts): the source frame
// frame-accurate at full resolution, and the network's output for it, both as raw 16-bit files in the clip's
// cache folder, which the host's cache route serves as they are.
import { basename, join } from 'node:path';
import {
  ServiceError,
  type ParsedRequest,
  type previewMethods,
  type RawFrame,
  type RenderedFrame,
  type Response,
} from '../../common/contract';
import type { ModelPool } from '../inference/pool';
import { upconvertFrame } from '../inference/tiled';
import type { LibraryService } from '../library';
import type { Logger } from '../log';
import { sdrPlanes } from '../media';
import { modelSha } from '../render';
import { resizeFilter } from '../export/ffmpeg-args';
import { forEachFrame } from '../export/frames';
import type { RenderedFrameSource } from '../library/delivery';
import { cachedFrame, framesDir, GRADED_EXT, HDR_EXT, SDR_EXT, sourceKey, writeFrameFile } from './frame-files';
import { LatestPerClip } from './latest-per-clip';
import { hdrPairBytes } from './pixels';

export type PreviewMethodName = keyof typeof previewMethods;

/** One handler per contract method, taking the request as the contract parsed it. */
export type PreviewApi = { [M in PreviewMethodName]: (request: ParsedRequest<M>) => Promise<Response<M>> };

/** Where a rendered shot's frame lies (the delivery service's answer); throws 'not_found' when not rendered. */
export type RenderedFrameLocator = (projectId: string, shotId: string, frame: number) => Promise<RenderedFrameSource>;

export interface PreviewDeps {
  library: LibraryService;
  /** The workers: the network frame of a shot runs the model file its content picks. */
  models: ModelPool;
  /** The core's cache root: the files must lie inside it for the host to serve them. */
  cacheRoot: string;
  log: Logger;
  rendered: RenderedFrameLocator;
}

export function previewApi(deps: PreviewDeps): PreviewApi {
  const { library, models, cacheRoot, log, rendered } = deps;
  // Per clip, only the newest frame's decode runs: a viewer stepping through frames faster than they decode drops
  // the ones it left (their ffmpeg is stopped) instead of piling decodes up behind the frame it now shows.
  const sourceRuns = new LatestPerClip<RawFrame>();
  const networkRuns = new LatestPerClip<RawFrame>();
  const renderedRuns = new LatestPerClip<RenderedFrame>();

  /**
   * The clip, and its decode at most `maxWidth` wide: even (as the decoder sizes frames), and never wider than
   * the clip's own frame (a viewer is never sent an upscaled source).
   */
  const plan = (clipId: string, maxWidth: number | undefined) => {
    const clip = library.getClip(clipId);
    const input = library.mediaInput(clipId);
    const own = library.media.outputSize(input);
    const width = maxWidth === undefined ? own.width : Math.min(own.width, Math.max(2, Math.floor(maxWidth / 2) * 2));
    const decodeWidth = width === own.width ? undefined : width;
    return { clip, size: library.media.outputSize(input, decodeWidth), decodeWidth };
  };

  return {
    'preview.sourceFrame': async ({ clipId, frame, maxWidth }) => {
      const { clip, size, decodeWidth: width } = plan(clipId, maxWidth);
      const file = join(framesDir(cacheRoot, clip), `${frame}-${size.width}-${sourceKey(clip)}${SDR_EXT}`);
      const answer: RawFrame = { path: file, layout: 'sdr-rgb16', ...size, frame, model: null };
      if (cachedFrame(file, size.width * size.height * 6)) return answer;
      // Two views asking for the same frame at once share one decode.
      return sourceRuns.run(clipId, file, async (signal) => {
        const f = await library.decodeFrame(clipId, frame, { width, signal });
        if (f.width !== size.width || f.height !== size.height)
          throw new ServiceError('internal', `Decoded ${f.width}x${f.height}, expected ${size.width}x${size.height}`);
        writeFrameFile(file, f.data);
        return answer;
      });
    },

    'preview.networkFrame': async ({ clipId, frame, maxWidth, content }) => {
      const inference = models.client(models.pathFor(content));
      await inference.start();
      const model = inference.status().model;
      if (!model) throw new ServiceError('worker_failed', 'No model loaded');
      const s = model.scale;
      // The input is maxWidth / scale wide, so the output is maxWidth wide at most.
      const input = maxWidth === undefined ? undefined : Math.floor(maxWidth / s);
      const { clip, size, decodeWidth: width } = plan(clipId, input);
      const out = { width: size.width * s, height: size.height * s };
      const sha = modelSha(model.file).sha.slice(0, 12);
      const file = join(framesDir(cacheRoot, clip), `${frame}-${out.width}-${sourceKey(clip)}-${sha}${HDR_EXT}`);
      const answer: RawFrame = { path: file, layout: 'hdr-pair-rgb16', ...out, frame, model: basename(model.file) };
      if (cachedFrame(file, out.width * out.height * 12)) return answer;
      return networkRuns.run(clipId, file, async (signal) => {
        const t0 = performance.now();
        const f = await library.decodeFrame(clipId, frame, { width, signal });
        // 'preview': overtakes render tiles waiting for the worker (the client's queue is ordered by priority).
        const hdr = await upconvertFrame(inference, sdrPlanes(f), f.width, f.height, { priority: 'preview', signal });
        if (hdr.width !== out.width || hdr.height !== out.height)
          throw new ServiceError(
            'internal',
            `Network gave ${hdr.width}x${hdr.height}, expected ${out.width}x${out.height}`,
          );
        // Written even when superseded meanwhile: the work is done, and the colorist may scrub back to it.
        writeFrameFile(file, hdrPairBytes(hdr));
        log.debug(`network frame ${frame} of ${clip.name} at ${out.width}x${out.height}`, {
          ms: Math.round(performance.now() - t0),
        });
        return answer;
      });
    },

    'preview.renderedFrame': async ({ projectId, shotId, frame, maxWidth }) => {
      const src = await rendered(projectId, shotId, frame);
      const clip = library.getClip(src.clipId);
      // The render's size, or at most maxWidth wide keeping its shape (even sizes, as the decoder's frames are).
      const k = maxWidth === undefined ? 1 : Math.min(1, maxWidth / src.width);
      const even = (v: number) => Math.max(2, Math.floor(v / 2) * 2);
      const size =
        k === 1
          ? { width: src.width, height: src.height }
          : { width: even(src.width * k), height: even(src.height * k) };
      const file = join(framesDir(cacheRoot, clip), `${frame}-${size.width}-${src.hash.slice(0, 16)}${GRADED_EXT}`);
      const answer: RenderedFrame = {
        path: file,
        layout: 'graded-rgb16',
        ...size,
        frame,
        model: src.model,
        grade: src.grade,
        gradeVersion: src.gradeVersion,
        renderedWidth: src.width,
        renderedHeight: src.height,
      };
      if (cachedFrame(file, size.width * size.height * 6)) return answer;
      return renderedRuns.run(clip.id, file, async (signal) => {
        const input = { file: src.file, firstFrame: src.index, frames: 1 };
        // The master's resize filter (Mitchell in PQ, exact levels).
        const resize = k === 1 ? '' : resizeFilter(size.width, size.height);
        let bytes: Uint8Array | null = null;
        await forEachFrame(
          library.media.binaries,
          [input],
          size.width,
          size.height,
          (rgb48) => {
            bytes = new Uint8Array(rgb48.buffer, rgb48.byteOffset, rgb48.byteLength).slice();
          },
          signal,
          resize,
        );
        if (!bytes) throw new ServiceError('io', `No frame ${frame} in ${basename(src.file)}`);
        writeFrameFile(file, bytes);
        return answer;
      });
    },
  };
}
