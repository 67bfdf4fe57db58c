// A GPU provider forced where none works: the status bar says what runs and, on hover, why the GPU does not.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, readFileSync } from 'node:fs';
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
const before_ = process.env.REMASTER_PROVIDER;

before(async () => {
  // The worker inherits this process's environment: the same switch a user would set.
  process.env.REMASTER_PROVIDER = 'webgpu';
  core = testCore(tmp.dir);
  host = await startHost({ core, port: 0 });
  if (chromiumAvailable()) browser = await launchChromium();
});
after(async () => {
  await browser?.close();
  await host.close();
  await core.close();
  if (before_ === undefined) delete process.env.REMASTER_PROVIDER;
  else process.env.REMASTER_PROVIDER = before_;
  tmp.cleanup();
});

test(
  'forced WebGPU without an adapter: status bar shows the CPU and the reason, the log has it once',
  { skip: !chromiumAvailable() && 'Debian chromium is not installed (/usr/bin/chromium)' },
  async () => {
    const page = await browser.newPage({ viewport: { width: 1280, height: 720 } });
    const errors: string[] = [];
    page.on('pageerror', (e) => errors.push(e.message));
    await page.goto(host.url);
    await page.getByTestId('worker-state').filter({ hasText: 'Worker ready' }).waitFor({ timeout: 30_000 });
    const device = page.getByTestId('inference-device');
    const text = await device.innerText();
    const note = (await device.getAttribute('data-provider-note')) ?? '';
    if (/^Inference: WebGPU/.test(text)) return; // a machine with a working WebGPU adapter: nothing to explain
    assert.match(text, /^Inference: CPU fp32(, \d+ threads?)? \(onnxruntime 1\.\d+\.\d+\)$/);
    assert.match(note, /^WebGPU unavailable: Failed to get a WebGPU adapter/);
    await device.hover();
    const tip = page.getByRole('tooltip');
    await tip.waitFor();
    assert.match(await tip.innerText(), /WebGPU unavailable: Failed to get a WebGPU adapter/);
    await page.waitForTimeout(400); // the tooltip's fade-in, for a readable screenshot
    mkdirSync(shots, { recursive: true });
    await page.screenshot({ path: join(shots, 'status-bar-provider-note.png') });
    const log = readFileSync(join(tmp.dir, 'logs', 'remaster.log'), 'utf8');
    assert.equal(log.match(/inference provider: WebGPU unavailable/g)?.length, 1, 'said once in the log');
    assert.deepEqual(errors, []);
  },
);
