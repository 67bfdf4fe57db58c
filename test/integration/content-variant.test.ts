// A shot's Content setting picks the model file: "Animation & graphics" runs NAME.graphics.onnx beside the app's
// model, in the viewer's network frame and in the shot's render, on a worker of its own (real SQLite, real
// workers, real ffmpeg). The two files here are the analytic baseline twice (the second with another doc string,
// so another SHA-256): the same pictures, told apart by the file that made them.
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { copyFileSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import type { RawFrame, ShotRenderStatus } from '../../src-main/common/contract';
import { canonicalJson, RenderManifest } from '../../src-main/common/contract/render';
import { createCore, type Core } from '../../src-main/core';
import { modelForContent } from '../../src-main/core/inference/models';
import { demoCuts } from '../../src-main/core/library/demo';
import { createLogger } from '../../src-main/core/log';
import { manifestHash } from '../../src-main/core/render';
import { coreCalls, tempDir } from '../helpers/core';
import { BASELINE_X2, DEMO_CLIP } from '../helpers/render-fixture';

const tmp = tempDir('remaster-content-');
const data = join(tmp.dir, 'data');
const models = join(tmp.dir, 'models');
const live = join(models, 'net-x2.onnx');
const graphics = join(models, 'net-x2.graphics.onnx');
let core: Core;
let projectId: string;
let shot: string;

const { call, jobDone } = coreCalls(() => core);

const statusOf = async (): Promise<ShotRenderStatus> =>
  (await call<ShotRenderStatus[]>('renders.status', { projectId })).find((s) => s.shotId === shot)!;

before(async () => {
  mkdirSync(models, { recursive: true });
  copyFileSync(BASELINE_X2, live);
  // ModelProto field 6 (doc_string) appended: a protobuf parser keeps the last value, so the file loads as the same
  // graph with another doc string.
  const doc = Buffer.from('graphics variant (test copy)');
  writeFileSync(graphics, Buffer.concat([readFileSync(BASELINE_X2), Buffer.from([0x32, doc.length]), doc]));
  core = createCore({
    host: 'electron',
    dataDir: data,
    modelPath: live,
    log: createLogger({ dir: join(data, 'logs'), quiet: true }),
  });
  projectId = core.library.createProject('Content').id;
  await core.library.importClips(projectId, [DEMO_CLIP], { knownCuts: { [DEMO_CLIP]: demoCuts() }, proxies: false })
    .done;
  shot = (await call<{ id: string }[]>('shots.list', { projectId }))[0].id;
  await call('shots.split', { shotId: shot, frame: 3 });
});

after(async () => {
  await core.close();
  tmp.cleanup();
});

test('the variant file is used only where it exists', () => {
  assert.equal(modelForContent(live, 'graphics'), graphics);
  assert.equal(modelForContent(live, 'live'), live);
  assert.equal(modelForContent(BASELINE_X2, 'graphics'), BASELINE_X2); // the shipped baseline has no variant
});

test("networkFrame: the shot's content picks the file; each file's frame is cached apart", async () => {
  const clipId = (await call<{ clipId: string }[]>('shots.list', { projectId }))[0].clipId;
  const a = await call<RawFrame>('preview.networkFrame', { clipId, frame: 2, maxWidth: 256 });
  const b = await call<RawFrame>('preview.networkFrame', { clipId, frame: 2, maxWidth: 256, content: 'graphics' });
  assert.equal(a.model, 'net-x2.onnx');
  assert.equal(b.model, 'net-x2.graphics.onnx');
  assert.notEqual(a.path, b.path);
  assert.deepEqual(readFileSync(b.path), readFileSync(a.path)); // the same graph: the same picture
  const bad = await core.dispatch('preview.networkFrame', { clipId, frame: 2, content: 'anime' });
  assert.equal(bad.ok, false);
  // Restart (the status bar's) stops the variant's worker too; its next frame starts it again.
  await call('inference.restart', {});
  const c = await call<RawFrame>('preview.networkFrame', { clipId, frame: 3, maxWidth: 256, content: 'graphics' });
  assert.equal(c.model, 'net-x2.graphics.onnx');
});

test('render: a graphics shot renders with the variant; switching content back makes it stale (model changed)', async () => {
  await call('grades.set', { shotId: shot, params: { content: 'graphics' } });
  // The shot list carries it (the timeline marks the shot).
  const listed = await call<{ id: string; content: string }[]>('shots.list', { projectId });
  assert.deepEqual(
    listed.slice(0, 2).map((s) => s.content),
    ['graphics', 'live'],
  );
  const started = await call<{ jobId: string; shots: number }>('renders.start', { projectId, shotIds: [shot] });
  const job = await jobDone(started.jobId);
  assert.equal(job.state, 'done', job.error ?? '');
  assert.equal((await statusOf()).state, 'rendered');
  const [target] = core.library.renderPlanner({ path: live, scale: 2 }).targets(projectId, [shot]);
  assert.equal(target.manifest.model.path, graphics);
  const saved = RenderManifest.parse(JSON.parse(readFileSync(join(target.dir, 'manifest.json'), 'utf8')));
  assert.equal(saved.model.path, graphics);
  assert.equal(saved.grade.params.content, 'graphics');

  await call('grades.set', { shotId: shot, params: { content: 'live' } });
  const stale = await statusOf();
  assert.equal(stale.state, 'stale');
  assert.match(stale.reason ?? '', /model changed/);
  // The content is not hashed itself (the model's SHA stands for it): the key is the one the renders made before
  // the setting existed were filed under (their identity: the manifest with the grade's values but no content).
  const [now] = core.library.renderPlanner({ path: live, scale: 2 }).targets(projectId, [shot]);
  assert.equal(now.manifest.model.path, live);
  const { content, ...before } = now.manifest.grade.params;
  assert.equal(content, 'live');
  const oldKey = createHash('sha256')
    .update(
      canonicalJson({
        ...now.manifest,
        grade: { ...now.manifest.grade, params: before },
        source: { fingerprint: now.manifest.source.fingerprint, probe: now.manifest.source.probe },
        model: { sha256: now.manifest.model.sha256, scale: now.manifest.model.scale },
      }),
    )
    .digest('hex');
  assert.equal(manifestHash(now.manifest), oldKey);
});
