// The integrated review screen in Chromium against a real core and headless host: open a project, wait for its
// import, and read what the colorist sees (viewer canvas pixels, waveform trace rows, scope readouts).
// Shared by test/e2e/review.test.ts and test/bench/review.bench.ts.
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import type { Browser, Page } from 'playwright';
import type { Core } from '../../src-main/core';
import type { RunningHost } from '../../src-main/host/server';
import type { GradeState, ProjectDetail, Shot } from '../../src-main/common/contract';
import { appRoot } from '../../src-main/core/paths';
import { chromiumAvailable, launchChromium } from './browser';
import { startHost, tempDir, testCore } from './core';

export const DEMO = join(appRoot(), 'assets', 'demo', 'demo.mp4');

/** Why the review screen's tests cannot run here, or false. */
export const reviewSkip: string | false = !chromiumAvailable()
  ? 'Debian chromium is not installed'
  : !existsSync(DEMO)
    ? 'demo clip missing'
    : !existsSync(join(appRoot(), '.build', 'renderer', 'index.html'))
      ? 'renderer not built (npm run build)'
      : false;

export interface ReviewApp {
  core: Core;
  host: RunningHost;
  browser: Browser;
  page: Page;
  /** Page errors, console errors and pixel-buffer readback warnings, in order. */
  errors: string[];
  dataDir: string;
  demoProjectId: string;
  close(): Promise<void>;
}

export async function waitForJobs(core: Core, projectId: string, timeoutMs = 120_000): Promise<void> {
  const end = Date.now() + timeoutMs;
  for (;;) {
    const jobs = await core.dispatch('jobs.list', { projectId, activeOnly: true });
    if (jobs.ok && (jobs.value as unknown[]).length === 0) return;
    if (Date.now() > end) throw new Error(`jobs of ${projectId} still running after ${timeoutMs} ms`);
    await new Promise((r) => setTimeout(r, 250));
  }
}

/** Starts core + host + Chromium on a fresh library with the demo project, and waits for its import to finish. */
/** `rendererDir`: serve another build of the renderer (the bench times a baseline build beside the current one). */
export async function openReviewApp(
  viewport = { width: 1400, height: 860 },
  opts: { rendererDir?: string } = {},
): Promise<ReviewApp> {
  const tmp = tempDir('remaster-review-');
  const dataDir = join(tmp.dir, 'data');
  const core = testCore(dataDir, { demo: true, mediaRoots: [tmp.dir] });
  const host = await startHost({ core, port: 0, rendererDir: opts.rendererDir });
  const browser = await launchChromium();
  const page = await browser.newPage({ viewport });
  const errors: string[] = [];
  page.on('pageerror', (e) => errors.push(`pageerror: ${e.message}`));
  page.on('console', (m) => {
    if (m.type() === 'error') errors.push(`console: ${m.text()}`);
    // Chromium's readback warnings mean a pixel buffer was used in a way that stalls the pipeline.
    else if (m.type() === 'warning' && m.text().includes('READ-usage buffer')) errors.push(`console: ${m.text()}`);
  });
  await page.goto(host.url);
  await page.getByTestId('project-name-title').filter({ hasText: 'Demo project' }).waitFor({ timeout: 20_000 });
  const list = await core.dispatch('library.listProjects', {});
  if (!list.ok) throw new Error(JSON.stringify(list));
  const demoProjectId = (list.value as { id: string; isDemo: boolean }[]).find((p) => p.isDemo)!.id;
  await waitForJobs(core, demoProjectId);
  const n = (await projectShots(core, demoProjectId)).length;
  await page.waitForFunction((k) => document.querySelectorAll('[data-testid="timeline-shot"]').length === k, n, {
    timeout: 30_000,
  });
  return {
    core,
    host,
    browser,
    page,
    errors,
    dataDir: tmp.dir,
    demoProjectId,
    close: async () => {
      await browser.close();
      await host.close();
      await core.close();
      tmp.cleanup();
    },
  };
}

export async function projectShots(core: Core, projectId: string): Promise<Shot[]> {
  const r = await core.dispatch('library.getProject', { projectId });
  if (!r.ok) throw new Error(JSON.stringify(r));
  return [...(r.value as ProjectDetail).shots].sort((a, b) => a.order - b.order);
}

export async function gradeOf(core: Core, shotId: string): Promise<GradeState> {
  const r = await core.dispatch('grades.get', { shotId });
  if (!r.ok) throw new Error(JSON.stringify(r));
  return r.value as GradeState;
}

/** Polls until `check` holds (10 s by default). */
export async function until(check: () => Promise<boolean>, what: string, timeoutMs = 10_000): Promise<void> {
  const end = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 25));
  }
}

