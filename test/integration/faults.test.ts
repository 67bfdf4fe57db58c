// Fault injection (issue 21), one table: each case breaks something real (a full tmpfs, random bytes over a
// table's pages, a SIGKILL, a read-only mount, a second process, hostile file names) under the built CLI, and
// asserts the message, the exit code, the library's integrity_check and row counts before and after, and the
// files left on disk. A render and an export are SIGKILLed at a random point and run again (the result byte-identical
// to an uninterrupted run); a disk fills before an export (refused by the free-space check), during one (after the
// check passed), and under a render (resumed from its last segment once space is freed).
import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import {
  chmodSync,
  copyFileSync,
  cpSync,
  existsSync,
  mkdirSync,
  readdirSync,
  readFileSync,
  rmSync,
  statSync,
  writeFileSync,
} from 'node:fs';
import { dirname, join } from 'node:path';
import { after, before, describe, test, type TestContext } from 'node:test';
import { DEFAULT_GRADE } from '../../src-main/common/colour/grade';
import { EventHub } from '../../src-main/core/events';
import { openLibrary } from '../../src-main/core/library';
import {
  bytesUnder,
  CLI,
  fillDisk,
  killWhen,
  filesUnder,
  libraryFacts,
  mountTmpfs,
  occurrences,
  projectIdOf,
  remaster,
  renderRowOf,
  remount,
  scribblePage,
  startRemaster,
  TABLES,
  whenReached,
  tablePages,
  unmount,
  type CliRun,
  type LibraryFacts,
  type Table,
} from '../helpers/faults';
import { segmentFile } from '../../src-main/core/render';
import { ffmpeg, frameNumberClip, pqClip, quietLog, tempDir } from '../helpers/media-fixtures';
import { BASELINE_X2 } from '../helpers/render-fixture';

const tmp = tempDir('remaster-faults-');
const mounts: string[] = [];
after(() => {
  for (const m of mounts) unmount(m);
  tmp.cleanup();
});
const skipCli = existsSync(CLI) ? false : 'the built bin is missing: run npm run build first';
const isRoot = process.getuid?.() === 0;

const LONG_FRAMES = 2400;
/** Proxy frames written so far (one JPEG a frame). */
const jpegsUnder = (dir: string): number => filesUnder(dir).filter((f) => f.endsWith('.jpg')).length;
/** Clips made once: a whole and a half (truncated) fast-start MP4, and noise whose proxies outgrow their estimate. */
const media = { whole: '', half: '', noise: '', long: '' };
/** A library of 1 project "Reel", 2 clips, 2 shots, 2 graded versions, 2 import jobs. */
let template = '';
before(async () => {
  media.whole = join(tmp.dir, 'whole.mp4');
  ffmpeg([
    ...['-f', 'lavfi', '-i', 'testsrc2=size=320x180:rate=24', '-frames:v', '480', '-c:v', 'libx264'],
    ...['-preset', 'ultrafast', '-pix_fmt', 'yuv420p', '-movflags', '+faststart', media.whole],
  ]);
  media.half = join(tmp.dir, 'half.mp4');
  const bytes = readFileSync(media.whole);
  writeFileSync(media.half, bytes.subarray(0, bytes.length >> 1));
  media.noise = join(tmp.dir, 'noise.mp4');
  ffmpeg([
    ...['-f', 'lavfi', '-i', 'nullsrc=size=320x180:rate=24,geq=random(1)*255:128:128', '-frames:v', '120'],
    ...['-c:v', 'libx264', '-preset', 'ultrafast', '-qp', '0', '-pix_fmt', 'yuv420p', media.noise],
  ]);
  media.long = join(tmp.dir, 'long.mp4');
  ffmpeg([
    ...['-f', 'lavfi', '-i', 'testsrc2=size=320x180:rate=24', '-frames:v', String(LONG_FRAMES), '-c:v', 'libx264'],
    ...['-preset', 'ultrafast', '-pix_fmt', 'yuv420p', media.long],
  ]);
  template = join(tmp.dir, 'template');
  const lib = openLibrary({ dataDir: template, log: quietLog, events: new EventHub() });
  const p = lib.createProject('Reel');
  for (const n of [24, 36]) {
    const f = frameNumberClip(n);
    await lib.importClips(p.id, [f], { knownCuts: { [f]: [] }, proxies: false }).done;
  }
  for (const s of lib.api['shots.list']({ projectId: p.id }))
    lib.api['grades.set']({ shotId: s.id, params: { ...DEFAULT_GRADE, exposure: 0.5 } });
  lib.close();
  // Opened once more: the daily backup now holds all of it, as a colorist's library would after a day's work.
  openLibrary({ dataDir: template, log: quietLog, events: new EventHub() }).close();
});

