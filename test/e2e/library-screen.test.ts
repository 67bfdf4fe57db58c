// The headless host opened in Debian's Chromium: the library screen and the status bar fed by the real worker.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import type { Browser } from 'playwright';
import { appRoot } from '../../src-main/core/paths';
import { startHost, tempDir, testCore } from '../helpers/core';
import { chromiumAvailable, launchChromium } from '../helpers/browser';
import type { Core } from '../../src-main/core';
import type { RunningHost } from '../../src-main/host/server';

const shots = join(appRoot(), 'test-results');
const demoClip = join(appRoot(), 'assets', 'demo', 'demo.mp4');
let core: Core;
let host: RunningHost;
let browser: Browser;
const tmp = tempDir();

before(async () => {
  core = testCore(tmp.dir);
  host = await startHost({ core, port: 0 });
  if (chromiumAvailable()) browser = await launchChromium();
});
after(async () => {
  await browser?.close();
  await host.close();
  await core.close();
  tmp.cleanup();
});

test(
  'library screen: empty state, status bar with the real device, New project',
  { skip: !chromiumAvailable() && 'Debian chromium is not installed (/usr/bin/chromium)' },
  async () => {
    const page = await browser.newPage({ viewport: { width: 1400, height: 860 } });
    const errors: string[] = [];
    page.on('pageerror', (e) => errors.push(e.message));
    page.on('console', (m) => {
      if (m.type() === 'error') errors.push(m.text());
    });
    await page.goto(host.url);
    await page.getByTestId('library-empty').waitFor();
    assert.equal(await page.getByRole('heading', { name: 'No projects yet' }).count(), 1);
    // The status bar shows what the worker reported, once it is ready.
    await page.getByTestId('worker-state').filter({ hasText: 'Worker ready' }).waitFor({ timeout: 20_000 });
    assert.match(
      await page.getByTestId('inference-device').innerText(),
      /^Inference: CPU fp32(, \d+ threads?)? \(onnxruntime 1\.\d+\.\d+\)$/,
    );
    assert.match(await page.getByTestId('app-version').innerText(), /^Remaster \d+\.\d+\.\d+$/);
    mkdirSync(shots, { recursive: true });
    await page.screenshot({ path: join(shots, 'library-empty.png') });

    await page.getByRole('button', { name: 'New project' }).first().click();
    await page.getByTestId('project-name').fill('Harbour at dusk');
    await page.getByTestId('create-project').click();
    // A new project opens straight away, empty, ready for an import.
    await page.getByTestId('project-name-title').filter({ hasText: 'Harbour at dusk' }).waitFor();
    await page.getByText('Import footage to begin.').waitFor();
    // Once an import starts the invitation goes (the import's progress and then its clip take its place).
    const harbour = (await core.dispatch('library.listProjects', {})) as {
      ok: true;
      value: { id: string; name: string }[];
    };
    const projectId = harbour.value.find((p) => p.name === 'Harbour at dusk')!.id;
    const started = await core.dispatch('library.importClips', { projectId, files: [demoClip], proxies: false });
    assert.ok(started.ok, JSON.stringify(started));
    await page.getByText('Import footage to begin.').waitFor({ state: 'detached', timeout: 10_000 });
    await page.getByTestId('clip').filter({ hasText: 'demo.mp4' }).waitFor({ timeout: 60_000 });
    await page.getByRole('button', { name: 'All projects' }).click();
    await page.getByTestId('project-card').filter({ hasText: 'Harbour at dusk' }).waitFor();
    await page.screenshot({ path: join(shots, 'library-one-project.png') });
    // The project is in the real library, not only on screen.
    const list = await core.dispatch('library.listProjects', {});
    assert.ok(list.ok && (list.value as { name: string }[]).some((p) => p.name === 'Harbour at dusk'));
    assert.deepEqual(errors, []);
    await page.close();
  },
);

