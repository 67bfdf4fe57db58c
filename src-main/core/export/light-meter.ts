// Light of rgb48le frames (full-range PQ R'G'B', as ffmpeg hands them over), measured as the render measures
// (CTA-861.3, active picture): the encoder's measuring taps and the read-back both count with it.
import { LightLevelAggregator, measureFrame } from '../../common/colour';

export interface MeasuredLight {
  /** Nits, unrounded. */
  maxCll: number;
  maxFall: number;
  frames: number;
}

export class LightMeter {
  private readonly agg = new LightLevelAggregator();
  private readonly codes: Uint16Array;
  private readonly bytes: Uint8Array;
  private frames = 0;

  constructor(
    private readonly width: number,
    private readonly height: number,
  ) {
    this.codes = new Uint16Array(width * height * 3);
    this.bytes = new Uint8Array(this.codes.buffer);
  }

  get frameBytes(): number {
    return this.bytes.length;
  }

  /** One frame's bytes (copied first: a pipe's buffer may start at an odd byte). */
  add(frame: Uint8Array): void {
    this.bytes.set(frame);
    const f = { width: this.width, height: this.height, data: this.codes, layout: 'rgb48' as const };
    this.agg.add(measureFrame(f, { gamut: false }));
    this.frames++;
  }

  result(): MeasuredLight {
    const p = this.agg.programme();
    return { maxCll: p.maxCll, maxFall: p.maxFall, frames: this.frames };
  }
}
