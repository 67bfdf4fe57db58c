// The viewer in the real app (headless host + Chromium): once the playhead rests, the full-resolution source
// frame and then the network's output arrive from the host's cache route and replace the proxy and the analytic
// base, with no console error; a frame the viewer already holds is not fetched again. Beside it, a clip from a
// truncated file says so in the clip list.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Browser, Page } from 'playwright';
import { appRoot } from '../../src-main/core/paths';
import { startHost, tempDir, testCore } from '../helpers/core';
import { ffmpeg } from '../helpers/media-fixtures';
import { chromiumAvailable, launchChromium } from '../helpers/browser';
import type { Core } from '../../src-main/core';
import type { RunningHost } from '../../src-main/host/server';

const demo = join(appRoot(), 'assets', 'demo', 'demo.mp4');
const baseline = join(appRoot(), 'models', 'baseline-x2.onnx');
const skip = !chromiumAvailable()
  ? 'Debian chromium is not installed'
  : !existsSync(demo)
    ? 'demo clip missing'
    : !existsSync(baseline)
      ? 'baseline model missing'
      : false;
let core: Core;
let host: RunningHost;
let browser: Browser;
let page: Page;
const tmp = tempDir();
const mediaDir = join(tmp.dir, 'media');

before(async () => {
  if (skip) return;
  // The baseline model answers fastest; the worker (a child process) reads the same variable.
  process.env.REMASTER_MODEL = baseline;
  mkdirSync(mediaDir);
  core = testCore(join(tmp.dir, 'data'), { demo: true, mediaRoots: [mediaDir] });
  host = await startHost({ core, port: 0 });
  browser = await launchChromium();
});
after(async () => {
  await browser?.close();
  await host?.close();
  await core?.close();
  tmp.cleanup();
});

async function untilIdle(ms: number) {
  for (const end = Date.now() + ms; ; await new Promise((r) => setTimeout(r, 250))) {
    const jobs = await core.dispatch('jobs.list', { activeOnly: true });
    if (jobs.ok && (jobs.value as unknown[]).length === 0) return;
    if (Date.now() > end) throw new Error('jobs still running');
  }
}

const caption = (page: Page) => page.getByTestId('viewer-caption');

