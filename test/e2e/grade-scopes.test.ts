// The grade panel and the HDR scopes in Chromium, through a harness page (test/e2e/harness) bundled here with
// Vite, as the app is, and served by the real headless host over a real core (SQLite library, demo clip cut
// into shots). Scopes: BT.2111 PQ bars must put the waveform's traces on their published code values and
// the CIE points on the BT.2020 primaries, read back from the canvas pixels. Grade: a slider gesture is one
// history entry, diffuse white 203 → 300 reaches the library, undo/redo, copy/paste and apply to selected.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import type { Browser, Page } from 'playwright';
import { appRoot } from '../../src-main/core/paths';
import { BT2020, BT2111_PQ, BT709, P3_D65, type Chromaticity } from '../../src-main/common/colour';
import type { GradeState, Shot } from '../../src-main/common/contract';
import { startHost, tempDir, testCore } from '../helpers/core';
import { chromiumAvailable, launchChromium } from '../helpers/browser';
import type { Core } from '../../src-main/core';
import type { RunningHost } from '../../src-main/host/server';

const root = appRoot();
const demo = join(root, 'assets', 'demo', 'demo.mp4');
const skip = !chromiumAvailable()
  ? 'Debian chromium is not installed'
  : !existsSync(demo)
    ? 'demo clip missing'
    : false;
const results = join(root, 'test-results');
const tmp = tempDir();
let core: Core;
let host: RunningHost;
let browser: Browser;
let page: Page;
let shots: Shot[];
const errors: string[] = [];

before(async () => {
  if (skip) return;
  // The harness, bundled as the renderer is (Vite, React plugin, module worker), into a temp folder.
  const { build } = await import('vite');
  const react = (await import('@vitejs/plugin-react')).default;
  const out = join(tmp.dir, 'harness');
  await build({
    root: join(root, 'test', 'e2e', 'harness'),
    base: './',
    configFile: false,
    logLevel: 'warn',
    plugins: [react()],
    build: { outDir: out, emptyOutDir: true, target: 'chrome120', chunkSizeWarningLimit: 4000 },
  });
  core = testCore(join(tmp.dir, 'data'));
  const projectId = core.library.createProject('Grade and scopes').id;
  await core.library.importClips(projectId, [demo], { knownCuts: { [demo]: [40, 80] }, proxies: false }).done;
  host = await startHost({ core, port: 0, rendererDir: out });
  browser = await launchChromium();
  page = await browser.newPage({ viewport: { width: 1400, height: 1100 } });
  page.on('pageerror', (e) => errors.push(e.message));
  page.on('console', (m) => {
    if (m.type() === 'error') errors.push(m.text());
  });
  await page.goto(`${host.url}&project=${projectId}`);
  await page.waitForFunction(() => window.harness?.ready === true);
  shots = await page.evaluate(() => window.harness.shots);
  mkdirSync(results, { recursive: true });
});
after(async () => {
  await browser?.close();
  await host?.close();
  await core?.close();
  tmp.cleanup();
});

type Plot = { x: number; y: number; width: number; height: number };
const WIDE = '[data-testid="wide-panel"]';

async function plotOf(scope: string): Promise<Plot> {
  const s = await page.locator(`${WIDE} [data-testid="scope-${scope}"]`).getAttribute('data-plot');
  const [x, y, width, height] = s!.split(',').map(Number);
  return { x, y, width, height };
}

/** Per point: the largest R, G, B and min(R,G,B) over a (2r+1)² window of canvas pixels. */
async function peaks(
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
    { sel: `${WIDE} [data-testid="scope-${scope}"]`, points, r },
  );
}

// The scopes' vertical axis: 10-bit narrow-range codes 0 (bottom) to 1023 (top).
const codeY = (p: Plot, code: number) => p.y + ((1023 - code) / 1023) * p.height;
const frameMax = (where: string) => page.locator(`${where} [data-testid="scopes-frame-max"]`);

