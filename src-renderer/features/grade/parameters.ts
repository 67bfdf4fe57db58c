// Slider positions, snapping, display and typed input for the grade's numeric parameters, all from the
// colour core's one description (GRADE_PARAMETERS). Pure, so a unit test holds it.
import type { SliderParameter } from '../../../src-main/common/colour/grade';

/** Slider positions run 0..POSITIONS; a log parameter (highlight peak) gets equal travel per decade. */
export const POSITIONS = 1000;

export function decimalsOf(step: number): number {
  const s = String(step);
  const dot = s.indexOf('.');
  return dot < 0 ? 0 : s.length - dot - 1;
}

/** Nearest multiple of the step, inside the range, without binary-fraction noise (0.1 + 0.2). */
export function snap(value: number, p: SliderParameter): number {
  if (!Number.isFinite(value)) return p.default;
  const v = Math.round(value / p.step) * p.step;
  return Number(Math.min(p.max, Math.max(p.min, v)).toFixed(decimalsOf(p.step)));
}

export function positionOf(value: number, p: SliderParameter): number {
  const v = Math.min(p.max, Math.max(p.min, value));
  const t = p.scale === 'log' ? Math.log(v / p.min) / Math.log(p.max / p.min) : (v - p.min) / (p.max - p.min);
  return t * POSITIONS;
}

export function valueAt(position: number, p: SliderParameter): number {
  const t = Math.min(1, Math.max(0, position / POSITIONS));
  const v = p.scale === 'log' ? p.min * Math.pow(p.max / p.min, t) : p.min + t * (p.max - p.min);
  return snap(v, p);
}

/** The value as the numeric field shows it: the step's decimals, a true minus sign. */
export function formatValue(value: number, p: SliderParameter): string {
  return value.toFixed(decimalsOf(p.step)).replace('-', '−');
}

/** What the colorist typed -> a value in range on the step, or null when it is not a number. */
export function parseValue(text: string, p: SliderParameter): number | null {
  const t = text.trim().replace('−', '-').replace(',', '.');
  if (!/^[-+]?(\d+\.?\d*|\.\d+)(e[-+]?\d+)?$/i.test(t)) return null;
  return snap(Number(t), p);
}
