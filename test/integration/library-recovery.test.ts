// Recovery of a damaged library (issue 21). Corruption: what can be read is salvaged table by table, a backup
// fills in only what could not be read, foreign keys stay consistent, and the report says per table what was
// kept and lost (real SQLite files, a real import through ffmpeg, random bytes written over real pages).
// Read-only left-overs: -wal/-shm files left mode 0444 by a run on a read-only library are repaired, and
// status().readOnly tells the truth. Tests run as root, whom file modes do not stop, so those steps run in
// child processes as user `nobody` (setpriv) on a data folder nobody may write.
import Database from 'better-sqlite3';
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { execFileSync } from 'node:child_process';
import {
  chmodSync,
  chownSync,
  closeSync,
  existsSync,
  cpSync,
  mkdirSync,
  openSync,
  readdirSync,
  statSync,
  writeSync,
} from 'node:fs';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { EventHub } from '../../src-main/core/events';
import { openLibrary, type LibraryService } from '../../src-main/core/library';
import { backupDir } from '../../src-main/core/library/db';
import type { Logger } from '../../src-main/core/log';
import { frameNumberClip, quietLog, tempDir } from '../helpers/media-fixtures';

const tmp = tempDir();
after(() => tmp.cleanup());

const PAGE = 4096;
/** A library of 1 project, 4 clips of one shot each (and their 4 import jobs), a daily backup taken before import. */
let template = '';
before(async () => {
  template = join(tmp.dir, 'template');
  let lib = openLibrary({ dataDir: template, log: quietLog, events: new EventHub() });
  const p = lib.createProject('Reel');
  lib.close();
  lib = openLibrary({ dataDir: template, log: quietLog, events: new EventHub() }); // the daily backup: 0 clips
  for (const n of [24, 30, 36, 48]) {
    const f = frameNumberClip(n);
    await lib.importClips(p.id, [f], { knownCuts: { [f]: [] }, proxies: false }).done;
  }
  lib.close();
});

let n = 0;
/** A copy of the template library (closed cleanly: no -wal) and its backups, byte for byte, in a folder of its own. */
function copyLibrary(): string {
  const dir = join(tmp.dir, `case-${++n}`);
  cpSync(template, dir, { recursive: true });
  return dir;
}

function pagesOf(file: string): { name: string; pageno: number; pagetype: string }[] {
  const db = new Database(file, { readonly: true });
  const rows = db.prepare('SELECT name, pageno, pagetype FROM dbstat ORDER BY pageno').all() as {
    name: string;
    pageno: number;
    pagetype: string;
  }[];
  db.close();
  return rows;
}

function scribble(file: string, offset: number, length = PAGE): void {
  const fd = openSync(file, 'r+');
  writeSync(fd, randomBytes(length), 0, length, offset);
  closeSync(fd);
}

function capture(): { log: Logger; errors: string[] } {
  const errors: string[] = [];
  const log: Logger = { ...quietLog, error: (m) => void errors.push(m), child: () => log };
  return { log, errors };
}

/** The library's status, whether the service exposes status() or the contract api. */
function statusOf(lib: LibraryService): { recovery: string | null; readOnly: boolean } {
  const l = lib as unknown as {
    status?: () => { recovery: string | null; readOnly: boolean };
    api?: Record<string, (r: unknown) => unknown>;
  };
  return (l.status ? l.status() : l.api!['library.status']({})) as { recovery: string | null; readOnly: boolean };
}

const count = (lib: LibraryService, table: string): number =>
  (lib.db.prepare(`SELECT count(*) AS c FROM ${table}`).get() as { c: number }).c;
const integrity = (lib: LibraryService): string =>
  (lib.db.pragma('integrity_check') as { integrity_check: string }[]).map((r) => r.integrity_check).join('; ');

