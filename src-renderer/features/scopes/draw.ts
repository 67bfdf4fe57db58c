// Drawing each scope on its canvas: graticule first, then the worker's trace added on top (so a trace on a
// graticule line stays the trace's colour), then labels. Sizes are CSS pixels; the canvas is scaled for DPR.
import { CIE_1931_SPECTRAL_LOCUS } from '../../../src-main/common/colour/cie-locus';
import { CIE_TRIANGLES, CIE_WHITE } from '../../../src-main/common/colour/scopes';
import { codeToX, codeToY, KEY_NITS, nitsGraticule, xyToCanvas, type PlotBox } from './geometry';
import type { Histogram } from './trace';

const BG = '#0b0b0b';
const GRID = 'rgba(255,255,255,0.13)';
const KEY = 'rgba(216,180,143,0.55)';
const LABEL = '#8a8a8a';
const FONT = '9px system-ui, sans-serif';
/** The labels' height in FONT, px. */
const LABEL_HEIGHT = 9;
export const TRIANGLE_COLOURS = {
  bt709: 'rgb(150,150,150)',
  p3: 'rgb(216,170,110)',
  bt2020: 'rgb(110,160,216)',
} as const;
const TRIANGLE_NAMES = { bt709: 'BT.709', p3: 'P3-D65', bt2020: 'BT.2020' } as const;

/** The plot area of a scope on the PQ axis, leaving room for the nits labels on the left. */
export function axisBox(width: number, height: number): PlotBox {
  return { x: 28, y: 6, width: Math.max(1, width - 32), height: Math.max(1, height - 12) };
}

function clear(ctx: CanvasRenderingContext2D, w: number, h: number): void {
  ctx.globalCompositeOperation = 'source-over';
  ctx.fillStyle = BG;
  ctx.fillRect(0, 0, w, h);
  ctx.font = FONT;
}

function title(ctx: CanvasRenderingContext2D, box: PlotBox, text: string): void {
  ctx.fillStyle = LABEL;
  ctx.textAlign = 'right';
  ctx.textBaseline = 'top';
  ctx.fillText(text, box.x + box.width - 3, box.y + 2);
}

/** Which labels to write where lines lie close: diffuse white first, then the other key levels, then the rest. */
const LABEL_PRIORITY = [203, 1000, 100];

/**
 * The graticule's labels that fit along an axis without touching: `at` is a label's centre along it and `extent`
 * its size along it (px). Keeps the more important of two that would collide.
 */
export function labelsThatFit<T extends { nits: number }>(
  ticks: readonly T[],
  at: (t: T) => number,
  extent: (t: T) => number,
  gap = 3,
): T[] {
  const rank = (t: T) => {
    const i = LABEL_PRIORITY.indexOf(t.nits);
    return i < 0 ? LABEL_PRIORITY.length : i;
  };
  const placed: { from: number; to: number }[] = [];
  const kept: T[] = [];
  for (const t of [...ticks].sort((a, b) => rank(a) - rank(b))) {
    const from = at(t) - extent(t) / 2 - gap,
      to = at(t) + extent(t) / 2 + gap;
    if (placed.some((p) => from < p.to && to > p.from)) continue;
    placed.push({ from, to });
    kept.push(t);
  }
  return kept;
}

/** Horizontal nits lines and their labels down the left edge. */
function nitsScale(ctx: CanvasRenderingContext2D, box: PlotBox): void {
  ctx.textAlign = 'right';
  ctx.textBaseline = 'middle';
  const ticks = nitsGraticule();
  const y = (t: (typeof ticks)[number]) => Math.round(codeToY(t.code, box)) + 0.5;
  for (const t of ticks) {
    const key = KEY_NITS.includes(t.nits);
    ctx.strokeStyle = key ? KEY : GRID;
    ctx.setLineDash(t.nits === 203 ? [4, 3] : []);
    ctx.beginPath();
    ctx.moveTo(box.x, y(t));
    ctx.lineTo(box.x + box.width, y(t));
    ctx.stroke();
  }
  ctx.setLineDash([]);
  for (const t of labelsThatFit(ticks, y, () => LABEL_HEIGHT)) {
    ctx.fillStyle = KEY_NITS.includes(t.nits) ? 'rgb(216,180,143)' : LABEL;
    ctx.fillText(t.label, box.x - 3, y(t));
  }
}

