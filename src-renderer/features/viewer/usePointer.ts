// The viewer's pointer and zoom keys: drag pans (or moves the wipe divider when grabbed near it), the wheel
// zooms about the pointer, F fits, Z shows one source pixel per screen pixel. Also the canvas's size.
import { useCallback, useEffect, useRef, useState, type PointerEvent, type WheelEvent } from 'react';
import type { ViewerSettings } from './ViewerToolbar';
import { FIT, zoomAt, type Rect, type Zoom } from './view';

export function useCanvasSize() {
  const [size, setSize] = useState({ w: 640, h: 360, dpr: 1 });
  const observer = useRef<ResizeObserver | null>(null);
  const box = useCallback((el: HTMLDivElement | null) => {
    observer.current?.disconnect();
    if (!el) return;
    const measure = () => {
      const dpr = window.devicePixelRatio || 1;
      const w = Math.max(16, Math.round(el.clientWidth * dpr)),
        h = Math.max(16, Math.round(el.clientHeight * dpr));
      setSize((s) => (s.w === w && s.h === h && s.dpr === dpr ? s : { w, h, dpr }));
    };
    observer.current = new ResizeObserver(measure);
    observer.current.observe(el);
    measure();
  }, []);
  return { box, size };
}

interface Args {
  settings: ViewerSettings;
  zoom: Zoom;
  setZoom(z: Zoom): void;
  wipe: number;
  setWipe(w: number): void;
  size: { w: number; h: number };
  rect: Rect;
  imageW: number;
  dpr: number;
}

export function usePointer(a: Args) {
  const drag = useRef<{ kind: 'pan' | 'wipe'; x: number; y: number; zoom: Zoom } | null>(null);
  const latest = useRef(a);
  latest.current = a;

  useEffect(() => {
    const onKey = (e: KeyboardEvent) => {
      const el = e.target as HTMLElement | null;
      if (
        e.ctrlKey ||
        e.metaKey ||
        e.altKey ||
        el?.closest?.('input, textarea, select, [role="slider"], [role="dialog"]')
      )
        return;
      if (e.key === 'f' || e.key === 'F') latest.current.setZoom(FIT);
      else if (e.key === 'z' || e.key === 'Z') latest.current.setZoom({ scale: 1, panX: 0, panY: 0 });
    };
    window.addEventListener('keydown', onKey);
    return () => window.removeEventListener('keydown', onKey);
  }, []);

  const local = (e: { clientX: number; clientY: number; currentTarget: Element }) => {
    const b = e.currentTarget.getBoundingClientRect();
    return { x: (e.clientX - b.left) * a.dpr, y: (e.clientY - b.top) * a.dpr };
  };

  return {
    onPointerDown(e: PointerEvent<HTMLDivElement>) {
      if ((e.target as HTMLElement).tagName !== 'CANVAS') return;
      const p = local(e);
      const nearWipe = a.settings.mode === 'wipe' && Math.abs(p.x - a.wipe * a.size.w) < 12 * a.dpr;
      // Pan from where the picture is now, fit included.
      const from = a.zoom.scale === null ? { scale: a.rect.w / a.imageW, panX: 0, panY: 0 } : a.zoom;
      drag.current = { kind: nearWipe ? 'wipe' : 'pan', x: p.x, y: p.y, zoom: from };
      e.currentTarget.setPointerCapture(e.pointerId);
      if (drag.current.kind === 'wipe') a.setWipe(Math.min(Math.max(p.x / a.size.w, 0), 1));
    },
    onPointerMove(e: PointerEvent<HTMLDivElement>) {
      const d = drag.current;
      if (!d) return;
      const p = local(e);
      if (d.kind === 'wipe') a.setWipe(Math.min(Math.max(p.x / a.size.w, 0), 1));
      else a.setZoom({ scale: d.zoom.scale, panX: d.zoom.panX + p.x - d.x, panY: d.zoom.panY + p.y - d.y });
    },
    onPointerUp() {
      drag.current = null;
    },
    onWheel(e: WheelEvent<HTMLDivElement>) {
      const p = local(e);
      const areaW = a.settings.mode === 'side' ? a.size.w / 2 : a.size.w;
      const x = a.settings.mode === 'side' && p.x >= areaW ? p.x - areaW : p.x;
      a.setZoom(zoomAt(a.rect, a.imageW, areaW, a.size.h, Math.pow(2, -e.deltaY / 500), x, p.y));
    },
  };
}
