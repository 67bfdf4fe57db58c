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
/** Scopes' width at which they sit two by two, all four in sight (Scopes' 520 px and a scroll bar). */
const SCOPES_GRID = 540;

/**
 * The sizes a layout starts from, and returns to on a double-click: on a screen wide enough to spare it (1800
 * px: a 1920 display), the scopes panel is wide enough to show all four scopes at once.
 */
export function defaultLayout(viewportWidth = typeof window === 'undefined' ? 0 : window.innerWidth): LayoutSizes {
  return { side: 320, scopes: viewportWidth >= 1800 ? SCOPES_GRID : 300, timeline: 132 };
}
const LIMITS: Record<keyof LayoutSizes, [number, number]> = {
  side: [240, 640],
  scopes: [200, 900],
  timeline: [96, 420],
};

function clamp(key: keyof LayoutSizes, v: number): number {
  const [lo, hi] = LIMITS[key];
  return Math.round(Math.max(lo, Math.min(hi, Number.isFinite(v) ? v : defaultLayout()[key])));
}

function load(): LayoutSizes {
  try {
    const saved = JSON.parse(localStorage.getItem(KEY) ?? '{}') as Partial<LayoutSizes>;
    const start = defaultLayout();
    return {
      side: clamp('side', saved.side ?? start.side),
      scopes: clamp('scopes', saved.scopes ?? start.scopes),
      timeline: clamp('timeline', saved.timeline ?? start.timeline),
    };
  } catch {
    return defaultLayout(); // an unreadable entry is not worth an error: the defaults will do
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
