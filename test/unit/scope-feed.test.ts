// The scopes' feed: a readback may overlap the worker's computation, at most one frame waits, a newer epoch
// (another shot) drops the waiting frame, and nothing is sent while the panel is hidden or detached.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ScopeFeed } from '../../src-renderer/features/scopes/feed';

const frame = (n: number) => ({ width: 1, height: 1, pq: new Uint16Array([n, n, n]) });

test('a frame read back while the worker computes waits, and is sent when it is done', () => {
  const feed = new ScopeFeed();
  const sent: number[] = [];
  let wanted = 0;
  feed.onWant(() => wanted++);
  feed.attach((f) => sent.push(f.pq[0]));
  assert.equal(feed.wants(), false, 'hidden: no frames');
  feed.setVisible(true);
  assert.equal(wanted, 1);
  assert.equal(feed.wants(), true);
  feed.put(frame(1));
  assert.deepEqual(sent, [1]);
  assert.equal(feed.wants(), true, 'the next readback may overlap the computation of frame 1');
  feed.put(frame(2));
  assert.equal(feed.wants(), false, 'one frame waits: no more readbacks');
  assert.deepEqual(sent, [1]);
  feed.done();
  assert.deepEqual(sent, [1, 2], 'the waiting frame goes as soon as the worker is free');
  assert.equal(feed.wants(), true);
  assert.equal(wanted, 2, 'and the viewer is told to read the next');
  feed.done();
  assert.deepEqual(sent, [1, 2]);
});

test('clear() drops the waiting frame of the shot before', () => {
  const feed = new ScopeFeed();
  const sent: number[] = [];
  feed.attach((f) => sent.push(f.pq[0]));
  feed.setVisible(true);
  feed.put(frame(1));
  feed.put(frame(2));
  feed.clear();
  assert.equal(feed.epoch, 1);
  feed.done();
  assert.deepEqual(sent, [1]);
  feed.put(frame(3));
  assert.deepEqual(sent, [1, 3]);
});

test('a detached panel takes nothing', () => {
  const feed = new ScopeFeed();
  feed.setVisible(true);
  assert.equal(feed.wants(), false);
  feed.put(frame(1)); // no target: dropped without error
  feed.attach(() => undefined);
  assert.equal(feed.wants(), true);
  feed.attach(null);
  assert.equal(feed.wants(), false);
});