test('the issue as reported: 4 KB of random bytes at offset 51200 (a jobs page); clips and shots all come back', () => {
  const dir = copyLibrary();
  const file = join(dir, 'library.sqlite');
  const hit = pagesOf(file).filter(
    (p) => p.pageno === Math.floor(51200 / PAGE) + 1 || p.pageno === Math.floor((51200 + PAGE - 1) / PAGE) + 1,
  );
  // In this library (as in the reporter's) those bytes fall on the jobs table's leaf page and an empty index page.
  assert.deepEqual(
    hit.map((p) => p.name),
    ['sqlite_autoindex_grades_1', 'jobs'],
  );
  scribble(file, 51200);
  const { log, errors } = capture();
  const lib = openLibrary({ dataDir: dir, log, events: new EventHub() });
  assert.equal(count(lib, 'projects'), 1);
  assert.equal(count(lib, 'clips'), 4);
  assert.equal(count(lib, 'shots'), 4);
  assert.equal(integrity(lib), 'ok');
  const rec = statusOf(lib).recovery ?? '';
  assert.match(rec, /library\.sqlite was corrupt/);
  assert.match(rec, /moved to .*library\.sqlite\.corrupt-/);
  assert.match(
    rec,
    /projects: 1 salvaged, 0 from backup, 0 lost; clips: 4 salvaged, 0 from backup, 0 lost; shots: 4 salvaged, 0 from backup, 0 lost/,
  );
  // The jobs page is gone and the backup predates the imports: the 4 import jobs are lost, and said to be.
  assert.match(rec, /jobs: 0 salvaged, 0 from backup, 4 lost/);
  assert.match(rec, /4 rows were lost/);
  assert.match(rec, /taken from the backup .*library-daily-/);
  assert.deepEqual(errors, [rec]);
  assert.ok(
    readdirSync(dir).some((f) => /^library\.sqlite\.corrupt-/.test(f)),
    'the damaged file is kept',
  );
  lib.close();
});

test('a clips page damaged: the clip on it is lost, its shot dropped as an orphan, every other row kept', () => {
  const dir = copyLibrary();
  const file = join(dir, 'library.sqlite');
  // Each clip row (with its full ffprobe JSON) fills a leaf page of its own: damage the third.
  const leaves = pagesOf(file).filter((p) => p.name === 'clips' && p.pagetype === 'leaf');
  assert.equal(leaves.length, 4);
  scribble(file, (leaves[2].pageno - 1) * PAGE);
  const lib = openLibrary({ dataDir: dir, log: quietLog, events: new EventHub() });
  assert.equal(count(lib, 'clips'), 3);
  assert.equal(count(lib, 'shots'), 3);
  assert.equal(count(lib, 'jobs'), 4);
  assert.equal(integrity(lib), 'ok');
  assert.deepEqual(lib.db.pragma('foreign_key_check'), []);
  const rec = statusOf(lib).recovery ?? '';
  assert.match(
    rec,
    /clips: 3 salvaged, 0 from backup, 1 lost; shots: 3 salvaged, 0 from backup, 1 lost \(1 dropped or unlinked: the row they belonged to is gone\)/,
  );
  assert.match(rec, /jobs: 4 salvaged, 0 from backup, 0 lost/);
  assert.match(rec, /2 rows were lost/);
  lib.close();
});

test('a shots page damaged: shots the backup has come from it; only what neither has is lost', () => {
  const dir = copyLibrary();
  const file = join(dir, 'library.sqlite');
  // A backup taken now holds every shot; then one more shot is made by a split, after the backup.
  const lib0 = openLibrary({ dataDir: dir, log: quietLog, events: new EventHub() });
  lib0.db.exec(`VACUUM INTO '${join(backupDir(dir), 'library-daily-9999-later.sqlite')}'`);
  const [shot] = lib0.db.prepare('SELECT id FROM shots ORDER BY ord LIMIT 1').all() as { id: string }[];
  const l0 = lib0 as unknown as {
    splitShot?: (id: string, f: number) => unknown;
    api?: Record<string, (r: unknown) => unknown>;
  };
  if (l0.splitShot) l0.splitShot(shot.id, 10);
  else l0.api!['shots.split']({ shotId: shot.id, frame: 10 });
  lib0.close();
  const [leaf] = pagesOf(file).filter((p) => p.name === 'shots' && p.pagetype === 'leaf');
  scribble(file, (leaf.pageno - 1) * PAGE);
  const lib = openLibrary({ dataDir: dir, log: quietLog, events: new EventHub() });
  assert.equal(count(lib, 'clips'), 4);
  // The 4 shots as the backup had them; the split's new shot was on the damaged page only.
  assert.equal(count(lib, 'shots'), 4);
  assert.equal(integrity(lib), 'ok');
  const rec = statusOf(lib).recovery ?? '';
  assert.match(rec, /shots: 0 salvaged, 4 from backup, 1 lost/);
  assert.match(rec, /taken from the backup .*library-daily-9999-later\.sqlite/);
  lib.close();
});

