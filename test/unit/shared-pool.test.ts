// The process-wide keeper of shared memory that renders reuse (src-main/node/shared-pool.ts).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { SharedPool } from '../../src-main/node/shared-pool';

test('a shared pool hands back kept buffers of the size asked for, keeps a few, and lets go of other sizes', () => {
  const pool = new SharedPool(2);
  const a = pool.take(64);
  const b = pool.take(64);
  const c = pool.take(64);
  assert.ok(a instanceof SharedArrayBuffer && a.byteLength === 64);
  assert.notEqual(a, b);
  pool.give(a);
  pool.give(a); // twice: kept once
  pool.give(b);
  pool.give(c); // over the limit: not kept
  assert.equal(pool.size, 2);
  const again = [pool.take(64), pool.take(64)];
  assert.deepEqual(new Set(again), new Set([a, b]));
  assert.equal(pool.size, 0);

  pool.give(a);
  const other = pool.take(128); // a new size: the kept 64-byte buffer goes
  assert.equal(other.byteLength, 128);
  assert.equal(pool.size, 0);
  pool.give(other);
  assert.equal(pool.take(128), other);
  pool.give(other);
  pool.clear();
  assert.equal(pool.size, 0);
  assert.notEqual(pool.take(128), other);
});
