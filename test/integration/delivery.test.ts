// Renders and exports through the core as the UI calls them (real SQLite, real worker with the analytic
// baseline model, real ffmpeg), masters read back with ffprobe, and the CLI's render-shot and export as a user
// runs them. The demo's first shot is trimmed to 6 frames so two shared cores finish in minutes.
import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import type { ExportRecord, Job, ShotRenderStatus } from '../../src-main/common/contract';
import { createCore, type Core } from '../../src-main/core';
import { demoCuts } from '../../src-main/core/library/demo';
import { createLogger } from '../../src-main/core/log';
import { run } from '../../src-main/core/media/ffmpeg';
import { appRoot } from '../../src-main/core/paths';
import { manifestHash, segmentRecordFile } from '../../src-main/core/render';
import { coreCalls, tempDir } from '../helpers/core';
import { decodedLight } from '../helpers/export-cache';
import { bins } from '../helpers/media-fixtures';
import { BASELINE_X2, DEMO_CLIP, demoManifest } from '../helpers/render-fixture';

const tmp = tempDir('remaster-delivery-');
const data = join(tmp.dir, 'data');
const bin = join(appRoot(), 'src-main', 'cli', 'bin.ts');
let core: Core;
let projectId: string;
let shotA: string;

const { call, jobDone } = coreCalls(() => core);

const statusOf = async (id: string): Promise<ShotRenderStatus> =>
  (await call<ShotRenderStatus[]>('renders.status', { projectId })).find((s) => s.shotId === id)!;

async function ffprobe(args: string[]): Promise<Record<string, unknown>> {
  const r = await run(bins.ffprobe, ['-v', 'error', '-of', 'json', ...args]);
  assert.equal(r.code, 0, r.stderr);
  return JSON.parse(r.stdout.toString()) as Record<string, unknown>;
}

