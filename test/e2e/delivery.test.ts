// Delivery from the project screen: render a shot from the Render menu (the render queue shows it, pauses and
// resumes it), then export an in/out range as an HDR10 HEVC master and read the verification report; the
// timeline marks the shot rendered and the shot panel shows its measured light. At 1280x720.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import type { Browser, Page } from 'playwright';
import { appRoot } from '../../src-main/core/paths';
import { resolveBinaries } from '../../src-main/core/media/ffmpeg';
import { startHost, tempDir, testCore } from '../helpers/core';
import { chromiumAvailable, launchChromium } from '../helpers/browser';
import type { Core } from '../../src-main/core';
import type { RunningHost } from '../../src-main/host/server';

const demo = join(appRoot(), 'assets', 'demo', 'demo.mp4');
const baseline = join(appRoot(), 'models', 'baseline-x2.onnx');
const skip = !chromiumAvailable()
  ? 'Debian chromium is not installed'
  : !existsSync(demo)
    ? 'demo clip missing'
    : false;
const shots = join(appRoot(), 'test-results');
let core: Core;
let host: RunningHost;
let browser: Browser;
const tmp = tempDir();
const outDir = join(tmp.dir, 'masters');

before(async () => {
  if (skip) return;
  mkdirSync(outDir, { recursive: true });
  // The baseline model renders fastest; the worker (a child process) reads the same variable.
  process.env.REMASTER_MODEL = baseline;
  core = testCore(join(tmp.dir, 'data'), { demo: true, mediaRoots: [outDir] });
  host = await startHost({ core, port: 0 });
  browser = await launchChromium();
});
after(async () => {
  await browser?.close();
  await host?.close();
  await core?.close();
  tmp.cleanup();
});

async function call<T>(method: string, request: unknown): Promise<T> {
  const r = await core.dispatch(method, request);
  if (!r.ok) throw new Error(`${method}: ${r.error.code} ${r.error.message}`);
  return r.value as T;
}

async function untilIdle(ms: number) {
  const end = Date.now() + ms;
  while ((await call<unknown[]>('jobs.list', { activeOnly: true })).length > 0) {
    if (Date.now() > end) throw new Error('jobs still running');
    await new Promise((r) => setTimeout(r, 250));
  }
}

const shot = (page: Page, name: string) => page.screenshot({ path: join(shots, name) });

