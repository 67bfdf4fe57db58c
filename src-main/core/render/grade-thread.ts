// Grades renders' frames on threads of their own. The network keeps both cores busy but for the gaps between
// its parallel sections; graded on the main thread, the ~150-200 ms a 720p-1080p frame of grade and light
// measurement competed with it at equal priority and stretched the render (README, "Render overhead"). On threads
// below normal priority (Linux) the grade runs in those gaps, and when it falls behind the bounded queue makes
// the network wait, which gives it the CPU. With the network on a GPU the grade is what sets the pace, so a frame's
// rows are shared among up to one thread per core (renderThreads); its light is then measured on the first. The
// threads serve every render of the process, so their compiled code stays warm from shot to shot. Frames and codes
// are in shared memory (FrameBuffers, sharedCodes): a message carries views, never a copy.
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { Worker } from 'node:worker_threads';
import type { GradeParams, PqFrame, Rect } from '../../common/colour';
import { ServiceError } from '../../common/contract';
import type { FrameLight } from '../../common/contract/render';
import { sharedFrames, type HdrFrame } from '../inference/tiled';
import { SharedPool } from '../../node/shared-pool';
import { appRoot } from '../paths';
import { renderThreads } from '../../node/cpu-cores';

/** Grade rows [rows[0], rows[1]) of a frame into its codes, measure a graded frame's light, or hash a file. */
export type GradeRequest =
  | {
      id: number;
      kind: 'grade';
      up: HdrFrame;
      params: GradeParams;
      /** Where the thread writes the planar 16-bit codes (3 x width x height, shared memory). */
      codes: Uint16Array<SharedArrayBuffer>;
      rows: [number, number];
    }
  | { id: number; kind: 'measure'; codes: Uint16Array<SharedArrayBuffer>; width: number; height: number }
  | { id: number; kind: 'hash'; file: string };

/** What a thread answers: nothing for rows graded, the light for a measure, the SHA-256 for a hash. */
export type GradeAnswer = { light?: FrameLight; active?: Rect; sha256?: string };
export type GradeReply = ({ id: number } & GradeAnswer) | { id: number; error: string };

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
 * After this long without a frame the threads end and the kept buffers go: the buffers a thread has seen are freed
 * only with it (or by its rare collections), and between the shots of a batch a few milliseconds pass, not seconds.
 */
export const IDLE_MS = 5000;

/** Fewer rows than this per thread are not worth a message: small frames go to fewer threads. */
const MIN_BAND_ROWS = 16;

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
  /** What failed, for the error: "Grading a frame", "Hashing FILE". */
  what: string;
  resolve(g: GradeAnswer): void;
  reject(e: Error): void;
}

interface GradeThread {
  worker: Worker;
  pending: Map<number, Pending>;
}

/**
 * The pool by slot, each thread started when first needed and dropped after a failure: slots 0.. grade a frame's
 * bands, HASH_SLOT hashes segments during a render (a UHD segment is most of a second of reading: on a band's
 * thread it would hold up every frame's grade).
 */
const threads = new Map<number, GradeThread>();
const HASH_SLOT = -1;
let threadCount = renderThreads();
let nextId = 1;
let idleTimer: ReturnType<typeof setTimeout> | null = null;

/** Ends the threads and lets go of the kept frame and code buffers (also what IDLE_MS of rest does). */
export async function stopGradeThread(): Promise<void> {
  if (idleTimer) clearTimeout(idleTimer);
  idleTimer = null;
  sharedFrames.clear();
  codeBuffers.clear();
  const old = [...threads.values()];
  threads.clear();
  await Promise.all(old.map((t) => t.worker.terminate()));
}

/** Sets how many threads share a frame (default renderThreads()), after stopping those running: tests, benches. */
export async function setGradeThreads(count: number): Promise<void> {
  if (!(Number.isInteger(count) && count >= 1)) throw new RangeError(`setGradeThreads: ${count}`);
  threadCount = count;
  await stopGradeThread();
}

/** Holds the process while a request is out on `t`; once none is out on any thread, arms the idle stop. */
function busy(t: GradeThread, now: boolean): void {
  if (idleTimer) clearTimeout(idleTimer);
  idleTimer = null;
  if (now) return void t.worker.ref();
  t.worker.unref();
  armIdleStop();
}

function armIdleStop(): void {
  if ([...threads.values()].some((o) => o.pending.size > 0)) return;
  if (idleTimer) clearTimeout(idleTimer);
  idleTimer = setTimeout(() => void stopGradeThread(), IDLE_MS);
  idleTimer.unref();
}

