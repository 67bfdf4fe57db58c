// The library with a real SQLite file in a temp folder and real ffmpeg: projects, import, shots, grades,
// migrations, recovery, locking, media roots, the contract handlers.
import { DEFAULT_GRADE } from '../../src-main/common/colour';
import Database from 'better-sqlite3';
import assert from 'node:assert/strict';
import {
  copyFileSync,
  existsSync,
  mkdirSync,
  readdirSync,
  readFileSync,
  renameSync,
  statSync,
  symlinkSync,
  writeFileSync,
} from 'node:fs';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { ServiceError, type EventName } from '../../src-main/common/contract';
import { createDispatch, type Handlers } from '../../src-main/core/dispatch';
import { EventHub } from '../../src-main/core/events';
import { openLibrary, type LibraryService } from '../../src-main/core/library';
import { migrate, SCHEMA_VERSION } from '../../src-main/core/library/db';
import { badFiles, frameNumberClip, probeClip, quietLog, readFrameNumber, tempDir } from '../helpers/media-fixtures';

const tmp = tempDir();
after(() => tmp.cleanup());
let n = 0;
function fresh(opts: { mediaRoots?: string[]; busyTimeoutMs?: number } = {}): {
  lib: LibraryService;
  dataDir: string;
  events: EventHub;
  seen: { event: EventName; payload: unknown }[];
} {
  const dataDir = join(tmp.dir, `data-${++n}`);
  const events = new EventHub();
  const seen: { event: EventName; payload: unknown }[] = [];
  events.subscribe((event, payload) => seen.push({ event, payload }));
  return { lib: openLibrary({ dataDir, log: quietLog, events, ...opts }), dataDir, events, seen };
}
const code = (c: string) => (e: unknown) => e instanceof ServiceError && e.code === c;

test('projects: create, list, rename, duplicate, delete, recent; WAL and foreign keys on', () => {
  const { lib, dataDir, seen } = fresh();
  assert.equal(lib.db.pragma('journal_mode', { simple: true }), 'wal');
  assert.equal(lib.db.pragma('foreign_keys', { simple: true }), 1);
  assert.equal(lib.api['library.status']({}).schemaVersion, SCHEMA_VERSION);
  assert.ok(existsSync(join(dataDir, 'library.sqlite')));
  const a = lib.createProject('  Feature  ');
  assert.equal(a.name, 'Feature');
  assert.equal(a.clipCount, 0);
  assert.throws(() => lib.createProject('Feature'), code('conflict'));
  const b = lib.createProject('Commercial');
  assert.deepEqual(
    lib.api['library.listProjects']({}).map((p) => p.name),
    ['Commercial', 'Feature'],
  );
  lib.api['library.renameProject']({ projectId: b.id, name: 'Spot' });
  assert.throws(() => lib.api['library.renameProject']({ projectId: b.id, name: 'Feature' }), code('conflict'));
  lib.api['library.getProject']({ projectId: a.id });
  assert.equal(lib.api['library.recentProjects']({ limit: 1 })[0].id, a.id);
  const c = lib.api['library.duplicateProject']({ projectId: a.id });
  assert.equal(c.name, 'Feature copy');
  assert.equal(lib.api['library.duplicateProject']({ projectId: a.id }).name, 'Feature copy 2');
  assert.ok(lib.api['library.deleteProject']({ projectId: c.id }).deleted);
  assert.throws(() => lib.api['library.getProject']({ projectId: c.id }), code('not_found'));
  assert.ok(seen.some((s) => s.event === 'library.changed'));
  lib.close();
});

