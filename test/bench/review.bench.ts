// The review screen's responsiveness in Chromium (software WebGL2: SwiftShader, no GPU), on the demo project
// (1280x720 source, JPEG scrub proxies), through the integrated app served by the real headless host.
//
// Scrub latency: Right arrow -> the viewer canvas shows a new picture. The viewer exposes no "painted" signal,
// so a page probe polls the canvas once per animation frame (a 64x36 2D copy of the WebGL canvas, which keeps
// its drawing buffer) and stamps the first frame whose pixels differ; key presses come from inside the page
// (a dispatched keydown) so Playwright's round trip is not counted. Baseline: fetching that frame's proxy JPEG
// alone (fetch + blob, same page, same host), and with its decode (createImageBitmap).
// Scopes rate: scopes readout mutations per second while the same scrub runs at one key per animation frame.
// Grade -> repaint: diffuse white typed into the grade panel's field (Enter) -> canvas pixels changed.
import { join } from 'node:path';
import type { Page } from 'playwright';
import type { BenchContext } from './run';
import { chromiumAvailable } from '../helpers/browser';
import { DEMO, openReviewApp, projectShots } from '../helpers/review-app';
import { existsSync } from 'node:fs';
import { loadavg } from 'node:os';
import { appRoot } from '../../src-main/core/paths';

const PRESSES = 60;
const pct = (v: number[], p: number) => {
  const s = [...v].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.floor(p * s.length))];
};

/**
 * Installs the probe: `window.__timePaint(act)` runs `act` and resolves with ms from it to the first animation
 * frame whose canvas differs (or -1 after 3 s). A script string, not a function: tsx's named-function helper
 * (__name) does not exist in the page.
 */
const PROBE = `
(() => {
  const copy = document.createElement('canvas');
  copy.width = 64;
  copy.height = 36;
  const g = copy.getContext('2d', { willReadFrequently: true });
  const snap = () => {
    g.drawImage(document.querySelector('[data-testid="viewer-canvas"]'), 0, 0, 64, 36);
    return g.getImageData(0, 0, 64, 36).data;
  };
  const differs = (a, b) => {
    for (let i = 0; i < a.length; i++) if (Math.abs(a[i] - b[i]) > 2) return true;
    return false;
  };
  const canvas = () => document.querySelector('[data-testid="viewer-canvas"]');
  window.__timePaint = (act) =>
    new Promise((resolve) => {
      const before = snap();
      const t0 = performance.now();
      act();
      const tick = () => {
        if (differs(before, snap())) return resolve(performance.now() - t0);
        if (performance.now() - t0 > 3000) return resolve(-1);
        requestAnimationFrame(tick);
      };
      requestAnimationFrame(tick);
    });
  // The same, then on to the first frame painted from the full-resolution grade (the viewer marks a draft
  // grade data-graded="draft" on its canvas; a build without drafts never does).
  window.__timeFull = (act) =>
    new Promise((resolve) => {
      const before = snap();
      const t0 = performance.now();
      let first = -1;
      act();
      const tick = () => {
        const now = performance.now() - t0;
        if (first < 0 && differs(before, snap())) first = now;
        if (first >= 0 && canvas().dataset.graded !== 'draft') return resolve({ first, full: now });
        if (now > 5000) return resolve({ first, full: -1 });
        requestAnimationFrame(tick);
      };
      requestAnimationFrame(tick);
    });
  window.__key = (key) => window.dispatchEvent(new KeyboardEvent('keydown', { key, bubbles: true }));
})();
`;
async function installProbe(page: Page): Promise<void> {
  await page.evaluate(PROBE); // a string runs over CDP, outside the page CSP (which forbids inline scripts)
}