test(
  'scopes: BT.2111 bars on their published code values and on the BT.2020 primaries',
  { skip, timeout: 120_000 },
  async () => {
    const W = 1920,
      H = 1080;
    const t0 = Date.now();
    await page.evaluate(([w, h]) => window.harness.showBars(w, h), [W, H]);
    await frameMax(WIDE).filter({ hasText: 'max 10000 nits' }).waitFor({ timeout: 30_000 });
    const firstMs = Date.now() - t0;

    // Waveform, at the 100% white bar (BT.2111: the first of the seven bars after a w/8 grey side panel).
    const wave = await plotOf('waveform');
    const side = Math.round(W / 8),
      bar = (W - 2 * side) / 7;
    const xWhite = wave.x + ((side + bar / 2) / W) * wave.width;
    const [top, ref, empty1, empty2] = await peaks(
      'waveform',
      [940, 572, 750, 400].map((c) => [xWhite, codeY(wave, c)]),
      2,
    );
    // Traces are green-white (G 255 at full); graticule lines alone stay under G 130.
    assert.ok(top.g >= 170, `100% bars (code ${BT2111_PQ.full}, 10000 nits) at the top: G ${top.g}`);
    assert.ok(ref.g >= 170, `58% bars (code ${BT2111_PQ.ref58}, 203 nits): G ${ref.g}`);
    assert.ok(
      empty1.g < 130 && empty2.g < 130,
      `no trace at codes 750 / 400 in that column: G ${empty1.g} / ${empty2.g}`,
    );
    // And the trace is where the code is, not a few codes off: 12 codes above 940 and below 572 it is dark.
    const [above, below] = await peaks(
      'waveform',
      [
        [xWhite, codeY(wave, 940 + 12)],
        [xWhite, codeY(wave, 572 - 12)],
      ],
      0,
    );
    assert.ok(above.g < 130 && below.g < 130, `trace edges: G ${above.g} above 940, ${below.g} below 572`);

    // Parade: the 100% red bar is R' 940 in the red third and nothing at 940 in the green third.
    const parade = await plotOf('parade');
    const xRed = ((side + bar * 5.5) / W) * (parade.width / 3);
    const [red, green] = await peaks(
      'parade',
      [
        [parade.x + xRed, codeY(parade, 940)],
        [parade.x + parade.width / 3 + xRed, codeY(parade, 940)],
      ],
      2,
    );
    assert.ok(red.r >= 170, `red bar's R' at 940: R ${red.r}`);
    assert.ok(green.g < 130, `red bar's G' not at 940: G ${green.g}`);

    // CIE xy: the 100% and 58% red, green and blue bars are the BT.2020 primaries. Points are white; the
    // triangles' colours never reach min(R,G,B) 230, so white there is the density.
    const cie = await plotOf('cie');
    const at = (c: Chromaticity): [number, number] => [
      cie.x + (c.x / 0.8) * cie.width,
      cie.y + cie.height - (c.y / 0.9) * cie.height,
    ];
    const primaries = [BT2020.red, BT2020.green, BT2020.blue];
    const lit = await peaks('cie', primaries.map(at), 3);
    lit.forEach((p, i) => assert.ok(p.white >= 230, `BT.2020 primary ${i} lit: ${JSON.stringify(p)}`));
    const dark = await peaks('cie', [BT709.red, BT709.green, P3_D65.red, P3_D65.green].map(at), 2);
    dark.forEach((p, i) => assert.ok(p.white < 230, `no point on the BT.709 / P3 vertex ${i}: ${JSON.stringify(p)}`));

    // Readouts: 10000-nit peak; the BT.2020 primaries lie outside BT.709 and P3.
    const out709 = Number(
      /([\d.]+) %/.exec(await page.locator(`${WIDE} [data-testid="scopes-outside-bt709"]`).innerText())?.[1],
    );
    const outP3 = Number(
      /([\d.]+) %/.exec(await page.locator(`${WIDE} [data-testid="scopes-outside-p3"]`).innerText())?.[1],
    );
    assert.ok(out709 > 5 && outP3 > 5 && outP3 <= out709, `outside 709 ${out709} %, P3 ${outP3} %`);
    assert.equal(
      await page.locator('[data-testid="side-panel"] [data-testid="scopes-shot-maxcll"]').innerText(),
      'MaxCLL 1000 nits',
    );

    await page.screenshot({ path: join(results, 'grade-scopes.png') });
    await page.locator(WIDE).screenshot({ path: join(results, 'scopes-wide.png') });
    for (const tab of ['cie', 'parade', 'histogram'] as const) {
      await page.locator(`[data-testid="side-panel"] [data-testid="scope-tab-${tab}"]`).click();
      await page.locator(`[data-testid="side-panel"] [data-testid="scope-${tab}"]`).waitFor();
    }
    await page.locator('[data-testid="side-panel"] [data-testid="scope-tab-waveform"]').click();
    console.log(`scopes: first HD bars frame on screen in ${firstMs} ms (bundle, worker start, compute, draw)`);
  },
);

