// The review screen as a colorist uses it, integrated (not a harness): the built renderer served by the real
// headless host over a real core, in Debian's Chromium with software WebGL2. The network's frame replaces the
// analytic one; each viewer mode on screen (screenshots in test-results/review-*.png); the A/B wipe shows the
// SDR and HDR pictures either side of its divider; diffuse white 203 -> 300 moves the waveform and the frame
// light by the PQ difference, undo restores it, copy/paste reaches other shots in the library; BT.2111 PQ bars
// imported as a clip land on the scopes where the SDR BT.709 baseline puts them (the app has no HDR-source path).
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import type { Page } from 'playwright';
import { appRoot } from '../../src-main/core/paths';
import { writePattern } from '../../src-main/core/patterns';
import { BT2020, BT709, bt2111Bars, type Chromaticity } from '../../src-main/common/colour';
import { sdrToHdrPixel } from '../../src-main/common/colour/sdr-to-hdr';
import { narrow10FromSignal, nitsToPq, pqToNits } from '../../src-main/common/colour/transfer';
import {
  caption,
  gradeOf,
  openReviewApp,
  reviewSkip,
  projectShots,
  readoutNumber,
  scopePeaks,
  scopePlot,
  traceTopCode,
  until,
  viewerPixels,
  waitForJobs,
  type ReviewApp,
} from '../helpers/review-app';

const skip = reviewSkip;
const results = join(appRoot(), 'test-results');
let app: ReviewApp;
let page: Page;

before(async () => {
  if (skip) return;
  app = await openReviewApp();
  page = app.page;
  mkdirSync(results, { recursive: true });
});
after(async () => {
  await app?.close();
});

const shot = (n: number) => page.getByTestId('timeline-shot').nth(n);
const field = (key: string) => page.getByTestId(`grade-field-${key}`);
const mode = (m: 'sdr' | 'hdr' | 'wipe' | 'side') => page.getByTestId(`viewer-mode-${m}`).click();
const shoot = (name: string) => page.screenshot({ path: join(results, `review-${name}.png`) });
async function setField(key: string, value: string): Promise<void> {
  await field(key).click();
  await field(key).fill(value);
  await field(key).press('Enter');
  await page.evaluate(() => (document.activeElement as HTMLElement | null)?.blur());
}
/** Waits for the scopes' frame readouts to show numbers, and returns them. */
async function frameLight(): Promise<{ max: number; avg: number }> {
  await page
    .locator('[data-testid="scopes-panel"] [data-testid="scopes-frame-max"]')
    .filter({ hasText: /max \d+ nits/ })
    .waitFor({ timeout: 30_000 });
  return {
    max: (await readoutNumber(page, 'scopes-frame-max'))!,
    avg: (await readoutNumber(page, 'scopes-frame-avg'))!,
  };
}
/** The frame readouts once they have held still for half a second (the scopes lag the viewer by a frame or two). */
async function steadyLight(): Promise<{ max: number; avg: number }> {
  let last = await frameLight(),
    same = 0;
  for (let i = 0; i < 100 && same < 5; i++) {
    await page.waitForTimeout(100);
    const now = await frameLight();
    same = now.max === last.max && now.avg === last.avg ? same + 1 : 0;
    last = now;
  }
  return last;
}
/**
 * Waits for the viewer to show this frame, past the settle delay (a new frame starts on the analytic base), then
 * until the caption says the network's frame is on screen (or why it is not: then fails with that).
 */
