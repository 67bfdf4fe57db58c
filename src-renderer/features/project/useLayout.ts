// The project screen's panel sizes, in pixels, remembered in this browser across sessions.
import { useCallback, useState } from 'react';

export interface LayoutSizes {
  /** Shot facts and grade panel, right of the viewer. */
  side: number;
  /** Scopes, at the right edge. */
  scopes: number;
  /** Timeline, at the bottom. */
  timeline: number;
}

const KEY = 'remaster.layout';
export const DEFAULT_LAYOUT: LayoutSizes = { side: 320, scopes: 300, timeline: 132 };
const LIMITS: Record<keyof LayoutSizes, [number, number]> = {
  side: [240, 640],
  scopes: [200, 900],
  timeline: [96, 420],
};

function clamp(key: keyof LayoutSizes, v: number): number {
  const [lo, hi] = LIMITS[key];
  return Math.round(Math.max(lo, Math.min(hi, Number.isFinite(v) ? v : DEFAULT_LAYOUT[key])));
}

function load(): LayoutSizes {
  try {
    const saved = JSON.parse(localStorage.getItem(KEY) ?? '{}') as Partial<LayoutSizes>;
    return {
      side: clamp('side', saved.side ?? DEFAULT_LAYOUT.side),
      scopes: clamp('scopes', saved.scopes ?? DEFAULT_LAYOUT.scopes),
      timeline: clamp('timeline', saved.timeline ?? DEFAULT_LAYOUT.timeline),
    };
  } catch {
    return DEFAULT_LAYOUT; // an unreadable entry is not worth an error: the defaults will do
  }
}

export function useLayout() {
  const [sizes, setSizes] = useState<LayoutSizes>(load);
  const resize = useCallback((key: keyof LayoutSizes, value: number) => {
    setSizes((prev) => {
      const next = { ...prev, [key]: clamp(key, value) };
      localStorage.setItem(KEY, JSON.stringify(next));
      return next;
    });
  }, []);
  return { sizes, resize };
}