test('deleting a project while its proxies are building leaves no cache folder behind', async () => {
  const { lib, dataDir } = fresh();
  const p = lib.createProject('Short-lived');
  const file = frameNumberClip(100);
  const [clip] = (await lib.importClips(p.id, [file]).done).clips;
  const cache = join(dataDir, 'cache', p.id);
  assert.ok(existsSync(cache));
  const rebuild = lib.rebuildProxies(clip.id);
  // Let the build start writing (or finish: a short clip may be quick), then delete under it.
  let settled = false;
  void rebuild.done.finally(() => (settled = true)).catch(() => undefined);
  while (!settled && lib.api['jobs.list']({ projectId: p.id, activeOnly: true }).every((j) => j.state !== 'running'))
    await new Promise((r) => setTimeout(r, 5));
  assert.ok(lib.api['library.deleteProject']({ projectId: p.id }).deleted);
  await rebuild.done.catch(() => undefined);
  await new Promise((r) => setTimeout(r, 50));
  assert.equal(existsSync(cache), false);
  assert.ok(statSync(file).isFile(), 'the source is untouched');
  lib.close();
});

test('a cache folder left by a deleted project is removed at the next open; other folders stay', () => {
  const { lib, dataDir, events } = fresh();
  const p = lib.createProject('Kept');
  lib.close();
  const left = join(dataDir, 'cache', '0b7c2a4e-3f4d-4c1a-9d2e-5a6b7c8d9e0f');
  const kept = join(dataDir, 'cache', p.id);
  const other = join(dataDir, 'cache', 'not-a-project');
  for (const d of [left, kept, other]) mkdirSync(d, { recursive: true });
  const again = openLibrary({ dataDir, log: quietLog, events });
  assert.equal(existsSync(left), false);
  assert.ok(existsSync(kept) && existsSync(other));
  again.close();
});

test('import: clip row with probe and fingerprint, shots, proxies; source untouched; progress events', async () => {
  const { lib, seen } = fresh();
  const p = lib.createProject('Import');
  const file = frameNumberClip(100);
  const before = statSync(file);
  const { jobId, done } = lib.importClips(p.id, [file]);
  const r = await done;
  assert.equal(r.failures.length, 0);
  const [clip] = r.clips;
  assert.equal(clip.frameCount, 100);
  assert.equal(clip.frameRate, '24000/1001');
  assert.equal(clip.status, 'ok');
  assert.equal(clip.proxyState, 'ready');
  assert.equal(clip.startTimecode, '01:00:00:00');
  assert.match(clip.fingerprint, /^[0-9a-f]{40}$/);
  const after = statSync(file);
  assert.equal(after.mtimeMs, before.mtimeMs);
  const shots = lib.api['shots.list']({ projectId: p.id });
  assert.ok(shots.length >= 1);
  assert.equal(shots[0].firstFrame, 0);
  assert.equal(shots[shots.length - 1].lastFrame, 99);
  assert.equal(shots[0].startTimecode, '01:00:00:00');
  const prog = seen
    .filter((s) => s.event === 'job.progress')
    .map((s) => s.payload as { id: string; state: string; fraction: number });
  assert.ok(prog.every((j) => j.id === jobId));
  assert.equal(prog[prog.length - 1].state, 'done');
  assert.equal(prog[prog.length - 1].fraction, 1);
  assert.equal(lib.api['jobs.get']({ jobId }).state, 'done');
  // Scrub proxy: a JPEG per frame, found in well under 100 ms.
  const t0 = performance.now();
  const px = lib.api['media.proxyFrame']({ clipId: clip.id, frame: 57 });
  assert.ok(performance.now() - t0 < 100);
  assert.ok(
    px.path &&
      readFileSync(px.path)
        .subarray(0, 2)
        .equals(Buffer.from([0xff, 0xd8])),
  );
  assert.ok(lib.api['media.thumbnail']({ shotId: shots[0].id }).path);
  // A filmstrip's frames in one call: each the frame's own proxy; past the end, the last frame's.
  const strip = lib.api['media.proxyFrames']({ clipId: clip.id, frames: [0, 57, 1e6] });
  assert.deepEqual(strip, {
    paths: [
      lib.api['media.proxyFrame']({ clipId: clip.id, frame: 0 }).path,
      px.path,
      lib.api['media.proxyFrame']({ clipId: clip.id, frame: clip.frameCount - 1 }).path,
    ],
    width: px.width,
    height: px.height,
  });
  assert.notEqual(strip.paths[0], strip.paths[1]);
  // A duplicate has its own copy of the proxies: its filmstrips and thumbnail show at once.
  const dup = lib.api['library.duplicateProject']({ projectId: p.id });
  const dupClip = lib.api['library.getProject']({ projectId: dup.id }).clips[0];
  assert.equal(dupClip.proxyState, 'ready');
  const dupPx = lib.api['media.proxyFrame']({ clipId: dupClip.id, frame: 57 });
  assert.notEqual(dupPx.path, px.path);
  assert.ok(readFileSync(dupPx.path!).equals(readFileSync(px.path!)));
  assert.ok(lib.api['media.thumbnail']({ shotId: lib.api['shots.list']({ projectId: dup.id })[0].id }).path);
  // Core decode by clip id.
  const f = await lib.decodeFrame(clip.id, 42);
  assert.equal(readFrameNumber(f.data, f.width, f.height), 42);
  // The same media twice in one project is refused; the library stays as it was.
  await assert.rejects(lib.importClips(p.id, [file]).done, code('conflict'));
  assert.equal(lib.listClips(p.id).length, 1);
  lib.close();
});

