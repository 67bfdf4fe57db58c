// A rendered shot in the review screen: at rest the viewer shows the render's own frame (the master's pixels,
// graded), not the network run again, and says so; the scopes measure it as the render measured it. A grade
// change leaves the render (the shot is stale, the picture graded anew); undo brings the render back. Real core,
// real worker and renders, the built renderer in Debian's Chromium.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import type { Page } from 'playwright';
import { RenderSegment, type ShotRenderStatus } from '../../src-main/common/contract';
import { appRoot } from '../../src-main/core/paths';
import { segmentRecordFile } from '../../src-main/core/render';
import {
  caption,
  openReviewApp,
  reviewSkip,
  projectShots,
  readoutNumber,
  until,
  type ReviewApp,
} from '../helpers/review-app';

const skip = reviewSkip;
let app: ReviewApp;
let page: Page;

before(async () => {
  if (skip) return;
  app = await openReviewApp();
  page = app.page;
  mkdirSync(join(appRoot(), 'test-results'), { recursive: true });
});
after(async () => {
  await app?.close();
});

const RENDERED = /HDR · rendered \(srItm-x2\): the master's pixels/;
const NETWORK = /HDR · network \(srItm-x2\)/;

async function frameLight(): Promise<{ max: number; avg: number }> {
  const max = page.locator('[data-testid="scopes-panel"] [data-testid="scopes-frame-max"]');
  await max.filter({ hasText: /max \d+ nits/ }).waitFor({ timeout: 30_000 });
  return {
    max: (await readoutNumber(page, 'scopes-frame-max'))!,
    avg: (await readoutNumber(page, 'scopes-frame-avg'))!,
  };
}

