// A bounded async queue between two pipeline stages: the producer waits while it is full, so the slowest
// stage sets the pace and memory holds at most `capacity` items (plus those of producers already waiting).

export class BoundedQueue<T> {
  private readonly items: T[] = [];
  private readonly pushers: { item: T; resolve(): void; reject(e: unknown): void }[] = [];
  private readonly poppers: { resolve(v: T | undefined): void; reject(e: unknown): void }[] = [];
  private closed = false;
  private error: unknown = null;

  constructor(readonly capacity: number) {
    if (!(capacity >= 1)) throw new Error(`queue capacity ${capacity}`);
  }

  /** Resolves once the queue has taken the item; rejects if the queue failed meanwhile. */
  push(item: T): Promise<void> {
    if (this.error) return Promise.reject(this.error);
    if (this.closed) return Promise.reject(new Error('push after close'));
    const popper = this.poppers.shift();
    if (popper) {
      popper.resolve(item);
      return Promise.resolve();
    }
    if (this.items.length < this.capacity) {
      this.items.push(item);
      return Promise.resolve();
    }
    return new Promise((resolve, reject) => this.pushers.push({ item, resolve, reject }));
  }

  /** The next item in order; undefined once the queue is closed and empty. */
  pop(): Promise<T | undefined> {
    if (this.error) return Promise.reject(this.error);
    if (this.items.length) {
      const item = this.items.shift()!;
      const waiting = this.pushers.shift();
      if (waiting) {
        this.items.push(waiting.item);
        waiting.resolve();
      }
      return Promise.resolve(item);
    }
    if (this.closed) return Promise.resolve(undefined);
    return new Promise((resolve, reject) => this.poppers.push({ resolve, reject }));
  }

  /** No more items: consumers drain what is left, then get undefined. */
  close(): void {
    this.closed = true;
    for (const p of this.poppers.splice(0)) p.resolve(undefined);
  }

  /** Stops both sides: every waiting and later push or pop rejects with `e`, and held items are dropped. */
  fail(e: unknown): void {
    if (this.error) return;
    this.error = e;
    this.items.length = 0;
    for (const p of this.pushers.splice(0)) p.reject(e);
    for (const p of this.poppers.splice(0)) p.reject(e);
  }

  async *[Symbol.asyncIterator](): AsyncGenerator<T> {
    for (;;) {
      const item = await this.pop();
      if (item === undefined) return;
      yield item;
    }
  }
}