test(
  'scopes keep up while scrubbing: frames are dropped while the worker is busy, the newest is shown',
  { skip, timeout: 60_000 },
  async () => {
    const r = await page.evaluate(async () => {
      const el = document.querySelector('[data-testid="wide-panel"] [data-testid="scopes-frame-max"]')!;
      const seen = new Set<string>();
      const mo = new MutationObserver(() => seen.add(el.textContent ?? ''));
      mo.observe(el, { characterData: true, childList: true, subtree: true });
      // 40 frames at display rate (one per animation frame), 960x540, 10..400 nits, then 1000 nits; made
      // beforehand, as the viewer has them.
      const frames = Array.from({ length: 41 }, (_, i) =>
        window.harness.greyFrame(i === 40 ? 1000 : 10 * (i + 1), 960, 540),
      );
      const t0 = performance.now();
      for (const f of frames) {
        window.harness.show(f);
        await new Promise((res) => requestAnimationFrame(res));
      }
      const posted = performance.now() - t0;
      while (el.textContent !== 'max 1000 nits') await new Promise((res) => setTimeout(res, 5));
      mo.disconnect();
      return { posted, settled: performance.now() - t0, results: seen.size };
    });
    assert.ok(r.results < 41, `${r.results} of 41 frames computed`);
    assert.ok(r.results >= 3, `the scopes updated during the scrub (${r.results})`);
    console.log(
      `scrub: 41 frames posted over ${r.posted.toFixed(0)} ms; ${r.results} computed; newest shown ${(r.settled - r.posted).toFixed(0)} ms after the last`,
    );
  },
);

async function grade(shotId: string): Promise<GradeState> {
  const r = await core.dispatch('grades.get', { shotId });
  assert.ok(r.ok, JSON.stringify(r));
  return r.value as GradeState;
}
const diffuseWhite = async (shotId: string) => (await grade(shotId)).params?.diffuseWhite ?? 203;
const field = (key: string) => page.getByTestId(`grade-field-${key}`);
async function until(check: () => Promise<boolean>, what: string): Promise<void> {
  const end = Date.now() + 10_000;
  while (!(await check())) {
    if (Date.now() > end) assert.fail(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 25));
  }
}

