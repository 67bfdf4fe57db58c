// The review timeline driven from the keyboard and mouse in Chromium, against the real core: frame and shot
// stepping with timecodes, in/out marks, split and merge (the library agrees), Shift/Ctrl multi-select, the
// shortcuts dialog, and the layout at 1280×720 with its sizes remembered.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import type { Browser, Page } from 'playwright';
import { appRoot } from '../../src-main/core/paths';
import { formatTimecode } from '../../src-main/common/timecode';
import type { Clip, ProjectDetail, Shot } from '../../src-main/common/contract';
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
const results = join(appRoot(), 'test-results');
let core: Core;
let host: RunningHost;
let browser: Browser;
let page: Page;
let projectId: string;
let clip: Clip;
const tmp = tempDir();
const errors: string[] = [];

async function coreShots(): Promise<Shot[]> {
  const r = await core.dispatch('shots.list', { projectId });
  assert.ok(r.ok);
  return (r.value as Shot[]).sort((a, b) => a.order - b.order);
}
const readout = () => page.getByTestId('playhead-readout').innerText();
const blocks = () => page.getByTestId('timeline-shot');
async function press(key: string, times = 1): Promise<void> {
  for (let i = 0; i < times; i++) await page.keyboard.press(key);
}
/** Waits for the readout to show this shot and frame, with the clip's source timecode. */
async function expectAt(shotNumber: number, frame: number): Promise<void> {
  const tc = formatTimecode(frame, clip.frameRate, clip.startTimecode);
  const want = `Shot ${shotNumber}/`;
  await page
    .waitForFunction(
      ([w, f, t]) => {
        const text = document.querySelector('[data-testid="playhead-readout"]')?.textContent ?? '';
        return text.startsWith(w) && text.includes(`· frame ${f} · ${t}`);
      },
      [want, frame, tc] as const,
      { timeout: 5000 },
    )
    .catch(async () => assert.fail(`expected shot ${shotNumber} frame ${frame} ${tc}, readout: ${await readout()}`));
}
async function shotCountIs(n: number): Promise<void> {
  await page.waitForFunction((k) => document.querySelectorAll('[data-testid="timeline-shot"]').length === k, n);
  assert.equal((await coreShots()).length, n, 'the library agrees with the timeline');
}

before(async () => {
  if (skip) return;
  core = testCore(tmp.dir, { demo: true });
  host = await startHost({ core, port: 0 });
  browser = await launchChromium();
  page = await browser.newPage({ viewport: { width: 1400, height: 860 } });
  page.on('pageerror', (e) => errors.push(e.message));
  await page.goto(host.url);
  await page.getByTestId('project-name-title').filter({ hasText: 'Demo project' }).waitFor({ timeout: 20_000 });
  await blocks().nth(3).waitFor({ timeout: 120_000 });
  // The import job is done once its proxies are: wait for the library to settle before counting shots.
  const list = await core.dispatch('library.listProjects', {});
  assert.ok(list.ok);
  projectId = (list.value as { id: string; isDemo: boolean }[]).find((p) => p.isDemo)!.id;
  for (let i = 0; i < 240; i++) {
    const jobs = await core.dispatch('jobs.list', { projectId, activeOnly: true });
    if (jobs.ok && (jobs.value as unknown[]).length === 0) break;
    await new Promise((r) => setTimeout(r, 500));
  }
  const detail = await core.dispatch('library.getProject', { projectId });
  assert.ok(detail.ok);
  clip = (detail.value as ProjectDetail).clips[0];
  await page.waitForFunction(
    (n) => document.querySelectorAll('[data-testid="timeline-shot"]').length === n,
    (await coreShots()).length,
  );
  mkdirSync(results, { recursive: true });
});
after(async () => {
  await browser?.close();
  await host?.close();
  await core?.close();
  tmp.cleanup();
});

