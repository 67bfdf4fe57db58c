// The scopes' end of the viewer's graded frames: the viewer pulls (reads back) a frame only when the scopes are
// on screen and no frame is already waiting for their worker, so a readback overlaps the worker's computation of
// the frame before, at most one frame waits (the scopes are never more than one frame behind the viewer), and
// frames go straight to the worker without re-rendering the screen around them.
import type { ScopeFrame } from './useScopes';

export class ScopeFeed {
  private visible = false;
  private busy = false;
  /** The one frame waiting while the worker computes the last (read back meanwhile, so the two overlap). */
  private pending: ScopeFrame | null = null;
  private target: ((f: ScopeFrame) => void) | null = null;
  /** The panel's way to blank itself on clear(). */
  onClear: (() => void) | null = null;
  private readonly listeners = new Set<() => void>();
  /** Bumped by clear(): results of frames sent before are dropped, and the viewer sends its picture again. */
  epoch = 0;

  /** A frame is wanted unless one is already waiting: the next readback overlaps the worker's computation. */
  wants(): boolean {
    return this.visible && this.pending === null && this.target !== null;
  }

  put(f: ScopeFrame): void {
    if (!this.target) return;
    if (this.busy) {
      this.pending = f; // sent when the worker is free
      return;
    }
    this.busy = true;
    this.target(f);
  }

  onWant(listener: () => void): () => void {
    this.listeners.add(listener);
    return () => void this.listeners.delete(listener);
  }

  /** The scopes panel: where frames go (its worker), or null when it is gone. */
  attach(target: ((f: ScopeFrame) => void) | null): void {
    this.target = target;
    this.busy = false;
    this.pending = null;
    this.notify();
  }

  /** The worker finished the last frame. */
  done(): void {
    this.busy = false;
    const next = this.pending;
    this.pending = null;
    if (next) this.put(next);
    this.notify();
  }

  setVisible(v: boolean): void {
    if (v === this.visible) return;
    this.visible = v;
    this.notify();
  }

  /** Forget what the scopes show (another shot): the next frame is the new one's. */
  clear(): void {
    this.epoch++;
    this.pending = null;
    this.onClear?.();
    this.notify();
  }

  private notify(): void {
    if (this.wants()) for (const l of [...this.listeners]) l();
  }
}