test('shots: split, merge, reorder; grades: undo/redo across a reopen, copy', async () => {
  const { lib, dataDir, events } = fresh();
  const p = lib.createProject('Edit');
  await lib.importClips(p.id, [frameNumberClip(100)], { detectShots: false, proxies: false }).done;
  let shots = lib.api['shots.list']({ projectId: p.id });
  assert.equal(shots.length, 1);
  shots = lib.api['shots.split']({ shotId: shots[0].id, frame: 40 });
  shots = lib.api['shots.split']({ shotId: shots[1].id, frame: 70 });
  assert.deepEqual(
    shots.map((s) => [s.firstFrame, s.lastFrame]),
    [
      [0, 39],
      [40, 69],
      [70, 99],
    ],
  );
  assert.throws(() => lib.api['shots.split']({ shotId: shots[0].id, frame: 0 }), code('bad_input'));
  assert.throws(() => lib.api['shots.merge']({ shotIds: [shots[0].id, shots[2].id] }), code('bad_input'));
  const reordered = lib.api['shots.reorder']({ projectId: p.id, shotIds: [shots[2].id, shots[0].id, shots[1].id] });
  assert.deepEqual(
    reordered.map((s) => s.firstFrame),
    [70, 0, 40],
  );
  assert.throws(() => lib.api['shots.reorder']({ projectId: p.id, shotIds: [shots[0].id] }), code('bad_input'));

  const s0 = shots[0].id;
  lib.api['grades.set']({ shotId: s0, params: grade(0.5) });
  lib.api['grades.set']({ shotId: s0, params: grade(0.7) });
  lib.api['grades.set']({ shotId: s0, params: grade(0.9) });
  assert.deepEqual(lib.api['grades.undo']({ shotId: s0 }).params, grade(0.7));
  lib.close();

  const again = openLibrary({ dataDir, log: quietLog, events });
  let g = again.api['grades.get']({ shotId: s0 });
  assert.deepEqual(g.params, grade(0.7));
  assert.ok(g.canUndo && g.canRedo);
  g = again.api['grades.redo']({ shotId: s0 });
  assert.deepEqual(g.params, grade(0.9));
  assert.throws(() => again.api['grades.redo']({ shotId: s0 }), code('conflict'));
  again.api['grades.undo']({ shotId: s0 });
  again.api['grades.undo']({ shotId: s0 });
  g = again.api['grades.set']({ shotId: s0, params: grade(0.1) }); // drops the redo branch
  assert.equal(g.version, 2);
  assert.equal(g.canRedo, false);
  const copied = again.api['grades.copy']({ fromShotId: s0, toShotIds: [shots[1].id, shots[2].id] });
  assert.deepEqual(
    copied.map((c) => c.params),
    [grade(0.1), grade(0.1)],
  );
  assert.equal(again.api['grades.undo']({ shotId: shots[1].id }).params, null);
  // Merge keeps the first shot's grade.
  const merged = again.api['shots.merge']({ shotIds: [shots[0].id, shots[1].id] });
  assert.equal(merged.length, 2);
  assert.deepEqual(again.api['grades.get']({ shotId: s0 }).params, grade(0.1));
  // Duplicate carries the grades with their history up to the current version (not a redo branch); delete
  // keeps media.
  again.api['grades.undo']({ shotId: s0 });
  const dup = again.api['library.duplicateProject']({ projectId: p.id, name: 'Edit v2' });
  again.api['grades.redo']({ shotId: s0 });
  const dupShots = again.api['shots.list']({ projectId: dup.id });
  assert.deepEqual(
    dupShots.map((s) => [s.firstFrame, s.lastFrame]),
    again.api['shots.list']({ projectId: p.id }).map((s) => [s.firstFrame, s.lastFrame]),
  );
  const d0 = dupShots.find((s) => s.firstFrame === 0)!.id;
  const dg = again.api['grades.get']({ shotId: d0 });
  assert.deepEqual([dg.params, dg.version, dg.canUndo, dg.canRedo], [grade(0.5), 1, true, false]);
  assert.equal(again.api['grades.undo']({ shotId: d0 }).params, null);
  assert.deepEqual(again.api['grades.get']({ shotId: s0 }).params, grade(0.1), 'the original keeps its own');
  again.api['library.deleteProject']({ projectId: p.id });
  assert.ok(existsSync(frameNumberClip(100)));
  assert.equal(again.api['shots.list']({ projectId: dup.id }).length, 2);
  again.close();
});