async function networkOnScreen(frame: number, timeout = 150_000): Promise<string> {
  await page
    .getByTestId('viewer-timecode')
    .filter({ hasText: ` frame ${frame} ·` })
    .waitFor();
  await page.waitForTimeout(400);
  await page.waitForFunction(
    () =>
      /HDR · network \(|Network output unavailable/.test(
        document.querySelector('[data-testid="viewer-caption"]')?.textContent ?? '',
      ),
    null,
    { timeout },
  );
  const c = await caption(page);
  assert.match(c, /HDR · network \(/, c);
  return c;
}
/** Mean absolute difference (R,G,B, 0..255) between two sets of canvas pixels. */
const meanDiff = (a: number[][], b: number[][]) =>
  a.reduce((s, p, i) => s + Math.abs(p[0] - b[i][0]) + Math.abs(p[1] - b[i][1]) + Math.abs(p[2] - b[i][2]), 0) /
  (3 * a.length);

test(
  'the network frame replaces the analytic base at rest; each viewer mode on screen',
  { skip, timeout: 200_000 },
  async (t) => {
    await page.keyboard.press('Home');
    await page.keyboard.press('ArrowDown'); // shot 2: a picture with detail, away from a fade-in
    await page.keyboard.press('ArrowRight');
    const shots = await projectShots(app.core, app.demoProjectId);
    const t0 = Date.now();
    await page
      .getByTestId('viewer-timecode')
      .filter({ hasText: ` frame ${shots[1].firstFrame + 1} ·` })
      .waitFor();
    const first = await caption(page);
    t.diagnostic(`caption on arrival: ${first.replace(/\n/g, ' | ')}`);
    const c = await networkOnScreen(shots[1].firstFrame + 1);
    t.diagnostic(`network frame on screen ${Date.now() - t0} ms after the key press`);
    assert.match(c, /SDR display · EETF 1000 → 100 nits/);
    t.diagnostic(`caption once the network answered: ${c.replace(/\n/g, ' | ')}`);
    const light = await frameLight();
    assert.ok(light.max > 0 && light.avg > 0 && light.avg <= light.max, JSON.stringify(light));
    // At rest the scopes say they measure the full frame (not the proxy they measure while scrubbing) and the
    // viewer draws in device pixels (scale 1), not at the proxy's scale.
    const sampling = page.locator('[data-testid="scopes-panel"] [data-testid="scopes-sampling"]');
    await until(
      async () => /^full frame \d+×\d+$/.test(await sampling.innerText()),
      'scopes on the full frame',
      15_000,
    );
    t.diagnostic(`scopes measure: ${await sampling.innerText()}`);
    assert.equal(await page.getByTestId('viewer-canvas').getAttribute('data-scale'), '1');

    await shoot('hdr');
    // Content "Animation & graphics": the viewer shows the graphics variant's frame (its own worker starts), and
    // says so; back to live action, the live model's frame again (cached).
    const content = async (name: string, model: RegExp) => {
      await page.getByTestId('grade-choice-content').locator('[role="combobox"]').click();
      await page.getByRole('option', { name }).click();
      await page.waitForFunction(
        (re) => new RegExp(re).test(document.querySelector('[data-testid="viewer-caption"]')?.textContent ?? ''),
        model.source,
        { timeout: 120_000 },
      );
    };
    await content('Animation & graphics', /HDR · network \(srItm-x2\.graphics\)/);
    // The timeline marks the shot (it runs the graphics variant).
    const strip = page.locator('[data-testid="timeline-shot"][data-current="true"]');
    await strip.locator('[data-testid="timeline-shot-graphics"]').waitFor({ timeout: 10_000 });
    assert.equal(await strip.getAttribute('data-content'), 'graphics');
    await shoot('graphics');
    await content('Live action', /HDR · network \(srItm-x2\)/);
    await strip.locator('[data-testid="timeline-shot-graphics"]').waitFor({ state: 'detached', timeout: 10_000 });
    await mode('sdr');
    assert.match(await caption(page), /^SDR · full resolution/);
    await shoot('sdr');
    await mode('wipe');
    assert.match(await caption(page), /Left: SDR · [\s\S]*Right: HDR · /, 'which side is which');
    await shoot('wipe');
    await mode('side');
    await shoot('side');
    await mode('hdr');
    await page.getByTestId('viewer-false-colour').click();
    await page.getByTestId('viewer-false-colour-legend').waitFor();
    await shoot('false-colour');
    await page.getByTestId('viewer-false-colour').click();
    for (const tab of ['waveform', 'parade', 'cie', 'histogram'] as const) {
      await page.locator(`[data-testid="scopes-panel"] [data-testid="scope-tab-${tab}"]`).click();
      await page.locator(`[data-testid="scopes-panel"] [data-testid="scope-${tab}"]`).waitFor();
      await page.getByTestId('scopes-panel').screenshot({ path: join(results, `review-scopes-${tab}.png`) });
    }
    await page.locator('[data-testid="scopes-panel"] [data-testid="scope-tab-waveform"]').click();
    assert.deepEqual(app.errors, []);
  },
);

test('A/B wipe: SDR left of the divider, HDR right of it, and the two differ', { skip, timeout: 60_000 }, async () => {
  // A row of points on each half, well inside the picture (fit leaves bars above and below a 16:9 frame).
  const left: [number, number][] = Array.from({ length: 12 }, (_, i) => [0.06 + i * 0.03, 0.3 + (i % 4) * 0.12]);
  const right: [number, number][] = left.map(([x, y]) => [x + 0.5, y]);
  await mode('sdr');
  const sdr = await viewerPixels(page, [...left, ...right]);
  await mode('hdr');
  const hdr = await viewerPixels(page, [...left, ...right]);
  await mode('wipe');
  const wipe = await viewerPixels(page, [...left, ...right]);
  const n = left.length;
  const sdrVsHdr = meanDiff(sdr, hdr);
  assert.ok(sdrVsHdr > 4, `SDR and HDR (EETF to 100 nits) pictures differ: mean ${sdrVsHdr.toFixed(2)} levels`);
  const wl = meanDiff(wipe.slice(0, n), sdr.slice(0, n)),
    wr = meanDiff(wipe.slice(n), hdr.slice(n));
  assert.ok(wl <= 1, `left of the divider is the SDR picture (mean diff ${wl.toFixed(2)})`);
  assert.ok(wr <= 1, `right of the divider is the HDR picture (mean diff ${wr.toFixed(2)})`);
  assert.ok(meanDiff(wipe.slice(0, n), hdr.slice(0, n)) > 4, 'left is not the HDR picture');
  await mode('hdr');
});

test(
  'L plays to the last frame and stops there: no "▶" left on screen, Space plays again from Home',
  { skip, timeout: 60_000 },
  async () => {
    const timecode = page.getByTestId('viewer-timecode');
    const frameOf = async () => Number(/frame (\d+)/.exec(await timecode.innerText())?.[1]);
    const shots = await projectShots(app.core, app.demoProjectId);
    const last = shots[shots.length - 1].lastFrame;
    // The viewer mode buttons keep the focus after a click, and their arrows are theirs: let it go first.
    await page.evaluate(() => (document.activeElement as HTMLElement | null)?.blur());
    await page.keyboard.press('End');
    await timecode.filter({ hasText: ` frame ${last} ·` }).waitFor();
    for (let i = 0; i < 3; i++) await page.keyboard.press('ArrowLeft');
    await timecode.filter({ hasText: ` frame ${last - 3} ·` }).waitFor();
    await page.keyboard.press('l');
    await timecode.filter({ hasText: ` frame ${last} ·` }).waitFor({ timeout: 10_000 });
    // Stopped at the end, and stays stopped (an echo of the playing state once restarted it here).
    await until(async () => !(await timecode.innerText()).includes('▶'), 'playback to stop at the end', 5_000);
    await page.waitForTimeout(500);
    assert.doesNotMatch(await timecode.innerText(), /[▶◀]/);
    assert.equal(await frameOf(), last);
    // L on the last frame plays nothing; from Home, Space plays and Space stops.
    await page.keyboard.press('l');
    await page.waitForTimeout(300);
    assert.doesNotMatch(await timecode.innerText(), /[▶◀]/);
    await page.keyboard.press('Home');
    await page.keyboard.press('Space');
    await until(async () => (await frameOf()) > 2, 'playback from Home', 10_000);
    await page.keyboard.press('Space');
    await until(async () => !(await timecode.innerText()).includes('▶'), 'Space to stop', 5_000);
    const stopped = await frameOf();
    await page.waitForTimeout(300);
    assert.equal(await frameOf(), stopped);

    // Exposure pushed 4 stops: the scopes say the frame is above the grade's 1000-nit peak; undone, they do not.
    const over = page.locator('[data-testid="scopes-panel"] [data-testid="scopes-over-peak"]');
    assert.equal(await over.count(), 0);
    await setField('exposure', '4');
    await over.filter({ hasText: 'above the 1000-nit peak: clipped there' }).waitFor({ timeout: 15_000 });
    await page.keyboard.press('Control+z');
    await over.waitFor({ state: 'detached', timeout: 15_000 });
    assert.deepEqual(app.errors, []);
  },
);

test(
  'diffuse white 203 -> 300 moves the waveform and the frame light by the PQ difference; undo; copy/paste',
  { skip, timeout: 90_000 },
  async (t) => {
    const shots = await projectShots(app.core, app.demoProjectId);
    assert.ok(shots.length >= 3, `${shots.length} shots`);
    await shot(0).click(); // the first shot is the selection (a click also seeks to the frame under the pointer)
    await page.evaluate(() => (document.activeElement as HTMLElement | null)?.blur());
    await page.keyboard.press('Home');
    await networkOnScreen(shots[0].firstFrame);
    assert.equal(await field('diffuseWhite').inputValue(), '203');
    const before = await steadyLight();
    const top203 = await traceTopCode(page, 'waveform');
    assert.ok(top203 !== null, 'a waveform trace');

    // Every caption the viewer shows from here on: a grade change re-grades the picture on screen, it must not
    // fall back to the analytic base (the network's frame is grade-independent) or to the proxy.
    await page.evaluate(() => {
      const el = document.querySelector('[data-testid="viewer-caption"]')!;
      const w = window as unknown as { __captions: string[] };
      w.__captions = [];
      new MutationObserver(() => w.__captions.push(el.textContent ?? '')).observe(el, {
        childList: true,
        subtree: true,
        characterData: true,
      });
    });
    await setField('diffuseWhite', '300');
    await until(
      async () => (await gradeOf(app.core, shots[0].id)).params?.diffuseWhite === 300,
      'diffuse white 300 in the library',
    );
    // Linear light scales by 300/203 (no highlight expansion by default), so the frame's light does too.
    const k = 300 / 203;
    await until(
      async () => (await readoutNumber(page, 'scopes-frame-max')) !== before.max,
      'the frame max to move',
      15_000,
    );
    const after = await steadyLight();
    const captions = await page.evaluate(() => (window as unknown as { __captions: string[] }).__captions);
    assert.ok(
      captions.every((c) => /HDR · network \(/.test(c) && !/proxy/.test(c)),
      `captions during the grade change: ${[...new Set(captions)].join(' | ')}`,
    );
    t.diagnostic(
      `frame max ${before.max} -> ${after.max} nits (× ${(after.max / before.max).toFixed(3)}), avg ${before.avg} -> ${after.avg} (× ${(after.avg / before.avg).toFixed(3)}); want × ${k.toFixed(3)}`,
    );
    // Readouts are whole nits: allow their rounding (±0.5 each side) and 1 % for the float pipeline.
    assert.ok(Math.abs(after.max - before.max * k) <= 1 + 0.01 * after.max, `max ${before.max} -> ${after.max}`);
    assert.ok(Math.abs(after.avg - before.avg * k) <= 1 + 0.01 * after.avg, `avg ${before.avg} -> ${after.avg}`);
    // The waveform's brightest trace moves by the PQ difference of its nits × 300/203 (an SDR-white pixel: code 573 -> 609).
    const want = narrow10FromSignal(nitsToPq(pqToNits((top203! - 64) / 876) * k));
    const top300 = await traceTopCode(page, 'waveform');
    t.diagnostic(
      `waveform top trace: code ${top203!.toFixed(1)} -> ${top300?.toFixed(1)}, PQ predicts ${want.toFixed(1)}; SDR white would go ${narrow10FromSignal(nitsToPq(203)).toFixed(1)} -> ${narrow10FromSignal(nitsToPq(300)).toFixed(1)}`,
    );
    assert.ok(top300 !== null && Math.abs(top300 - want) <= 6, `waveform top at ${top300}, PQ predicts ${want}`);
    await page.getByTestId('scopes-panel').screenshot({ path: join(results, 'review-scopes-300nits.png') });

    // Ctrl+Z outside a text field: the library, the panel and the scopes are back at 203.
    await page.keyboard.press('Control+z');
    await until(
      async () => ((await gradeOf(app.core, shots[0].id)).params?.diffuseWhite ?? 203) === 203,
      'undo to 203 in the library',
    );
    await until(async () => (await field('diffuseWhite').inputValue()) === '203', 'the panel to show 203');
    // The slider tells a screen reader its value in nits, not its internal position.
    assert.equal(await page.getByTestId('grade-slider-diffuseWhite').getAttribute('aria-valuetext'), '203 nits');
    await until(async () => (await readoutNumber(page, 'scopes-frame-max')) === before.max, 'frame max back', 15_000);
    const topUndone = await traceTopCode(page, 'waveform');
    assert.ok(
      topUndone !== null && Math.abs(topUndone - top203!) <= 2,
      `waveform top back at ${topUndone} (was ${top203})`,
    );

    // Redo, copy shot 1's grade, select shots 2 and 3 (click, Ctrl+click), paste: the library has 300 on both.
    await page.keyboard.press('Control+Shift+Z');
    await until(async () => (await gradeOf(app.core, shots[0].id)).params?.diffuseWhite === 300, 'redo to 300');
    // Copy takes the grade the panel shows: wait for it to show the redone 300, not the 203 before.
    await until(async () => (await field('diffuseWhite').inputValue()) === '300', 'the panel to show 300');
    await page.keyboard.press('Control+c');
    await shot(1).click();
    await shot(2).click({ modifiers: ['Control'] });
    await page.getByTestId('selection-count').filter({ hasText: '2 shots selected' }).waitFor();
    await page.keyboard.press('Control+v');
    await until(
      async () =>
        (await gradeOf(app.core, shots[1].id)).params?.diffuseWhite === 300 &&
        (await gradeOf(app.core, shots[2].id)).params?.diffuseWhite === 300,
      'paste onto shots 2 and 3',
    );
    if (shots[3]) assert.notEqual((await gradeOf(app.core, shots[3].id)).params?.diffuseWhite, 300, 'shot 4 untouched');
    assert.deepEqual(app.errors, []);
  },
);

test(
  'BT.2111 PQ bars imported as a clip: the scopes show the SDR BT.709 baseline of their code values',
  { skip, timeout: 150_000 },
  async (t) => {
    const W = 1280,
      H = 720;
    const file = join(app.dataDir, 'bt2111-bars.mkv');
    await writePattern('bt2111', file, W, H);
    const projectId = app.core.library.createProject('Bars').id;
    await app.core.library.importClips(projectId, [file]).done;
    await waitForJobs(app.core, projectId);
    const clip = (await app.core.dispatch('library.getProject', { projectId })) as {
      ok: true;
      value: { clips: { colour?: unknown; probe?: { colour: unknown } }[] };
    };
    t.diagnostic(
      `imported clip's colour tags: ${JSON.stringify(clip.value.clips[0]?.probe?.colour ?? clip.value.clips[0]?.colour ?? null)}`,
    );

    await page.getByRole('button', { name: 'All projects' }).click();
    await page.getByTestId('project-card').filter({ hasText: 'Bars' }).getByRole('button').first().click();
    await page.getByTestId('project-name-title').filter({ hasText: 'Bars' }).waitFor();
    await page.getByTestId('timeline-shot').first().waitFor();
    await setField('modelStrength', '0');
    const [barsShot] = await projectShots(app.core, projectId);
    await until(
      async () => (await gradeOf(app.core, barsShot.id)).params?.modelStrength === 0,
      'model strength 0 in the library',
    );
    await mode('hdr');
    await page.keyboard.press('Home');
    await networkOnScreen(barsShot.firstFrame); // the full-resolution frame came first; at strength 0 the network adds nothing

    // What the baseline predicts: code values as SDR BT.709 signals (R'G'B' = (code - 64) / 876, clamped),
    // BT.1886, SDR white at 203 nits, BT.2020 PQ. A PQ-aware path would put the 100% bars at code 940 (10000 nits).
    const bars = bt2111Bars(W, H);
    let sum = 0,
      max = 0;
    for (let i = 0; i < W * H; i++) {
      const pq = sdrToHdrPixel((bars.r[i] - 64) / 876, (bars.g[i] - 64) / 876, (bars.b[i] - 64) / 876);
      const nits = pqToNits(Math.max(pq[0], pq[1], pq[2]));
      sum += nits;
      max = Math.max(max, nits);
    }
    const light = await frameLight();
    t.diagnostic(
      `bars: frame max ${light.max} nits, avg ${light.avg}; baseline predicts ${max.toFixed(1)} / ${(sum / (W * H)).toFixed(1)}; a PQ source path would read 10000 nits`,
    );
    assert.ok(Math.abs(light.max - max) <= 1, `frame max ${light.max}, baseline ${max}`);
    assert.ok(
      Math.abs(light.avg - sum / (W * H)) <= 1 + 0.02 * (sum / (W * H)),
      `frame avg ${light.avg}, baseline ${sum / (W * H)}`,
    );

    // Waveform over the 100% white bar's column (the first bar after the w/8 grey side): its top is the white
    // bar at the baseline's SDR white (203 nits, code 573), not at PQ code 940.
    const side = Math.round(W / 8),
      bar = (W - 2 * side) / 7;
    const white = narrow10FromSignal(sdrToHdrPixel(1, 1, 1)[1]);
    const top = await traceTopCode(page, 'waveform', (side + bar * 0.3) / W, (side + bar * 0.7) / W);
    t.diagnostic(`white bar column: waveform top at code ${top?.toFixed(1)}, baseline ${white.toFixed(1)}`);
    assert.ok(top !== null && Math.abs(top - white) <= 6, `white bar at ${top}, baseline ${white}`);
    const plot = await scopePlot(page, 'waveform');
    const [at940] = await scopePeaks(
      page,
      'waveform',
      [[plot.x + ((side + bar / 2) / W) * plot.width, plot.y + ((1023 - 940) / 1023) * plot.height]],
      2,
    );
    assert.ok(at940.g < 50 + 11, `nothing at code 940 (the PQ bars' own level): G ${at940.g}`);
    await page.getByTestId('scopes-panel').screenshot({ path: join(results, 'review-bars-waveform.png') });

    // CIE xy: the 100% R, G, B bars are taken as BT.709 primaries, so the points sit on BT.709's vertices, not BT.2020's.
    await page.locator('[data-testid="scopes-panel"] [data-testid="scope-tab-cie"]').click();
    await page.locator('[data-testid="scopes-panel"] [data-testid="scope-cie"]').waitFor();
    await page.waitForTimeout(200);
    const cie = await scopePlot(page, 'cie');
    const at = (c: Chromaticity): [number, number] => [
      cie.x + (c.x / 0.8) * cie.width,
      cie.y + cie.height - (c.y / 0.9) * cie.height,
    ];
    const lit = await scopePeaks(page, 'cie', [BT709.red, BT709.green, BT709.blue].map(at), 3);
    const dark = await scopePeaks(page, 'cie', [BT2020.red, BT2020.green, BT2020.blue].map(at), 2);
    t.diagnostic(
      `CIE at BT.709 primaries ${JSON.stringify(lit.map((p) => p.white))}, at BT.2020 primaries ${JSON.stringify(dark.map((p) => p.white))}`,
    );
    lit.forEach((p, i) => assert.ok(p.white >= 200, `BT.709 primary ${i} lit: ${JSON.stringify(p)}`));
    dark.forEach((p, i) => assert.ok(p.white < 200, `no point on BT.2020 primary ${i}: ${JSON.stringify(p)}`));
    const out709 = await readoutNumber(page, 'scopes-outside-bt709');
    assert.ok(out709 !== null && out709 <= 0.5, `outside BT.709: ${out709} %`);
    await page.getByTestId('scopes-panel').screenshot({ path: join(results, 'review-bars-cie.png') });
    await shoot('bars-hdr');
    await page.locator('[data-testid="scopes-panel"] [data-testid="scope-tab-waveform"]').click();
    assert.deepEqual(app.errors, []);
  },
);
