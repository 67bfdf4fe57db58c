// Across inference workers, previews before render runs (core/inference/pool.ts PreviewFirst).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { PreviewFirst } from '../../src-main/core/inference/pool';

const tick = () => new Promise((r) => setImmediate(r));

test('a render run waits while any preview runs; previews never wait; a started render run finishes', async () => {
  const gate = new PreviewFirst();
  const log: string[] = [];
  let endPreviewA!: () => void;
  let endPreviewB!: () => void;
  let endRender1!: () => void;
  const held = (name: string, set: (f: () => void) => void) => () =>
    new Promise<string>((resolve) => {
      log.push(`start ${name}`);
      set(() => resolve(name));
    });

  const render1 = gate.render(held('render 1', (f) => (endRender1 = f)));
  await tick();
  const previewA = gate.preview(held('preview A', (f) => (endPreviewA = f)));
  const previewB = gate.preview(held('preview B', (f) => (endPreviewB = f)));
  const render2 = gate.render(async () => {
    log.push('start render 2');
    return 'render 2';
  });
  await tick();
  // Both previews started beside the render run already going; the second render run waits.
  assert.deepEqual(log, ['start render 1', 'start preview A', 'start preview B']);
  endRender1();
  endPreviewA();
  await tick();
  assert.deepEqual(log, ['start render 1', 'start preview A', 'start preview B']); // preview B still runs
  endPreviewB();
  assert.deepEqual(await Promise.all([render1, previewA, previewB, render2]), [
    'render 1',
    'preview A',
    'preview B',
    'render 2',
  ]);
  assert.equal(log.at(-1), 'start render 2');
});

test('a failed preview still lets render runs go', async () => {
  const gate = new PreviewFirst();
  const failed = gate.preview(() => Promise.reject(new Error('worker_failed')));
  const render = gate.render(() => Promise.resolve('rendered'));
  await assert.rejects(failed, /worker_failed/);
  assert.equal(await render, 'rendered');
});