test('missing and moved media: status, relink by fingerprint, relink search', async () => {
  const { lib } = fresh({ mediaRoots: [tmp.dir] });
  const p = lib.createProject('Relink');
  const dir = join(tmp.dir, 'footage');
  mkdirSync(dir, { recursive: true });
  const src = join(dir, 'a001.mp4');
  copyFileSync(frameNumberClip(48), src);
  const other = join(dir, 'other.mp4');
  copyFileSync(frameNumberClip(100), other);
  const { clips } = await lib.importClips(p.id, [src], { proxies: false }).done;
  const moved = join(tmp.dir, 'moved');
  mkdirSync(join(moved, 'deep'), { recursive: true });
  renameSync(src, join(moved, 'deep', 'renamed.mp4'));
  assert.equal(lib.api['library.checkMedia']({ projectId: p.id })[0].status, 'missing');
  await assert.rejects(
    lib.decodeFrame(clips[0].id, 0),
    (e: unknown) =>
      e instanceof ServiceError && e.code === 'not_found' && /a001\.mp4: media missing or moved/.test(e.message),
  );
  assert.throws(
    () => lib.api['library.relinkClip']({ clipId: clips[0].id, path: other }),
    (e: unknown) => e instanceof ServiceError && e.code === 'bad_input' && /not the same media/.test(e.message),
  );
  const r = lib.api['library.relinkSearch']({ projectId: p.id, folder: moved });
  assert.equal(r.relinked.length, 1);
  assert.equal(r.stillMissing, 0);
  assert.equal(r.relinked[0].path, join(moved, 'deep', 'renamed.mp4'));
  assert.equal(lib.api['library.checkMedia']({ projectId: p.id })[0].status, 'ok');
  lib.close();
});