test(
  "rename and delete a project through the app's own dialogs",
  { skip: !chromiumAvailable() && 'no chromium' },
  async () => {
    const made = await core.dispatch('library.createProject', { name: 'Pier rushes' });
    assert.ok(made.ok);
    const page = await browser.newPage({ viewport: { width: 1280, height: 720 } });
    // A browser prompt or confirm would block here; the app's dialogs are part of the page.
    const browserDialogs: string[] = [];
    page.on('dialog', (d) => {
      browserDialogs.push(d.type());
      void d.dismiss();
    });
    await page.goto(host.url);
    const card = page.getByTestId('project-card').filter({ hasText: 'Pier rushes' });
    await card.getByRole('button', { name: 'Pier rushes actions' }).click();
    await page.getByRole('menuitem', { name: 'Rename…' }).click();
    const rename = page.getByTestId('rename-dialog');
    assert.equal(await rename.getByTestId('rename-input').inputValue(), 'Pier rushes');
    await rename.getByTestId('rename-input').fill('Pier rushes, day 2');
    await page.screenshot({ path: join(shots, 'library-rename.png') });
    await rename.getByTestId('rename-confirm').click();
    await rename.waitFor({ state: 'detached' });
    await page.getByTestId('project-card').filter({ hasText: 'Pier rushes, day 2' }).waitFor();
    let list = await core.dispatch('library.listProjects', {});
    assert.ok(list.ok && (list.value as { name: string }[]).some((p) => p.name === 'Pier rushes, day 2'));
    // A project without footage shows a placeholder, not a broken image.
    const renamed = page.getByTestId('project-card').filter({ hasText: 'Pier rushes, day 2' });
    assert.equal(await renamed.getByTestId('project-no-thumbnail').count(), 1);

    await renamed.getByRole('button', { name: 'Pier rushes, day 2 actions' }).click();
    await page.getByRole('menuitem', { name: 'Delete…' }).click();
    const confirm = page.getByTestId('confirm-dialog');
    await confirm.getByText('Delete "Pier rushes, day 2"?').waitFor();
    await confirm.getByTestId('confirm').click();
    await renamed.waitFor({ state: 'detached' });
    list = await core.dispatch('library.listProjects', {});
    assert.ok(list.ok && !(list.value as { name: string }[]).some((p) => p.name.startsWith('Pier rushes')));
    assert.deepEqual(browserDialogs, []);
    await page.close();
  },
);

test(
  'when the host goes away the page says so instead of failing silently',
  { skip: !chromiumAvailable() && 'no chromium' },
  async () => {
    const tmp2 = tempDir();
    const core2 = testCore(tmp2.dir);
    const host2 = await startHost({ core: core2, port: 0 });
    const page = await browser.newPage();
    try {
      await page.goto(host2.url);
      await page.getByTestId('library-screen').waitFor();
      await host2.close();
      await page.getByTestId('connection-lost').getByText('Lost connection to Remaster').waitFor();
    } finally {
      await page.close();
      await core2.close();
      tmp2.cleanup();
    }
  },
);

test(
  'a URL without the token explains what to do, naming the command that started the host',
  { skip: !chromiumAvailable() && 'no chromium' },
  async () => {
    const tmp3 = tempDir();
    const core3 = testCore(tmp3.dir);
    const host3 = await startHost({ core: core3, port: 0, launchCommand: 'npm run serve' });
    const page = await browser.newPage();
    try {
      const res = await page.goto(`http://127.0.0.1:${host3.port}/`);
      assert.equal(res?.status(), 401);
      await page.getByText('This address has no access token').waitFor();
      assert.match(await page.locator('body').innerText(), /where you ran npm run serve for the line after "Open:"/);
      assert.equal(await page.locator('code').innerText(), 'npm run serve');
      // With the token, the same address is the app.
      await page.goto(host3.url);
      await page.getByTestId('library-screen').waitFor();
    } finally {
      await page.close();
      await host3.close();
      await core3.close();
      tmp3.cleanup();
    }
  },
);
