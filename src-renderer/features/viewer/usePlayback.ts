// Real-time playback from the proxies: the frame to show is computed from the wall clock (start frame +
// elapsed · rate · speed), so a slow frame is dropped rather than delaying every later one. Space plays and
// pauses; J/K/L shuttle (L forward, again faster; J the same backward; K stops).
import { useEffect, useRef, useState } from 'react';
import type { Clip } from '../../../src-main/common/contract';
import { frameRateValue } from '../../../src-main/common/timecode';

const SPEEDS = [1, 2, 4, 8];

/** The next shuttle speed for a key (frames of clip time per frame of wall time; negative plays backward). */
export function shuttle(speed: number, key: 'j' | 'k' | 'l' | ' '): number {
  if (key === 'k') return 0;
  if (key === ' ') return speed === 0 ? 1 : 0;
  const dir = key === 'l' ? 1 : -1;
  if (Math.sign(speed) !== dir) return dir;
  const i = SPEEDS.indexOf(Math.abs(speed));
  return dir * SPEEDS[Math.min(i + 1, SPEEDS.length - 1)];
}

/** The frame due at `elapsedMs` after starting at `startFrame`, clamped to the clip. */
export function frameAt(startFrame: number, elapsedMs: number, fps: number, speed: number, frameCount: number): number {
  const f = startFrame + Math.floor((elapsedMs / 1000) * fps * Math.abs(speed)) * Math.sign(speed);
  return Math.min(Math.max(f, 0), Math.max(frameCount - 1, 0));
}

// Keys typed into a field, a slider or a dialog are theirs, not the transport's.
function keyBelongsToFocus(target: EventTarget | null): boolean {
  const el = target as HTMLElement | null;
  if (!el || typeof el.closest !== 'function') return false;
  if (el.isContentEditable) return true;
  return !!el.closest(
    'input:not([type="checkbox"]):not([type="radio"]):not([type="button"]), textarea, select, [role="slider"], [role="combobox"], [role="listbox"], [role="menu"], [role="dialog"]',
  );
}

// The keys own the speed: nothing outside sets it (an echo of it through a parent once restarted playback that
// had just stopped at the end, leaving "▶ 1×" on screen and nothing moving).
export function usePlayback(clip: Clip | null, frame: number | null, onSeek?: (frame: number) => void) {
  const [speed, setSpeed] = useState(0);
  const latest = useRef({ frame, onSeek });
  latest.current = { frame, onSeek };

  useEffect(() => {
    const onKey = (e: KeyboardEvent) => {
      if (e.ctrlKey || e.metaKey || e.altKey || keyBelongsToFocus(e.target)) return;
      const k = e.key.toLowerCase();
      if (k !== ' ' && k !== 'j' && k !== 'k' && k !== 'l') return;
      e.preventDefault();
      setSpeed((s) => shuttle(s, k));
    };
    window.addEventListener('keydown', onKey);
    return () => window.removeEventListener('keydown', onKey);
  }, []);

  useEffect(() => {
    if (!clip || speed === 0 || latest.current.frame === null) return;
    const fps = frameRateValue(clip.frameRate);
    const start = latest.current.frame;
    const t0 = performance.now();
    let raf = 0;
    let last = start;
    const tick = () => {
      const f = frameAt(start, performance.now() - t0, fps, speed, clip.frameCount);
      if (f !== last) {
        last = f;
        latest.current.onSeek?.(f);
      }
      const atEnd = (speed > 0 && f >= clip.frameCount - 1) || (speed < 0 && f <= 0);
      if (atEnd) setSpeed(0);
      else raf = requestAnimationFrame(tick);
    };
    raf = requestAnimationFrame(tick);
    return () => cancelAnimationFrame(raf);
  }, [clip, speed]);

  return { speed, setSpeed };
}
