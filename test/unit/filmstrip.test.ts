// The timeline's filmstrips: how many pictures a strip holds and which frames they show.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { filmstripCount, filmstripFrames } from '../../src-renderer/features/project/programme';

const clip = { width: 1280, height: 720 } as Parameters<typeof filmstripCount>[1];

test('a strip holds as many pictures as fit at the clip shape, at least one, at most 256', () => {
  assert.equal(filmstripCount(null, clip), 0, 'not laid out yet');
  assert.equal(filmstripCount({ width: 0, height: 90 }, clip), 0);
  assert.equal(filmstripCount({ width: 320, height: 90 }, clip), 2); // 160 px pictures
  assert.equal(filmstripCount({ width: 400, height: 90 }, clip), 3); // 2.5 rounds up: each 133 px
  assert.equal(filmstripCount({ width: 30, height: 90 }, clip), 1, 'a short shot still shows one');
  assert.equal(filmstripCount({ width: 1e6, height: 90 }, clip), 256);
  assert.equal(filmstripCount({ width: 90 * 4, height: 90 }, { width: 720, height: 720 } as typeof clip), 4);
  assert.equal(filmstripCount({ width: 320, height: 90 }, undefined), 2, '16:9 until the clip is known');
  // Anamorphic PAL (720x576, 16:9): proxies are 16:9 where pixels are made square, 5:4 where they are not.
  const pal = (squarePixels: boolean) =>
    ({ width: 720, height: 576, probe: { dar: '16:9' }, options: { squarePixels } }) as unknown as typeof clip;
  assert.equal(filmstripCount({ width: 640, height: 90 }, pal(true)), 4);
  assert.equal(filmstripCount({ width: 640, height: 90 }, pal(false)), 6);
});

test('each picture is the frame under its middle, spread over the whole shot', () => {
  assert.deepEqual(filmstripFrames({ firstFrame: 0, lastFrame: 161 }, 3), [27, 81, 135]);
  assert.deepEqual(filmstripFrames({ firstFrame: 100, lastFrame: 100 }, 2), [100, 100]);
  assert.deepEqual(filmstripFrames({ firstFrame: 10, lastFrame: 13 }, 4), [10, 11, 12, 13]);
  const wide = filmstripFrames({ firstFrame: 56, lastFrame: 107 }, 200);
  assert.equal(wide[0], 56);
  assert.equal(wide.at(-1), 107);
  assert.ok(wide.every((f, i) => i === 0 || f >= wide[i - 1]));
});