test('Home/End and Left/Right step frames; the readout shows the frame and its source timecode', { skip }, async () => {
  const shots = await coreShots();
  await press('Home');
  await expectAt(1, shots[0].firstFrame);
  await press('ArrowRight', 3);
  await expectAt(1, shots[0].firstFrame + 3);
  await press('ArrowLeft');
  await expectAt(1, shots[0].firstFrame + 2);
  // Stepping over a cut lands on the next shot's first frame.
  await press('Home');
  await press('ArrowDown');
  await press('ArrowLeft');
  await expectAt(1, shots[0].lastFrame);
  await press('ArrowRight');
  await expectAt(2, shots[1].firstFrame);
  const last = shots.at(-1)!;
  await press('End');
  await expectAt(shots.length, last.lastFrame);
  await press('ArrowRight'); // the end of the timeline holds
  await expectAt(shots.length, last.lastFrame);
});

test('Up/Down move between shots, and the shot panel follows', { skip }, async () => {
  const shots = await coreShots();
  await press('Home');
  await press('ArrowDown');
  await expectAt(2, shots[1].firstFrame);
  await press('ArrowDown');
  await expectAt(3, shots[2].firstFrame);
  await page.getByTestId('shot-panel').filter({ hasText: 'Shot 3' }).waitFor();
  await press('ArrowUp');
  await expectAt(2, shots[1].firstFrame);
  await page.getByTestId('shot-panel').filter({ hasText: 'Shot 2' }).waitFor();
  assert.equal(await page.locator('[data-testid="timeline-shot"][data-selected="true"]').count(), 1);
});

test('I and O mark a range on the timeline', { skip }, async () => {
  const shots = await coreShots();
  const secondStart = shots[0].lastFrame - shots[0].firstFrame + 1; // programme frame of shot 2
  await press('Home');
  await press('ArrowDown');
  await press('i');
  await press('ArrowRight', 10);
  await press('o');
  const marks = page.getByTestId('marks');
  await marks.filter({ hasText: `In ${secondStart} · Out ${secondStart + 10} · 11 frames` }).waitFor();
  // The shaded range sits where the marks are: from shot 2's start, 11 frames long.
  const strip = (await page.getByTestId('timeline').boundingBox())!;
  const range = (await page.getByTestId('marked-range').boundingBox())!;
  const total = shots.reduce((n, s) => n + s.lastFrame - s.firstFrame + 1, 0);
  assert.ok(Math.abs(range.x - strip.x - (secondStart / total) * strip.width) < 3, `range at ${range.x}`);
  assert.ok(Math.abs(range.width - (11 / total) * strip.width) < 3, `range ${range.width} wide`);
  await page.screenshot({ path: join(results, 'timeline-marks.png') });

  // The marks are the export's range, at every opening, whatever range the dialog was left on.
  const dialog = page.getByTestId('export-dialog');
  const expectRange = async () => {
    await page.getByTestId('open-export').click();
    await page.getByTestId('range-in').waitFor();
    assert.equal(await page.getByTestId('range-in').inputValue(), String(secondStart));
    assert.equal(await page.getByTestId('range-out').inputValue(), String(secondStart + 10));
    assert.ok(await page.getByTestId('range-frames').locator('input').isChecked());
  };
  await expectRange();
  await page.getByTestId('range-all').click();
  await press('Escape');
  await dialog.waitFor({ state: 'detached' });
  await expectRange();
  await press('Escape');
  await dialog.waitFor({ state: 'detached' });
  // And the Render menu offers the shots they touch, whole: all 11 frames lie in shot 2.
  await page.getByTestId('render-menu').click();
  await page
    .getByTestId('render-marked')
    .filter({ hasText: new RegExp(`^.*Shot 2, whole \\(\\d+ frames\\) · marks ${secondStart}–${secondStart + 10}$`) })
    .waitFor();
  await press('Escape');
  await page.getByTestId('render-marked').waitFor({ state: 'detached' });

  await press('x');
  await marks.waitFor({ state: 'detached' });
});

test('S splits at the playhead and M merges back; the library agrees', { skip }, async () => {
  const before = await coreShots();
  await press('Home');
  await press('ArrowRight', 5);
  await press('s');
  await shotCountIs(before.length + 1);
  const split = await coreShots();
  assert.equal(split[0].lastFrame, before[0].firstFrame + 4);
  assert.equal(split[1].firstFrame, before[0].firstFrame + 5);
  await expectAt(2, before[0].firstFrame + 5); // the playhead stays on its frame, now a shot's first
  await press('ArrowUp');
  await press('m'); // shot 1 with the next
  await shotCountIs(before.length);
  const merged = await coreShots();
  assert.deepEqual(
    merged.map((s) => [s.firstFrame, s.lastFrame]),
    before.map((s) => [s.firstFrame, s.lastFrame]),
  );
});

