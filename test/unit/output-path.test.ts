import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { ServiceError } from '../../src-main/common/contract';
import { checkOutputFile } from '../../src-main/node/output-path';

const dir = mkdtempSync(join(tmpdir(), 'remaster-out-'));
after(() => rmSync(dir, { recursive: true, force: true }));

function refusal(fn: () => unknown): ServiceError {
  try {
    fn();
  } catch (e) {
    assert.ok(e instanceof ServiceError, String(e));
    return e;
  }
  assert.fail('expected a refusal');
}

test('a missing folder is named as the cause', () => {
  const e = refusal(() => checkOutputFile(join(dir, 'nope', 'out.tif')));
  assert.equal(e.code, 'bad_input');
  assert.match(e.message, /no such folder .*nope/);
});

test('a file in place of the folder is refused', () => {
  writeFileSync(join(dir, 'plain'), 'x');
  const e = refusal(() => checkOutputFile(join(dir, 'plain', 'out.tif')));
  assert.equal(e.code, 'bad_input');
  assert.match(e.message, /is not a folder/);
});

test('an existing file needs force, and is never touched by the check', () => {
  const f = join(dir, 'master.mp4');
  writeFileSync(f, 'keep me');
  const e = refusal(() => checkOutputFile(f));
  assert.equal(e.code, 'conflict');
  assert.match(e.message, /--force/);
  assert.equal(checkOutputFile(f, { force: true }), f);
  assert.deepEqual(
    readdirSync(dir).filter((n) => n.startsWith('.remaster-write-check')),
    [],
    'the write probe is removed',
  );
});

test('an estimate above the free space is refused with both figures', () => {
  const e = refusal(() => checkOutputFile(join(dir, 'huge.mov'), { estimateBytes: 1e18 }));
  assert.equal(e.code, 'io');
  assert.match(e.message, /Not enough free space .* needed, .* free/);
});

test('a read-only file system is refused before any work, even for root', (t) => {
  const ro = join(dir, 'ro');
  mkdirSync(ro);
  const m = spawnSync('mount', ['-t', 'tmpfs', '-o', 'ro,size=1m', 'tmpfs', ro]);
  if (m.status !== 0) return t.skip('cannot mount a tmpfs here (not root?)');
  try {
    const e = refusal(() => checkOutputFile(join(ro, 'out.tif')));
    assert.equal(e.code, 'bad_input');
    assert.match(e.message, /read-only file system/);
  } finally {
    spawnSync('umount', [ro]);
  }
});
