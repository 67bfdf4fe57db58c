// The eight orientations used by the 'best' quality: exact mirrors and transposition, inverses, windows.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ORIENTATIONS, orient, orientRect, unorient } from '../../src-main/core/inference/orientation';

const W = 5;
const H = 3;
/** Two planes, every value distinct: plane c, row y, column x holds 100c + 10y + x. */
const picture = Float32Array.from(
  { length: 2 * W * H },
  (_, i) => 100 * Math.floor(i / (W * H)) + 10 * Math.floor((i % (W * H)) / W) + (i % W),
);
const at = (p: { data: Float32Array; width: number; height: number }, c: number, x: number, y: number) =>
  p.data[c * p.width * p.height + y * p.width + x];

test('orientations mirror, flip and transpose exactly as documented', () => {
  const mirrored = orient(picture, 2, W, H, 1);
  assert.deepEqual([mirrored.width, mirrored.height], [W, H]);
  assert.equal(at(mirrored, 0, 0, 0), 4); // the top-right pixel comes first
  assert.equal(at(mirrored, 1, 4, 2), 120);
  const flipped = orient(picture, 2, W, H, 2);
  assert.equal(at(flipped, 0, 0, 0), 20);
  const transposed = orient(picture, 2, W, H, 4);
  assert.deepEqual([transposed.width, transposed.height], [H, W]);
  assert.equal(at(transposed, 1, 2, 4), 124); // (x, y) = (2, 4) shows the source's (4, 2)
  const all = orient(picture, 2, W, H, 7); // mirror, flip, then transpose: a half turn and a transpose
  assert.equal(at(all, 0, 0, 0), 24);
  assert.equal(at(all, 0, 2, 4), 0);
});

test('unorient undoes every orientation, and orientRect finds a window in every orientation', () => {
  const rect = { x: 1, y: 1, width: 3, height: 2 };
  for (const k of ORIENTATIONS) {
    const o = orient(picture, 2, W, H, k);
    const back = unorient(o.data, 2, o.width, o.height, k);
    assert.deepEqual([back.width, back.height], [W, H]);
    assert.deepEqual([...back.data], [...picture], `orientation ${k}`);
    // The window of the oriented picture holds the oriented window of the picture.
    const r = orientRect(rect, W, H, k);
    const crop = new Float32Array(2 * rect.width * rect.height);
    for (let c = 0; c < 2; c++)
      for (let y = 0; y < rect.height; y++)
        for (let x = 0; x < rect.width; x++)
          crop[(c * rect.height + y) * rect.width + x] = at(
            { data: picture, width: W, height: H },
            c,
            rect.x + x,
            rect.y + y,
          );
    const expected = orient(crop, 2, rect.width, rect.height, k);
    assert.deepEqual([r.width, r.height], [expected.width, expected.height]);
    for (let c = 0; c < 2; c++)
      for (let y = 0; y < r.height; y++)
        for (let x = 0; x < r.width; x++)
          assert.equal(at(o, c, r.x + x, r.y + y), at(expected, c, x, y), `orientation ${k}`);
  }
});