test('nothing readable at all (header only): the latest good backup is restored whole, as before', () => {
  const dir = copyLibrary();
  const file = join(dir, 'library.sqlite');
  scribble(file, 100, PAGE - 100); // the schema page
  const lib = openLibrary({ dataDir: dir, log: quietLog, events: new EventHub() });
  assert.match(
    statusOf(lib).recovery ?? '',
    /nothing in it could be read.*latest good backup .*library-daily-.*was restored/,
  );
  assert.equal(count(lib, 'projects'), 1);
  assert.equal(count(lib, 'clips'), 0);
  lib.close();
});

/** Runs `code` (CommonJS, with `lib` open on `dataDir`) as user nobody; returns what it prints as JSON. */
function asNobody(dataDir: string, code: string): Record<string, unknown> {
  const script = `
    const { openLibrary } = require('./src-main/core/library');
    const { EventHub } = require('./src-main/core/events');
    const quiet = { debug() {}, info() {}, warn() {}, error() {}, child() { return quiet; } };
    const lib = openLibrary({ dataDir: ${JSON.stringify(dataDir)}, log: quiet, events: new EventHub() });
    const status = () => (lib.status ? lib.status() : lib.api['library.status']({}));
    const out = {};
    try { ${code} } catch (e) { out.error = e.message; }
    lib.close();
    process.stdout.write(JSON.stringify(out));`;
  const stdout = execFileSync(
    'setpriv',
    ['--reuid=nobody', '--regid=nogroup', '--clear-groups', process.execPath, '--import', 'tsx', '-e', script],
    { cwd: join(__dirname, '..', '..'), env: { ...process.env, HOME: '/tmp' } },
  );
  return JSON.parse(String(stdout)) as Record<string, unknown>;
}

const mode = (f: string): string => (statSync(f).mode & 0o777).toString(8);
const canSetpriv =
  process.getuid?.() === 0 &&
  (() => {
    try {
      execFileSync('setpriv', ['--reuid=nobody', '--regid=nogroup', '--clear-groups', 'true']);
      return true;
    } catch {
      return false;
    }
  })();

test(
  'side files left read-only by a run on a read-only library are repaired; readOnly tells the truth',
  { skip: !canSetpriv && 'needs root and setpriv' },
  () => {
    const dataDir = join(tmp.dir, 'ro-left-overs');
    mkdirSync(dataDir, { recursive: true });
    chmodSync(tmp.dir, 0o755);
    chmodSync(dataDir, 0o777);
    const file = join(dataDir, 'library.sqlite');
    assert.deepEqual(asNobody(dataDir, "lib.createProject('Before'); out.readOnly = status().readOnly;"), {
      readOnly: false,
    });
    // The user makes the library read-only and runs a command: it leaves -wal and -shm with the same mode.
    chmodSync(file, 0o444);
    assert.deepEqual(
      asNobody(
        dataDir,
        "out.readOnly = status().readOnly; out.projects = lib.db.prepare('SELECT count(*) AS n FROM projects').get().n;",
      ),
      { readOnly: true, projects: 1 },
    );
    assert.deepEqual([mode(file), mode(`${file}-wal`), mode(`${file}-shm`)], ['444', '444', '444']);
    // The user fixes the library's permission: the next run repairs the side files and can write.
    chmodSync(file, 0o644);
    const after = asNobody(
      dataDir,
      "out.readOnlyAtOpen = status().readOnly; lib.createProject('After'); out.projects = lib.db.prepare('SELECT name FROM projects ORDER BY name').all().map((p) => p.name);",
    );
    assert.deepEqual(after, { readOnlyAtOpen: false, projects: ['After', 'Before'] });
    // Closed cleanly, SQLite removed them; none is left read-only.
    assert.deepEqual(
      [`${file}-wal`, `${file}-shm`].filter((f) => existsSync(f) && mode(f) !== '644'),
      [],
    );

    // Side files owned by someone else (here root) and not writable: nobody cannot repair them, and says so.
    chmodSync(file, 0o444);
    asNobody(dataDir, 'out.readOnly = status().readOnly;');
    for (const f of [`${file}-wal`, `${file}-shm`]) chownSync(f, 0, 0);
    chmodSync(file, 0o644);
    const stuck = asNobody(dataDir, "out.readOnly = status().readOnly; lib.createProject('Refused');");
    assert.equal(stuck.readOnly, true, 'status says read-only where writes would fail');
    assert.match(String(stuck.error), /library\.sqlite is read-only/);
    assert.equal(
      asNobody(dataDir, "out.n = lib.db.prepare('SELECT count(*) AS n FROM projects').get().n;").n,
      2,
      'reads still work',
    );
  },
);