test('bad files: import reports each by name, library stays consistent', async () => {
  const { lib } = fresh();
  const p = lib.createProject('Bad');
  const dir = join(tmp.dir, 'bad');
  mkdirSync(dir, { recursive: true });
  const bad = badFiles(dir);
  const good = frameNumberClip(48);
  const r = await lib.importClips(
    p.id,
    [
      bad.zeroByte,
      bad.notMedia,
      good,
      bad.audioOnly,
      bad.truncated,
      bad.unsupportedCodec,
      bad.absurdSize,
      join(dir, 'nope.mov'),
    ],
    { proxies: false },
  ).done;
  assert.equal(r.clips.length, 1);
  assert.equal(r.failures.length, 7);
  for (const f of r.failures) assert.ok(f.message.includes(f.file.split('/').pop()!), f.message);
  assert.equal(lib.listClips(p.id).length, 1);
  assert.equal(
    lib.api['library.getProject']({ projectId: p.id }).shots.every((s) => s.clipId === r.clips[0].id),
    true,
  );
  // All bad: the job fails with the files' messages.
  await assert.rejects(
    lib.importClips(p.id, [bad.zeroByte]).done,
    (e: unknown) => e instanceof ServiceError && /empty\.mov: empty file/.test(e.message),
  );
  lib.close();
});

test('cancel: an import cancelled midway leaves no half-imported clip', async () => {
  const { lib, events } = fresh();
  const p = lib.createProject('Cancel');
  const { jobId, done } = lib.importClips(p.id, [frameNumberClip(100)]);
  const off = events.subscribe((ev, payload) => {
    if (ev === 'job.progress' && (payload as { state: string }).state === 'running') lib.api['jobs.cancel']({ jobId });
  });
  await assert.rejects(done, code('cancelled'));
  off();
  assert.equal(lib.api['jobs.get']({ jobId }).state, 'cancelled');
  assert.equal(lib.listClips(p.id).length, 0);
  assert.equal(lib.api['shots.list']({ projectId: p.id }).length, 0);
  lib.close();
});

/** A full grade (defaults filled in, as stored) with this exposure. */
const grade = (exposure: number) => ({ ...DEFAULT_GRADE, exposure });

test('migration from schema 1 keeps data and leaves a backup', () => {
  const dataDir = join(tmp.dir, 'old');
  mkdirSync(dataDir, { recursive: true });
  const db = new Database(join(dataDir, 'library.sqlite'));
  migrate(db, { dataDir, log: quietLog, target: 1 });
  const t = new Date().toISOString();
  db.prepare('INSERT INTO projects (id, name, created_at, updated_at) VALUES (?, ?, ?, ?)').run(
    'p1',
    'Old project',
    t,
    t,
  );
  db.close();
  const lib = openLibrary({ dataDir, log: quietLog, events: new EventHub() });
  assert.equal(lib.api['library.status']({}).schemaVersion, SCHEMA_VERSION);
  const [p] = lib.api['library.listProjects']({});
  assert.equal(p.name, 'Old project');
  assert.equal(p.lastOpenedAt, null);
  const backups = readdirSync(join(dataDir, 'backups'));
  assert.equal(backups.length, SCHEMA_VERSION - 1);
  assert.match(backups[0], /^library-v1-.*\.sqlite$/);
  const b = new Database(join(dataDir, 'backups', backups[0]), { readonly: true });
  assert.equal(b.pragma('user_version', { simple: true }), 1);
  b.close();
  lib.close();
});

