// The grade's one description (colour core) and the panel's pure logic read from it: slider positions,
// snapping to the step, typed values, shortcuts.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  DEFAULT_GRADE,
  GRADE_PARAMETER_LIST,
  GRADE_PARAMETERS,
  GRADE_RANGES,
  GradeParams,
  type SliderParameter,
} from '../../src-main/common/colour/grade';
import {
  decimalsOf,
  formatValue,
  parseValue,
  positionOf,
  POSITIONS,
  snap,
  valueAt,
} from '../../src-renderer/features/grade/parameters';
import { gradeCommand, isTextEntry } from '../../src-renderer/features/grade/shortcuts';
import { contentModelFile } from '../../src-main/core/inference/models';

const sliders = GRADE_PARAMETER_LIST.filter(
  (p): p is SliderParameter & { key: keyof typeof GRADE_RANGES } => p.kind === 'slider',
);

test('the description is the schema: every key, default, range and choice once', () => {
  assert.deepEqual(
    GRADE_PARAMETER_LIST.map((p) => p.key),
    Object.keys(GradeParams.shape),
  );
  for (const p of GRADE_PARAMETER_LIST) assert.equal(DEFAULT_GRADE[p.key], p.default, p.key);
  for (const p of sliders) {
    assert.ok(p.min < p.default + 1e-12 && p.default <= p.max && p.step > 0, p.key);
    assert.deepEqual(GRADE_RANGES[p.key], GRADE_PARAMETERS[p.key]);
    assert.equal(GradeParams.safeParse({ [p.key]: p.max }).success, true);
    assert.equal(GradeParams.safeParse({ [p.key]: p.max + p.step }).success, false);
    assert.equal(GradeParams.safeParse({ [p.key]: p.min - p.step }).success, false);
    assert.match(GradeParams.shape[p.key].description ?? '', new RegExp(`^${p.label}`));
  }
  assert.deepEqual(Object.keys(GRADE_RANGES).sort(), sliders.map((p) => p.key).sort());
  const gm = GRADE_PARAMETERS.gamutMapping;
  for (const v of gm.values) assert.equal(GradeParams.parse({ gamutMapping: v }).gamutMapping, v);
  assert.equal(GradeParams.safeParse({ gamutMapping: 'wrap' }).success, false);
  assert.equal(GradeParams.shape.highlightExpansion.description, GRADE_PARAMETERS.highlightExpansion.hint);
});

test("a shot's content picks the model file: the graphics variant beside it, never for live action", () => {
  assert.equal(DEFAULT_GRADE.content, 'live');
  assert.deepEqual(GRADE_PARAMETERS.content.values, ['live', 'graphics']);
  assert.equal(GradeParams.safeParse({ content: 'anime' }).success, false);
  assert.equal(contentModelFile('/m/srItm-x2.onnx', 'live'), '/m/srItm-x2.onnx');
  assert.equal(contentModelFile('/m/srItm-x2.onnx', 'graphics'), '/m/srItm-x2.graphics.onnx');
  assert.equal(contentModelFile('/m/srItm-x4.fp16.onnx', 'graphics'), '/m/srItm-x4.graphics.fp16.onnx');
  assert.equal(contentModelFile('/m/srItm-x4.graphics.onnx', 'graphics'), '/m/srItm-x4.graphics.onnx');
  assert.equal(contentModelFile('C:\\Models\\Mine.ONNX', 'graphics'), 'C:\\Models\\Mine.graphics.onnx');
});

