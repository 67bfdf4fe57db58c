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

test('library screen: empty state, status bar with the real device, New project', { skip: !chromiumAvailable() && 'Debian chromium is not installed (/usr/bin/chromium)' }, async () => {
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
  assert.match(await page.getByTestId('inference-device').innerText(), /^Inference: CPU \(onnxruntime 1\.\d+\.\d+\)$/);
  assert.match(await page.getByTestId('app-version').innerText(), /^Remaster \d+\.\d+\.\d+$/);
  mkdirSync(shots, { recursive: true });
  await page.screenshot({ path: join(shots, 'library-empty.png') });

  await page.getByRole('button', { name: 'New project' }).first().click();
  await page.getByTestId('project-name').fill('Harbour at dusk');
  await page.getByTestId('create-project').click();
  // A new project opens straight away, empty, ready for an import.
  await page.getByTestId('project-name-title').filter({ hasText: 'Harbour at dusk' }).waitFor();
  await page.getByText('Import footage to begin.').waitFor();
  await page.getByRole('button', { name: 'All projects' }).click();
  await page.getByTestId('project-card').filter({ hasText: 'Harbour at dusk' }).waitFor();
  await page.screenshot({ path: join(shots, 'library-one-project.png') });
  // The project is in the real library, not only on screen.
  const list = await core.dispatch('library.listProjects', {});
  assert.ok(list.ok && (list.value as { name: string }[]).some((p) => p.name === 'Harbour at dusk'));
  assert.deepEqual(errors, []);
  await page.close();
});

test('when the host goes away the page says so instead of failing silently', { skip: !chromiumAvailable() && 'no chromium' }, async () => {
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
});

test('a URL without the token explains what to do', { skip: !chromiumAvailable() && 'no chromium' }, async () => {
  const page = await browser.newPage();
  await page.goto(`http://127.0.0.1:${host.port}/`);
  await page.getByText('This address has no access token').waitFor();
  await page.close();
});
