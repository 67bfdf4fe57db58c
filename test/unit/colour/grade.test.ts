import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  applyGrade,
  applyGradeFrame,
  gradeFrameToCodes,
  gradeRowsToCodes,
  pqFloatPlanesToFrame,
  GradeParams,
  DEFAULT_GRADE,
  GRADE_RANGES,
  nitsToPq,
  pqToNits,
  sdrToHdrPixel,
  BT2020_TO_P3,
  mat3Apply,
  GRADE_FRAGMENT_SHADER,
  gradeUniforms,
} from '../../../src-main/common/colour';

const P = (o: Record<string, unknown>) => GradeParams.parse(o);
const nits = (rgb: readonly number[]) => rgb.map(pqToNits);

test('schema: defaults, ranges and units defined once', () => {
  assert.equal(DEFAULT_GRADE.diffuseWhite, 203);
  assert.equal(DEFAULT_GRADE.exposure, 0);
  assert.equal(DEFAULT_GRADE.modelStrength, 1);
  assert.equal(DEFAULT_GRADE.gamutMapping, 'clip');
  for (const [k, r] of Object.entries(GRADE_RANGES)) {
    assert.equal((DEFAULT_GRADE as Record<string, unknown>)[k], r.default);
    assert.throws(() => GradeParams.parse({ [k]: r.max + 1 }));
    assert.throws(() => GradeParams.parse({ [k]: r.min - 1 }));
  }
  assert.throws(() => GradeParams.parse({ gamutLimit: 'srgb' }));
});

test('default grade leaves the analytic base unchanged (within 1e-9 of signal)', () => {
  for (let i = 0; i < 300; i++) {
    const base = sdrToHdrPixel((i * 0.37) % 1, (i * 0.53) % 1, (i * 0.91) % 1);
    const out = applyGrade(base, base, DEFAULT_GRADE);
    out.forEach((v, c) => assert.ok(Math.abs(v - base[c]) < 1e-9));
  }
});

test('model strength blends in linear light', () => {
  const model = [nitsToPq(400), nitsToPq(400), nitsToPq(400)] as const;
  const base = [nitsToPq(200), nitsToPq(200), nitsToPq(200)] as const;
  assert.ok(Math.abs(nits(applyGrade(model, base, P({ modelStrength: 0 })))[0] - 200) < 1e-6);
  assert.ok(Math.abs(nits(applyGrade(model, base, P({ modelStrength: 1 })))[0] - 400) < 1e-6);
  assert.ok(Math.abs(nits(applyGrade(model, base, P({ modelStrength: 0.25 })))[0] - 250) < 1e-6);
});

test('exposure in stops, diffuse white relative to 203', () => {
  const g = [nitsToPq(100), nitsToPq(100), nitsToPq(100)] as const;
  assert.ok(Math.abs(nits(applyGrade(g, g, P({ exposure: 1 })))[0] - 200) < 1e-6);
  assert.ok(Math.abs(nits(applyGrade(g, g, P({ exposure: -2 })))[0] - 25) < 1e-6);
  assert.ok(Math.abs(nits(applyGrade(g, g, P({ diffuseWhite: 400 })))[0] - (100 * 400) / 203) < 1e-6);
  const white = sdrToHdrPixel(1, 1, 1);
  assert.ok(Math.abs(nits(applyGrade(white, white, P({ diffuseWhite: 300 })))[1] - 300) < 1e-6);
});

test('black level lifts black by its nits and fades out at diffuse white', () => {
  const black = [0, 0, 0] as const;
  assert.ok(Math.abs(nits(applyGrade(black, black, P({ blackLevel: 0.05 })))[0] - 0.05) < 1e-9);
  assert.equal(nits(applyGrade(black, black, P({ blackLevel: -0.05 })))[0], 0);
  const w = [nitsToPq(203), nitsToPq(203), nitsToPq(203)] as const;
  assert.ok(Math.abs(nits(applyGrade(w, w, P({ blackLevel: 0.5 })))[0] - 203) < 1e-6);
  let prev = -1;
  for (let i = 0; i <= 200; i++) {
    const e = nitsToPq(i * 2);
    const v = nits(applyGrade([e, e, e], [e, e, e], P({ blackLevel: 0.5 })))[0];
    assert.ok(v > prev);
    prev = v;
  }
});