test(
  "a rendered shot at rest shows its render's frame, measured as rendered; a grade change leaves it, undo returns",
  { skip, timeout: 240_000 },
  async (t) => {
    const projectId = app.demoProjectId;
    const before = await projectShots(app.core, projectId);
    // The last shot (a bright lake, MaxFALL about 100 nits) cut to 3 frames: the shipped network renders
    // 1280x720 at a few seconds a frame here.
    const shot = before[before.length - 1];
    const split = await app.core.dispatch('shots.split', { shotId: shot.id, frame: shot.firstFrame + 3 });
    assert.ok(split.ok, JSON.stringify(split));

    // The playhead rests on the frame first: the network's frame comes (and is held by the viewer).
    await page.evaluate(() => (document.activeElement as HTMLElement | null)?.blur());
    await page.keyboard.press('Home');
    for (let i = 0; i < before.length - 1; i++) await page.keyboard.press('ArrowDown');
    await page.keyboard.press('ArrowRight');
    const frame = shot.firstFrame + 1;
    await page
      .getByTestId('viewer-timecode')
      .filter({ hasText: ` frame ${frame} ·` })
      .waitFor();
    await until(async () => NETWORK.test(await caption(page)), 'the network frame on screen', 120_000);

    // Rendered while the playhead rests there: the render's frame replaces the network's without a move.
    const t0 = Date.now();
    const summary = await (await app.core.delivery.startRender(projectId, { shotIds: [shot.id] })).done;
    assert.deepEqual([summary.rendered, summary.failures], [1, []]);
    t.diagnostic(`3 frames rendered in ${Date.now() - t0} ms`);
    await until(async () => RENDERED.test(await caption(page)), 'the rendered frame on screen', 30_000);
    // Away and back: the network's frame is held, the render's is still the one shown.
    await page.keyboard.press('ArrowRight');
    await until(async () => RENDERED.test(await caption(page)), 'the next rendered frame', 30_000);
    await page.keyboard.press('ArrowLeft');
    await page
      .getByTestId('viewer-timecode')
      .filter({ hasText: ` frame ${frame} ·` })
      .waitFor();
    await page.waitForTimeout(300);
    await until(async () => RENDERED.test(await caption(page)), 'the rendered frame again', 30_000);
    await page.screenshot({ path: join(appRoot(), 'test-results', 'review-rendered.png') });

    // The scopes read the render's picture (at the viewer's size): its light is the render's own record's.
    const src = await app.core.delivery.renderedFrameSource(projectId, shot.id, frame);
    const record = RenderSegment.parse(
      JSON.parse(readFileSync(join(dirname(src.file), segmentRecordFile(0)), 'utf8')) as unknown,
    );
    const rendered = record.light[src.index];
    await page.waitForTimeout(500);
    const light = await frameLight();
    t.diagnostic(`scopes ${JSON.stringify(light)}, render record ${JSON.stringify(rendered)}`);
    assert.ok(Math.abs(light.avg - rendered.frameAverage) <= Math.max(1, 0.03 * rendered.frameAverage));
    assert.ok(light.max <= rendered.maxCll * 1.02 + 1 && light.max >= rendered.maxCll * 0.8, 'max as rendered');

    // Zoomed in past the source's pixels: the render at its own 2560x1440 (the network's real output); back to
    // fit, the viewer-sized copy again (a fit view of the full render would alias).
    const sampling = page.locator('[data-testid="scopes-panel"] [data-testid="scopes-sampling"]');
    assert.match(await sampling.innerText(), /full frame 1280×720$/);
    const box = (await page.getByTestId('viewer-canvas').boundingBox())!;
    await page.mouse.move(box.x + box.width / 2, box.y + box.height / 2);
    await page.mouse.wheel(0, -1000);
    await until(async () => /full frame 2560×1440/.test(await sampling.innerText()), 'the render at its size', 30_000);
    assert.match(await caption(page), RENDERED);
    await page.screenshot({ path: join(appRoot(), 'test-results', 'review-rendered-zoomed.png') });
    await page.keyboard.press('f');
    await until(async () => /full frame 1280×720$/.test(await sampling.innerText()), 'the fit copy again', 30_000);

    // A grade change: the render no longer stands for the picture, which is graded anew from the source.
    const exposure = page.getByTestId('grade-field-exposure');
    await exposure.click();
    await exposure.fill('1');
    await exposure.press('Enter');
    await page.evaluate(() => (document.activeElement as HTMLElement | null)?.blur());
    await until(async () => !RENDERED.test(await caption(page)), 'the graded source instead of the render', 15_000);
    const status = await app.core.dispatch('renders.status', { projectId });
    const states = status.ok ? (status.value as ShotRenderStatus[]) : [];
    assert.equal(states.find((s) => s.shotId === shot.id)?.state, 'stale');
    const brighter = await frameLight();
    assert.ok(brighter.avg > light.avg * 1.3, `one stop up: ${brighter.avg} against ${light.avg}`);
    // The stale shot's picture upgrades as any other's: the network's frame under the new grade; zoomed in, the
    // network run on the whole source (its full 2560x1440 output), and at fit the viewer-sized one again.
    await until(async () => NETWORK.test(await caption(page)), 'the network frame under the new grade', 120_000);
    await page.mouse.move(box.x + box.width / 2, box.y + box.height / 2);
    await page.mouse.wheel(0, -1000);
    await until(
      async () => /full frame 2560×1440/.test(await sampling.innerText()),
      'the full network output',
      120_000,
    );
    assert.match(await caption(page), NETWORK);
    await page.keyboard.press('f');
    await until(async () => /full frame 1280×720$/.test(await sampling.innerText()), 'the fit network frame', 30_000);

    // Undo: the render's grade again, so its frame again (from the viewer's own cache, no decode).
    await page.keyboard.press('Control+z');
    await until(async () => RENDERED.test(await caption(page)), 'the render back after undo', 30_000);
    await until(
      async () => Math.abs((await frameLight()).avg - light.avg) <= 1,
      'the scopes back on the render',
      15_000,
    );
    assert.deepEqual(app.errors, []);
  },
);
