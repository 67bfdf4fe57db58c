// Notices commits made to the library by other processes (a CLI import beside the host): SQLite's
// `PRAGMA data_version` changes on a connection whenever another connection commits, and reading it is cheap,
// so polling it twice a second is enough for the host to say `library.changed`.
import type { Db } from './db';

export const CHANGE_POLL_MS = 500;

export class ChangeWatch {
  private timer: NodeJS.Timeout | null = null;
  private last = 0;

  /** `onChange` runs once per poll that finds another connection committed since the last one. */
  constructor(
    private readonly db: Db,
    private readonly onChange: () => void,
    private readonly intervalMs = CHANGE_POLL_MS,
  ) {}

  get running(): boolean {
    return this.timer !== null;
  }

  start(): void {
    if (this.timer) return;
    this.last = this.version();
    this.timer = setInterval(() => this.poll(), this.intervalMs);
    this.timer.unref(); // never what keeps a process alive
  }

  stop(): void {
    if (this.timer) clearInterval(this.timer);
    this.timer = null;
  }

  /** One check now; true when another connection committed since the last check. */
  poll(): boolean {
    if (!this.db.open) {
      this.stop();
      return false;
    }
    const v = this.version();
    if (v === this.last) return false;
    this.last = v;
    this.onChange();
    return true;
  }

  private version(): number {
    return this.db.pragma('data_version', { simple: true }) as number;
  }
}

/** Starts watching; returns the watch (call stop(), or it stops itself once the connection closes). */
export function watchLibraryChanges(db: Db, onChange: () => void, intervalMs = CHANGE_POLL_MS): ChangeWatch {
  const w = new ChangeWatch(db, onChange, intervalMs);
  w.start();
  return w;
}
