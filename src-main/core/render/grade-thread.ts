// Grades renders' frames on a thread of its own. The network keeps both cores busy but for the gaps between
// its parallel sections; graded on the main thread, the ~150-200 ms a 720p-1080p frame of grade and light
// measurement competed with it at equal priority and stretched the render (README, "Render overhead"). On a
// thread below normal priority (Linux) the grade runs in those gaps, and when it falls behind the bounded queue
// makes the network wait, which gives it the CPU. Off the main thread, the app also stays responsive. One thread
// serves every render of the process, so its compiled code stays warm from shot to shot. Frames and codes are
// in shared memory (FrameBuffers, sharedCodes): a message carries views, never a copy.
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { Worker } from 'node:worker_threads';
import type { GradeParams, PqFrame, Rect } from '../../common/colour';
import { ServiceError } from '../../common/contract';
import type { FrameLight } from '../../common/contract/render';
import { sharedFrames, type HdrFrame } from '../inference/tiled';
import { SharedPool } from '../../node/shared-pool';
import { appRoot } from '../paths';

export interface GradeRequest {
  id: number;
  up: HdrFrame;
  params: GradeParams;
  /** Where the thread writes the planar 16-bit codes (3 x width x height, shared memory). */
  codes: Uint16Array<SharedArrayBuffer>;
}

export type GradeReply = { id: number; light: FrameLight; active: Rect } | { id: number; error: string };

export interface GradedPicture {
  picture: PqFrame;
  light: FrameLight;
  active: Rect;
}

/** Code buffers kept from one frame and render to the next (SharedPool says why); emptied with the frames. */
const codeBuffers = new SharedPool(4);

/** A code buffer the grade thread can write into: planar 16-bit R'G'B' for width x height. */
export function sharedCodes(width: number, height: number): Uint16Array<SharedArrayBuffer> {
  return new Uint16Array(codeBuffers.take(6 * width * height));
}

/** A code buffer whose frame is written (in the encoder's pipe): kept for a later frame. */
export function releaseCodes(codes: Uint16Array): void {
  if (
    codes.buffer instanceof SharedArrayBuffer &&
    codes.byteOffset === 0 &&
    codes.byteLength === codes.buffer.byteLength
  )
    codeBuffers.give(codes.buffer);
}

/**
 * After this long without a frame the thread ends and the kept buffers go: the buffers a thread has seen are freed
 * only with it (or by its rare collections), and between the shots of a batch a few milliseconds pass, not seconds.
 */
export const IDLE_MS = 5000;

/** The thread's entry: the bundled one after a build, else the TypeScript source through tsx (tests, dev). */
function threadEntry(): { code: string; eval: boolean } {
  const built = join(appRoot(), '.build', 'main', 'grade-thread.cjs');
  if (!__filename.endsWith('.ts') && existsSync(built)) return { code: built, eval: false };
  // A worker thread does not see tsx's --import hooks (Node 20): its CommonJS hook is installed by hand, found from
  // the app's folder whatever the working directory.
  const source = join(appRoot(), 'src-main', 'core', 'render', 'grade-thread-main.ts');
  const tsx = require.resolve('tsx/cjs', { paths: [appRoot()] });
  return { code: `require(${JSON.stringify(tsx)}); require(${JSON.stringify(source)});`, eval: true };
}

interface Pending {
  resolve(g: { light: FrameLight; active: Rect }): void;
  reject(e: Error): void;
}

let thread: { worker: Worker; pending: Map<number, Pending> } | null = null;
let nextId = 1;
let idleTimer: ReturnType<typeof setTimeout> | null = null;

/** Ends the thread and lets go of the kept frame and code buffers (also what IDLE_MS of rest does). */
export async function stopGradeThread(): Promise<void> {
  if (idleTimer) clearTimeout(idleTimer);
  idleTimer = null;
  sharedFrames.clear();
  codeBuffers.clear();
  const t = thread;
  thread = null;
  if (t) await t.worker.terminate();
}

/** Holds the process while a frame is out; once none is, arms the idle stop. */
function busy(t: NonNullable<typeof thread>, now: boolean): void {
  if (idleTimer) clearTimeout(idleTimer);
  idleTimer = null;
  if (now) return void t.worker.ref();
  t.worker.unref();
  idleTimer = setTimeout(() => void stopGradeThread(), IDLE_MS);
  idleTimer.unref();
}

function start(): NonNullable<typeof thread> {
  const entry = threadEntry();
  const worker = new Worker(entry.code, { eval: entry.eval });
  const pending = new Map<number, Pending>();
  const t = { worker, pending };
  const failAll = (e: Error): void => {
    if (thread === t) thread = null; // the next frame starts a new thread
    for (const p of pending.values()) p.reject(e);
    pending.clear();
  };
  worker.on('message', (reply: GradeReply) => {
    const p = pending.get(reply.id);
    if (!p) return;
    pending.delete(reply.id);
    if (pending.size === 0) busy(t, false);
    if ('error' in reply) p.reject(new ServiceError('internal', `Grading a frame failed: ${reply.error}`));
    else p.resolve(reply);
  });
  worker.on('error', (e) => failAll(new ServiceError('internal', `The grade thread failed: ${e.message}`)));
  worker.on('exit', () => failAll(new ServiceError('internal', 'The grade thread stopped')));
  // Held only while a frame is out: an idle thread must not keep a finished CLI alive.
  worker.unref();
  return t;
}

/**
 * Grades one network frame into `codes` (the cache's planar 16-bit R'G'B') and measures its light (CTA-861.3,
 * active picture). A frame in shared memory (FrameBuffers) is read in place; any other is copied to the thread.
 */
export async function gradeOnThread(
  up: HdrFrame,
  params: GradeParams,
  codes: Uint16Array<SharedArrayBuffer>,
): Promise<GradedPicture> {
  if (codes.length !== 3 * up.width * up.height)
    throw new ServiceError('internal', `A code buffer of ${codes.length} values for a ${up.width}x${up.height} frame`);
  // The thread writes into the caller's memory: a copy would come back unwritten.
  if (!(codes.buffer instanceof SharedArrayBuffer))
    throw new ServiceError('internal', 'The grade thread writes codes into shared memory only (sharedCodes)');
  const t = (thread ??= start());
  const id = nextId++;
  const measured = await new Promise<{ light: FrameLight; active: Rect }>((resolve, reject) => {
    t.pending.set(id, { resolve, reject });
    busy(t, true);
    try {
      t.worker.postMessage({ id, up, params, codes } satisfies GradeRequest);
    } catch (e) {
      // Not sent (a detached buffer, say): nothing will answer it.
      t.pending.delete(id);
      if (t.pending.size === 0) busy(t, false);
      reject(new ServiceError('internal', `Could not send a frame to the grade thread: ${(e as Error).message}`));
    }
  });
  return {
    picture: { width: up.width, height: up.height, data: codes, layout: 'planar' },
    light: measured.light,
    active: measured.active,
  };
}