function trace(ctx: CanvasRenderingContext2D, img: CanvasImageSource, box: PlotBox, smooth = true): void {
  ctx.globalCompositeOperation = 'lighter';
  ctx.imageSmoothingEnabled = smooth;
  ctx.drawImage(img, box.x, box.y, box.width, box.height);
  ctx.globalCompositeOperation = 'source-over';
}

export function drawWaveform(
  ctx: CanvasRenderingContext2D,
  w: number,
  h: number,
  img: CanvasImageSource | null,
): PlotBox {
  const box = axisBox(w, h);
  clear(ctx, w, h);
  nitsScale(ctx, box);
  if (img) trace(ctx, img, box);
  title(ctx, box, 'Luma · nits');
  return box;
}

export function drawParade(
  ctx: CanvasRenderingContext2D,
  w: number,
  h: number,
  img: CanvasImageSource | null,
): PlotBox {
  const box = axisBox(w, h);
  clear(ctx, w, h);
  nitsScale(ctx, box);
  if (img) trace(ctx, img, box);
  ctx.strokeStyle = 'rgba(255,255,255,0.25)';
  for (const k of [1, 2]) {
    const x = Math.round(box.x + (box.width * k) / 3) + 0.5;
    ctx.beginPath();
    ctx.moveTo(x, box.y);
    ctx.lineTo(x, box.y + box.height);
    ctx.stroke();
  }
  title(ctx, box, 'R  G  B · nits');
  return box;
}

/** Histogram: code values left to right with the nits ticks, luma filled, R G B as lines. */
export function drawHistogram(ctx: CanvasRenderingContext2D, w: number, h: number, hist: Histogram | null): PlotBox {
  const box = { x: 6, y: 6, width: Math.max(1, w - 12), height: Math.max(1, h - 20) };
  clear(ctx, w, h);
  ctx.textAlign = 'center';
  ctx.textBaseline = 'top';
  const ticks = nitsGraticule();
  const x = (t: (typeof ticks)[number]) => Math.round(codeToX(t.code, box)) + 0.5;
  for (const t of ticks) {
    ctx.strokeStyle = KEY_NITS.includes(t.nits) ? KEY : GRID;
    ctx.beginPath();
    ctx.moveTo(x(t), box.y);
    ctx.lineTo(x(t), box.y + box.height);
    ctx.stroke();
  }
  const labelX = (t: (typeof ticks)[number]) => Math.min(Math.max(x(t), box.x + 6), box.x + box.width - 8);
  for (const t of labelsThatFit(ticks, labelX, (t) => ctx.measureText(t.label).width)) {
    ctx.fillStyle = KEY_NITS.includes(t.nits) ? 'rgb(216,180,143)' : LABEL;
    ctx.fillText(t.label, labelX(t), box.y + box.height + 3);
  }
  if (hist) {
    const y = (v: number) => box.y + box.height - v * box.height;
    const path = (a: Float32Array) => {
      ctx.beginPath();
      ctx.moveTo(codeToX(0, box), y(a[0]));
      for (let i = 1; i < a.length; i++) ctx.lineTo(codeToX(i, box), y(a[i]));
    };
    path(hist.luma);
    ctx.lineTo(codeToX(hist.luma.length - 1, box), box.y + box.height);
    ctx.lineTo(codeToX(0, box), box.y + box.height);
    ctx.fillStyle = 'rgba(220,220,220,0.35)';
    ctx.fill();
    ctx.globalCompositeOperation = 'lighter';
    for (const [a, c] of [
      [hist.red, 'rgba(255,90,80,0.8)'],
      [hist.green, 'rgba(90,255,110,0.8)'],
      [hist.blue, 'rgba(100,140,255,0.8)'],
    ] as const) {
      path(a);
      ctx.strokeStyle = c;
      ctx.stroke();
    }
    ctx.globalCompositeOperation = 'source-over';
  }
  title(ctx, box, 'Histogram · nits');
  return box;
}