function threadAt(slot: number): GradeThread {
  const running = threads.get(slot);
  if (running) return running;
  const entry = threadEntry();
  const worker = new Worker(entry.code, { eval: entry.eval });
  const pending = new Map<number, Pending>();
  const t: GradeThread = { worker, pending };
  threads.set(slot, t);
  const failAll = (e: Error): void => {
    if (threads.get(slot) === t) threads.delete(slot); // the next request starts a new thread
    for (const p of pending.values()) p.reject(e);
    pending.clear();
    armIdleStop(); // what the failed requests held is let go like any other idle
  };
  worker.on('message', (reply: GradeReply) => {
    const p = pending.get(reply.id);
    if (!p) return;
    pending.delete(reply.id);
    if (pending.size === 0) busy(t, false);
    if ('error' in reply) p.reject(new ServiceError('internal', `${p.what} failed: ${reply.error}`));
    else p.resolve(reply);
  });
  worker.on('error', (e) => failAll(new ServiceError('internal', `The grade thread failed: ${e.message}`)));
  worker.on('exit', () => failAll(new ServiceError('internal', 'The grade thread stopped')));
  // Held only while a request is out: an idle thread must not keep a finished CLI alive.
  worker.unref();
  return t;
}

/** Sends one request to a thread; settles with its reply. */
function ask(t: GradeThread, req: GradeRequest): Promise<GradeAnswer> {
  return new Promise((resolve, reject) => {
    const what = req.kind === 'hash' ? `Hashing ${req.file}` : 'Grading a frame';
    t.pending.set(req.id, { what, resolve, reject });
    busy(t, true);
    try {
      t.worker.postMessage(req);
    } catch (e) {
      // Not sent (a detached buffer, say): nothing will answer it.
      t.pending.delete(req.id);
      if (t.pending.size === 0) busy(t, false);
      reject(new ServiceError('internal', `Could not send a frame to the grade thread: ${(e as Error).message}`));
    }
  });
}

/**
 * Grades one network frame into `codes` (the cache's planar 16-bit R'G'B') and measures its light (CTA-861.3,
 * active picture). Its rows are shared among the threads (each row's codes are the same whichever thread grades
 * it); the light is measured on one thread once all rows are in. A frame in shared memory (FrameBuffers) is read
 * in place; any other is copied to each thread.
 */
export async function gradeOnThread(
  up: HdrFrame,
  params: GradeParams,
  codes: Uint16Array<SharedArrayBuffer>,
): Promise<GradedPicture> {
  const { width, height } = up;
  if (codes.length !== 3 * width * height)
    throw new ServiceError('internal', `A code buffer of ${codes.length} values for a ${width}x${height} frame`);
  // The thread writes into the caller's memory: a copy would come back unwritten.
  if (!(codes.buffer instanceof SharedArrayBuffer))
    throw new ServiceError('internal', 'The grade thread writes codes into shared memory only (sharedCodes)');
  // A frame outside shared memory is copied into each message: one thread, one copy (tests; renders pass shared frames).
  const shared = up.hdr.buffer instanceof SharedArrayBuffer && up.base.buffer instanceof SharedArrayBuffer;
  const bands = shared ? Math.max(1, Math.min(threadCount, Math.floor(height / MIN_BAND_ROWS))) : 1;
  const rowsOf = (i: number): [number, number] => [
    Math.round((i * height) / bands),
    Math.round(((i + 1) * height) / bands),
  ];
  // Threads first: one that cannot start fails the frame before any band is out.
  const pool = Array.from({ length: bands }, (_, i) => threadAt(i));
  // The bands' codes reach the measuring thread and the encoder through these replies: postMessage orders the
  // threads' writes before the reply is read, as it does for every transfer of shared memory in Node.
  await Promise.all(pool.map((t, i) => ask(t, { id: nextId++, kind: 'grade', up, params, codes, rows: rowsOf(i) })));
  const measured = await ask(threadAt(0), { id: nextId++, kind: 'measure', codes, width, height });
  if (!measured.light || !measured.active) throw new ServiceError('internal', 'The grade thread measured no light');
  return {
    picture: { width, height, data: codes, layout: 'planar' },
    light: measured.light,
    active: measured.active,
  };
}

let nextSpreadSlot = 0;

/**
 * A file's SHA-256 (hex), read and hashed off the main thread (a UHD cache segment is ~800 MB, most of a second at
 * ~1 GB/s): on the hash thread, beside the grade during a render; spread over the pool in turn when nothing is
 * grading (a resume's checks of the segments already in the cache).
 */
export async function sha256OnThread(file: string, o: { spread?: boolean } = {}): Promise<string> {
  const slot = o.spread ? nextSpreadSlot++ % threadCount : HASH_SLOT;
  const { sha256 } = await ask(threadAt(slot), { id: nextId++, kind: 'hash', file });
  if (!sha256) throw new ServiceError('internal', `The grade thread hashed nothing for ${file}`);
  return sha256;
}
