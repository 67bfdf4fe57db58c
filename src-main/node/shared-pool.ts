// Shared memory kept for reuse. A SharedArrayBuffer seen by a worker thread lives until that thread's collector
// runs, and V8 does not count shared memory towards collecting: a render's fresh buffers (its frames, its cache
// codes) piled up in the grade thread, ~72 MB a 720p render of 4 frames and 1.9 GB over 25 such renders. Buffers
// reused from one render to the next stay few; a caller lets go of them all when the work stops (clear()).
export class SharedPool {
  private free: SharedArrayBuffer[] = [];

  /** Keeps at most `keep` buffers between uses. */
  constructor(private readonly keep: number) {}

  /** A buffer of `bytes`: a kept one, else a new one (and the kept ones of other sizes are let go). */
  take(bytes: number): SharedArrayBuffer {
    const i = this.free.findIndex((b) => b.byteLength === bytes);
    if (i >= 0) return this.free.splice(i, 1)[0];
    this.free = this.free.filter((b) => b.byteLength === bytes);
    return new SharedArrayBuffer(bytes);
  }

  /** A buffer its user is done with, kept for the next take() of its size. */
  give(b: SharedArrayBuffer): void {
    if (this.free.length < this.keep && !this.free.includes(b)) this.free.push(b);
  }

  /** How many buffers are kept (tests). */
  get size(): number {
    return this.free.length;
  }

  clear(): void {
    this.free = [];
  }
}