test(
  'render a shot from the queue, export an HDR10 range and read its verification report',
  { skip, timeout: 600_000 },
  async (t) => {
    const page = await browser.newPage({ viewport: { width: 1280, height: 720 } });
    const errors: string[] = [];
    page.on('pageerror', (e) => errors.push(e.message));
    page.on('console', (m) => m.type() === 'error' && errors.push(m.text()));
    mkdirSync(shots, { recursive: true });
    await page.goto(host.url);
    await page.getByTestId('project-name-title').filter({ hasText: 'Demo project' }).waitFor({ timeout: 20_000 });
    const blocks = page.getByTestId('timeline-shot');
    await blocks.nth(4).waitFor({ timeout: 120_000 });
    await untilIdle(180_000);
    const [project] = await call<{ id: string }[]>('library.listProjects', {});
    const status = await core.dispatch('renders.status', { projectId: project.id });
    if (!status.ok) {
      t.skip(`the render backend is not ready: renders.status answers ${status.error.code} (${status.error.message})`);
      return;
    }

    // The last shot (demo frames 204-239, programme frames 204-239): select it, render it from the menu.
    const last = blocks.nth(4);
    await last.click();
    await page.getByTestId('shot-panel').filter({ hasText: 'Shot 5' }).waitFor();
    assert.equal(await last.getAttribute('data-render-state'), 'none');
    await page.getByTestId('render-menu').click();
    await page.getByTestId('render-selected').click();
    const queue = page.getByTestId('render-queue');
    const row = queue.locator('[data-testid="job"][data-kind="render"]');
    await row.filter({ hasText: /frame \d+\/36/ }).waitFor({ timeout: 120_000 });
    await last.locator('[data-testid="shot-render-state"][data-state="rendering"]').waitFor();
    await shot(page, 'delivery-render-queue.png');

    // Pause holds it between frames; Resume carries on to the end.
    await row.getByTestId('job-pause').click();
    const paused = queue.locator('[data-testid="job"][data-kind="render"][data-state="paused"]');
    await paused.waitFor({ timeout: 60_000 });
    const held = await paused.getByTestId('job-eta').innerText();
    assert.match(held, /paused/);
    // Paused is not running, and no time left is shown for it anywhere in its row.
    await queue.getByText(/^Render queue · 1 paused/).waitFor();
    assert.doesNotMatch(await paused.innerText(), /left/);
    await paused.getByTestId('job-resume').click();
    await queue.locator('[data-testid="render-queue-finished"][data-state="done"]').waitFor({ timeout: 300_000 });
    await last.locator('[data-testid="shot-render-state"][data-state="rendered"]').waitFor({ timeout: 10_000 });
    const light = await page.getByTestId('shot-render').innerText();
    const cll = Number(/MaxCLL\s+(\d+) nits/.exec(light)?.[1]);
    const fall = Number(/MaxFALL\s+(\d+) nits/.exec(light)?.[1]);
    assert.ok(cll > 0 && cll <= 10000 && fall > 0 && fall <= cll, light);

    // Export six frames of that shot as HDR10 HEVC into the host's media root.
    await page.getByTestId('open-export').click();
    const dialog = page.getByTestId('export-dialog');
    await dialog.getByTestId('export-format').click();
    await page.getByRole('option', { name: 'HDR10 HEVC (MP4)' }).click();
    await dialog.getByTestId('range-frames').click();
    await dialog.getByTestId('range-in').fill('204');
    await dialog.getByTestId('range-out').fill('209');
    // A path outside the media folders is refused in the dialog, before Export is pressed.
    const estimate = dialog.getByTestId('export-estimate');
    await dialog.getByTestId('export-out').fill('/etc/demo-hdr10.mp4');
    await estimate.filter({ hasText: /outside the media folders this host may use/ }).waitFor({ timeout: 20_000 });
    const out = join(outDir, 'demo-hdr10.mp4');
    await dialog.getByTestId('export-out').fill(out);
    await dialog.getByText(outDir).first().waitFor(); // the media-root hint
    // UHD resizes the 2560×1440 render to 3840×2160; this test keeps the rendered size.
    await dialog.getByTestId('export-raster').click();
    await page.getByRole('option', { name: 'UHD 3840×2160' }).click();
    await estimate.filter({ hasText: /6 frames at 3840×2160/ }).waitFor({ timeout: 20_000 });
    await dialog.getByTestId('export-raster').click();
    await page.getByRole('option', { name: 'As rendered' }).click();
    await estimate.filter({ hasText: /6 frames at 2560×1440/ }).waitFor({ timeout: 20_000 });
    assert.match(await estimate.innerText(), /every shot already rendered/);
    await shot(page, 'delivery-export-dialog.png');
    await dialog.getByTestId('export-start').click();

    const report = dialog.getByTestId('verify-report');
    await report.waitFor({ timeout: 300_000 });
    await shot(page, 'delivery-report.png');
    assert.equal(await report.getAttribute('data-ok'), 'true', await report.innerText());
    const checks = dialog.getByTestId('verify-check');
    const n = await checks.count();
    assert.ok(n >= 3, `${n} checks`);
    assert.equal(await dialog.locator('[data-testid="verify-check"][data-ok="false"]').count(), 0);
    assert.equal(await dialog.getByTestId('verify-summary').innerText(), `Master verified: all ${n} checks passed.`);
    const reportCll = Number(/^(\d+) nits$/.exec(await dialog.getByTestId('report-maxcll').innerText())?.[1]);
    const reportFall = Number(/^(\d+) nits$/.exec(await dialog.getByTestId('report-maxfall').innerText())?.[1]);
    assert.ok(
      reportCll > 0 && reportCll <= cll && reportFall > 0 && reportFall <= reportCll,
      `${reportCll} / ${reportFall}`,
    );

    // The master on disk is what the report says: six HEVC Main 10 frames in PQ.
    assert.ok(statSync(out).size > 0);
    const probe = JSON.parse(
      execFileSync(
        resolveBinaries().ffprobe,
        [
          '-v',
          'error',
          '-select_streams',
          'v:0',
          '-count_frames',
          '-show_entries',
          'stream=codec_name,profile,color_transfer,color_primaries,nb_read_frames',
          '-of',
          'json',
          out,
        ],
        {
          encoding: 'utf8',
        },
      ),
    ) as {
      streams: {
        codec_name: string;
        profile: string;
        color_transfer: string;
        color_primaries: string;
        nb_read_frames: string;
      }[];
    };
    const { codec_name, profile, color_transfer, color_primaries, nb_read_frames } = probe.streams[0];
    assert.deepEqual(
      { codec_name, profile, color_transfer, color_primaries, nb_read_frames },
      {
        codec_name: 'hevc',
        profile: 'Main 10',
        color_transfer: 'smpte2084',
        color_primaries: 'bt2020',
        nb_read_frames: '6',
      },
    );

    await dialog.getByTestId('export-close').click();
    await dialog.waitFor({ state: 'hidden' });
    assert.equal(await last.getAttribute('data-render-state'), 'rendered');
    assert.deepEqual(errors, []);
    await page.close();
  },
);