test('highlight expansion lifts diffuse white to the peak and keeps shadows', () => {
  const white = sdrToHdrPixel(1, 1, 1),
    mid = sdrToHdrPixel(0.5, 0.5, 0.5);
  const p = P({ highlightExpansion: true, highlightKnee: 0.6, highlightPeak: 1000 });
  assert.ok(Math.abs(nits(applyGrade(white, white, p))[0] - 1000) < 1e-6);
  applyGrade(mid, mid, p).forEach((v, i) => assert.ok(Math.abs(v - mid[i]) < 1e-12));
});

test('saturation about luminance; gamut clip and P3 limit', () => {
  const c = [nitsToPq(300), nitsToPq(100), nitsToPq(50)] as const;
  const grey = nits(applyGrade(c, c, P({ saturation: 0 })));
  const Y = 0.2627 * 300 + 0.678 * 100 + 0.0593 * 50;
  grey.forEach((v) => assert.ok(Math.abs(v - Y) < 1e-6));
  for (let i = 0; i < 200; i++) {
    const m = [(i * 0.31) % 1, (i * 0.77) % 1, (i * 0.13) % 1] as const;
    for (const gm of ['clip', 'compress'] as const) {
      const out = applyGrade(m, m, P({ saturation: 2, gamutMapping: gm, gamutLimit: 'p3' }));
      out.forEach((v) => assert.ok(v >= 0 && v <= 1));
      const [pr, pg, pb] = mat3Apply(BT2020_TO_P3, ...(nits(out) as [number, number, number]));
      const mx = Math.max(pr, pg, pb);
      // PQ cannot carry the tiny negative BT.2020 blue of a P3 red (P3 red lies outside BT.2020): 1e-4 slack
      assert.ok(Math.min(pr, pg, pb) >= -1e-4 * Math.max(1, mx), `inside P3 (${gm})`);
    }
  }
});

test('frame version equals the per-pixel function; GLSL source and uniforms are consistent', () => {
  const n = 50;
  const mk = (s: number) => ({
    r: Float32Array.from({ length: n }, (_, i) => ((i + s) * 0.17) % 1),
    g: Float32Array.from({ length: n }, (_, i) => ((i + s) * 0.43) % 1),
    b: Float32Array.from({ length: n }, (_, i) => ((i + s) * 0.71) % 1),
  });
  const model = mk(1),
    base = mk(2);
  const p = P({
    exposure: 0.5,
    saturation: 1.3,
    highlightExpansion: true,
    modelStrength: 0.7,
    gamutMapping: 'compress',
  });
  const out = applyGradeFrame(model, base, p);
  for (let i = 0; i < n; i++) {
    const ref = applyGrade([model.r[i], model.g[i], model.b[i]], [base.r[i], base.g[i], base.b[i]], p);
    // table-driven PQ in the frame path: within 2e-5 of signal (0.02 of a 10-bit code)
    assert.ok(
      Math.abs(out.r[i] - ref[0]) < 2e-5 && Math.abs(out.g[i] - ref[1]) < 2e-5 && Math.abs(out.b[i] - ref[2]) < 2e-5,
    );
  }
  const u = gradeUniforms(p);
  for (const name of [...Object.keys(u.floats), ...Object.keys(u.mat3s)])
    assert.ok(
      GRADE_FRAGMENT_SHADER.includes(
        `uniform ${name.startsWith('u_bt') || name.startsWith('u_p3') ? 'mat3' : 'float'} ${name};`,
      ),
      name,
    );
  assert.ok(GRADE_FRAGMENT_SHADER.startsWith('#version 300 es'));
});

