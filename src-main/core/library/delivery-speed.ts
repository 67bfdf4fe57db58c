// This machine's recent render and export speeds, for the export dialog's time estimate. Kept in the library's
// settings, so an estimate survives a restart. Output pixels per second, per model file (an x4 and an x2 network
// differ several times over) and per export kind (format and raster: an x265 UHD master with its measuring pass
// and a ProRes one differ as much).
import type { LibraryContext } from './context';
import { selectSetting, upsertSetting } from './settings-repo';

const KEY = 'delivery.speed';
/** A render reports its speed every frame; it is written to the library at most this often. */
const SAVE_EVERY_MS = 10_000;

interface Rates {
  render: Record<string, number>;
  export: Record<string, number>;
}

function parse(text: string | undefined): Rates {
  const empty: Rates = { render: {}, export: {} };
  if (!text) return empty;
  try {
    const v = JSON.parse(text) as Partial<Rates>;
    const clean = (o: unknown): Record<string, number> =>
      Object.fromEntries(
        Object.entries(typeof o === 'object' && o ? o : {}).filter(([, r]) => typeof r === 'number' && r > 0),
      ) as Record<string, number>;
    return { render: clean(v.render), export: clean(v.export) };
  } catch {
    return empty; // a damaged entry only costs the estimate
  }
}

export class DeliverySpeed {
  private readonly rates: Rates;
  private savedAt = 0;

  constructor(private readonly ctx: LibraryContext) {
    this.rates = parse(ctx.read(() => selectSetting(ctx.db, KEY)));
  }

  /** Output pixels per second of the last render with `model` (a file name). */
  renderRate(model: string): number | undefined {
    return this.rates.render[model];
  }

  exportRate(kind: string): number | undefined {
    return this.rates.export[kind];
  }

  noteRender(model: string, pixelsPerSecond: number): void {
    this.rates.render[model] = pixelsPerSecond;
    if (Date.now() - this.savedAt >= SAVE_EVERY_MS) this.save();
  }

  noteExport(kind: string, pixelsPerSecond: number): void {
    this.rates.export[kind] = pixelsPerSecond;
    this.save();
  }

  /** Written now (a render's last figure, when it ends). A read-only or failing library keeps them in memory. */
  save(): void {
    this.savedAt = Date.now();
    if (this.ctx.readOnly) return;
    try {
      this.ctx.write(() => upsertSetting(this.ctx.db, KEY, JSON.stringify(this.rates)));
    } catch (e) {
      this.ctx.log.warn(`the render and export speeds could not be saved: ${(e as Error).message}`);
    }
  }
}
