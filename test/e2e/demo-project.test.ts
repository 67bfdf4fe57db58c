// A newcomer's first minute: the demo project is there, opens on a timeline of detected shots, scrubs,
// and a shot can be split at the playhead.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import type { Browser } from 'playwright';
import { appRoot } from '../../src-main/core/paths';
import { startHost, tempDir, testCore } from '../helpers/core';
import { chromiumAvailable, launchChromium } from '../helpers/browser';
import type { Core } from '../../src-main/core';
import type { RunningHost } from '../../src-main/host/server';

const demo = join(appRoot(), 'assets', 'demo', 'demo.mp4');
const skip = !chromiumAvailable()
  ? 'Debian chromium is not installed'
  : !existsSync(demo)
    ? 'demo clip missing'
    : false;
let core: Core;
let host: RunningHost;
let browser: Browser;
const tmp = tempDir();

before(async () => {
  if (skip) return;
  core = testCore(tmp.dir, { demo: true });
  host = await startHost({ core, port: 0 });
  browser = await launchChromium();
});
after(async () => {
  await browser?.close();
  await host?.close();
  await core?.close();
  tmp.cleanup();
});

test('demo project: shots on the timeline, scrubbing shows frames, split at the playhead', { skip }, async () => {
  const page = await browser.newPage({ viewport: { width: 1400, height: 860 } });
  const errors: string[] = [];
  page.on('pageerror', (e) => errors.push(e.message));
  await page.goto(host.url);
  // First start: straight into the demo project, whose import (probe, shots, proxies) runs as a job.
  await page.getByTestId('project-name-title').filter({ hasText: 'Demo project' }).waitFor({ timeout: 20_000 });
  await page.getByTestId('project-screen').waitFor();
  const blocks = page.getByTestId('timeline-shot');
  await blocks.nth(3).waitFor({ timeout: 120_000 });
  const before = await blocks.count();
  assert.ok(before >= 4, `${before} shots`);

  // Click 60% along the timeline: the viewer shows that frame from the proxy.
  const box = (await page.getByTestId('timeline').boundingBox())!;
  await page.mouse.click(box.x + box.width * 0.6, box.y + box.height / 2);
  // The viewer draws that frame graded, and hands it to the scopes: their frame peak is a measured value.
  await page.getByTestId('viewer-canvas').waitFor();
  await page
    .getByTestId('scopes-frame-max')
    .filter({ hasText: /max \d+(\.\d+)? nits/ })
    .waitFor({ timeout: 30_000 });
  const tc = await page.getByTestId('playhead-readout').innerText();
  const frame = Number(/frame (\d+)/.exec(tc)?.[1]);
  assert.ok(frame > 100 && frame < 200, tc); // ~60% of a ~240-frame clip
  await page.keyboard.press('ArrowRight');
  await page
    .getByTestId('playhead-readout')
    .filter({ hasText: `frame ${frame + 1} ` })
    .waitFor();

  mkdirSync(join(appRoot(), 'test-results'), { recursive: true });
  await page.screenshot({ path: join(appRoot(), 'test-results', 'demo-project.png') });

  await page.getByTestId('split-shot').click();
  await page.waitForFunction(
    (n) => document.querySelectorAll('[data-testid="timeline-shot"]').length === n + 1,
    before,
  );
  // Back in the library the demo is one project among others; a reload does not jump into it again.
  await page.getByRole('button', { name: 'All projects' }).click();
  const card = page.getByTestId('project-card').filter({ hasText: 'Demo project' });
  await card.waitFor();
  // Its card shows the first shot's thumbnail, loaded from the host's cache.
  await card.getByTestId('project-thumbnail').waitFor();
  await page.waitForFunction(() => {
    const img = document.querySelector('[data-testid="project-thumbnail"]') as HTMLImageElement | null;
    return !!img && img.complete && img.naturalWidth > 0;
  });
  await page.screenshot({ path: join(appRoot(), 'test-results', 'library-thumbnails.png') });
  await page.reload();
  await page.getByTestId('library-screen').waitFor();
  assert.equal(await page.getByTestId('project-screen').count(), 0);
  assert.deepEqual(errors, []);
  await page.close();
});
