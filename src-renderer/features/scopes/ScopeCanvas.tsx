// A canvas as wide as its cell, drawn at the screen's pixel density. Its plot area is written to
// data-plot (canvas pixels: x,y,width,height) so a test can read the trace against the axis.
import { useEffect, useRef, useState } from 'react';
import type { PlotBox } from './geometry';

export type Draw = (ctx: CanvasRenderingContext2D, width: number, height: number) => PlotBox;

export function ScopeCanvas({
  draw,
  aspect,
  testId,
  label,
}: {
  draw: Draw;
  aspect: number;
  testId: string;
  label: string;
}) {
  const ref = useRef<HTMLCanvasElement | null>(null);
  const [width, setWidth] = useState(0);

  useEffect(() => {
    const el = ref.current;
    if (!el) return;
    const ro = new ResizeObserver(([e]) => setWidth(Math.floor(e.contentRect.width)));
    ro.observe(el);
    return () => ro.disconnect();
  }, []);

  const height = Math.round(width * aspect);
  useEffect(() => {
    const el = ref.current;
    const ctx = el?.getContext('2d');
    if (!el || !ctx || width === 0) return;
    const dpr = window.devicePixelRatio || 1;
    el.width = Math.round(width * dpr);
    el.height = Math.round(height * dpr);
    ctx.setTransform(dpr, 0, 0, dpr, 0, 0);
    const b = draw(ctx, width, height);
    el.dataset.plot = [b.x, b.y, b.width, b.height].map((v) => (v * dpr).toFixed(2)).join(',');
  }, [draw, width, height]);

  return (
    <canvas
      ref={ref}
      data-testid={testId}
      aria-label={label}
      role="img"
      style={{ display: 'block', width: '100%', height }}
    />
  );
}