let n = 0;
/** A folder of its own holding a copy of the template library (or on `at`, a mounted tmpfs). */
function freshLibrary(at?: string): string {
  const dir = at ?? join(tmp.dir, `case-${++n}`);
  cpSync(template, dir, { recursive: true });
  return dir;
}

/** A fresh 2 MB tmpfs, or null (the case skips) where mounting is refused. */
function tmpfs(size = '2m'): string | null {
  const dir = join(tmp.dir, `mnt-${++n}`);
  if (mountTmpfs(dir, size)) return null;
  mounts.push(dir);
  return dir;
}

/** The 36-frame shot (segments of 24 + 12 frames) of the Reel, rendered with the fast baseline model. */
const renderArgs = (shotId: string): string[] => ['render', 'Reel', '--shots', shotId, '--model', BASELINE_X2];
const exportArgs = (shotId: string, out: string): string[] => [
  ...['export', 'Reel', '--format', 'hdr10-hevc', '--out', out, '--shots', shotId, '--model', BASELINE_X2],
];
const rendersOf = (data: string): string => join(data, 'cache', projectIdOf(data, 'Reel'), 'renders');
const SEGMENTS = /segment-\d+\.mkv(\.partial)?$/;

interface Reference {
  shot: { id: string; frames: number };
  /** The shot's render folder (cache/<project>/renders/<hash>) and its name. */
  dir: string;
  hash: string;
  segmentBytes: number;
  /** The master of that shot alone, exported uninterrupted, and the time from its partial file's appearing to its end. */
  master: string;
  encodeMs: number;
}
let reference: Reference | undefined;
/** That shot rendered and exported once, uninterrupted, on an ordinary disk: what the interrupted runs must equal. */
async function referenceRuns(): Promise<Reference> {
  if (reference) return reference;
  const data = freshLibrary();
  const shot = (JSON.parse(remaster(data, 'shots', 'Reel', '--json').stdout) as Reference['shot'][])[1];
  assert.equal(shot.frames, 36);
  const render = remaster(data, ...renderArgs(shot.id));
  assert.equal(render.code, 0, render.stderr);
  const [hash] = readdirSync(rendersOf(data));
  const dir = join(rendersOf(data), hash);
  const master = join(tmp.dir, 'reference', 'master.mp4');
  mkdirSync(join(tmp.dir, 'reference'));
  const { child, done } = startRemaster(data, ...exportArgs(shot.id, master));
  await whenReached(child, () => readdirSync(dirname(master)).some((f) => f.includes('.partial')));
  const started = Date.now();
  const exported = await done;
  const encodeMs = Date.now() - started;
  assert.equal(exported.code, 0, exported.stderr);
  assert.match(exported.stdout, /master\.mp4: verified \(hdr10-hevc, 36 frames/);
  return (reference = { shot, dir, hash, segmentBytes: bytesUnder(dir, SEGMENTS), master, encodeMs });
}

/** The shot's render folder in `data` holds the reference's files, byte for byte, and no partial one. */
function sameRenderAsReference(data: string): void {
  const { dir, hash } = reference!;
  const files = readdirSync(dir).sort();
  assert.deepEqual(
    filesUnder(rendersOf(data)),
    files.map((f) => `${hash}/${f}`),
    'the same files, no .partial',
  );
  for (const f of files) assert.deepEqual(readFileSync(join(rendersOf(data), hash, f)), readFileSync(join(dir, f)), f);
}

interface Outcome {
  run: CliRun;
  data: string;
}
interface FaultCase {
  name: string;
  needsRoot?: boolean;
  act(t: TestContext): Promise<Outcome | 'skip'>;
  code: number;
  message: RegExp;
  /** The message must appear exactly once in stderr (it is the command's one line). */
  once?: string;
  counts(before: LibraryFacts['counts'], after: LibraryFacts['counts']): void;
  files?(data: string): void;
}

const same = (b: LibraryFacts['counts'], a: LibraryFacts['counts']): void => assert.deepEqual(a, b);
const plusClips = (k: number) => (b: LibraryFacts['counts'], a: LibraryFacts['counts']) =>
  assert.deepEqual(a, { ...b, clips: b.clips + k, shots: b.shots + k, jobs: b.jobs + 1 });
/** No clip folder under the project's cache other than those of clips the library lists. */
const noOrphanCache = (data: string): void => {
  const clips = remaster(data, 'shots', 'Reel', '--json').stdout;
  const left = filesUnder(join(data, 'cache')).map((f) => f.split('/')[1]);
  for (const clipId of new Set(left)) assert.ok(clips.includes(clipId) || !clipId, `orphan cache ${clipId}`);
};

const before_: Map<string, LibraryFacts> = new Map();

const cases: FaultCase[] = [
  {
    name: 'import: a bad and a missing file, each error printed once',
    async act() {
      const data = freshLibrary();
      const junk = join(tmp.dir, 'junk.mp4');
      writeFileSync(junk, 'not a movie');
      return { data, run: remaster(data, 'import', 'Reel', junk, join(tmp.dir, 'missing.mp4')) };
    },
    code: 2,
    message: /junk\.mp4: truncated or not a media file.*missing\.mp4: no such file/,
    once: 'junk.mp4: truncated or not a media file',
    counts: (b, a) => assert.deepEqual(a, { ...b, jobs: b.jobs + 1 }),
  },
  {
    name: 'import: a fast-start MP4 cut to half its bytes is imported with a warning, marked incomplete',
    async act() {
      const data = freshLibrary();
      return { data, run: remaster(data, 'import', 'Reel', media.half, '--no-shots') };
    },
    code: 0,
    message: /warning: .*half\.mp4: incomplete: 24\d of the 480 frames its file declares could be decoded/,
    once: 'incomplete:',
    counts: plusClips(1),
  },
  {
    name: 'import: an HDR10-tagged (PQ, BT.2020) clip is imported with a warning that it is not SDR',
    async act() {
      const data = freshLibrary();
      return { data, run: remaster(data, 'import', 'Reel', pqClip(), '--no-shots') };
    },
    code: 0,
    message:
      /warning: .*pq\.mov: tagged as an HDR clip \(PQ, SMPTE ST 2084\): Remaster up-converts SDR footage and reads it as SDR BT\.709, so its result will be wrong/,
    once: 'tagged as an HDR clip',
    counts: plusClips(1),
  },
  {
    name: 'full disk during proxies (tmpfs 2 MB): the clip and its partial proxies are rolled back',
    needsRoot: true,
    async act() {
      const mnt = tmpfs();
      if (!mnt) return 'skip';
      const data = freshLibrary(join(mnt, 'data'));
      const run = remaster(data, 'import', 'Reel', media.noise);
      // Still usable afterwards, and quiet (later commands once all warned): reads, and an import that fits.
      const shots = remaster(data, 'shots', 'Reel');
      assert.deepEqual([shots.code, shots.stderr], [0, '']);
      const again = remaster(data, 'import', 'Reel', media.half, '--no-proxies', '--no-shots');
      assert.equal(again.code, 0, again.stderr);
      assert.doesNotMatch(again.stderr, /roll back|could not/);
      return { data, run };
    },
    code: 1,
    message: /Scrub proxies in .*disk full\?: \d+ of 120 proxy frames are empty/,
    counts: (b, a) => assert.deepEqual(a, { ...b, clips: b.clips + 1, shots: b.shots + 1, jobs: b.jobs + 2 }),
    files: (data) => {
      noOrphanCache(data);
      assert.ok(filesUnder(join(data, 'cache')).length === 0, 'no proxies left on the full disk');
    },
  },
  {
    name: 'full disk before proxies: refused from the estimate, nothing written',
    needsRoot: true,
    async act() {
      const mnt = tmpfs();
      if (!mnt) return 'skip';
      const data = freshLibrary(join(mnt, 'data'));
      return { data, run: remaster(data, 'import', 'Reel', media.whole) };
    },
    code: 1,
    message: /Not enough space for scrub proxies .*needed for 480 frames/,
    counts: (b, a) => assert.deepEqual(a, { ...b, jobs: b.jobs + 1 }),
    files: (data) => assert.deepEqual(filesUnder(join(data, 'cache')), []),
  },
  {
    name: 'full disk at a library write: the change is refused, the library intact once space is freed',
    needsRoot: true,
    async act() {
      const mnt = tmpfs();
      if (!mnt) return 'skip';
      const data = freshLibrary(join(mnt, 'data'));
      remaster(data, 'project', 'list'); // leaves its side files as a live app would
      fillDisk(join(mnt, 'filler'));
      const run = remaster(data, 'project', 'create', 'Second');
      rmSync(join(mnt, 'filler'));
      return { data, run };
    },
    code: 1,
    message: /Library .*library\.sqlite .*(disk is full|disk I\/O error|Disk full)/,
    counts: same,
  },
  {
    name: 'full disk at export: refused with the space needed, no master left',
    needsRoot: true,
    async act() {
      const mnt = tmpfs();
      if (!mnt) return 'skip';
      const data = freshLibrary();
      fillDisk(join(mnt, 'filler'));
      const out = join(mnt, 'master.mp4');
      const run = remaster(data, 'export', 'Reel', '--format', 'hdr10-hevc', '--out', out, '--frames', '0-1');
      assert.deepEqual(filesUnder(mnt), ['filler'], 'no master or partial file on the full disk');
      return { data, run };
    },
    code: 1,
    message: /remaster export: Not enough free space in .*: about \d+ MB needed, 0 MB free/,
    once: 'remaster export:',
    counts: (b, a) => assert.deepEqual({ ...a, jobs: 0 }, { ...b, jobs: 0 }),
  },
  {
    name: 'full disk in the render cache (tmpfs): "Disk full", no partial segment, resumed from the last segment',
    needsRoot: true,
    async act() {
      const { shot, dir, hash } = await referenceRuns();
      const render = (data: string, shotId: string) => remaster(data, ...renderArgs(shotId));
      const refFile = (name: string) => join(dir, name);
      const size = (i: number) => statSync(refFile(segmentFile(i))).size;
      // The cache on a tmpfs with room for the first segment, its record and the manifest, and half the second.
      const data = freshLibrary();
      const renders = rendersOf(data);
      const pages = (n: number) => Math.ceil(n / 4096) * 4096;
      const small = ['manifest.json', 'segment-0000.json'].reduce((n, f) => n + pages(statSync(refFile(f)).size), 0);
      const bytes = small + pages(size(0)) + pages(size(1) / 2);
      if (mountTmpfs(renders, String(bytes))) return 'skip';
      mounts.push(renders);
      const run = render(data, shot.id);
      const row = renderRowOf(data, shot.id);
      assert.equal(row?.state, 'failed', 'the shot is marked failed, not rendered');
      assert.match(row?.error ?? '', /^Disk full: /);
      const kept = [`${hash}/manifest.json`, `${hash}/segment-0000.json`, `${hash}/segment-0000.mkv`];
      assert.deepEqual(filesUnder(renders), kept, 'only complete files, no .partial segment');
      const first = statSync(join(renders, kept[2]));
      // Still usable on the full disk; then space is freed and the same command resumes at segment 1.
      assert.equal(remaster(data, 'shots', 'Reel').code, 0);
      remount(renders, 'size=64m');
      const again = render(data, shot.id);
      assert.equal(again.code, 0, again.stderr);
      assert.match(again.stdout, /^2\t.*\trendered, MaxCLL \d+ nits/m);
      const resumed = statSync(join(renders, kept[2]));
      assert.deepEqual([resumed.ino, resumed.mtimeMs], [first.ino, first.mtimeMs], 'segment 0 was not rendered again');
      sameRenderAsReference(data);
      return { data, run };
    },
    code: 1,
    message:
      /remaster render: Rendering failed: Disk full: no space left in .*renders.* resumes from its last complete/,
    once: 'remaster render:',
    counts: (b, a) => assert.deepEqual(a, { ...b, jobs: b.jobs + 2 }),
  },
  {
    name: 'disk fills during an export (tmpfs, after the free-space check passed): "No space left", no master or partial, the export succeeds once space is freed',
    needsRoot: true,
    async act(t) {
      const { shot, dir, hash, master } = await referenceRuns();
      const mnt = tmpfs(); // 2 MB: passes the check (about 1.4 MB for 36 frames of 640x360), the master takes ~0.1 MB
      if (!mnt) return 'skip';
      const data = freshLibrary();
      // The shot's render already in this library's cache, so the export goes straight to its encode.
      cpSync(dir, join(rendersOf(data), hash), { recursive: true });
      const out = join(mnt, 'master.mp4');
      const { child, done } = startRemaster(data, ...exportArgs(shot.id, out));
      let partial = '';
      await whenReached(child, () => !!(partial = readdirSync(mnt).find((f) => f.includes('.partial')) ?? ''));
      fillDisk(join(mnt, 'filler')); // the rest of the space, under the running encoder
      t.diagnostic(`filled the disk once ${partial} appeared`);
      const run = await done;
      t.diagnostic(`it said: ${run.stderr.trim().split('\n').pop()}`);
      assert.deepEqual(filesUnder(mnt), ['filler'], 'no master and no partial file left on the full disk');
      assert.equal(run.stdout, '', 'no report for a master that was not written');
      // Space freed: the same command now writes the same master as the uninterrupted reference.
      rmSync(join(mnt, 'filler'));
      const again = remaster(data, ...exportArgs(shot.id, out));
      assert.equal(again.code, 0, again.stderr);
      assert.match(again.stdout, /master\.mp4: verified \(hdr10-hevc, 36 frames/);
      assert.deepEqual(filesUnder(mnt), ['master.mp4']);
      assert.deepEqual(readFileSync(out), readFileSync(master), 'the same master as the uninterrupted export');
      return { data, run };
    },
    code: 1,
    message: /remaster export: .*No space left .*master\.mp4; nothing was kept/,
    once: 'remaster export:',
    // One export job for the failed run and one for the retry; nothing else changed.
    counts: (b, a) => assert.deepEqual(a, { ...b, jobs: b.jobs + 2 }),
  },
  {
    name: 'SIGKILL at a random point of a render, then render again: resumed, byte-identical to an uninterrupted render',
    async act(t) {
      const { shot, segmentBytes } = await referenceRuns();
      const data = freshLibrary();
      // A random point of the render, as a share of the bytes its segments reach (FFVHuff grows frame by frame).
      const at = 0.05 + Math.random() * 0.9;
      const { child } = startRemaster(data, ...renderArgs(shot.id));
      let written = 0;
      await killWhen(child, () => (written = bytesUnder(rendersOf(data), SEGMENTS)) >= at * segmentBytes);
      const left = filesUnder(rendersOf(data));
      t.diagnostic(
        `killed at ${(at * 100).toFixed(0)}% of the render (random; rerun to try another point): ${written} of ${segmentBytes} segment bytes, leaving ${left.map((f) => f.split('/')[1]).join(' ')}`,
      );
      assert.ok(!left.some((f) => f.endsWith('result.json')), 'killed before its result record');
      const run = remaster(data, ...renderArgs(shot.id));
      assert.match(run.stdout, /^2\t.*\trendered, MaxCLL \d+ nits/m);
      return { data, run };
    },
    code: 0,
    message: /^$/,
    // The killed render's job and the rerun's.
    counts: (b, a) => assert.deepEqual(a, { ...b, jobs: b.jobs + 2 }),
    files: sameRenderAsReference,
  },
  {
    name: 'SIGKILL at a random point of an export (render or encode), then export again: byte-identical master, no partial',
    async act(t) {
      const { shot, segmentBytes, master, encodeMs } = await referenceRuns();
      // A random point: in the render of the missing shot, at a random share of its segments' bytes; or once the
      // master's partial file exists (encode, HDR10 boxes, read-back), a random share of half the time that took
      // uninterrupted (half: a less loaded machine must not finish first). The 36-frame master is written whole at
      // the encoder's end, so its size is no clock.
      const phase = Math.random() < 0.5 ? 'render' : 'encode';
      let at = 0.05 + Math.random() * 0.9;
      let data: string, dir: string, out: string, child: ReturnType<typeof startRemaster>['child'];
      let where = '';
      for (let tries = 1; ; tries++) {
        data = freshLibrary();
        dir = join(tmp.dir, `out-${++n}`);
        mkdirSync(dir);
        out = join(dir, 'master.mp4');
        ({ child } = startRemaster(data, ...exportArgs(shot.id, out)));
        if (phase === 'render') {
          let written = 0;
          await killWhen(child, () => (written = bytesUnder(rendersOf(data), SEGMENTS)) >= at * segmentBytes);
          where = `${written} of ${segmentBytes} segment bytes`;
          break;
        }
        const partial = () => bytesUnder(dir, /partial/);
        await whenReached(child, () => readdirSync(dir).some((f) => f.includes('.partial')));
        const since = Date.now();
        try {
          await killWhen(child, () => Date.now() - since >= (at * encodeMs) / 2);
        } catch (e) {
          if (child.exitCode !== 0) throw e; // ended on its own, successfully: the point came too late (below)
        }
        where = `${Date.now() - since} ms after its partial appeared (of ${encodeMs} ms uninterrupted), ${partial()} bytes written`;
        if (!existsSync(out)) break;
        // The kill came after the rename, or not at all: the export had finished (a machine less loaded than in
        // the reference run). A master under its name is then whole, which is checked; the case runs again, on a fresh library,
        // at a quarter of the point.
        assert.deepEqual(readFileSync(out), readFileSync(master), `a master left by a late kill (${where}) is whole`);
        t.diagnostic(`try ${tries}: the export finished before the kill (${where}); again at a quarter of the point`);
        assert.ok(tries < 4, 'the export outran four kill points');
        at /= 4;
      }
      const left = filesUnder(dir);
      t.diagnostic(
        `killed in the ${phase} at ${(at * 100).toFixed(0)}% (random; rerun to try another point): ${where}, leaving ${left.join(' ') || 'no file'} beside the master`,
      );
      assert.ok(!existsSync(out), 'nothing under the master name after the kill');
      // The partial, and when killed in the HDR10 box rewrite, its copy `..master.mp4.partial-<pid>.mp4.<pid>.hdr10.tmp`.
      const boxCopy = `..master.mp4.partial-${child.pid}.mp4.${child.pid}.hdr10.tmp`;
      assert.ok(
        left.every((f) => f.startsWith(`.master.mp4.partial-${child.pid}`) || f === boxCopy),
        left.join(', '),
      );
      // That copy is planted where the random point missed the rewrite, so every run checks it is removed too.
      if (!left.includes(boxCopy)) writeFileSync(join(dir, boxCopy), 'half a copy');
      const run = remaster(data, ...exportArgs(shot.id, out));
      assert.match(run.stdout, /master\.mp4: verified \(hdr10-hevc, 36 frames/);
      assert.doesNotMatch(run.stdout, /FAIL/);
      assert.deepEqual(filesUnder(dir), ['master.mp4'], 'no partial left, nothing but the master');
      assert.deepEqual(readFileSync(out), readFileSync(master), 'byte-identical to the uninterrupted export');
      return { data, run };
    },
    code: 0,
    message: /^$/,
    // The killed export's job and the rerun's (each renders within its own job).
    counts: (b, a) => assert.deepEqual(a, { ...b, jobs: b.jobs + 2 }),
    files: sameRenderAsReference,
  },
  {
    name: 'read-only mount: reads work, a write is refused with the reason',
    needsRoot: true,
    async act() {
      const mnt = tmpfs('8m');
      if (!mnt) return 'skip';
      const data = freshLibrary(join(mnt, 'data'));
      remount(mnt, 'ro');
      const list = remaster(data, 'project', 'list');
      assert.equal(list.code, 0, list.stderr);
      assert.match(list.stdout, /^Reel\t2 clips\t2 shots/m);
      return { data, run: remaster(data, 'project', 'create', 'Second') };
    },
    code: 1,
    message: /read-only/,
    counts: same,
  },
  {
    name: 'SIGKILL at a random point of an import, then import again: the half-imported clip is gone, the retry succeeds',
    async act(t) {
      const data = freshLibrary();
      // A random point of the import's decode (5-90%: past that its shots may be stored, and the clip is whole),
      // clocked by the proxy frames on disk: the progress lines on stderr are throttled, and a fast machine
      // finishes the 2400 frames before a line at the chosen point is printed.
      const at = 5 + Math.floor(Math.random() * 86);
      const child = spawn(process.execPath, [CLI, '--data', data, 'import', 'Reel', media.long], { stdio: 'ignore' });
      let proxies = 0;
      await killWhen(child, () => (proxies = jpegsUnder(join(data, 'cache'))) >= (at / 100) * LONG_FRAMES);
      t.diagnostic(`killed at ${at}% (random; rerun to try another point): ${proxies} of ${LONG_FRAMES} proxy frames`);
      return { data, run: remaster(data, 'import', 'Reel', media.long, '--no-shots') };
    },
    code: 0,
    message: /^$/,
    counts: (b, a) => assert.deepEqual(a, { ...b, clips: b.clips + 1, shots: b.shots + 1, jobs: b.jobs + 2 }),
    files: noOrphanCache,
  },
  {
    name: 'two processes write one library at once: both changes land',
    async act() {
      const data = freshLibrary();
      const one = (name: string) =>
        new Promise<CliRun>((resolve) => {
          const c = spawn(process.execPath, [CLI, '--data', data, 'project', 'create', name]);
          let stderr = '';
          c.stderr.on('data', (d: Buffer) => (stderr += String(d)));
          c.once('exit', (code) => resolve({ code, stdout: '', stderr }));
        });
      const [a, b] = await Promise.all([one('Left'), one('Right')]);
      assert.equal(a.code, 0, a.stderr);
      const list = remaster(data, 'project', 'list').stdout;
      assert.match(list, /^Left\t/m);
      assert.match(list, /^Right\t/m);
      return { data, run: b };
    },
    code: 0,
    message: /^$/,
    counts: (b, a) => assert.deepEqual(a, { ...b, projects: b.projects + 2 }),
  },
  {
    name: 'hostile data folder: "%", "%d", spaces, quotes and non-ASCII in --data; an import with proxies',
    async act() {
      const data = freshLibrary(join(tmp.dir, `data 100% "q" 'é' %d%s ${++n}`));
      const run = remaster(data, 'import', 'Reel', media.whole, '--no-shots');
      // Every proxy frame under the data folder itself, none written by ffmpeg as a pattern elsewhere.
      const proxies = filesUnder(join(data, 'cache')).filter((f) => f.endsWith('.jpg'));
      assert.equal(proxies.length, 480, 'one proxy a frame');
      assert.ok(proxies.every((f) => f.startsWith(`${projectIdOf(data, 'Reel')}/`)));
      assert.equal(
        readdirSync(tmp.dir).filter((f) => f.startsWith('data ')).length,
        1,
        'no folder made from a pattern',
      );
      return { data, run };
    },
    code: 0,
    message: /^$/,
    counts: plusClips(1),
    files: (data) => {
      noOrphanCache(data);
      for (const f of filesUnder(join(data, 'cache')))
        if (f.endsWith('.jpg')) assert.ok(statSync(join(data, 'cache', f)).size > 0, `${f} is empty`);
    },
  },
  {
    name: 'read-only library file in a read-only folder (as nobody): browsing works, a write is refused',
    needsRoot: true,
    async act() {
      if (spawnSync('setpriv', ['--version']).status !== 0) return 'skip';
      const data = freshLibrary();
      chmodSync(tmp.dir, 0o755);
      chmodSync(join(data, 'library.sqlite'), 0o444);
      chmodSync(data, 0o555);
      const left = readdirSync(data).sort(); // the copy may carry the template's -wal/-shm: those stay as they are
      const asNobody = (...args: string[]): CliRun => {
        const r = spawnSync(
          'setpriv',
          ['--reuid=nobody', '--regid=nogroup', '--clear-groups', process.execPath, CLI, '--data', data, ...args],
          { encoding: 'utf8', timeout: 120_000, env: { ...process.env, HOME: tmp.dir } },
        );
        return { code: r.status, stdout: r.stdout, stderr: r.stderr };
      };
      const list = asNobody('project', 'list');
      assert.equal(list.code, 0, list.stderr);
      assert.match(list.stdout, /^Reel\t2 clips\t2 shots/m);
      const run = asNobody('project', 'create', 'Second');
      // Nothing written beside it (checked here: the integrity check that follows opens it as root).
      assert.deepEqual(readdirSync(data).sort(), left);
      chmodSync(data, 0o755);
      return { data, run };
    },
    code: 1,
    message: /library\.sqlite is read-only: the change was not saved/,
    once: 'read-only',
    counts: same,
  },
  ...['100% \'quoted\' "twice"', 'ünïcødé ファイル', 'a%d%s%n'].map((name): FaultCase => ({
    name: `hostile path: "${name}.mp4" in a folder with spaces, named through ..`,
    async act() {
      const data = freshLibrary();
      const dir = join(tmp.dir, `with spaces ${++n}`);
      mkdirSync(join(dir, 'sub'), { recursive: true });
      copyFileSync(media.half, join(dir, `${name}.mp4`));
      const run = remaster(data, 'import', 'Reel', join(dir, 'sub', '..', `${name}.mp4`), '--no-shots');
      assert.ok(run.stdout.includes(`imported ${join(dir, `${name}.mp4`)}:`), run.stdout + run.stderr);
      return { data, run };
    },
    code: 0,
    message: /incomplete/,
    counts: plusClips(1),
  })),
  ...TABLES.map((table: Table): FaultCase => ({
    name: `corrupt page in ${table}: readable rows salvaged, the rest from the backup, no row lost`,
    async act() {
      const data = freshLibrary();
      const file = join(data, 'library.sqlite');
      before_.set(data, libraryFacts(data));
      const pages = tablePages(file, table);
      scribblePage(file, pages[pages.length - 1]);
      return { data, run: remaster(data, 'project', 'list') };
    },
    code: 0,
    message: /^$/,
    // Every row is back: the readable ones salvaged, the one on the damaged page from the day's backup.
    counts: same,
    files: (data) => {
      assert.equal(readdirSync(data).filter((f) => /^library\.sqlite\.corrupt-[^-]+.*Z$/.test(f)).length, 1);
      const log = readFileSync(join(data, 'logs', 'remaster.log'), 'utf8');
      assert.match(log, new RegExp(`ERROR .*was corrupt .*${table}: \\d+ salvaged, [1-9]\\d* from backup, 0 lost`));
      assert.match(log, /No row was lost\./);
    },
  })),
];

describe('faults', { skip: skipCli }, () => {
  for (const c of cases) {
    test(c.name, { skip: c.needsRoot && !isRoot ? 'needs root (tmpfs, mount)' : false }, async (t) => {
      const started = Date.now();
      const out = await c.act(t);
      if (out === 'skip') return t.skip('cannot mount a tmpfs here');
      const { data, run } = out;
      // "Before" is the template's own facts (or, for a corrupted copy, the facts read before the damage).
      const b = before_.get(data) ?? libraryFacts(template);
      const a = libraryFacts(data);
      assert.equal(run.code, c.code, `exit code; stderr: ${run.stderr}`);
      if (c.message.source === '^$') assert.equal(run.stderr.replace(/^\[.*\n/gm, ''), '', 'no error line');
      else assert.match(run.stderr, c.message);
      if (c.once) assert.equal(occurrences(run.stderr, c.once), 1, `printed once: ${run.stderr}`);
      assert.equal(a.integrity, 'ok');
      c.counts(b.counts, a.counts);
      c.files?.(data);
      assert.ok(statSync(join(data, 'library.sqlite')).size > 0);
      t.diagnostic(`${Date.now() - started} ms`);
    });
  }
});