test('Shift+click selects a range of shots, Ctrl+click toggles one, M merges the selection', { skip }, async () => {
  const before = await coreShots();
  assert.ok(before.length >= 4, `${before.length} shots`);
  const selected = page.locator('[data-testid="timeline-shot"][data-selected="true"]');
  await blocks().nth(0).click();
  await blocks()
    .nth(2)
    .click({ modifiers: ['Shift'] });
  await page.getByTestId('selection-count').filter({ hasText: '3 shots selected' }).waitFor();
  assert.deepEqual(
    await selected.evaluateAll((els) => els.map((e) => e.getAttribute('data-shot-id'))),
    before.slice(0, 3).map((s) => s.id),
  );
  await blocks()
    .nth(1)
    .click({ modifiers: ['Control'] });
  await page.getByTestId('selection-count').filter({ hasText: '2 shots selected' }).waitFor();
  await blocks()
    .nth(1)
    .click({ modifiers: ['Control'] });
  await page.getByTestId('selection-count').filter({ hasText: '3 shots selected' }).waitFor();
  await press('m');
  await shotCountIs(before.length - 2);
  const after = await coreShots();
  assert.equal(after[0].firstFrame, before[0].firstFrame);
  assert.equal(after[0].lastFrame, before[2].lastFrame);
  assert.equal(await selected.count(), 1, 'the merged shot is the selection');
  // Its filmstrip shows the three shots it was made of, not its first picture repeated.
  const pictures = blocks().nth(0).getByTestId('filmstrip-picture');
  await page.waitForFunction((past) => {
    const imgs = [...(document.querySelector('[data-testid="timeline-shot"]')?.querySelectorAll('img') ?? [])];
    return (
      imgs.length >= 3 &&
      imgs.some((i) => Number(i.dataset.frame) > past) &&
      imgs.every((i) => i.complete && i.naturalWidth > 0)
    );
  }, before[0].lastFrame);
  const frames = (await pictures.evaluateAll((els) => els.map((e) => Number(e.getAttribute('data-frame'))))).sort(
    (a, b) => a - b,
  );
  for (const s of before.slice(0, 3))
    assert.ok(
      frames.some((f) => f >= s.firstFrame && f <= s.lastFrame),
      `a picture from frames ${s.firstFrame}-${s.lastFrame}: ${frames.join(' ')}`,
    );
  const box = (await blocks().nth(0).boundingBox())!;
  await page.screenshot({ path: join(results, 'timeline-filmstrip.png'), clip: box });
});

test('+ zooms the timeline, and a drag scrubs through it', { skip }, async () => {
  const shots = await coreShots();
  const total = shots.reduce((n, s) => n + s.lastFrame - s.firstFrame + 1, 0);
  const strip = page.getByTestId('timeline');
  const wide = (await strip.boundingBox())!.width;
  await press('+');
  await page.locator('[data-testid="timeline"][data-zoom="2"]').waitFor();
  assert.ok(Math.abs((await strip.boundingBox())!.width - 2 * wide) < 2);
  await press('-');
  await page.locator('[data-testid="timeline"][data-zoom="1"]').waitFor();
  // Zoomed in at the start, the first shot's strip holds more pictures, and shots scrolled far away hold none.
  await press('Home');
  const picturesOf = (i: number) => blocks().nth(i).getByTestId('filmstrip-picture').count();
  const atOne = await picturesOf(0);
  await press('+', 3);
  await page.locator('[data-testid="timeline"][data-zoom="8"]').waitFor();
  await page.waitForFunction((n) => {
    const first = document.querySelector('[data-testid="timeline-shot"]');
    return (first?.querySelectorAll('[data-testid="filmstrip-picture"]').length ?? 0) > n;
  }, atOne);
  assert.equal(await picturesOf(shots.length - 1), 0, 'the last shot, out of view, holds no pictures');
  await press('-', 3);
  await page.locator('[data-testid="timeline"][data-zoom="1"]').waitFor();
  // Press at 10% and drag to 30%: the playhead ends at the frame under the pointer.
  const box = (await strip.boundingBox())!;
  const y = box.y + box.height / 2;
  await page.mouse.move(box.x + box.width * 0.1, y);
  await page.mouse.down();
  await page.mouse.move(box.x + box.width * 0.3, y, { steps: 8 });
  await page.mouse.up();
  const want = Math.floor(0.3 * total);
  const text = await readout();
  const frame = Number(/frame (\d+)/.exec(text)?.[1]);
  let at = 0;
  const shot = shots.find((s) => (at += s.lastFrame - s.firstFrame + 1) > want)!;
  const expected = shot.firstFrame + want - (at - (shot.lastFrame - shot.firstFrame + 1));
  assert.ok(Math.abs(frame - expected) <= 1, `${text}, expected frame ${expected}`);
});