test(
  'grade panel: one history entry per gesture, diffuse white 203 → 300, undo/redo, copy/paste, apply, reset',
  { skip, timeout: 60_000 },
  async () => {
    assert.ok(shots.length >= 3, `${shots.length} shots`);
    const [a, b, c] = shots.map((s) => s.id);
    await page.getByTestId('grade-version').filter({ hasText: 'default' }).waitFor();
    assert.equal(await field('diffuseWhite').inputValue(), '203');

    // A drag: many live updates for the viewer, one version in the library.
    const live0 = await page.evaluate(() => window.harness.live.length);
    const thumb = page.locator('[data-testid="grade-param-exposure"] .MuiSlider-thumb');
    const t = (await thumb.boundingBox())!;
    await page.mouse.move(t.x + t.width / 2, t.y + t.height / 2);
    await page.mouse.down();
    for (let i = 1; i <= 10; i++) await page.mouse.move(t.x + t.width / 2 + i * 6, t.y + t.height / 2);
    const during = await grade(a);
    await page.mouse.up();
    await until(async () => (await grade(a)).version === 1, 'the gesture to reach the library');
    const liveMoves = (await page.evaluate(() => window.harness.live.length)) - live0;
    assert.ok(liveMoves >= 5, `${liveMoves} live updates during the drag`);
    assert.equal(during.version, 0, 'nothing written while dragging');
    const exposure = (await grade(a)).params!.exposure;
    assert.ok(
      exposure > 0 && Math.abs(exposure / 0.05 - Math.round(exposure / 0.05)) < 1e-9,
      `exposure ${exposure} on its 0.05 step`,
    );
    await page.waitForTimeout(300);
    assert.equal((await grade(a)).version, 1, 'one history entry for the whole drag');

    // Typed value: diffuse white 300.
    await field('diffuseWhite').click();
    await field('diffuseWhite').fill('300');
    await field('diffuseWhite').press('Enter');
    await until(async () => (await diffuseWhite(a)) === 300, 'diffuse white 300 in the library');
    assert.equal((await page.evaluate(() => window.harness.live.at(-1)))!.diffuseWhite, 300);

    // Ctrl+Z in a text field is the field's: the grade stays.
    await field('exposure').click();
    await page.keyboard.press('Control+z');
    await page.waitForTimeout(300);
    assert.equal(await diffuseWhite(a), 300);
    await page.keyboard.press('Escape');

    // Undo / redo from the keyboard, outside text fields.
    await page.evaluate(() => (document.activeElement as HTMLElement | null)?.blur());
    await page.keyboard.press('Control+z');
    await until(async () => (await diffuseWhite(a)) === 203, 'undo to 203');
    await page.getByTestId('grade-version').filter({ hasText: 'v1' }).waitFor();
    await until(async () => (await field('diffuseWhite').inputValue()) === '203', 'the panel to show 203');
    assert.equal((await page.evaluate(() => window.harness.live.at(-1)))!.diffuseWhite, 203);
    await page.keyboard.press('Control+Shift+Z');
    await until(async () => (await diffuseWhite(a)) === 300, 'redo to 300');
    await until(async () => (await field('diffuseWhite').inputValue()) === '300', 'the panel to show 300');

    // Copy on shot A (selected), paste onto B and C.
    await page.keyboard.press('Control+c');
    await page.evaluate((ids) => window.harness.select(ids), [b, c]);
    await page.getByTestId('grade-apply-selected').filter({ hasText: '2 selected' }).waitFor(); // the selection drawn
    await page.keyboard.press('Control+v');
    await until(async () => (await diffuseWhite(b)) === 300 && (await diffuseWhite(c)) === 300, 'paste onto B and C');
    assert.equal((await grade(b)).params!.exposure, exposure);

    // Apply to selected: A's newer grade (saturation 1.5) onto B and C.
    await field('saturation').fill('1.5');
    await field('saturation').press('Enter');
    await until(async () => (await grade(a)).params?.saturation === 1.5, 'saturation 1.5 on A');
    await page.getByTestId('grade-apply-selected').click();
    await until(
      async () => (await grade(b)).params?.saturation === 1.5 && (await grade(c)).params?.saturation === 1.5,
      'apply to B and C',
    );
    await page.screenshot({ path: join(results, 'grade-panel.png'), clip: { x: 0, y: 0, width: 330, height: 1100 } });

    // Double-click (here on the track, whose clicks also move the thumb) resets one parameter; reset all
    // returns to the default grade: one more version each.
    const v = (await grade(a)).version;
    await page
      .locator('[data-testid="grade-param-diffuseWhite"] .MuiSlider-root')
      .dblclick({ position: { x: 20, y: 8 } });
    await until(async () => (await diffuseWhite(a)) === 203, 'double-click reset');
    await page.waitForTimeout(400);
    assert.equal((await grade(a)).version, v + 1, 'a double-click is one history entry');
    assert.equal((await grade(a)).params!.saturation, 1.5);
    await page.getByTestId('grade-reset-all').click();
    await until(async () => (await grade(a)).params?.saturation === 1, 'reset all');
    const after = await grade(a);
    assert.equal(after.params!.exposure, 0);
    assert.equal(after.version, v + 2);
    assert.deepEqual(errors, []);
  },
);

test(
  'grade panel: highlight knee and peak are locked while highlight expansion is off, and act once it is on',
  { skip, timeout: 60_000 },
  async () => {
    const a = shots[0].id;
    const toggle = page.getByTestId('grade-toggle-highlightExpansion');
    const locked = async (key: string) => ({
      field: await field(key).isDisabled(),
      slider: await page.getByTestId(`grade-slider-${key}`).isDisabled(),
    });
    if (await toggle.isChecked()) {
      await toggle.click();
      await until(async () => (await grade(a)).params?.highlightExpansion === false, 'expansion off');
    }
    for (const key of ['highlightKnee', 'highlightPeak']) {
      await until(async () => (await locked(key)).field, `${key} locked`);
      assert.deepEqual(await locked(key), { field: true, slider: true }, `${key} while expansion is off`);
      const why = await page.getByTestId(`grade-param-${key}`).getAttribute('title');
      assert.match(why ?? '', /Turn on highlight expansion/);
    }
    // Other parameters stay live.
    assert.deepEqual(await locked('diffuseWhite'), { field: false, slider: false });

    await toggle.click();
    await until(async () => (await grade(a)).params?.highlightExpansion === true, 'expansion on in the library');
    for (const key of ['highlightKnee', 'highlightPeak'])
      await until(async () => !(await locked(key)).field && !(await locked(key)).slider, `${key} unlocked`);
    await field('highlightPeak').fill('2000');
    await field('highlightPeak').press('Enter');
    await until(async () => (await grade(a)).params?.highlightPeak === 2000, 'peak 2000 in the library');
    await toggle.click();
    await until(async () => (await grade(a)).params?.highlightExpansion === false, 'expansion off again');
    await until(async () => (await locked('highlightPeak')).field, 'peak locked again');
    assert.deepEqual(errors, []);
  },
);
