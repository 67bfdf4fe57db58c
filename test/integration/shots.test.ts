// Shot detection on labelled clips with known transitions: precision and recall reported, 100% on hard cuts.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { EventHub } from '../../src-main/core/events';
import { ensureDemoProject, openLibrary } from '../../src-main/core/library';
import { createMediaService } from '../../src-main/core/media';
import { scoreCuts, ShotDetector } from '../../src-main/core/media/scenes';
import { appRoot } from '../../src-main/core/paths';
import {
  LABELLED_CUTS,
  LABELLED_FLASH,
  LABELLED_FRAMES,
  labelledClip,
  quietLog,
  tempDir,
} from '../helpers/media-fixtures';

const tmp = tempDir();
after(() => tmp.cleanup());
const media = createMediaService({ log: quietLog, cacheDir: tmp.dir });

async function detect(file: string): Promise<number[]> {
  const probe = await media.probe(file);
  const det = new ShotDetector();
  await media.scan(
    { file, probe, options: { deinterlace: 'auto', squarePixels: true } },
    { analysisWidth: 64, analysisHeight: 36, proxyDir: null, onAnalysisFrame: (b) => det.push(b) },
  );
  return det.finish().map((t) => t.frame);
}

function report(
  name: string,
  detected: number[],
  truth: { kind: string; frame: number; from?: number; to?: number }[],
): void {
  const all = scoreCuts(detected, truth);
  const hard = scoreCuts(
    detected.filter((d) => truth.some((t) => t.kind === 'cut' && Math.abs(t.frame - d) <= 2)),
    truth.filter((t) => t.kind === 'cut'),
  );
  console.log(
    `${name}: detected ${JSON.stringify(detected)}; precision ${(all.precision * 100).toFixed(0)}%, recall ${(all.recall * 100).toFixed(0)}%; hard cuts recall ${(hard.recall * 100).toFixed(0)}%`,
  );
  for (const kind of ['cut', 'dissolve', 'fade']) {
    const t = truth.filter((x) => x.kind === kind);
    if (t.length) console.log(`  ${kind}: ${scoreCuts(detected, t).matched}/${t.length} found`);
  }
}

test('labelled synthetic clip: hard cuts, dissolve, fade through black (one cut), flash (no cut)', async () => {
  const detected = await detect(labelledClip());
  report('labelled clip', detected, LABELLED_CUTS);
  const s = scoreCuts(detected, LABELLED_CUTS);
  const hard = LABELLED_CUTS.filter((c) => c.kind === 'cut');
  for (const h of hard)
    assert.ok(detected.includes(h.frame), `hard cut at ${h.frame} must be found exactly (got ${detected})`);
  assert.equal(s.recall, 1, `missed ${s.missed}`);
  assert.equal(s.precision, 1, `false positives ${s.falsePositives}`);
  assert.ok(!detected.some((d) => Math.abs(d - LABELLED_FLASH) <= 2), 'a flash is not a cut');
  // The fade through black gives exactly one cut.
  assert.equal(detected.filter((d) => d >= 166 && d <= 190).length, 1);
  assert.ok(detected.every((d) => d > 0 && d < LABELLED_FRAMES));
});

test('demo clip (real photographs with camera moves): the committed cut list is found', async () => {
  const cuts = (
    JSON.parse(readFileSync(join(appRoot(), 'assets', 'demo', 'cuts.json'), 'utf8')) as {
      cuts: { kind: string; frame: number; from?: number; to?: number }[];
    }
  ).cuts;
  const detected = await detect(join(appRoot(), 'assets', 'demo', 'demo.mp4'));
  report('demo clip', detected, cuts);
  const s = scoreCuts(detected, cuts);
  for (const h of cuts.filter((c) => c.kind === 'cut')) assert.ok(detected.includes(h.frame), `hard cut at ${h.frame}`);
  assert.equal(s.recall, 1);
  assert.equal(s.precision, 1);
});

test('ensureDemoProject: "Demo project" with the demo clip and its shots, once', async () => {
  const dataDir = join(tmp.dir, 'demo-data');
  const lib = openLibrary({ dataDir, log: quietLog, events: new EventHub() });
  const id = await ensureDemoProject(lib);
  assert.ok(id);
  const d = lib.api['library.getProject']({ projectId: id! });
  assert.equal(d.project.name, 'Demo project');
  assert.equal(d.project.isDemo, true);
  assert.equal(d.clips.length, 1);
  assert.equal(d.clips[0].width, 1280);
  assert.equal(d.clips[0].frameRate, '24000/1001');
  assert.deepEqual(
    d.shots.map((s) => s.firstFrame),
    [0, 56, 108, 162, 204],
  );
  assert.equal(d.shots[0].startTimecode, '01:00:00:00');
  assert.equal(d.shots[1].startTimecode, '01:00:02:08');
  lib.api['library.deleteProject']({ projectId: id! });
  assert.equal(await ensureDemoProject(lib), null, 'not recreated after the user deleted it');
  lib.close();
});
