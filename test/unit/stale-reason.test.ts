// Why the library calls a rendered shot stale: what changed between the render it holds and the one it would
// render now, read from the two manifests' facts and, for a new cache format, from the old result record.
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { RENDER_FORMAT_VERSION } from '../../src-main/common/contract/render';
import { staleReason, type RenderTarget } from '../../src-main/core/library/renders';

const root = mkdtempSync(join(tmpdir(), 'remaster-stale-'));
test.after(() => rmSync(root, { recursive: true, force: true }));

const target = {
  hash: 'b'.repeat(64),
  dir: join(root, 'b'.repeat(64)),
  manifest: { source: { fingerprint: 'f1' }, model: { sha256: 'm1' }, grade: { version: 3 } },
} as unknown as RenderTarget;
const held = { fingerprint: 'f1', model_sha: 'm1', grade_version: 3, manifest_hash: 'a'.repeat(64) };

function oldResult(formatVersion: number): void {
  mkdirSync(join(root, held.manifest_hash), { recursive: true });
  writeFileSync(join(root, held.manifest_hash, 'result.json'), JSON.stringify({ formatVersion }));
}

test('a stale render names what changed: source, model, grade, or the cache format of an earlier version', () => {
  assert.equal(staleReason(target, { ...held, manifest_hash: target.hash }), 'render cache missing');
  assert.equal(staleReason(target, { ...held, grade_version: 2 }), 'grade changed');
  assert.equal(staleReason(target, { ...held, model_sha: 'm0', fingerprint: 'f0' }), 'source changed, model changed');
  // Nothing the library records changed and the old render is gone: frames or clip options.
  assert.equal(staleReason(target, held), 'frames or clip options changed');
  oldResult(RENDER_FORMAT_VERSION - 1);
  assert.equal(staleReason(target, held), 'render cache format changed (rendered by an earlier version)');
  oldResult(RENDER_FORMAT_VERSION + 1);
  assert.equal(staleReason(target, held), 'render cache format changed (rendered by a later version)');
  oldResult(RENDER_FORMAT_VERSION);
  assert.equal(staleReason(target, held), 'frames or clip options changed');
});
