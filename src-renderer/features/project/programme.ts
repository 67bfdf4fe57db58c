// The timeline as one programme: its shots end to end, counted in frames from 0. The playhead is a frame of
// a shot's clip; marks (in/out) and export ranges are programme frames.
import { PROXY_FRAMES_MAX, type Clip, type Shot } from '../../../src-main/common/contract';

export interface Playhead {
  shot: Shot;
  /** Frame number within the shot's clip. */
  frame: number;
}

/** In and out marks, programme frames, both included. */
export interface Marks {
  in: number | null;
  out: number | null;
}

/** The marked range that export and render take: an unset mark is the timeline's start or end; null if none is set. */
export function markedRange(m: Marks, total: number): { first: number; last: number } | null {
  if (m.in === null && m.out === null) return null;
  return { first: m.in ?? 0, last: m.out ?? total - 1 };
}

export const shotLength = (s: Shot): number => s.lastFrame - s.firstFrame + 1;

export const programmeLength = (shots: Shot[]): number => shots.reduce((n, s) => n + shotLength(s), 0);

/** Programme frame of the first frame of each shot, in timeline order. */
export function shotStarts(shots: Shot[]): number[] {
  const starts: number[] = [];
  let at = 0;
  for (const s of shots) {
    starts.push(at);
    at += shotLength(s);
  }
  return starts;
}

export function programmeFrame(shots: Shot[], p: Playhead): number {
  let at = 0;
  for (const s of shots) {
    if (s.id === p.shot.id) return at + p.frame - s.firstFrame;
    at += shotLength(s);
  }
  return 0;
}

/** The playhead at a programme frame (clamped to the timeline); null on an empty timeline. */
export function playheadAt(shots: Shot[], frame: number): Playhead | null {
  const total = programmeLength(shots);
  if (total === 0) return null;
  let pos = Math.max(0, Math.min(total - 1, Math.round(frame)));
  for (const s of shots) {
    const len = shotLength(s);
    if (pos < len) return { shot: s, frame: s.firstFrame + pos };
    pos -= len;
  }
  return null;
}

/** The shots between two shots of the timeline, both included (a Shift+click range). */
export function shotsBetween(shots: Shot[], a: string, b: string): string[] {
  const i = shots.findIndex((s) => s.id === a);
  const j = shots.findIndex((s) => s.id === b);
  if (i < 0 || j < 0) return [b];
  return shots.slice(Math.min(i, j), Math.max(i, j) + 1).map((s) => s.id);
}

/** The shape of a clip's proxies: its display aspect where pixels are made square (anamorphic SD), else as stored. */
function pictureAspect(clip: Clip | undefined): number {
  if (!clip || !(clip.width > 0 && clip.height > 0)) return 16 / 9;
  const [n, d] = (clip.probe?.dar ?? '').split(':').map(Number);
  return clip.options?.squarePixels && n > 0 && d > 0 ? n / d : clip.width / clip.height;
}

/**
 * How many pictures fill a strip of this size with the clip's shape (0 before it is laid out); at most
 * PROXY_FRAMES_MAX (deep zoom on a long shot: each is wider).
 */
export function filmstripCount(size: { width: number; height: number } | null, clip: Clip | undefined): number {
  if (!size || size.width <= 0 || size.height <= 0) return 0;
  return Math.min(PROXY_FRAMES_MAX, Math.max(1, Math.round(size.width / (size.height * pictureAspect(clip)))));
}

/** The frame under the middle of each of `count` equal pictures along the shot. */
export function filmstripFrames(shot: Pick<Shot, 'firstFrame' | 'lastFrame'>, count: number): number[] {
  const length = shot.lastFrame - shot.firstFrame + 1;
  return Array.from({ length: count }, (_, i) => shot.firstFrame + Math.floor(((i + 0.5) * length) / count));
}