test('frame grade to 16-bit codes: within one code of the exact kernel in every mode, NaN and out-of-range clamped', () => {
  const w = 61,
    h = 37,
    n = w * h;
  // PQ signals spread over the whole range, with a few out of range and NaN (the kernel clamps them).
  const plane = (seed: number) =>
    Float32Array.from({ length: n }, (_, i) => {
      if (i % 211 === 0) return NaN;
      if (i % 97 === 0) return -0.2;
      if (i % 89 === 0) return 1.3;
      return ((i * 0.6180339887 + seed * 0.31) % 1) * 0.95;
    });
  const model = { r: plane(1), g: plane(2), b: plane(3) };
  const base = { r: plane(4), g: plane(5), b: plane(6) };
  const grades = [
    {},
    { modelStrength: 0 },
    { modelStrength: 0.35, exposure: -1.5, blackLevel: -0.2 },
    { exposure: 2.5, highlightExpansion: true, highlightPeak: 4000, highlightKnee: 0.3 },
    { saturation: 2, gamutMapping: 'compress', gamutLimit: 'p3', blackLevel: 0.3 },
    { saturation: 1.7, gamutLimit: 'p3', diffuseWhite: 350, exposure: 4 },
    { saturation: 0, gamutMapping: 'compress', modelStrength: 0.8 },
  ];
  for (const g of grades) {
    const p = P(g);
    const codes = gradeFrameToCodes(model, base, p, w, h);
    assert.equal(codes.layout, 'planar');
    assert.equal(codes.data.length, 3 * n);
    const viaFloat = applyGradeFrame(model, base, p);
    const rounded = pqFloatPlanesToFrame(viaFloat.r, viaFloat.g, viaFloat.b, w, h).data;
    let worst = 0,
      worstFloat = 0;
    for (let i = 0; i < n; i++) {
      const ref = applyGrade([model.r[i], model.g[i], model.b[i]], [base.r[i], base.g[i], base.b[i]], p);
      for (let c = 0; c < 3; c++) {
        worst = Math.max(worst, Math.abs(codes.data[c * n + i] - Math.round(ref[c] * 65535)));
        worstFloat = Math.max(worstFloat, Math.abs(codes.data[c * n + i] - rounded[c * n + i]));
      }
    }
    assert.ok(worst <= 1, `${JSON.stringify(g)}: ${worst} codes from the exact kernel`);
    assert.ok(worstFloat <= 1, `${JSON.stringify(g)}: ${worstFloat} codes from the float frame rounded`);
  }
  // A buffer of the right size is reused; the wrong size is refused with the reason.
  const buf = new Uint16Array(3 * n);
  assert.equal(gradeFrameToCodes(model, base, P({}), w, h, buf).data, buf);
  assert.throws(() => gradeFrameToCodes(model, base, P({}), w + 1, h), /planes of 2257 pixels for 62x37/);

  // At full model strength the baseline is never read: a render hands the model's result over as both (hdrOnly),
  // and the codes must be the same, bit for bit, in every mode.
  for (const g of grades.filter((x) => !('modelStrength' in x))) {
    const want = gradeFrameToCodes(model, base, P(g), w, h).data;
    assert.deepEqual(gradeFrameToCodes(model, model, P(g), w, h).data, want, JSON.stringify(g));
  }
  // Rows graded apart (as the render's threads share a frame) write the whole frame's codes.
  for (const g of grades) {
    const want = gradeFrameToCodes(model, base, P(g), w, h).data;
    const bands = new Uint16Array(3 * n).fill(7);
    for (const [a, b] of [
      [20, 37],
      [0, 1],
      [1, 20],
    ])
      gradeRowsToCodes(model, base, P(g), w, h, bands, a, b);
    assert.deepEqual(bands, want, JSON.stringify(g));
  }
  assert.throws(() => gradeRowsToCodes(model, base, P({}), w, h, buf, 30, 38), /rows 30-38 of 37/);
});