function remaster(...args: string[]): { code: number | null; stdout: string; stderr: string } {
  const r = spawnSync(process.execPath, ['--import', 'tsx', bin, '--data', data, ...args], {
    cwd: appRoot(),
    encoding: 'utf8',
    timeout: 120_000,
  });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

before(async () => {
  core = createCore({
    host: 'electron', // paths as the desktop gives them; browser mode's root check has its own test below
    dataDir: data,
    modelPath: BASELINE_X2,
    log: createLogger({ dir: join(data, 'logs'), quiet: true }),
  });
  projectId = core.library.createProject('Delivery').id;
  await core.library.importClips(projectId, [DEMO_CLIP], { knownCuts: { [DEMO_CLIP]: demoCuts() }, proxies: false })
    .done;
  const first = (await call<{ id: string }[]>('shots.list', { projectId }))[0];
  await call('shots.split', { shotId: first.id, frame: 6 });
  shotA = first.id;
});

after(async () => {
  await core.close();
  tmp.cleanup();
});

test('render: a shot goes from none to rendered with its measured light; a grade change makes it stale', async () => {
  assert.equal((await statusOf(shotA)).state, 'none');
  const started = await call<{ jobId: string; shots: number }>('renders.start', { projectId, shotIds: [shotA] });
  assert.equal(started.shots, 1);
  assert.equal((await statusOf(shotA)).state, 'rendering');
  const job = await jobDone(started.jobId);
  assert.equal(job.state, 'done', job.error ?? '');
  const s = await statusOf(shotA);
  assert.equal(s.state, 'rendered');
  assert.equal(s.frames, 6);
  assert.ok(Number.isInteger(s.maxCll) && s.maxCll! > 100 && s.maxCll! < 10000, `MaxCLL ${s.maxCll}`);
  assert.ok(Number.isInteger(s.maxFall) && s.maxFall! > 1 && s.maxFall! <= s.maxCll!, `MaxFALL ${s.maxFall}`);
  const others = (await call<ShotRenderStatus[]>('renders.status', { projectId })).filter((x) => x.shotId !== shotA);
  assert.ok(others.every((x) => x.state === 'none'));
  // Nothing to do for a current shot.
  assert.deepEqual(await call('renders.start', { projectId, shotIds: [shotA] }), { jobId: null, shots: 0 });

  await call('grades.set', { shotId: shotA, params: { exposure: 0.3 } });
  const stale = await statusOf(shotA);
  assert.equal(stale.state, 'stale');
  assert.equal(stale.reason, 'grade changed');
  // Undo brings back the grade the cache holds: rendered again, without rendering.
  await call('grades.undo', { shotId: shotA });
  assert.equal((await statusOf(shotA)).state, 'rendered');
});

test("the viewer's rendered frame: the render cache's pixels, resized on request; refused once stale", async () => {
  type Frame = { path: string; width: number; height: number; layout: string; gradeVersion: number; model: string };
  const full = await call<Frame>('preview.renderedFrame', { projectId, shotId: shotA, frame: 3 });
  assert.deepEqual(
    [full.layout, full.width, full.height, full.model],
    ['graded-rgb16', 2560, 1440, 'baseline-x2.onnx'],
  );
  // The same frame decoded here by ffmpeg's own frame selection: the bytes the viewer gets are the cache's.
  const src = await core.delivery.renderedFrameSource(projectId, shotA, 3);
  const r = await run(
    bins.ffmpeg,
    [
      '-v',
      'error',
      '-i',
      src.file,
      '-vf',
      `select=eq(n\\,${src.index})`,
      '-frames:v',
      '1',
      '-f',
      'rawvideo',
      '-pix_fmt',
      'rgb48le',
      '-',
    ],
    { maxStdout: 64 << 20 },
  );
  assert.equal(r.code, 0, r.stderr);
  const bytes = readFileSync(full.path);
  assert.equal(bytes.length, 2560 * 1440 * 6);
  assert.ok(bytes.equals(r.stdout), 'rendered frame differs from the cache segment');

  const small = await call<Frame>('preview.renderedFrame', { projectId, shotId: shotA, frame: 3, maxWidth: 1280 });
  assert.deepEqual([small.width, small.height], [1280, 720]);
  const mean = (b: Buffer) => {
    let sum = 0;
    for (let i = 0; i < b.length; i += 2) sum += b.readUInt16LE(i);
    return sum / (b.length / 2);
  };
  const [m1, m2] = [mean(bytes), mean(readFileSync(small.path))];
  assert.ok(Math.abs(m1 - m2) / m1 < 0.005, `mean code ${m1} at 2560, ${m2} at 1280`);

  await call('grades.set', { shotId: shotA, params: { exposure: 0.3 } });
  const refused = await core.dispatch('preview.renderedFrame', { projectId, shotId: shotA, frame: 3 });
  assert.equal(!refused.ok && refused.error.code, 'not_found');
  assert.match(!refused.ok ? refused.error.message : '', /not rendered \(stale: grade changed\)/);
  await call('grades.undo', { shotId: shotA });
  const outside = await core.dispatch('preview.renderedFrame', { projectId, shotId: shotA, frame: 40 });
  assert.equal(!outside.ok && outside.error.code, 'bad_input');
  const unknown = '00000000-0000-4000-8000-000000000000';
  const nowhere = await core.dispatch('preview.renderedFrame', { projectId, shotId: unknown, frame: 3 });
  assert.equal(!nowhere.ok && nowhere.error.code, 'not_found');
  assert.match(!nowhere.ok ? nowhere.error.message : '', new RegExp(`No shot ${unknown} in this project`));
});

async function exportAndWait(req: Record<string, unknown>): Promise<ExportRecord> {
  const { jobId, exportId } = await call<{ jobId: string; exportId: string }>('exports.start', { projectId, ...req });
  const job = await jobDone(jobId);
  const rec = (await call<ExportRecord[]>('exports.list', { projectId })).find((e) => e.id === exportId)!;
  assert.equal(job.state, 'done', `${job.error} ${JSON.stringify(rec.report?.checks.filter((c) => !c.ok))}`);
  return rec;
}

test('HDR10 HEVC master: tags, 6 frames at 24000/1001, SEI MaxCLL/MaxFALL equal to the library, report kept', async () => {
  const s = await statusOf(shotA);
  const out = join(tmp.dir, 'shot-a.mp4');
  const rec = await exportAndWait({ format: 'hdr10-hevc', out, shotIds: [shotA] });
  assert.equal(rec.state, 'done');
  assert.equal(rec.frames, 6);
  assert.equal(rec.audio, 'none: demo.mp4 has no audio');
  assert.equal(rec.report?.ok, true);
  assert.equal(rec.report?.maxCll, s.maxCll);
  assert.equal(rec.report?.maxFall, s.maxFall);
  const p = await ffprobe(['-count_frames', '-show_streams', '-show_format', '-select_streams', 'v:0', out]);
  const first = await ffprobe(['-show_frames', '-read_intervals', '%+#1', '-select_streams', 'v:0', out]);
  const v = (p.streams as Record<string, unknown>[])[0];
  assert.equal(v.codec_name, 'hevc');
  assert.equal(v.pix_fmt, 'yuv420p10le');
  assert.equal(v.color_transfer, 'smpte2084');
  assert.equal(v.color_primaries, 'bt2020');
  assert.equal(v.color_space, 'bt2020nc');
  assert.equal(v.r_frame_rate, '24000/1001');
  assert.equal(v.nb_read_frames, '6');
  assert.equal(v.width, 2560);
  assert.equal(v.height, 1440);
  const side = ((first.frames as Record<string, unknown>[])[0].side_data_list ?? []) as Record<string, unknown>[];
  const cll = side.find((d) => d.side_data_type === 'Content light level metadata')!;
  assert.equal(cll.max_content, s.maxCll);
  assert.equal(cll.max_average, s.maxFall);
  assert.ok(side.some((d) => d.side_data_type === 'Mastering display metadata'));
  const tags = (p.format as { tags?: Record<string, string> }).tags ?? {};
  assert.equal(tags.timecode ?? (v.tags as Record<string, string>)?.timecode, '01:00:00:00');
});

test('ProRes 422 HQ and a 16-bit TIFF sequence of programme frames 0-3, verified', async () => {
  const mov = join(tmp.dir, 'shot-a.mov');
  const rec = await exportAndWait({ format: 'prores422hq', out: mov, shotIds: [shotA], frames: { first: 0, last: 3 } });
  assert.equal(rec.report?.ok, true);
  const p = await ffprobe(['-count_frames', '-show_streams', '-select_streams', 'v:0', mov]);
  const v = (p.streams as Record<string, unknown>[])[0];
  assert.equal(v.codec_name, 'prores');
  assert.equal(v.pix_fmt, 'yuv422p10le');
  assert.equal(v.color_transfer, 'smpte2084');
  assert.equal(v.nb_read_frames, '4');
  assert.equal(v.r_frame_rate, '24000/1001');
  const side = JSON.parse(readFileSync(join(tmp.dir, 'shot-a.hdr10.json'), 'utf8')) as Record<string, unknown>;
  assert.equal(JSON.stringify(side).includes(String(rec.report!.maxCll)), true);

  const tif = join(tmp.dir, 'shot-a-tiff');
  const t = await exportAndWait({ format: 'tiff16', out: tif, shotIds: [shotA], frames: { first: 0, last: 3 } });
  assert.equal(t.report?.ok, true);
  assert.equal(t.audio, 'none: a TIFF sequence carries no audio');
  const files = readdirSync(tif).sort();
  assert.deepEqual(
    files,
    [0, 1, 2, 3].map((i) => `shot-a-tiff_${String(i).padStart(7, '0')}.tif`),
  );
  const f = await ffprobe(['-show_streams', join(tif, files[0])]);
  assert.equal((f.streams as Record<string, unknown>[])[0].pix_fmt, 'rgb48le');
});

test('a UHD master of two programme frames: the 2560x1440 render resized to 3840x2160, verified', async () => {
  const out = join(tmp.dir, 'shot-a-uhd.mp4');
  const uhd = { projectId, format: 'hdr10-hevc', out, shotIds: [shotA], frames: { first: 0, last: 1 } } as const;
  type Estimate = { width: number; height: number; estimatedSeconds: number | null };
  const est = await call<Estimate>('exports.estimate', { ...uhd, raster: 'uhd' });
  assert.deepEqual([est.width, est.height], [3840, 2160]);
  // Only the rendered-size HEVC export has run so far: its speed says nothing of a resize and measuring pass.
  assert.equal(est.estimatedSeconds, null);
  assert.notEqual((await call<Estimate>('exports.estimate', uhd)).estimatedSeconds, null);
  const rec = await exportAndWait({
    format: 'hdr10-hevc',
    out,
    shotIds: [shotA],
    frames: { first: 0, last: 1 },
    raster: 'uhd',
  });
  assert.equal(rec.report?.ok, true);
  const p = await ffprobe(['-count_frames', '-show_streams', '-select_streams', 'v:0', out]);
  const v = (p.streams as Record<string, unknown>[])[0];
  assert.deepEqual([v.width, v.height, v.nb_read_frames], [3840, 2160, '2']);
  const again = { ...uhd, out: join(tmp.dir, 'shot-a-uhd-2.mp4') };
  const after = await call<Estimate>('exports.estimate', { ...again, raster: 'uhd' });
  assert.ok(after.estimatedSeconds !== null && after.estimatedSeconds >= 0, `${after.estimatedSeconds}`);
  const xq = { ...again, format: 'prores4444xq', out: join(tmp.dir, 'shot-a-xq.mov') };
  assert.equal((await call<Estimate>('exports.estimate', xq)).estimatedSeconds, null);
  // The light written is the resized pictures': the test's own decode of the master agrees within the codec's error.
  const decoded = decodedLight(out, 3840, 2160);
  assert.ok(Math.abs(decoded.maxFall - rec.report!.maxFall) / rec.report!.maxFall < 0.03, `${decoded.maxFall}`);
});

test('a duplicated project keeps the renders: the same cache files linked, the shot rendered, undo in the copy', async () => {
  const orig = await statusOf(shotA);
  assert.equal(orig.state, 'rendered');
  const copy = await call<{ id: string }>('library.duplicateProject', { projectId, name: 'Delivery alt' });
  const shots = await call<{ id: string }[]>('shots.list', { projectId: copy.id });
  const copyStatus = async () =>
    (await call<ShotRenderStatus[]>('renders.status', { projectId: copy.id })).find((s) => s.shotId === shots[0].id)!;
  const s = await copyStatus();
  assert.deepEqual([s.state, s.maxCll, s.maxFall, s.frames], ['rendered', orig.maxCll, orig.maxFall, orig.frames]);
  // Hard links: the copy's segment is the original's file, not a second copy of it.
  const a = await core.delivery.renderedFrameSource(projectId, shotA, 0);
  const b = await core.delivery.renderedFrameSource(copy.id, shots[0].id, 0);
  assert.notEqual(a.file, b.file);
  assert.equal(statSync(a.file).ino, statSync(b.file).ino);
  // The copy's export needs no render; its grade history is its own from here on.
  const est = await call<{ shotsToRender: number }>('exports.estimate', {
    projectId: copy.id,
    format: 'hdr10-hevc',
    out: join(tmp.dir, 'copy.mp4'),
    shotIds: [shots[0].id],
  });
  assert.equal(est.shotsToRender, 0);
  await call('grades.set', { shotId: shots[0].id, params: { exposure: 0.5 } });
  assert.equal((await copyStatus()).state, 'stale');
  assert.equal((await statusOf(shotA)).state, 'rendered', 'the original is untouched');
  await call('grades.undo', { shotId: shots[0].id });
  assert.equal((await copyStatus()).state, 'rendered');
  await call('library.deleteProject', { projectId: copy.id });
  assert.ok(existsSync(a.file), "deleting the copy leaves the original's render");
  assert.equal((await statusOf(shotA)).state, 'rendered');
});

test('an existing master is refused without force and left untouched', async () => {
  const out = join(tmp.dir, 'shot-a.mp4');
  const before = createHash('sha256').update(readFileSync(out)).digest('hex');
  const mtime = statSync(out).mtimeMs;
  const r = await core.dispatch('exports.start', { projectId, format: 'hdr10-hevc', out, shotIds: [shotA] });
  assert.equal(r.ok, false);
  assert.equal(!r.ok && r.error.code, 'conflict');
  assert.match(!r.ok ? r.error.message : '', /already exists; use --force/);
  assert.equal(createHash('sha256').update(readFileSync(out)).digest('hex'), before);
  assert.equal(statSync(out).mtimeMs, mtime);
});

test('pause holds a render between model runs; resume finishes it', async () => {
  const { jobId } = await call<{ jobId: string }>('renders.start', { projectId, shotIds: [shotA], force: true });
  for (;;) {
    const j = await call<Job>('jobs.get', { jobId });
    if (j.state === 'running' && j.fraction > 0) break;
    await new Promise((r) => setTimeout(r, 50));
  }
  assert.deepEqual(await call('jobs.pause', { jobId }), { paused: true });
  // The encoder holds before each frame, so at most the one frame already past that point may still be counted
  // after the pause; nothing else moves however long the machine takes.
  const atPause = (await call<Job>('jobs.get', { jobId })).fraction;
  await new Promise((r) => setTimeout(r, 3000));
  const still = await call<Job>('jobs.get', { jobId });
  assert.equal(still.state, 'paused');
  assert.ok(still.fraction <= atPause + 1 / 6 + 1e-9, `no progress while paused: ${atPause} -> ${still.fraction}`);
  assert.deepEqual(await call('jobs.resume', { jobId }), { paused: false });
  assert.equal((await jobDone(jobId)).state, 'done');
  assert.equal((await statusOf(shotA)).state, 'rendered');
});

test('CLI export: a missing output folder fails before any work with exit 2 and one line', () => {
  const r = remaster('export', 'Delivery', '--format', 'hdr10-hevc', '--out', join(tmp.dir, 'nowhere', 'x.mp4'));
  assert.equal(r.code, 2, r.stderr);
  assert.equal(r.stderr, `remaster export: Cannot write x.mp4: no such folder ${join(tmp.dir, 'nowhere')}\n`);
  assert.equal(r.stdout, '');
});

test('CLI render-shot: SIGKILL mid-render, then rerun: byte-identical to an uninterrupted render, no library', async () => {
  const log = createLogger({ quiet: true, level: 'error' });
  const m = await demoManifest(log, { first: 0, last: 17, inputWidth: 320, segmentFrames: 6 });
  const file = join(tmp.dir, 'manifest.json');
  writeFileSync(file, JSON.stringify(m));
  const hash = manifestHash(m);
  const [dirA, dirB] = [join(tmp.dir, 'farm-a'), join(tmp.dir, 'farm-b')];
  const nodeData = join(tmp.dir, 'node-data');
  const cli = (out: string) => ['--import', 'tsx', bin, '--data', nodeData, 'render-shot', file, '--out', out];
  const whole = spawnSync(process.execPath, cli(dirA), { cwd: appRoot(), encoding: 'utf8', timeout: 120_000 });
  assert.equal(whole.status, 0, whole.stderr);
  assert.match(whole.stdout, new RegExp(`${hash}: 18 frames 640x360 at 24000/1001, MaxCLL [\\d.]+ nits`));

  const child = spawn(process.execPath, cli(dirB), { cwd: appRoot(), stdio: 'ignore' });
  const exited = new Promise((r) => child.on('exit', (_c, sig) => r(sig)));
  const deadline = Date.now() + 120_000;
  while (!existsSync(join(dirB, hash, segmentRecordFile(0)))) {
    assert.ok(Date.now() < deadline && child.exitCode === null, 'a segment never completed');
    await new Promise((r) => setTimeout(r, 20));
  }
  child.kill('SIGKILL');
  assert.equal(await exited, 'SIGKILL');
  assert.ok(!existsSync(join(dirB, hash, 'result.json')));
  const rerun = spawnSync(process.execPath, cli(dirB), { cwd: appRoot(), encoding: 'utf8', timeout: 120_000 });
  assert.equal(rerun.status, 0, rerun.stderr);
  assert.match(rerun.stdout, /segments rendered, the rest from the cache/);
  const files = readdirSync(join(dirA, hash)).sort();
  assert.deepEqual(readdirSync(join(dirB, hash)).sort(), files);
  for (const f of files)
    assert.deepEqual(readFileSync(join(dirB, hash, f)), readFileSync(join(dirA, hash, f)), `${f} differs`);
  assert.ok(!existsSync(join(nodeData, 'library.sqlite')) && !existsSync(nodeData), 'a render node opens no library');
});

test("the export dialog's time estimate survives a restart: render and export speeds are kept in the library", async () => {
  type Estimate = { estimatedSeconds: number | null; shotsToRender: number };
  const uhd = { projectId, format: 'hdr10-hevc', shotIds: [shotA], frames: { first: 0, last: 1 }, raster: 'uhd' };
  const ask = (out: string, extra: Record<string, unknown> = {}) =>
    call<Estimate>('exports.estimate', { ...uhd, out: join(tmp.dir, out), ...extra });
  const before = await ask('after-restart.mp4');
  assert.notEqual(before.estimatedSeconds, null);
  await core.close();
  core = createCore({
    host: 'electron',
    dataDir: data,
    modelPath: BASELINE_X2,
    log: createLogger({ dir: join(data, 'logs'), quiet: true }),
  });
  assert.equal((await ask('after-restart.mp4')).estimatedSeconds, before.estimatedSeconds);
  // A stale shot adds its render at the speed this model rendered at: more time, still a number.
  await call('grades.set', { shotId: shotA, params: { exposure: 0.3 } });
  const stale = await ask('after-restart.mp4');
  assert.equal(stale.shotsToRender, 1);
  assert.ok(stale.estimatedSeconds !== null && stale.estimatedSeconds >= before.estimatedSeconds!);
  // ProRes 4444 XQ was never exported here: no figure to go by.
  assert.equal((await ask('after-restart.mov', { format: 'prores4444xq', raster: 'rendered' })).estimatedSeconds, null);
});