test('slider positions: ends exact, round trip on the step, log travel per decade for the highlight peak', () => {
  for (const p of sliders) {
    assert.equal(valueAt(0, p), p.min, p.key);
    assert.equal(valueAt(POSITIONS, p), p.max, p.key);
    assert.equal(valueAt(positionOf(p.default, p), p), p.default, p.key);
    for (let i = 0; i <= 20; i++) {
      const v = valueAt((i / 20) * POSITIONS, p);
      assert.ok(v >= p.min && v <= p.max, `${p.key} ${v}`);
      // On the step (or an end of the range).
      const k = v / p.step;
      assert.ok(v === p.min || v === p.max || Math.abs(k - Math.round(k)) < 1e-9, `${p.key} ${v}`);
    }
  }
  const peak = GRADE_PARAMETERS.highlightPeak;
  // 203 .. 10000: 1000 nits sits at log(1000/203)/log(10000/203) = 40.9 % of the travel, not 8.1 %.
  assert.ok(Math.abs(positionOf(1000, peak) / POSITIONS - Math.log(1000 / 203) / Math.log(10000 / 203)) < 1e-12);
  assert.equal(valueAt(positionOf(4000, peak), peak), 4000);
  // Linear parameters: the middle of the travel is the middle of the range.
  assert.equal(valueAt(POSITIONS / 2, GRADE_PARAMETERS.diffuseWhite), 240);
});

test('snap, format and parse on the step, inside the range', () => {
  const ex = GRADE_PARAMETERS.exposure,
    dw = GRADE_PARAMETERS.diffuseWhite,
    bl = GRADE_PARAMETERS.blackLevel;
  assert.deepEqual([0.05, 1, 10, 0.001].map(decimalsOf), [2, 0, 0, 3]);
  assert.equal(snap(0.1 + 0.2, ex), 0.3);
  assert.equal(snap(1.024, ex), 1);
  assert.equal(snap(99, ex), 4);
  assert.equal(snap(NaN, dw), 203);
  assert.equal(formatValue(-0.5, ex), '−0.50');
  assert.equal(formatValue(203, dw), '203');
  assert.equal(parseValue(' 300 ', dw), 300);
  assert.equal(parseValue('300.4', dw), 300);
  assert.equal(parseValue('−1,5', ex), -1.5);
  assert.equal(parseValue('0.0123', bl), 0.012);
  assert.equal(parseValue('1e3', dw), 400);
  assert.equal(parseValue('abc', dw), null);
  assert.equal(parseValue('', dw), null);
  assert.equal(parseValue('3 nits', dw), null);
});

test('shortcuts: Ctrl/Cmd Z, Shift Z, Y, C, V; never in a text field', () => {
  const k = (
    key: string,
    o: Partial<{ ctrlKey: boolean; metaKey: boolean; shiftKey: boolean; altKey: boolean }> = {},
  ) => gradeCommand({ key, ctrlKey: false, metaKey: false, shiftKey: false, altKey: false, ...o });
  assert.equal(k('z', { ctrlKey: true }), 'undo');
  assert.equal(k('Z', { ctrlKey: true, shiftKey: true }), 'redo');
  assert.equal(k('z', { metaKey: true, shiftKey: true }), 'redo');
  assert.equal(k('y', { ctrlKey: true }), 'redo');
  assert.equal(k('c', { ctrlKey: true }), 'copy');
  assert.equal(k('v', { metaKey: true }), 'paste');
  assert.equal(k('z'), null);
  assert.equal(k('c', { ctrlKey: true, altKey: true }), null);
  assert.equal(k('v', { ctrlKey: true, shiftKey: true }), null);
  const el = (tagName: string, type?: string, isContentEditable = false) =>
    ({ tagName, type, isContentEditable }) as unknown as EventTarget;
  assert.equal(isTextEntry(el('INPUT', 'text')), true);
  assert.equal(isTextEntry(el('INPUT', '')), true);
  assert.equal(isTextEntry(el('TEXTAREA')), true);
  assert.equal(isTextEntry(el('DIV', undefined, true)), true);
  assert.equal(isTextEntry(el('INPUT', 'range')), false);
  assert.equal(isTextEntry(el('INPUT', 'checkbox')), false);
  assert.equal(isTextEntry(el('BUTTON')), false);
  assert.equal(isTextEntry(null), false);
});