/** The viewer canvas's RGBA pixels at canvas-fraction points, after two animation frames (a 2D copy of WebGL). */
export async function viewerPixels(page: Page, points: [number, number][]): Promise<number[][]> {
  await page.evaluate(() => new Promise((r) => requestAnimationFrame(() => requestAnimationFrame(r))));
  return page.evaluate((pts) => {
    const c = document.querySelector('[data-testid="viewer-canvas"]') as HTMLCanvasElement;
    const copy = document.createElement('canvas');
    copy.width = c.width;
    copy.height = c.height;
    const g = copy.getContext('2d')!;
    g.drawImage(c, 0, 0);
    return pts.map(([x, y]) =>
      Array.from(g.getImageData(Math.floor(x * c.width), Math.floor(y * c.height), 1, 1).data),
    );
  }, points);
}

export type Plot = { x: number; y: number; width: number; height: number };

/** A scope canvas's plot area in canvas pixels (its data-plot attribute). */
export async function scopePlot(page: Page, scope: string): Promise<Plot> {
  const s = await page.locator(`[data-testid="scopes-panel"] [data-testid="scope-${scope}"]`).getAttribute('data-plot');
  const [x, y, width, height] = s!.split(',').map(Number);
  return { x, y, width, height };
}

/** The scopes' vertical axis: 10-bit narrow-range codes 0 (bottom) to 1023 (top). */
export const codeAtY = (p: Plot, y: number) => 1023 - ((y - p.y) / p.height) * 1023;
export const yOfCode = (p: Plot, code: number) => p.y + ((1023 - code) / 1023) * p.height;

/**
 * The highest code a waveform (or parade) trace reaches between canvas-fraction columns x0..x1 of its plot.
 * Trace pixels are green-dominant (graticule lines are grey or amber, labels sit outside the plot, the title is
 * at the right end of the top rows, so keep x1 below 0.7).
 */
export async function traceTopCode(page: Page, scope: string, x0 = 0, x1 = 0.7): Promise<number | null> {
  const plot = await scopePlot(page, scope);
  const y = await page.evaluate(
    ({ sel, plot, x0, x1 }) => {
      const c = document.querySelector(sel) as HTMLCanvasElement;
      const d = c.getContext('2d')!.getImageData(0, 0, c.width, c.height).data;
      const xa = Math.ceil(plot.x + x0 * plot.width),
        xb = Math.floor(plot.x + x1 * plot.width);
      for (let y = Math.ceil(plot.y); y < plot.y + plot.height; y++)
        for (let x = xa; x < xb; x++) {
          const i = (y * c.width + x) * 4;
          if (d[i + 1] >= 50 && d[i + 1] >= d[i] + 8 && d[i + 1] >= d[i + 2] + 8) return y;
        }
      return null;
    },
    { sel: `[data-testid="scopes-panel"] [data-testid="scope-${scope}"]`, plot, x0, x1 },
  );
  return y === null ? null : codeAtY(plot, y);
}

/** Per point, the largest R, G, B and min(R,G,B) over a (2r+1)² window of a scope canvas. */
export async function scopePeaks(
  page: Page,
  scope: string,
  points: [number, number][],
  r: number,
): Promise<{ r: number; g: number; b: number; white: number }[]> {
  return page.evaluate(
    ({ sel, points, r }) => {
      const c = document.querySelector(sel) as HTMLCanvasElement;
      const d = c.getContext('2d')!.getImageData(0, 0, c.width, c.height).data;
      return points.map(([px, py]) => {
        const m = { r: 0, g: 0, b: 0, white: 0 };
        for (let y = Math.round(py) - r; y <= Math.round(py) + r; y++)
          for (let x = Math.round(px) - r; x <= Math.round(px) + r; x++) {
            const i = (y * c.width + x) * 4;
            m.r = Math.max(m.r, d[i]);
            m.g = Math.max(m.g, d[i + 1]);
            m.b = Math.max(m.b, d[i + 2]);
            m.white = Math.max(m.white, Math.min(d[i], d[i + 1], d[i + 2]));
          }
        return m;
      });
    },
    { sel: `[data-testid="scopes-panel"] [data-testid="scope-${scope}"]`, points, r },
  );
}

/** A scopes readout's value ("max 142 nits" -> 142, "709 0.3 %" -> 0.3), or null while it shows "–". */
export async function readoutNumber(page: Page, testId: string): Promise<number | null> {
  const t = await page.locator(`[data-testid="scopes-panel"] [data-testid="${testId}"]`).innerText();
  const m = /(-?[\d.]+) (nits|%)/.exec(t);
  return m ? Number(m[1]) : null;
}

/** The viewer's caption lines. */
export const caption = (page: Page) => page.getByTestId('viewer-caption').innerText();
