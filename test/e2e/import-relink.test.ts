// Browser mode import through the host's media browser, progress while it works, then an offline clip
// relinked by content after the colorist moved the footage.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { copyFileSync, mkdirSync, renameSync } from 'node:fs';
import { join } from 'node:path';
import type { Browser } from 'playwright';
import { resolveBinaries } from '../../src-main/core/media';
import { appRoot } from '../../src-main/core/paths';
import { startHost, tempDir, testCore } from '../helpers/core';
import { chromiumAvailable, launchChromium } from '../helpers/browser';
import { pqClip } from '../helpers/media-fixtures';
import { waitForJobs } from '../helpers/review-app';
import type { Core } from '../../src-main/core';
import type { RunningHost } from '../../src-main/host/server';

let core: Core;
let host: RunningHost;
let browser: Browser;
const tmp = tempDir();
const media = join(tmp.dir, 'media');
const reel = join(media, 'reel1');

before(async () => {
  mkdirSync(reel, { recursive: true });
  // Two shots with a hard cut at frame 36: a test pattern, then a moving gradient.
  const r = spawnSync(resolveBinaries().ffmpeg, [
    '-v',
    'error',
    '-f',
    'lavfi',
    '-i',
    'testsrc2=size=320x180:rate=24:duration=1.5',
    '-f',
    'lavfi',
    '-i',
    'mandelbrot=size=320x180:rate=24',
    '-filter_complex',
    '[1:v]trim=duration=1.5[m];[0:v][m]concat=n=2:v=1[v]',
    '-map',
    '[v]',
    '-frames:v',
    '72',
    '-pix_fmt',
    'yuv420p',
    '-c:v',
    'libx264',
    '-g',
    '12',
    join(reel, 'A001_C002.mp4'),
  ]);
  assert.equal(r.status, 0, String(r.stderr));
  core = testCore(join(tmp.dir, 'data'), { mediaRoots: [media] });
  host = await startHost({ core, port: 0 });
  if (chromiumAvailable()) browser = await launchChromium();
});
after(async () => {
  await browser?.close();
  await host?.close();
  await core?.close();
  tmp.cleanup();
});

test(
  'import through the media browser, then relink the clip after it moved',
  { skip: !chromiumAvailable() && 'no chromium' },
  async () => {
    const page = await browser.newPage({ viewport: { width: 1400, height: 860 } });
    const errors: string[] = [];
    page.on('pageerror', (e) => errors.push(e.message));
    await page.goto(host.url);
    await page.getByRole('button', { name: 'New project' }).first().click();
    await page.getByTestId('project-name').fill('Reel 1');
    await page.getByTestId('create-project').click();
    await page.getByTestId('project-name-title').filter({ hasText: 'Reel 1' }).waitFor();

    await page.getByRole('button', { name: 'Import' }).click();
    const list = page.getByTestId('browse-list');
    await list.getByText('media', { exact: false }).first().click();
    await list.getByText('reel1').click();
    await list.getByText('A001_C002.mp4').click();
    await page.getByTestId('import-selected').click();
    // Two shots arrive on the timeline once the import job is done.
    await page.waitForFunction(
      () => document.querySelectorAll('[data-testid="timeline-shot"]').length === 2,
      undefined,
      { timeout: 60_000 },
    );
    await page.getByTestId('clip').filter({ hasText: 'A001_C002.mp4' }).waitFor();

    // The colorist moves the footage: the clip goes offline, and is relinked by content.
    const moved = join(media, 'moved');
    renameSync(reel, moved);
    await page.getByRole('button', { name: 'All projects' }).click();
    await page.getByTestId('project-card').filter({ hasText: 'Reel 1' }).getByRole('button').first().click();
    await page.getByText(/offline or changed/).waitFor();
    await page.getByTestId('relink').click();
    await list.getByText('media', { exact: false }).first().click();
    await list.getByText('moved').click();
    await list.getByText('A001_C002.mp4').click();
    await page.getByTestId('relink-selected').click();
    await page.getByText(/offline or changed/).waitFor({ state: 'detached' });
    const detail = await core.dispatch('library.getProject', {
      projectId: ((await core.dispatch('library.listProjects', {})) as { ok: true; value: { id: string }[] }).value[0]
        .id,
    });
    assert.ok(detail.ok);
    const clip = (detail.value as { clips: { path: string; status: string }[] }).clips[0];
    assert.equal(clip.status, 'ok');
    assert.equal(clip.path, join(moved, 'A001_C002.mp4'));
    assert.deepEqual(errors, []);
    await page.close();
  },
);

test(
  'an HDR10-tagged clip imports with a warning on the clip and a notice: it is not SDR footage',
  { skip: !chromiumAvailable() && 'no chromium' },
  async () => {
    const file = join(media, 'hdr', 'pq.mov');
    mkdirSync(join(media, 'hdr'), { recursive: true });
    copyFileSync(pqClip(), file);
    const made = await core.dispatch('library.createProject', { name: 'HDR reel' });
    assert.ok(made.ok);
    const projectId = (made.value as { id: string }).id;
    const page = await browser.newPage({ viewport: { width: 1400, height: 860 } });
    const errors: string[] = [];
    page.on('pageerror', (e) => errors.push(e.message));
    await page.goto(host.url);
    await page.getByTestId('project-card').filter({ hasText: 'HDR reel' }).getByRole('button').first().click();
    await page.getByTestId('project-name-title').filter({ hasText: 'HDR reel' }).waitFor();
    // Imported while the colorist looks at the project: the job ends on a notice, the clip carries the warning.
    const started = await core.dispatch('library.importClips', { projectId, files: [file] });
    assert.ok(started.ok, JSON.stringify(started));
    await waitForJobs(core, projectId);
    const notice = page.getByTestId('job-alert').filter({ hasText: 'pq.mov' });
    await notice.waitFor();
    assert.match(await notice.innerText(), /Imported 1 clip; .*pq\.mov: tagged as an HDR clip \(PQ, SMPTE ST 2084\)/);
    const warning = page.getByTestId('clip').filter({ hasText: 'pq.mov' }).getByTestId('clip-colour-warning');
    await warning.waitFor();
    assert.match(await warning.innerText(), /^Not SDR: tagged as an HDR clip \(PQ, SMPTE ST 2084\)/);
    // The shot panel names the clip's colour tags.
    const tags = page.getByText('Not SDR: BT.2020 · PQ · range untagged');
    await tags.waitFor();
    assert.equal(await tags.getAttribute('data-warning'), 'true');
    const clipName = page.getByText('pq.mov', { exact: true }).first();
    const colours = [
      await tags.evaluate((e) => getComputedStyle(e).color),
      await clipName.evaluate((e) => getComputedStyle(e).color),
    ];
    assert.notEqual(colours[0], colours[1], 'the flagged tags stand out from the other facts');
    await page.screenshot({ path: join(appRoot(), 'test-results', 'import-hdr-clip.png') });
    assert.deepEqual(errors, []);
    await page.close();
  },
);