test('? lists the keys; keys typed into a field do not act on the timeline', { skip }, async () => {
  await press('?');
  const dialog = page.getByTestId('shortcuts-dialog');
  await dialog.getByText('Keyboard shortcuts').waitFor();
  for (const does of [
    'One frame back / forward',
    'Previous / next shot',
    'Split the shot at the playhead',
    'Play / pause',
    'Undo',
  ])
    await dialog.getByText(does).waitFor();
  assert.ok((await dialog.getByTestId('shortcut').count()) >= 14);
  await page.screenshot({ path: join(results, 'timeline-shortcuts.png') });
  await press('Escape');
  await dialog.waitFor({ state: 'detached' });

  // In the export dialog's path field, "s" is a letter, not a split.
  const count = await blocks().count();
  await page.getByTestId('open-export').click();
  const exportDialog = page.getByTestId('export-dialog');
  await exportDialog.getByTestId('export-out').waitFor();
  await exportDialog.getByTestId('export-out').press('End');
  await exportDialog.getByTestId('export-out').type('sm');
  await page.keyboard.press('Escape');
  await exportDialog.waitFor({ state: 'detached' });
  assert.equal(await blocks().count(), count);
  assert.equal((await coreShots()).length, count);
});

test('at 1280×720 the shot panel is in view and uncovered; panel sizes are remembered', { skip }, async () => {
  await page.setViewportSize({ width: 1280, height: 720 });
  const panel = page.getByTestId('shot-panel');
  await panel.waitFor();
  const box = (await panel.boundingBox())!;
  assert.ok(box.x >= 0 && box.x + box.width <= 1280 && box.y >= 0 && box.y + 40 <= 720, JSON.stringify(box));
  // What is on top at the panel's heading is the panel itself, not a banner or a notice.
  const onTop = await page.evaluate(
    ([x, y]) => {
      const el = document.elementFromPoint(x, y);
      return !!el?.closest('[data-testid="shot-panel"]');
    },
    [box.x + 20, box.y + 12] as const,
  );
  assert.ok(onTop, 'something covers the shot panel');
  for (const id of ['viewer', 'scopes-panel', 'timeline']) {
    const b = (await page.getByTestId(id).first().boundingBox())!;
    assert.ok(b.width > 100 && b.x + b.width <= 1281 && b.y + b.height <= 721, `${id}: ${JSON.stringify(b)}`);
  }
  await page.screenshot({ path: join(results, 'timeline-1280x720.png') });

  // Drag the side panel's edge 80 px left: the panel is 80 px wider, and still is after a reload.
  const side = page.getByTestId('side-panel');
  const width = (await side.boundingBox())!.width;
  const handle = (await page.getByTestId('split-side').boundingBox())!;
  await page.mouse.move(handle.x + 2, handle.y + handle.height / 2);
  await page.mouse.down();
  await page.mouse.move(handle.x - 78, handle.y + handle.height / 2, { steps: 5 });
  await page.mouse.up();
  assert.equal(Math.round((await side.boundingBox())!.width), Math.round(width + 80));
  await page.reload(); // lands in the library: open the project again
  await page.getByTestId('project-card').filter({ hasText: 'Demo project' }).getByRole('button').first().click();
  await side.waitFor();
  assert.equal(Math.round((await side.boundingBox())!.width), Math.round(width + 80));
  assert.deepEqual(errors, []);
});