export default async function (ctx: BenchContext): Promise<void> {
  if (!chromiumAvailable() || !existsSync(DEMO) || !existsSync(join(appRoot(), '.build', 'renderer', 'index.html'))) {
    console.log('  skipped: needs /usr/bin/chromium, the demo clip and a built renderer (npm run build)');
    return;
  }
  console.log(
    "  note: this machine's Chromium renders WebGL2 in software (SwiftShader, --disable-gpu); a GPU is faster",
  );
  console.log(
    `  load average ${loadavg()
      .map((v) => v.toFixed(2))
      .join(' ')} (figures are noisy when other work shares the cores)`,
  );
  // REVIEW_BENCH_RENDERER=DIR times another renderer build (e.g. the last commit's) against the same host and
  // machine state, so a change can be compared within one session.
  const rendererDir = process.env.REVIEW_BENCH_RENDERER;
  if (rendererDir) console.log(`  renderer: ${rendererDir}`);
  const app = await openReviewApp({ width: 1400, height: 860 }, { rendererDir });
  const { page, core } = app;
  try {
    const shots = await projectShots(core, app.demoProjectId);
    const detail = await core.dispatch('library.getProject', { projectId: app.demoProjectId });
    const clip = (detail as { ok: true; value: { clips: { id: string; width: number; height: number }[] } }).value
      .clips[0];
    await installProbe(page);
    await page.evaluate(() => (document.activeElement as HTMLElement | null)?.blur());
    await page.keyboard.press('Home');
    await page.waitForTimeout(1500);
    // The canvas's drawing buffer at rest (device pixels; smaller while the proxy or a grade draft is drawn).
    const canvasSize = await page.evaluate(() => {
      const c = document.querySelector('[data-testid="viewer-canvas"]') as HTMLCanvasElement;
      return `${c.width}x${c.height}`;
    });

    // Scrub latency: one press at a time, each waited for (a frame the proxy already had is a cache hit in
    // the browser only if fetched before; each press here is a new frame).
    const lat: number[] = [];
    let missed = 0;
    for (let i = 0; i < PRESSES; i++) {
      const ms = await page.evaluate(() => {
        const w = window as unknown as { __timePaint(a: () => void): Promise<number>; __key(k: string): void };
        return w.__timePaint(() => w.__key('ArrowRight'));
      });
      if (ms < 0) missed++;
      else lat.push(ms);
    }

    // Baseline: the same frames' proxy JPEGs fetched alone from the page (path from the core, as the renderer asks).
    const token = new URL(app.host.url).searchParams.get('token')!;
    const urls: string[] = [];
    for (let f = shots[0].firstFrame + 1; f <= shots[0].firstFrame + PRESSES; f++) {
      const r = await core.dispatch('media.proxyFrame', { clipId: clip.id, frame: f });
      const path = r.ok ? (r.value as { path: string | null }).path : null;
      if (path) urls.push(`/media/${encodeURIComponent(path)}?token=${encodeURIComponent(token)}`);
    }
    const base = await page.evaluate(async (list) => {
      const fetchOnly: number[] = [],
        withDecode: number[] = [];
      for (const u of list) {
        const t0 = performance.now();
        const blob = await (await fetch(u, { cache: 'no-store' })).blob();
        const t1 = performance.now();
        (await createImageBitmap(blob, { colorSpaceConversion: 'none', premultiplyAlpha: 'none' })).close();
        fetchOnly.push(t1 - t0);
        withDecode.push(performance.now() - t0);
      }
      return { fetchOnly, withDecode };
    }, urls);
    const baseP50 = pct(base.fetchOnly, 0.5);
    const p50 = pct(lat, 0.5),
      p95 = pct(lat, 0.95);
    ctx.report({
      name: `scrub latency, Right arrow -> canvas repainted (p50, ${lat.length} presses)`,
      value: p50,
      unit: 'ms',
      baseline: { name: 'proxy JPEG fetch alone (p50)', value: baseP50, unit: 'ms' },
      ratio: p50 / baseP50,
      note: `p95 ${p95.toFixed(1)} ms (goal < 100 ms), max ${Math.max(...lat).toFixed(1)} ms, ${missed} presses never repainted within 3 s; fetch+decode p50 ${pct(base.withDecode, 0.5).toFixed(1)} ms; source ${clip.width}x${clip.height}, canvas ${canvasSize}`,
    });
    ctx.report({
      name: 'scrub latency p95',
      value: p95,
      unit: 'ms',
      baseline: { name: 'proxy JPEG fetch alone (p95)', value: pct(base.fetchOnly, 0.95), unit: 'ms' },
      ratio: p95 / pct(base.fetchOnly, 0.95),
      note: 'goal < 100 ms',
    });

    // Scopes update rate while scrubbing: one key per animation frame for 3 s, counting readout changes and
    // viewer repaints; the frames in between are dropped by design, so this is what the colorist sees.
    await page.keyboard.press('Home');
    await page.waitForTimeout(1000);
    const rate = await page.evaluate(async () => {
      const el = document.querySelector('[data-testid="scopes-panel"] [data-testid="scopes-frame-avg"]')!;
      const wave = document.querySelector(
        '[data-testid="scopes-panel"] [data-testid="scope-waveform"]',
      ) as HTMLCanvasElement | null;
      // Each new scopes result (a frame measured and its traces drawn) changes the panel's data-result.
      const panel = document.querySelector('[data-testid="scopes-panel"] [data-testid="scopes"]')!;
      let results = 0;
      const mo3 = new MutationObserver(() => results++);
      mo3.observe(panel, { attributes: true, attributeFilter: ['data-result'] });
      let updates = 0,
        waveDraws = 0,
        keys = 0,
        paints = 0;
      const c = document.querySelector('[data-testid="viewer-canvas"]') as HTMLCanvasElement;
      const copy = document.createElement('canvas');
      copy.width = 32;
      copy.height = 18;
      const g = copy.getContext('2d', { willReadFrequently: true })!;
      let last = '';
      const mo = new MutationObserver(() => updates++);
      mo.observe(el, { characterData: true, childList: true, subtree: true });
      // The waveform canvas is redrawn on each new result; its width/height are re-set, which a MutationObserver sees.
      const mo2 = new MutationObserver(() => waveDraws++);
      if (wave) mo2.observe(wave, { attributes: true, attributeFilter: ['width', 'height', 'data-plot'] });
      const t0 = performance.now();
      while (performance.now() - t0 < 3000) {
        window.dispatchEvent(new KeyboardEvent('keydown', { key: 'ArrowRight', bubbles: true }));
        keys++;
        await new Promise((r) => requestAnimationFrame(r));
        g.drawImage(c, 0, 0, 32, 18);
        const now = g.getImageData(0, 0, 32, 18).data.join(',');
        if (now !== last) paints++;
        last = now;
      }
      const secs = (performance.now() - t0) / 1000;
      mo.disconnect();
      mo2.disconnect();
      mo3.disconnect();
      return {
        results: results / secs,
        perSecond: updates / secs,
        keysPerSecond: keys / secs,
        waveDraws: waveDraws / secs,
        paints: paints / secs,
      };
    });
    const graded = await page.evaluate(() => {
      const c = document.querySelector('[data-testid="viewer-canvas"]') as HTMLCanvasElement;
      return `${c.width}x${c.height}`;
    });
    ctx.report({
      name: 'scopes updates per second while scrubbing (new frames measured and drawn)',
      value: rate.results,
      unit: '/s',
      baseline: { name: 'viewer new pictures per second', value: rate.paints, unit: '/s' },
      ratio: rate.results / rate.paints,
      note: `goal >= 30/s; key presses (one per animation frame) ${rate.keysPerSecond.toFixed(1)}/s; avg-readout text changes ${rate.perSecond.toFixed(1)}/s (a frame whose avg rounds to the same nits is not one), waveform canvas redraws ${rate.waveDraws.toFixed(1)}/s; ${clip.width}x${clip.height} source, scopes get the graded proxy while scrubbing; canvas ${graded}`,
    });

    // Grade change -> repainted viewer: diffuse white typed into the field, Enter; timed from the keydown.
    await page.waitForTimeout(1500);
    const field = page.getByTestId('grade-field-diffuseWhite');
    const grade: number[] = [],
      gradeFull: number[] = [];
    const gradedSize = await page.evaluate(() => {
      const c = document.querySelector('[data-testid="viewer-canvas"]') as HTMLCanvasElement;
      return c.dataset.graded ?? 'no draft marker';
    });
    for (const v of ['300', '203', '250', '203', '350', '203', '280', '203', '320', '203']) {
      await field.fill(v); // fill focuses without a click (a click here can land on a slider thumb; see the report)
      await page.waitForTimeout(400);
      const ms = await page.evaluate(() => {
        const w = window as unknown as {
          __timeFull(a: () => void): Promise<{ first: number; full: number }>;
        };
        const input = document.querySelector('[data-testid="grade-field-diffuseWhite"]') as HTMLInputElement;
        return w.__timeFull(() => input.dispatchEvent(new KeyboardEvent('keydown', { key: 'Enter', bubbles: true })));
      });
      if (ms.first >= 0) grade.push(ms.first);
      if (ms.full >= 0) gradeFull.push(ms.full);
    }
    if (grade.length === 0) console.log('  grade -> repaint: no repaint detected after Enter (dispatched keydown)');
    else
      ctx.report({
        name: `grade change (diffuse white field, Enter) -> canvas repainted (p50, ${grade.length} changes)`,
        value: pct(grade, 0.5),
        unit: 'ms',
        baseline: { name: 'one animation frame at 60 Hz', value: 1000 / 60, unit: 'ms' },
        ratio: pct(grade, 0.5) / (1000 / 60),
        note: `max ${Math.max(...grade).toFixed(1)} ms (goal < 33 ms); measured as the first animation frame whose canvas pixels differ (a draft grade of a large picture comes first); the full-resolution grade on screen p50 ${gradeFull.length ? pct(gradeFull, 0.5).toFixed(1) : '–'} ms, max ${gradeFull.length ? Math.max(...gradeFull).toFixed(1) : '–'} ms (${gradeFull.length} changes; canvas before: ${gradedSize})`,
      });
  } finally {
    await app.close();
  }
}
