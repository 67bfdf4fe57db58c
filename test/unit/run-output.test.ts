// A run result that came inline through IPC (no shared-memory folder) lands in the caller's buffer as one read from
// the scratch file would: a render's frames are in shared memory on every platform.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { copyRunOutput } from '../../src-main/core/inference/scratch';

test("an inline result is copied into the caller's buffer, hdr then base, one array when hdr is base", () => {
  const n = 12;
  const hdr = Float32Array.from({ length: n }, (_, i) => i / 10);
  const base = Float32Array.from({ length: n }, (_, i) => 1 - i / 10);
  const into = new Float32Array(new SharedArrayBuffer(4 * 2 * n)).fill(-1);
  const both = copyRunOutput({ hdr, base, dims: [1, 3, 2, 2], ms: 5 }, into);
  assert.equal(both.hdr.buffer, into.buffer);
  assert.equal(both.base.buffer, into.buffer);
  assert.deepEqual([...both.hdr], [...hdr]);
  assert.deepEqual([...both.base], [...base]);
  assert.deepEqual([both.base.byteOffset, both.dims, both.ms], [4 * n, [1, 3, 2, 2], 5]);

  const alone = copyRunOutput({ hdr, base: hdr, dims: [1, 3, 2, 2], ms: 5 }, into);
  assert.ok(alone.hdr === alone.base, 'still one array');
  assert.deepEqual([alone.hdr.buffer, alone.hdr.byteOffset, [...alone.hdr]], [into.buffer, 0, [...hdr]]);

  // No buffer, or one too small: the result as it came.
  const r = { hdr, base, dims: [1, 3, 2, 2] as [number, number, number, number], ms: 5 };
  assert.equal(copyRunOutput(r), r);
  assert.equal(copyRunOutput(r, new Float32Array(2 * n - 1)), r);
});
