// Renders one manifest into its cache folder: decode -> model (tiled) -> grade -> light levels -> lossless segments.
// The four stages (decode, network, grade, encode) overlap through bounded queues (at most 2 frames in each), so
// the slowest sets the pace and memory stays bounded whatever the frame size. A render is resumable at segment
// granularity and idempotent: see cache.ts for the folder's layout and write order.
import { existsSync, mkdirSync, readFileSync, renameSync, statSync, unlinkSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { unionRect, type PqFrame, type Rect } from '../../common/colour';
import { ServiceError } from '../../common/contract';
import {
  RENDER_FORMAT_VERSION,
  RenderManifest,
  canonicalJson,
  type FrameLight,
  type RenderManifestInput,
  type RenderProgress,
  type RenderResult,
  type RenderSegment,
} from '../../common/contract/render';
import type { InferenceClient } from '../inference/client';
import { FrameBuffers, upconvertFrame, type HdrFrame } from '../inference/tiled';
import type { Logger } from '../log';
import { createMediaService, sdrPlanes, type MediaService, type RgbFrame } from '../media';
import {
  MANIFEST_FILE,
  PARTIAL,
  RESULT_FILE,
  diskFullError,
  flushFile,
  readCompletedResult,
  readCompletedSegment,
  removePartials,
  segmentFile,
  segmentRecordFile,
  writeFileAtomic,
} from './cache';
import { gradeOnThread, releaseCodes, sha256OnThread, sharedCodes } from './grade-thread';
import { manifestHash, mediaInputOf } from './manifest';
import { BoundedQueue } from './queue';
import { openSegmentEncoder, SEGMENT_CODEC, type SegmentEncoder } from './segment-encoder';

export interface RenderShotDeps {
  /** A started or startable client whose model is the manifest's (same scale; runRenderShot checks the file's hash). */
  inference: InferenceClient;
  log: Logger;
  signal?: AbortSignal;
  onProgress?(p: RenderProgress): void;
  /**
   * Resolves when the render may go on (a paused job holds here). Awaited before each model run by the caller's
   * client and here before each frame is encoded, so a pause stops the progress within one frame.
   */
  hold?(): Promise<void>;
  /** Default: a media service of its own. */
  media?: MediaService;
}

export interface RenderShotOutcome {
  hash: string;
  /** The cache folder, outDir/<hash>. */
  dir: string;
  /** True when a complete result was already there and nothing was rendered. */
  skipped: boolean;
  /** Segments rendered by this call (the others were found complete in the cache). */
  renderedSegments: number;
  result: RenderResult;
}

interface Segment {
  index: number;
  first: number;
  last: number;
}

interface GradedFrame {
  frame: number;
  picture: PqFrame;
  light: FrameLight;
  active: Rect;
}

/** Frames decoded ahead of the model, and graded frames waiting for the encoder. */
const QUEUE_FRAMES = 2;

export async function renderShot(
  manifest: RenderManifestInput,
  outDir: string,
  deps: RenderShotDeps,
): Promise<RenderShotOutcome> {
  const m = RenderManifest.parse(manifest);
  const hash = manifestHash(m);
  const dir = join(outDir, hash);
  const log = deps.log.child('render');
  mkdirSync(dir, { recursive: true });
  const done = readCompletedResult(dir, hash);
  if (done) {
    log.info(`render ${hash.slice(0, 12)}: complete, skipped`);
    return { hash, dir, skipped: true, renderedSegments: 0, result: done };
  }
  if (deps.signal?.aborted) throw new ServiceError('cancelled', 'Cancelled');
  removePartials(dir);
  const manifestText = canonicalJson(m) + '\n';
  const manifestFile = join(dir, MANIFEST_FILE);
  if (!existsSync(manifestFile) || readFileSync(manifestFile, 'utf8') !== manifestText)
    writeFileAtomic(manifestFile, manifestText);

  const media = deps.media ?? createMediaService({ log, cacheDir: dir });
  if (media.fingerprint(m.source.path) !== m.source.fingerprint) {
    throw new ServiceError(
      'conflict',
      `${m.source.path} is not the file this render was planned for (its content changed)`,
    );
  }
  await deps.inference.start();
  const model = deps.inference.status().model;
  if (!model || model.scale !== m.model.scale)
    throw new ServiceError(
      'bad_input',
      `The loaded model scales x${model?.scale ?? '?'}, the manifest asks for x${m.model.scale}`,
    );
  // A worker holds one model; a shot's content may need another file (its graphics variant).
  if (resolve(model.file) !== resolve(m.model.path))
    throw new ServiceError('internal', `The worker runs ${model.file}, the manifest asks for ${m.model.path}`);

  const segments: Segment[] = [];
  for (let first = m.frames.first, index = 0; first <= m.frames.last; first += m.segmentFrames, index++) {
    segments.push({ index, first, last: Math.min(first + m.segmentFrames - 1, m.frames.last) });
  }
  const records: (RenderSegment | null)[] = await Promise.all(
    segments.map((s) => readCompletedSegment(dir, hash, s.index)),
  );
  const todo = segments.filter((s) => !records[s.index]);
  for (const s of todo) {
    // A segment without a valid record is not complete, whatever its file looks like.
    for (const name of [segmentRecordFile(s.index), segmentFile(s.index)])
      if (existsSync(join(dir, name))) unlinkSync(join(dir, name));
  }
  const total = m.frames.last - m.frames.first + 1;
  const kept = total - todo.reduce((n, s) => n + s.last - s.first + 1, 0);
  log.info(
    `render ${hash.slice(0, 12)}: ${total} frames, ${segments.length - todo.length}/${segments.length} segments already in the cache`,
  );

  try {
    if (todo.length) await runPipeline(m, hash, dir, todo, kept, total, media, deps, (r) => (records[r.index] = r));
  } catch (e) {
    // What failed or was cancelled leaves only complete segments: a partial one would hold the space a full disk needs.
    removePartials(dir);
    throw diskFullError(e, dir);
  }

  const all = records as RenderSegment[];
  const light = all.flatMap((r) => r.light);
  const result: RenderResult = {
    formatVersion: RENDER_FORMAT_VERSION,
    manifestHash: hash,
    cache: { container: 'matroska', codec: SEGMENT_CODEC, pixFmt: 'gbrp16le' },
    width: m.output.width,
    height: m.output.height,
    frameRate: m.source.probe.frameRate,
    frameCount: light.length,
    segments: all.map((r) => ({
      index: r.index,
      file: r.file,
      firstFrame: r.firstFrame,
      lastFrame: r.lastFrame,
      bytes: r.bytes,
      sha256: r.sha256,
    })),
    light,
    maxCll: light.reduce((v, l) => Math.max(v, l.maxCll), 0),
    maxFall: light.reduce((v, l) => Math.max(v, l.frameAverage), 0),
    active: all.map((r) => r.active).reduce(unionRect),
  };
  try {
    writeFileAtomic(join(dir, RESULT_FILE), JSON.stringify(result) + '\n');
  } catch (e) {
    removePartials(dir);
    throw diskFullError(e, dir);
  }
  log.info(
    `render ${hash.slice(0, 12)}: done, MaxCLL ${result.maxCll.toFixed(1)} nits, MaxFALL ${result.maxFall.toFixed(1)} nits`,
  );
  return { hash, dir, skipped: false, renderedSegments: todo.length, result };
}

async function runPipeline(
  m: RenderManifest,
  hash: string,
  dir: string,
  todo: Segment[],
  kept: number,
  total: number,
  media: MediaService,
  deps: RenderShotDeps,
  onSegment: (r: RenderSegment) => void,
): Promise<void> {
  const stop = new AbortController();
  const signal = stop.signal;
  const onCancel = (): void => stop.abort();
  deps.signal?.addEventListener('abort', onCancel, { once: true });
  const decoded = new BoundedQueue<RgbFrame>(QUEUE_FRAMES);
  // Network results waiting for the grade: the worker runs on while the grade thread, below its priority, catches
  // up in its gaps (2 rather than 1: srItm-x2 renders 1.09-1.13x the network alone against 1.10-1.21x).
  const upconverted = new BoundedQueue<{ frame: number; up: HdrFrame }>(QUEUE_FRAMES);
  const graded = new BoundedQueue<GradedFrame>(QUEUE_FRAMES);
  let firstError: unknown = null;
  const fail = (e: unknown): void => {
    firstError ??= e;
    stop.abort();
    decoded.fail(e);
    upconverted.fail(e);
    graded.fail(e);
  };
  const input = mediaInputOf(m);
  const { width, height } = m.input;
  // The network's float frames (200 MB each at UHD) and the graded codes come from pools kept across frames and
  // renders (a fresh 5.5 MB code array per 720p frame cost ~15 ms of zeroing, page faults and collection) and go
  // back to them once graded and once encoded. At most the frames in flight are ever allocated.
  const buffers = new FrameBuffers();

  const decode = async (): Promise<void> => {
    for (const s of todo) {
      // One frame of pre-roll: a deinterlacer then sees the same neighbour as in a decode from the start,
      // and each segment is decoded the same way whether the render was resumed or not.
      const from = s.first > 0 ? s.first - 1 : 0;
      const onFrame = (f: RgbFrame): Promise<void> | undefined => {
        if (f.frame < s.first) return undefined;
        const accepted = decoded.push(f);
        // decodeRange awaits these only when ffmpeg ends well; after a failure nobody else would handle them.
        accepted.catch(() => undefined);
        return accepted;
      };
      await media.decodeRange(input, from, s.last, onFrame, { width, signal, background: true });
    }
    decoded.close();
  };

  const infer = async (): Promise<void> => {
    for await (const f of decoded) {
      if (f.width !== width || f.height !== height)
        throw new ServiceError('internal', `Decoded ${f.width}x${f.height}, the manifest says ${width}x${height}`);
      const up = await upconvertFrame(deps.inference, sdrPlanes(f), width, height, {
        priority: 'render',
        signal,
        buffers,
        // At full strength the grade never reads the baseline; given the model's result as both, it grades the
        // same codes (grade-frame.ts) from half the hand-over.
        hdrOnly: m.grade.params.modelStrength === 1,
      });
      await upconverted.push({ frame: f.frame, up });
    }
    upconverted.close();
  };

  const grade = async (): Promise<void> => {
    for await (const { frame, up } of upconverted) {
      // Graded straight to the cache's 16-bit codes, on the grade thread.
      const g = await gradeOnThread(up, m.grade.params, sharedCodes(up.width, up.height));
      buffers.give(up);
      await graded.push({ frame, ...g });
    }
    graded.close();
  };

  const started = performance.now();
  let rendered = 0;
  // Time spent paused is not rendering time: the speed (and the ETA and estimates made from it) leave it out.
  let pausedMs = 0;
  const encode = async (): Promise<void> => {
    for (const s of todo) {
      const final = join(dir, segmentFile(s.index));
      const partial = final + PARTIAL;
      const encoder: SegmentEncoder = openSegmentEncoder(media.binaries, partial, m.output, m.source.probe.frameRate);
      const light: FrameLight[] = [];
      let active: Rect | null = null;
      try {
        for (let frame = s.first; frame <= s.last; frame++) {
          const g = await graded.pop();
          if (!g) throw new ServiceError('bad_input', `${m.source.path}: the source ends before frame ${frame}`);
          if (g.frame !== frame) throw new ServiceError('internal', `Render expected frame ${frame}, got ${g.frame}`);
          const held = performance.now();
          await deps.hold?.();
          pausedMs += performance.now() - held;
          await encoder.write(g.picture);
          releaseCodes(g.picture.data);
          light.push(g.light);
          active = active ? unionRect(active, g.active) : g.active;
          rendered++;
          const seconds = (performance.now() - started - pausedMs) / 1000;
          const fps = rendered / seconds;
          const framesDone = kept + rendered;
          deps.onProgress?.({ framesDone, framesTotal: total, fps, etaSeconds: (total - framesDone) / fps });
        }
        await encoder.finish();
      } catch (e) {
        encoder.abort();
        throw e;
      }
      flushFile(partial);
      renameSync(partial, final);
      // Its record (with the checksum, hashed on a thread) is written while the next segment encodes; until then
      // the segment does not count as complete.
      const recorded = recordSegment(s, final, light, active!);
      recorded.catch(fail);
      recording.push(recorded);
    }
    await Promise.all(recording);
  };
  const recording: Promise<void>[] = [];
  const recordSegment = async (s: Segment, final: string, light: FrameLight[], active: Rect): Promise<void> => {
    const record: RenderSegment = {
      manifestHash: hash,
      index: s.index,
      file: segmentFile(s.index),
      firstFrame: s.first,
      lastFrame: s.last,
      bytes: statSync(final).size,
      sha256: await sha256OnThread(final),
      light,
      active,
    };
    writeFileAtomic(join(dir, segmentRecordFile(s.index)), JSON.stringify(record) + '\n');
    onSegment(record);
  };

  try {
    await Promise.all([decode().catch(fail), infer().catch(fail), grade().catch(fail), encode().catch(fail)]);
  } finally {
    deps.signal?.removeEventListener('abort', onCancel);
    // A failed or cancelled render still writes the records of the segments it finished, before it returns: a
    // later write could land in a folder the caller has emptied (a forced render) or never happen (a quit).
    await Promise.allSettled(recording);
  }
  if (deps.signal?.aborted) throw new ServiceError('cancelled', 'Cancelled');
  if (firstError) throw firstError;
}
