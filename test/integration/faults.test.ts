// Fault injection (issue 21), one table: each case breaks something real (a full tmpfs, random bytes over a
// table's pages, a SIGKILL, a read-only mount, a second process, hostile file names) under the built CLI, and
// asserts the message, the exit code, the library's integrity_check and row counts before and after, and the
// files left on disk. Render resumption after SIGKILL is covered by delivery.test.ts, an export's by
// export-kill.test.ts; here the export case is the full disk the output check must refuse before any work, and a
// render's is a render cache that fills up mid-shot and resumes once space is freed.
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import {
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
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { DEFAULT_GRADE } from '../../src-main/common/colour/grade';
import { EventHub } from '../../src-main/core/events';
import { openLibrary } from '../../src-main/core/library';
import {
  CLI,
  fillDisk,
  filesUnder,
  libraryFacts,
  mountTmpfs,
  occurrences,
  projectIdOf,
  remaster,
  renderRowOf,
  remount,
  scribblePage,
  TABLES,
  tablePages,
  unmount,
  type CliRun,
  type LibraryFacts,
  type Table,
} from '../helpers/faults';
import { segmentFile } from '../../src-main/core/render';
import { ffmpeg, frameNumberClip, quietLog, tempDir } from '../helpers/media-fixtures';
import { BASELINE_X2 } from '../helpers/render-fixture';

const tmp = tempDir('remaster-faults-');
const mounts: string[] = [];
after(() => {
  for (const m of mounts) unmount(m);
  tmp.cleanup();
});
const skipCli = existsSync(CLI) ? false : 'the built bin is missing: run npm run build first';
const isRoot = process.getuid?.() === 0;

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
    ...['-f', 'lavfi', '-i', 'testsrc2=size=320x180:rate=24', '-frames:v', '2400', '-c:v', 'libx264'],
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

interface Outcome {
  run: CliRun;
  data: string;
}
interface FaultCase {
  name: string;
  needsRoot?: boolean;
  act(): Promise<Outcome | 'skip'>;
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
    name: 'full disk during proxies (tmpfs 2 MB): the clip and its partial proxies are rolled back',
    needsRoot: true,
    async act() {
      const mnt = tmpfs();
      if (!mnt) return 'skip';
      const data = freshLibrary(join(mnt, 'data'));
      const run = remaster(data, 'import', 'Reel', media.noise);
      // Still usable afterwards: reads, and an import that fits.
      assert.equal(remaster(data, 'shots', 'Reel').code, 0);
      const again = remaster(data, 'import', 'Reel', media.half, '--no-proxies', '--no-shots');
      assert.equal(again.code, 0, again.stderr);
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
      // The 36-frame shot (segments of 24 + 12 frames) rendered on an ordinary disk first: the reference.
      const render = (data: string, shotId: string) =>
        remaster(data, 'render', 'Reel', '--shots', shotId, '--model', BASELINE_X2);
      const rendersOf = (data: string) => join(data, 'cache', projectIdOf(data, 'Reel'), 'renders');
      const ref = freshLibrary();
      const shot = (JSON.parse(remaster(ref, 'shots', 'Reel', '--json').stdout) as { id: string; frames: number }[])[1];
      assert.equal(shot.frames, 36);
      const whole = render(ref, shot.id);
      assert.equal(whole.code, 0, whole.stderr);
      const [hash] = readdirSync(rendersOf(ref));
      const refFile = (name: string) => join(rendersOf(ref), hash, name);
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
      const files = readdirSync(join(rendersOf(ref), hash)).sort();
      assert.deepEqual(readdirSync(join(renders, hash)).sort(), files);
      for (const f of files) assert.deepEqual(readFileSync(join(renders, hash, f)), readFileSync(refFile(f)), f);
      return { data, run };
    },
    code: 1,
    message:
      /remaster render: Rendering failed: Disk full: no space left in .*renders.* resumes from its last complete/,
    once: 'remaster render:',
    counts: (b, a) => assert.deepEqual(a, { ...b, jobs: b.jobs + 2 }),
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
    name: 'SIGKILL mid-import, then import again: the half-imported clip is gone and the retry succeeds',
    async act() {
      const data = freshLibrary();
      const child = spawn(process.execPath, [CLI, '--data', data, 'import', 'Reel', media.long], { stdio: 'pipe' });
      await new Promise<void>((resolve) => {
        child.stderr.on('data', (d: Buffer) => {
          if (/frame \d+ of/.test(String(d))) resolve();
        });
      });
      const exited = new Promise((r) => child.once('exit', (_c, s) => r(s)));
      child.kill('SIGKILL');
      assert.equal(await exited, 'SIGKILL');
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
    name: `corrupt page in ${table}: salvaged, integrity ok, other tables kept`,
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
    counts: (b, a) => {
      for (const t of TABLES) if (t !== table && t !== 'jobs') assert.ok(a[t] <= b[t], `${t}: ${a[t]} of ${b[t]}`);
      assert.ok(a[table] <= b[table]);
      assert.equal(a.projects, 1, 'the project, from the page or the backup');
      assert.ok(a.clips + a.shots >= 2, 'something salvaged');
    },
  })),
];

describe('faults', { skip: skipCli }, () => {
  for (const c of cases) {
    test(c.name, { skip: c.needsRoot && !isRoot ? 'needs root (tmpfs, mount)' : false }, async (t) => {
      const started = Date.now();
      const out = await c.act();
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