test(
  'viewer: the resting playhead gets the full-resolution frame and the network output',
  { skip, timeout: 300_000 },
  async () => {
    page = await browser.newPage({ viewport: { width: 1280, height: 720 } });
    const errors: string[] = [];
    page.on('pageerror', (e) => errors.push(e.message));
    page.on('console', (m) => m.type() === 'error' && errors.push(m.text()));
    const raw: { url: string; status: number; cacheControl: string | undefined; type: string | undefined }[] = [];
    page.on('response', (r) => {
      // The viewer's own requests; the test's are marked.
      if (/\.(sdr16|hdr16)\?/.test(r.url()) && !r.url().includes('&from=test'))
        raw.push({
          url: r.url(),
          status: r.status(),
          cacheControl: r.headers()['cache-control'],
          type: r.headers()['content-type'],
        });
    });
    await page.goto(host.url);
    await page.getByTestId('project-name-title').filter({ hasText: 'Demo project' }).waitFor({ timeout: 20_000 });
    await page.getByTestId('timeline-shot').nth(3).waitFor({ timeout: 120_000 });
    await untilIdle(180_000); // the demo's import (shots, proxies) done: no picture is still being made
    // Side by side, so the caption names both pictures: the SDR one and the HDR one.
    await page.getByTestId('viewer-mode-side').click();
    const box = (await page.getByTestId('timeline').boundingBox())!;
    await page.mouse.click(box.x + box.width * 0.4, box.y + box.height / 2);
    const readout = page.getByTestId('playhead-readout');
    const at = Number(/frame (\d+)/.exec(await readout.innerText())?.[1]);
    // The playhead rests: the source frame, then the network's output (the worker may still be starting). The
    // caption may still name the pictures of the frame before until this frame's files have arrived.
    await arrived(at, 180_000);
    await caption(page).filter({ hasText: 'SDR · full resolution' }).waitFor({ timeout: 60_000 });
    await caption(page)
      .filter({ hasText: /HDR · network \(baseline-x2\)/ })
      .waitFor({ timeout: 60_000 });
    const text = await caption(page).innerText();
    assert.doesNotMatch(text, /unavailable/, text);
    for (const r of raw) {
      assert.equal(r.status, 200);
      assert.equal(r.type, 'application/octet-stream');
      // Chromium's disk cache fails on big responses (net::ERR_CACHE_WRITE_FAILURE): raw frames never go there.
      assert.equal(r.cacheControl, 'no-store');
    }

    // Several views asking for one big frame file at once all get it (a cached response failed all but one).
    const hdrUrl = raw.find((r) => r.url.includes(`frames%2F${at}-`) && r.url.includes('.hdr16?'))!.url;
    const concurrent = await page.evaluate(
      `Promise.all([0, 1, 2].map(() => fetch(${JSON.stringify(hdrUrl + '&from=test')})
      .then((r) => r.arrayBuffer()).then((b) => b.byteLength, (e) => String(e))))`,
    );
    const hdrBytes = 1280 * 720 * 3 * 2 * 2; // the demo's width, two 16-bit RGB pictures
    assert.deepEqual(concurrent, [hdrBytes, hdrBytes, hdrBytes]);

    // A step away and back: both frames are held by the viewer, not fetched again.
    await page.keyboard.press('ArrowRight');
    await readout.filter({ hasText: `frame ${at + 1} ` }).waitFor();
    await arrived(at + 1, 180_000);
    await page.keyboard.press('ArrowLeft');
    await readout.filter({ hasText: `frame ${at} ` }).waitFor();
    await caption(page).filter({ hasText: 'SDR · full resolution' }).waitFor({ timeout: 60_000 });
    await caption(page)
      .filter({ hasText: /HDR · network/ })
      .waitFor({ timeout: 60_000 });
    await page.waitForTimeout(1000);
    // Each frame file crossed once over the whole test, however often the effects re-ran while it loaded.
    const counts = new Map<string, number>();
    for (const r of raw) counts.set(r.url, (counts.get(r.url) ?? 0) + 1);
    assert.ok(
      [...counts.values()].every((n) => n === 1),
      JSON.stringify(raw.map((r) => r.url.replace(/.*frames%2F|\?.*/g, ''))),
    );

    // Content "Animation & graphics" with a model that has no graphics variant (here the analytic one): the
    // caption says it runs as it is.
    await page.getByTestId('grade-choice-content').locator('[role="combobox"]').click();
    await page.getByRole('option', { name: 'Animation & graphics' }).click();
    await caption(page)
      .filter({ hasText: 'baseline-x2 has no graphics variant: running it as it is' })
      .waitFor({ timeout: 60_000 });

    /** Waits for both of a frame's files (source, network) to have come from the host. */
    async function arrived(frame: number, ms: number): Promise<void> {
      const has = (ext: string) => raw.some((r) => r.url.includes(`frames%2F${frame}-`) && r.url.includes(`${ext}?`));
      for (const end = Date.now() + ms; !(has('.sdr16') && has('.hdr16')); await page.waitForTimeout(100))
        if (Date.now() > end) assert.fail(`frame ${frame}'s files did not arrive: ${JSON.stringify(raw)}`);
    }
    assert.deepEqual(errors, []);
  },
);

test('a clip from a truncated file carries its warning in the clip list', { skip, timeout: 120_000 }, async () => {
  // A fast-start MP4 cut to half its bytes, as an interrupted copy leaves it: imported, with fewer frames.
  const whole = join(mediaDir, 'whole.mp4');
  ffmpeg([
    ...['-f', 'lavfi', '-i', 'testsrc2=size=320x180:rate=24', '-frames:v', '96', '-c:v', 'libx264'],
    ...['-preset', 'ultrafast', '-pix_fmt', 'yuv420p', '-movflags', '+faststart', whole],
  ]);
  const half = join(mediaDir, 'half.mp4');
  const bytes = readFileSync(whole);
  writeFileSync(half, bytes.subarray(0, bytes.length >> 1));
  const list = await core.dispatch('library.listProjects', {});
  assert.ok(list.ok);
  const projectId = (list.value as { id: string }[])[0]!.id;
  const started = await core.dispatch('library.importClips', { projectId, files: [half], proxies: false });
  assert.ok(started.ok, JSON.stringify(started));
  const warning = page.getByTestId('clip').filter({ hasText: 'half.mp4' }).getByTestId('clip-incomplete');
  await warning.waitFor({ timeout: 60_000 });
  assert.match(await warning.innerText(), /Incomplete: \d+ of the 96 frames its file declares could be decoded/);
  await page.close();
});