/** CIE 1931 xy: the density, the BT.709, P3-D65 and BT.2020 triangles, D65, with x and y ticks. */
export function drawCie(ctx: CanvasRenderingContext2D, w: number, h: number, img: CanvasImageSource | null): PlotBox {
  clear(ctx, w, h);
  // Equal scale on both axes (xMax 0.8, yMax 0.9), as large as fits beside the labels.
  const unit = Math.max(1, Math.min((w - 26) / 0.8, (h - 18) / 0.9));
  const box = { x: Math.max(20, (w - unit * 0.8) / 2), y: 4, width: unit * 0.8, height: unit * 0.9 };
  ctx.strokeStyle = GRID;
  ctx.fillStyle = LABEL;
  for (let v = 0; v <= 0.8001; v += 0.1) {
    const [x] = xyToCanvas(v, 0, box);
    ctx.beginPath();
    ctx.moveTo(Math.round(x) + 0.5, box.y);
    ctx.lineTo(Math.round(x) + 0.5, box.y + box.height);
    ctx.stroke();
    ctx.textAlign = 'center';
    ctx.textBaseline = 'top';
    if (Math.round(v * 10) % 2 === 0) ctx.fillText(v.toFixed(1), x, box.y + box.height + 2);
  }
  for (let v = 0; v <= 0.9001; v += 0.1) {
    const [, y] = xyToCanvas(0, v, box);
    ctx.beginPath();
    ctx.moveTo(box.x, Math.round(y) + 0.5);
    ctx.lineTo(box.x + box.width, Math.round(y) + 0.5);
    ctx.stroke();
    ctx.textAlign = 'right';
    ctx.textBaseline = 'middle';
    if (Math.round(v * 10) % 2 === 0) ctx.fillText(v.toFixed(1), box.x - 3, y);
  }
  // The spectral locus and the line of purples: the edge of all colour, around the triangles.
  ctx.strokeStyle = 'rgba(255,255,255,0.45)';
  ctx.beginPath();
  CIE_1931_SPECTRAL_LOCUS.forEach(([lx, ly], i) => {
    const [x, y] = xyToCanvas(lx, ly, box);
    if (i === 0) ctx.moveTo(x, y);
    else ctx.lineTo(x, y);
  });
  ctx.closePath();
  ctx.stroke();
  ctx.lineWidth = 1.25;
  for (const k of ['bt2020', 'p3', 'bt709'] as const) {
    ctx.strokeStyle = TRIANGLE_COLOURS[k];
    ctx.beginPath();
    CIE_TRIANGLES[k].forEach((p, i) => {
      const [x, y] = xyToCanvas(p.x, p.y, box);
      if (i === 0) ctx.moveTo(x, y);
      else ctx.lineTo(x, y);
    });
    ctx.closePath();
    ctx.stroke();
  }
  ctx.lineWidth = 1;
  const [wx, wy] = xyToCanvas(CIE_WHITE.x, CIE_WHITE.y, box);
  ctx.strokeStyle = 'rgba(255,255,255,0.5)';
  ctx.strokeRect(wx - 2.5, wy - 2.5, 5, 5);
  if (img) trace(ctx, img, box, false); // bins stay points
  ctx.textAlign = 'right';
  ctx.textBaseline = 'top';
  const right = Math.min(w - 3, box.x + box.width + 150);
  ctx.fillStyle = LABEL;
  ctx.fillText('CIE 1931 xy', right, box.y + 2);
  (['bt709', 'p3', 'bt2020'] as const).forEach((k, i) => {
    ctx.fillStyle = TRIANGLE_COLOURS[k];
    ctx.fillText(TRIANGLE_NAMES[k], right, box.y + 14 + i * 11);
  });
  return box;
}