test('corrupt library: moved aside, latest backup restored (or a fresh start), with a clear message', () => {
  const dataDir = join(tmp.dir, 'corrupt');
  mkdirSync(dataDir, { recursive: true });
  const db = new Database(join(dataDir, 'library.sqlite'));
  migrate(db, { dataDir, log: quietLog, target: 1 });
  const t = new Date().toISOString();
  db.prepare('INSERT INTO projects (id, name, created_at, updated_at) VALUES (?, ?, ?, ?)').run('p1', 'Saved', t, t);
  db.close();
  let lib = openLibrary({ dataDir, log: quietLog, events: new EventHub() }); // migrates: backup of v1 with "Saved"
  lib.createProject('After backup');
  lib.close();
  const file = join(dataDir, 'library.sqlite');
  const bytes = readFileSync(file);
  bytes.fill(0x41, 100, bytes.length); // header intact, every page garbage
  writeFileSync(file, bytes);
  lib = openLibrary({ dataDir, log: quietLog, events: new EventHub() });
  const rec = lib.api['library.status']({}).recovery;
  assert.ok(
    rec && /library\.sqlite was corrupt/.test(rec) && /backup .*library-v\d-.*restored/.test(rec),
    rec ?? 'no message',
  );
  assert.deepEqual(
    lib.api['library.listProjects']({}).map((p) => p.name),
    ['Saved'],
  );
  assert.ok(readdirSync(dataDir).some((f) => f.startsWith('library.sqlite.corrupt-')));
  lib.close();

  // Not a database at all and no backups: a fresh library, the bad file kept.
  const d2 = join(tmp.dir, 'garbage');
  mkdirSync(d2, { recursive: true });
  writeFileSync(join(d2, 'library.sqlite'), 'this is not sqlite'.repeat(100));
  lib = openLibrary({ dataDir: d2, log: quietLog, events: new EventHub() });
  assert.match(lib.api['library.status']({}).recovery ?? '', /new, empty library was started/);
  assert.deepEqual(lib.api['library.listProjects']({}), []);
  lib.close();
});

test('locked library: a write names the file and the lock; read-only library refuses changes clearly', () => {
  const { lib, dataDir } = fresh({ busyTimeoutMs: 50 });
  lib.createProject('Before lock');
  const other = new Database(join(dataDir, 'library.sqlite'));
  other.exec('BEGIN EXCLUSIVE');
  assert.throws(
    () => lib.createProject('During lock'),
    (e: unknown) =>
      e instanceof ServiceError && e.code === 'io' && /library\.sqlite is locked by another process/.test(e.message),
  );
  other.exec('ROLLBACK');
  other.close();
  lib.createProject('After lock');
  lib.close();
  const ro = openLibrary({ dataDir, log: quietLog, events: new EventHub(), readOnly: true });
  assert.equal(ro.api['library.status']({}).readOnly, true);
  assert.equal(ro.api['library.listProjects']({}).length, 2);
  assert.throws(
    () => ro.createProject('Nope'),
    (e: unknown) => e instanceof ServiceError && e.code === 'io' && /library\.sqlite is read-only/.test(e.message),
  );
  ro.close();
});

test('media roots: browse only inside them, symlinks resolved', () => {
  const root = join(tmp.dir, 'roots', 'media');
  const outside = join(tmp.dir, 'roots', 'secret');
  mkdirSync(join(root, 'day1'), { recursive: true });
  mkdirSync(outside, { recursive: true });
  writeFileSync(join(root, 'day1', 'a.mov'), 'x');
  writeFileSync(join(outside, 'passwords.txt'), 'x');
  symlinkSync(outside, join(root, 'escape'));
  symlinkSync(join(root, 'day1'), join(root, 'inside-link'));
  const { lib } = fresh({ mediaRoots: [root] });
  const top = lib.api['media.browse']({});
  assert.equal(top.path, null);
  assert.equal(top.entries.length, 1);
  const l = lib.api['media.browse']({ path: root });
  assert.deepEqual(
    l.entries.map((e) => e.name),
    ['day1', 'inside-link'],
  );
  assert.equal(l.parent, null);
  const d = lib.api['media.browse']({ path: join(root, 'day1') });
  assert.deepEqual(
    d.entries.map((e) => [e.name, e.kind, e.looksLikeMedia]),
    [['a.mov', 'file', true]],
  );
  assert.throws(() => lib.api['media.browse']({ path: join(root, 'escape') }), code('bad_request'));
  assert.throws(() => lib.api['media.browse']({ path: join(root, '..', 'secret') }), code('bad_request'));
  assert.throws(() => lib.api['media.browse']({ path: '/etc' }), code('bad_request'));
  lib.close();
});

