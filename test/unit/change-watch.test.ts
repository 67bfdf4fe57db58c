// The change watch on a real library file with two connections: commits by the other connection are noticed
// (PRAGMA data_version), the watching connection's own writes are not, and stop() stops it.
import Database from 'better-sqlite3';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { ChangeWatch, watchLibraryChanges } from '../../src-main/core/library/change-watch';

const dir = mkdtempSync(join(tmpdir(), 'remaster-watch-'));
after(() => rmSync(dir, { recursive: true, force: true }));
const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

function pair(name: string): { host: Database.Database; cli: Database.Database } {
  const file = join(dir, name);
  const host = new Database(file);
  host.pragma('journal_mode = WAL');
  host.exec('CREATE TABLE clips (id TEXT PRIMARY KEY)');
  return { host, cli: new Database(file) };
}

test('another connection commits: one callback per poll that finds commits; own writes and reads are not changes', () => {
  const { host, cli } = pair('poll.sqlite');
  let calls = 0;
  const w = new ChangeWatch(host, () => calls++);
  w.start();
  assert.equal(w.poll(), false);
  host.prepare('INSERT INTO clips VALUES (?)').run('own');
  assert.equal(w.poll(), false, "the host's own commit is not another process's change");
  cli.prepare('INSERT INTO clips VALUES (?)').run('a');
  cli.prepare('INSERT INTO clips VALUES (?)').run('b');
  assert.equal(w.poll(), true);
  assert.equal(calls, 1, 'two commits between polls: one callback');
  cli.prepare('SELECT count(*) FROM clips').get();
  assert.equal(w.poll(), false, 'a read is not a change');
  cli.exec("BEGIN; INSERT INTO clips VALUES ('c'); ROLLBACK");
  assert.equal(w.poll(), false, 'a rolled-back transaction is not a change');
  w.stop();
  host.close();
  cli.close();
});

test('the timer: noticed within an interval; stop() stops; a closed connection stops it', async () => {
  const { host, cli } = pair('timer.sqlite');
  const seen: number[] = [];
  const t0 = Date.now();
  const w = watchLibraryChanges(host, () => seen.push(Date.now() - t0), 50);
  assert.equal(w.running, true);
  await sleep(120);
  assert.deepEqual(seen, []);
  cli.prepare('INSERT INTO clips VALUES (?)').run('x');
  const wrote = Date.now() - t0;
  await sleep(150);
  assert.equal(seen.length, 1);
  assert.ok(seen[0] >= wrote && seen[0] - wrote <= 120, `noticed ${seen[0] - wrote} ms after the commit`);
  w.stop();
  assert.equal(w.running, false);
  cli.prepare('INSERT INTO clips VALUES (?)').run('y');
  await sleep(150);
  assert.equal(seen.length, 1, 'stopped: no more callbacks');
  w.start();
  host.close();
  await sleep(120);
  assert.equal(w.running, false, 'the watch stops itself once its connection is closed');
  cli.close();
});
