// The scopes' nits labels never print over each other: where two lines lie closer than their labels, the more
// important label stays (203 diffuse white, then 1000, then 100), on the waveform's height and the histogram's width.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { axisBox, labelsThatFit } from '../../src-renderer/features/scopes/draw';
import { codeToY, nitsGraticule } from '../../src-renderer/features/scopes/geometry';

test('on a 190 px waveform 100 and 203 would touch: 203 is written, 100 is not; each kept pair clears 3 px', () => {
  const box = axisBox(300, 190);
  const ticks = nitsGraticule();
  const y = (t: (typeof ticks)[number]) => codeToY(t.code, box);
  const kept = labelsThatFit(ticks, y, () => 9);
  const nits = kept.map((t) => t.nits);
  assert.ok(nits.includes(203) && nits.includes(1000));
  assert.ok(!nits.includes(100), `kept ${nits.join(', ')}`);
  const ys = kept.map(y).sort((a, b) => a - b);
  for (let i = 1; i < ys.length; i++) assert.ok(ys[i] - ys[i - 1] >= 9 + 3, `${ys[i - 1]} and ${ys[i]}`);
});

test('with room for all, every label is written', () => {
  const box = axisBox(300, 800);
  const ticks = nitsGraticule();
  const kept = labelsThatFit(
    ticks,
    (t) => codeToY(t.code, box),
    () => 9,
  );
  assert.equal(kept.length, ticks.length);
});