test('contract handlers through the dispatcher: typed results, roots enforced on import', async () => {
  const { lib, events } = fresh({ mediaRoots: [join(tmp.dir, 'roots', 'media')] });
  const handlers = { 'app.info': () => ({}), 'inference.status': () => ({}), ...lib.api } as unknown as Handlers;
  const dispatch = createDispatch(handlers, quietLog);
  const created = await dispatch('library.createProject', { name: 'Via contract' });
  assert.ok(created.ok);
  const id = (created as { value: { id: string } }).value.id;
  const dup = await dispatch('library.createProject', { name: 'Via contract' });
  assert.deepEqual(dup.ok ? null : dup.error.code, 'conflict');
  const list = await dispatch('library.listProjects', {});
  assert.ok(list.ok && (list.value as unknown[]).length === 1);
  const outside = await dispatch('library.importClips', { projectId: id, files: [frameNumberClip(48)] });
  assert.equal(outside.ok ? 'ok' : outside.error.code, 'bad_request');
  const detail = await dispatch('library.getProject', { projectId: id });
  assert.ok(detail.ok);
  const bad = await dispatch('shots.split', { shotId: 'nope', frame: 3 });
  assert.equal(bad.ok ? 'ok' : bad.error.code, 'not_found');
  const jobs = await dispatch('jobs.list', {});
  assert.ok(jobs.ok);
  void events;
  lib.close();
});

test('per-clip options: square pixels and deinterlace recorded, proxies rebuilt with them', async () => {
  const { lib } = fresh();
  const p = lib.createProject('Anamorphic');
  const { clips } = await lib.importClips(p.id, [probeClip()]).done;
  const c = clips[0];
  assert.deepEqual(c.options, { deinterlace: 'auto', squarePixels: true });
  assert.equal(c.probe.fieldOrder, 'tt');
  assert.deepEqual(lib.api['media.proxyFrame']({ clipId: c.id, frame: 3 }), {
    path: lib.api['media.proxyFrame']({ clipId: c.id, frame: 3 }).path,
    width: 288,
    height: 216,
  });
  const f = await lib.decodeFrame(c.id, 3);
  assert.equal(f.width, 768);
  const changed = lib.api['library.setClipOptions']({
    clipId: c.id,
    options: { squarePixels: false, deinterlace: 'off' },
  });
  assert.deepEqual(changed.options, { deinterlace: 'off', squarePixels: false });
  const job = lib.api['jobs.list']({ projectId: p.id, activeOnly: true }).find((j) => j.kind === 'proxies');
  assert.ok(job, 'a proxy rebuild job was started');
  await new Promise<void>((resolve) => {
    const check = (): void =>
      lib.api['jobs.get']({ jobId: job.id }).state === 'done' ? resolve() : void setTimeout(check, 50);
    check();
  });
  assert.equal(lib.api['media.proxyFrame']({ clipId: c.id, frame: 3 }).width, 270);
  assert.equal((await lib.decodeFrame(c.id, 3)).width, 720);
  // Recorded per clip: a reopened library decodes the same way.
  assert.deepEqual(lib.getClip(c.id).options, { deinterlace: 'off', squarePixels: false });
  lib.close();
});

test('changed media: same path, different content is reported as changed', async () => {
  const { lib } = fresh();
  const p = lib.createProject('Changed');
  const f = join(tmp.dir, 'changing.mp4');
  copyFileSync(frameNumberClip(48), f);
  await lib.importClips(p.id, [f], { proxies: false }).done;
  copyFileSync(frameNumberClip(100), f);
  assert.equal(lib.api['library.checkMedia']({ projectId: p.id })[0].status, 'changed');
  lib.close();
});
