// Letterbox and pillarbox bars: rows and columns black in every analysed frame. Measurements exclude them
// (CTA-861.3 light levels are over the active picture), so a wrong bar would corrupt MaxFALL.
import { frameAccess, type PqFrame, type Rect } from './frame';
import { nitsToPq } from './transfer';

export interface LetterboxOptions {
  /**
   * A bar row/column has every pixel's max(R,G,B) at or below this in every frame; default 0.002 nits: about
   * eight 10-bit PQ codes above black, above codec noise on flat black yet below the darkest picture content
   * a grade keeps (a 0.005-nit step is picture).
   */
  blackNits?: number;
  /** Never treat more than this fraction of the height (width) as bars on each side; default 0.3. */
  maxBarFraction?: number;
}

/** Black bar widths in pixels on each side of the active picture. */
export interface Bars {
  top: number;
  bottom: number;
  left: number;
  right: number;
}

/**
 * Letterbox, pillarbox and windowbox bars over a run of frames: a row (column) is a bar only when it is black
 * across the whole width (height) in EVERY frame added, so dark picture or a fade to black is never a bar.
 * Bars come in pairs: one black side alone (a black step of a test pattern, a dark wall) is picture, and a
 * pair that differs by more than 1% of the size (2 px at least) keeps only its common width.
 */
export class BlackBars {
  private readonly thr: number;
  private readonly rowLit: Uint8Array;
  private readonly colLit: Uint8Array;
  private readonly maxRows: number;
  private readonly maxCols: number;
  private lit = false;
  frames = 0;
  constructor(
    readonly width: number,
    readonly height: number,
    o: LetterboxOptions = {},
  ) {
    this.thr = Math.floor(nitsToPq(o.blackNits ?? 0.002) * 65535);
    const frac = o.maxBarFraction ?? 0.3;
    this.maxRows = Math.floor(height * frac);
    this.maxCols = Math.floor(width * frac);
    this.rowLit = new Uint8Array(height);
    this.colLit = new Uint8Array(width);
  }

  /** Looks only where a bar can still be: rows and columns black in every frame so far, early out on picture. */
  add(f: PqFrame): this {
    const { r, g, b, step } = frameAccess(f);
    const d = f.data,
      W = this.width,
      H = this.height,
      thr = this.thr;
    const on = (x: number, y: number) => {
      const p = (y * W + x) * step;
      return d[r + p] > thr || d[g + p] > thr || d[b + p] > thr;
    };
    const row = (y: number) => {
      if (!this.rowLit[y])
        for (let x = 0; x < W; x++)
          if (on(x, y)) {
            this.rowLit[y] = 1;
            this.lit = true;
            return;
          }
    };
    const col = (x: number) => {
      if (!this.colLit[x])
        for (let y = 0; y < H; y++)
          if (on(x, y)) {
            this.colLit[x] = 1;
            this.lit = true;
            return;
          }
    };
    for (let y = 0; y < this.maxRows; y++) {
      row(y);
      row(H - 1 - y);
    }
    for (let x = 0; x < this.maxCols; x++) {
      col(x);
      col(W - 1 - x);
    }
    if (!this.lit) for (let y = this.maxRows; y < H - this.maxRows && !this.lit; y++) row(y);
    this.frames++;
    return this;
  }

  /** The bars; none while every frame added is entirely black (there is nothing to frame). */
  bars(): Bars {
    if (!this.lit) return { top: 0, bottom: 0, left: 0, right: 0 };
    const run = (lit: Uint8Array, max: number, from: number, dir: 1 | -1) => {
      let n = 0;
      while (n < max && !lit[from + dir * n]) n++;
      return n;
    };
    const pair = (a: number, z: number, size: number): [number, number] =>
      Math.abs(a - z) <= Math.max(2, Math.round(size / 100)) ? [a, z] : [Math.min(a, z), Math.min(a, z)];
    const [top, bottom] = pair(
      run(this.rowLit, this.maxRows, 0, 1),
      run(this.rowLit, this.maxRows, this.height - 1, -1),
      this.height,
    );
    const [left, right] = pair(
      run(this.colLit, this.maxCols, 0, 1),
      run(this.colLit, this.maxCols, this.width - 1, -1),
      this.width,
    );
    return { top, bottom, left, right };
  }

  active(): Rect {
    const { top, bottom, left, right } = this.bars();
    return { x: left, y: top, width: this.width - left - right, height: this.height - top - bottom };
  }

  /** In words, e.g. "letterbox: 140 px top and bottom, black in all 240 frames" or "active area: full frame". */
  describe(): string {
    const { top, bottom, left, right } = this.bars();
    const all = `black in all ${this.frames} frame${this.frames === 1 ? '' : 's'}`;
    const side = (a: number, z: number, an: string, zn: string) =>
      !a && !z ? '' : a === z ? `${a} px ${an} and ${zn}` : `${a} px ${an}, ${z} px ${zn}`;
    const tb = side(top, bottom, 'top', 'bottom'),
      lr = side(left, right, 'left', 'right');
    if (tb && lr) return `windowbox: ${tb}, ${lr}, ${all}`;
    if (tb) return `letterbox: ${tb}, ${all}`;
    if (lr) return `pillarbox: ${lr}, ${all}`;
    return 'active area: full frame (no bars black in every frame)';
  }
}

/** The active picture of one frame ({@link BlackBars} over that frame alone). */
export function detectLetterbox(f: PqFrame, o: LetterboxOptions = {}): Rect {
  return new BlackBars(f.width, f.height, o).add(f).active();
}

/** Smallest rectangle containing both. */
export function unionRect(a: Rect, b: Rect): Rect {
  const x = Math.min(a.x, b.x),
    y = Math.min(a.y, b.y);
  return {
    x,
    y,
    width: Math.max(a.x + a.width, b.x + b.width) - x,
    height: Math.max(a.y + a.height, b.y + b.height) - y,
  };
}
