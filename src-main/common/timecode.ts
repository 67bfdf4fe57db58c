// Frame rates and SMPTE timecode: the one implementation every process uses (core, renderer, colour metadata).
// Rates are rationals as ffprobe writes them ("24000/1001", "25/1", "25"); "0/0" means unknown.
// Timecode counts at the nominal integer rate (24 for 23.976). At 29.97 and 59.94 it is drop-frame when the
// start timecode says so with ';': labels :00 and :01 (:00 to :03 at 59.94) are skipped at the start of every
// minute except each tenth, so the label stays within a frame of wall-clock time. Labels wrap at 24 hours.

export interface Rational {
  num: number;
  den: number;
}

/** Frame rate assumed when a file gives none we can read (PAL, as ffmpeg's own default). */
export const DEFAULT_FRAME_RATE = 25;

/** "a/b" (or "a:b" with `sep` ':' for aspect ratios), a plain number, or a number. Null when unreadable or b is 0. */
export function parseRational(s: unknown, sep = '/'): Rational | null {
  if (typeof s === 'number') return Number.isFinite(s) ? { num: s, den: 1 } : null;
  if (typeof s !== 'string') return null;
  const parts = s.split(sep).map((p) => p.trim());
  if (parts.length > 2 || parts.some((p) => p === '')) return null;
  const num = Number(parts[0]);
  const den = parts.length === 2 ? Number(parts[1]) : 1;
  if (!Number.isFinite(num) || !Number.isFinite(den) || den === 0) return null;
  return { num, den };
}

export const rationalValue = (r: Rational): number => r.num / r.den;

function gcd(a: number, b: number): number {
  return b ? gcd(b, a % b) : Math.abs(a);
}

/** Lowest terms ("48000/2002" → "24000/1001"); non-integer parts are left as they are. */
export function formatRational(r: Rational, sep = '/'): string {
  const g = Number.isInteger(r.num) && Number.isInteger(r.den) ? gcd(r.num, r.den) || 1 : 1;
  return `${r.num / g}${sep}${r.den / g}`;
}

/** A frame rate: a positive rational, or null ("0/0", "", "-25/1", "abc"). */
export function parseFrameRate(rate: unknown): Rational | null {
  const r = parseRational(rate);
  return r && r.num > 0 && r.den > 0 ? r : null;
}

/** Frames per second, or DEFAULT_FRAME_RATE when the rate is unreadable. */
export function frameRateValue(rate: unknown): number {
  const r = parseFrameRate(rate);
  return r ? rationalValue(r) : DEFAULT_FRAME_RATE;
}

/** The integer rate timecode counts at: 24 for 23.976, 30 for 29.97, 60 for 59.94. */
export function nominalFps(rate: unknown): number {
  return Math.max(1, Math.round(frameRateValue(rate)));
}

/** 30000/1001 and 60000/1001: the only rates with a drop-frame count (as ffmpeg's av_timecode_init allows). */
export function isDropFrameRate(rate: unknown): boolean {
  const v = frameRateValue(rate);
  return Math.abs(v - 30000 / 1001) < 1e-3 || Math.abs(v - 60000 / 1001) < 1e-3;
}

/** Labels skipped at the start of each dropped minute: 2 at 29.97, 4 at 59.94. */
const droppedPerMinute = (fps: number): number => Math.round(fps / 15);

/** Frames in 24 hours of labels, where timecode wraps back to 00:00:00:00. */
export function framesPerDay(fps: number, drop: boolean): number {
  return drop ? 24 * 6 * (fps * 600 - 9 * droppedPerMinute(fps)) : 24 * 3600 * fps;
}

const TIMECODE = /^(\d{1,2})[:;.](\d{2})[:;.](\d{2})[:;.,](\d{2,3})$/;

/**
 * Frames since 00:00:00:00 for a timecode label; 0 when it is not a timecode. A label that drop-frame skips
 * (00:01:00;00) is read as the next one that exists (00:01:00;02).
 */
export function parseTimecode(tc: string, fps: number, drop: boolean): number {
  const m = TIMECODE.exec(tc.trim());
  if (!m) return 0;
  const [h, mi, s] = m.slice(1, 4).map(Number);
  let f = Number(m[4]);
  if (mi > 59 || s > 59 || f >= fps) return 0;
  const minutes = h * 60 + mi;
  let frames = (minutes * 60 + s) * fps;
  if (drop) {
    const d = droppedPerMinute(fps);
    if (s === 0 && mi % 10 !== 0) f = Math.max(f, d);
    frames -= d * (minutes - Math.floor(minutes / 10));
  }
  return (frames + f) % framesPerDay(fps, drop);
}

/** The label of a frame count since 00:00:00:00, wrapped into 24 hours (negative counts wrap back from midnight). */
export function framesToTimecode(frames: number, fps: number, drop: boolean): string {
  const day = framesPerDay(fps, drop);
  let n = ((Math.floor(frames) % day) + day) % day;
  if (drop) {
    // Put the skipped labels back: 9 dropped minutes in every 10, none in the tenth.
    const d = droppedPerMinute(fps);
    const per10 = fps * 600 - 9 * d;
    const perMinute = fps * 60 - d;
    const tens = Math.floor(n / per10);
    const rest = n % per10;
    n += 9 * d * tens + (rest > d ? d * Math.floor((rest - d) / perMinute) : 0);
  }
  const p = (v: number): string => String(v).padStart(2, '0');
  const f = n % fps;
  const s = Math.floor(n / fps);
  return `${p(Math.floor(s / 3600))}:${p(Math.floor(s / 60) % 60)}:${p(s % 60)}${drop ? ';' : ':'}${p(f)}`;
}

/** Source timecode of `frame` (0-based) of a clip at `rate` whose first frame is labelled `start`. */
export function formatTimecode(frame: number, rate: string, start: string | null = null): string {
  const fps = nominalFps(rate);
  const drop = !!start && start.includes(';') && isDropFrameRate(rate);
  return framesToTimecode(frame + (start ? parseTimecode(start, fps, drop) : 0), fps, drop);
}
