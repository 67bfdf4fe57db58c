// A clip re-exported in place (same path, new content): flagged as changed, then taken in by the colorist —
// shots that still fit are kept, the one past the new end is trimmed, proxies are rebuilt from the new file.
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { copyFileSync, existsSync, mkdirSync, readdirSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { EventHub } from '../../src-main/core/events';
import { openLibrary } from '../../src-main/core/library';
import { frameNumberClip, quietLog, tempDir } from '../helpers/media-fixtures';

const tmp = tempDir();
after(() => tmp.cleanup());

test('changed media: re-probe, keep fitting shots, trim the last, rebuild proxies', async () => {
  const lib = openLibrary({ dataDir: join(tmp.dir, 'data'), log: quietLog, events: new EventHub() });
  try {
    const footage = join(tmp.dir, 'footage');
    mkdirSync(footage);
    const file = join(footage, 'A001.mp4');
    copyFileSync(frameNumberClip(100), file);
    const p = lib.createProject('Re-export');
    await lib.importClips(p.id, [file], { knownCuts: { [file]: [40, 70] } }).done;
    const clip = lib.listClips(p.id)[0];
    assert.equal(clip.frameCount, 100);
    assert.deepEqual(
      lib.api['shots.list']({ projectId: p.id }).map((s) => [s.firstFrame, s.lastFrame]),
      [
        [0, 39],
        [40, 69],
        [70, 99],
      ],
    );

    // The editor re-exports a shorter version to the same path.
    copyFileSync(frameNumberClip(60), file);
    assert.equal(lib.api['library.checkMedia']({ projectId: p.id })[0].status, 'changed');
    const accepted = await lib.api['library.acceptChangedMedia']({ clipId: clip.id });
    assert.equal(accepted.status, 'ok');
    assert.equal(accepted.frameCount, 60);
    assert.deepEqual(
      lib.api['shots.list']({ projectId: p.id }).map((s) => [s.firstFrame, s.lastFrame]),
      [
        [0, 39],
        [40, 59],
      ],
    );
    // Proxies come from the new file: 60 frames of them.
    for (let i = 0; i < 200 && lib.getClip(clip.id).proxyState !== 'ready'; i++)
      await new Promise((r) => setTimeout(r, 100));
    assert.equal(lib.getClip(clip.id).proxyState, 'ready');
    const last = lib.api['media.proxyFrame']({ clipId: clip.id, frame: 59 }).path;
    assert.ok(last && existsSync(last));
    assert.equal(readdirSync(dirname(last)).filter((f) => f.endsWith('.jpg')).length, 60);
  } finally {
    lib.close();
  }
});

test('an import cut short by quitting leaves nothing behind: the file can be imported again after reopening', async () => {
  const dataDir = join(tmp.dir, 'data-quit');
  const footage = join(tmp.dir, 'footage-quit');
  mkdirSync(footage);
  const file = join(footage, 'B002.mp4');
  copyFileSync(frameNumberClip(100), file);
  let lib = openLibrary({ dataDir, log: quietLog, events: new EventHub() });
  const p = lib.createProject('Quit mid-import');
  const { done } = lib.importClips(p.id, [file]);
  // Quit as soon as the clip row exists (the import is decoding).
  for (let i = 0; i < 200 && lib.listClips(p.id).length === 0; i++) await new Promise((r) => setTimeout(r, 10));
  assert.equal(lib.listClips(p.id).length, 1);
  lib.close();
  await done.catch(() => undefined);

  lib = openLibrary({ dataDir, log: quietLog, events: new EventHub() });
  try {
    assert.equal(lib.listClips(p.id).length, 0, 'the half-imported clip is gone');
    const jobs = lib.api['jobs.list']({ projectId: p.id });
    assert.ok(jobs.every((j) => j.state !== 'running' && j.state !== 'queued'));
    await lib.importClips(p.id, [file]).done;
    assert.equal(lib.listClips(p.id).length, 1);
    assert.ok(lib.api['shots.list']({ projectId: p.id }).length >= 1);
  } finally {
    lib.close();
  }
});
