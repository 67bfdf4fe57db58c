// Where the picture sits in the canvas: fit, or a zoom (1 = one source pixel per device pixel) with a pan.
// Side by side gives each picture one half of the canvas. Everything is in device pixels, top-down.
import type { ViewMode } from './pipeline';

export interface Zoom {
  /** null = fit; otherwise device pixels per source pixel. */
  scale: number | null;
  /** Offset of the picture's centre from the area's centre, device pixels. */
  panX: number;
  panY: number;
}

export const FIT: Zoom = { scale: null, panX: 0, panY: 0 };

export interface Rect {
  x: number;
  y: number;
  w: number;
  h: number;
}

/** The picture's rectangle within its area (the canvas, or one half of it side by side). */
export function imageRect(
  canvasW: number,
  canvasH: number,
  imageW: number,
  imageH: number,
  mode: ViewMode,
  zoom: Zoom,
): Rect {
  const areaW = mode === 'side' ? canvasW / 2 : canvasW;
  const s = zoom.scale ?? Math.min(areaW / imageW, canvasH / imageH);
  const w = imageW * s,
    h = imageH * s;
  return { x: (areaW - w) / 2 + zoom.panX, y: (canvasH - h) / 2 + zoom.panY, w, h };
}

/** Zoom by `factor` about a point of the area (device pixels) so the source pixel under it stays there. */
export function zoomAt(
  current: Rect,
  imageW: number,
  areaW: number,
  areaH: number,
  factor: number,
  atX: number,
  atY: number,
): Zoom {
  const scale = Math.min(Math.max((current.w / imageW) * factor, 1 / 16), 16);
  const f = scale / (current.w / imageW);
  const w = current.w * f,
    h = current.h * f;
  const x = atX - (atX - current.x) * f,
    y = atY - (atY - current.y) * f;
  return { scale, panX: x - (areaW - w) / 2, panY: y - (areaH - h) / 2 };
}
