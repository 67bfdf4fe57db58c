// The viewer in Chromium (software WebGL2): the SDR->HDR and EETF shaders against the TypeScript, then the
// viewer component itself, mounted alone by test/helpers/viewer-harness.tsx (bundled here with esbuild):
// the A/B wipe shows the SDR picture left of the divider and the EETF-mapped HDR result right of it, false
// colour paints the band of the picture's nits with its legend, and the graded frame handed to the scopes is
// the analytic base's PQ.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { build } from 'esbuild';
import type { Browser, Page } from 'playwright';
import { chromiumAvailable, launchChromium } from '../helpers/browser';
import { GRADE_GLSL, GRADE_VERTEX_SHADER } from '../../src-main/common/colour/grade-glsl';
import { SDR_TO_HDR_GLSL } from '../../src-main/common/colour/sdr-to-hdr-glsl';
import { sdrToHdrPixel } from '../../src-main/common/colour/sdr-to-hdr';
import { EETF_GLSL, eetf, eetfConstants, eetfUniform } from '../../src-main/common/colour/eetf';
import { pqToNits } from '../../src-main/common/colour/transfer';
import { falseColourBand } from '../../src-renderer/features/viewer/false-colour';
import { runShader } from '../helpers/shader-page';

const skip = chromiumAvailable() ? false : 'Chromium not found (set REMASTER_CHROMIUM)';
let browser: Browser;
before(async () => {
  if (!skip) browser = await launchChromium();
});
after(async () => browser?.close());

test('SDR->HDR GLSL equals the TypeScript within one 10-bit code on a grid', { skip, timeout: 120_000 }, async (t) => {
  const levels = Array.from({ length: 18 }, (_, i) => i / 17).concat([0.001, 0.02, 0.05, 0.93, 0.98, -0.1, 1.2]);
  const input: number[] = [];
  for (const r of levels) for (const g of levels) for (const b of levels) input.push(r, g, b, 1);
  const fs = `#version 300 es
precision highp float;
uniform highp sampler2D u_in;
out vec4 outColour;
${GRADE_GLSL}
${SDR_TO_HDR_GLSL}
${EETF_GLSL}
void main() {
  vec3 v = texelFetch(u_in, ivec2(gl_FragCoord.xy), 0).rgb;
  outColour = vec4(sdrToHdrBase(v), eetf(v.r));
}`;
  const u = eetfUniform({ displayPeakNits: 100, sourcePeakNits: 1000 });
  const { out, renderer } = await runShader(await browser.newPage(), GRADE_VERTEX_SHADER, fs, input, {
    u_eetf: Array.from(u),
  });
  const c = eetfConstants({ displayPeakNits: 100, sourcePeakNits: 1000 });
  let worst = 0,
    worstEetf = 0;
  for (let i = 0; i < input.length / 4; i++) {
    const ref = sdrToHdrPixel(input[4 * i], input[4 * i + 1], input[4 * i + 2]);
    for (let k = 0; k < 3; k++) worst = Math.max(worst, Math.abs(out[4 * i + k] - ref[k]) * 1023);
    const e = Math.min(Math.max(input[4 * i], 0), 1);
    worstEetf = Math.max(worstEetf, Math.abs(out[4 * i + 3] - eetf(e, c)) * 1023);
  }
  t.diagnostic(
    `${renderer}: ${input.length / 4} pixels, SDR->HDR worst ${worst.toFixed(4)} codes, EETF worst ${worstEetf.toFixed(4)} codes`,
  );
  assert.ok(worst <= 1, `SDR->HDR off by ${worst} codes`);
  assert.ok(worstEetf <= 1, `EETF off by ${worstEetf} codes`);
});

async function mountViewer(): Promise<Page> {
  const bundle = await build({
    entryPoints: ['test/helpers/viewer-harness.tsx'],
    bundle: true,
    write: false,
    format: 'iife',
    jsx: 'automatic',
    logLevel: 'error',
    define: { 'process.env.NODE_ENV': '"production"' },
  });
  const page = await browser.newPage({ viewport: { width: 900, height: 600 } });
  const errors: string[] = [];
  page.on('pageerror', (e) => errors.push(e.message));
  await page.setContent(
    `<!doctype html><html><body style="margin:0;background:#000"><div id="root"></div></body></html>`,
  );
  await page.addScriptTag({ content: bundle.outputFiles[0].text });
  await page.waitForFunction(() => window.viewerHarness?.graded !== null, null, { timeout: 30_000 });
  assert.deepEqual(errors, []);
  return page;
}

/** Canvas pixels (RGBA 8-bit) at canvas-fraction points, read through a 2D copy of the WebGL canvas. */
async function pixels(page: Page, points: [number, number][]): Promise<number[][]> {
  await page.evaluate(() => new Promise((r) => requestAnimationFrame(() => requestAnimationFrame(r))));
  return page.evaluate((pts) => {
    const c = document.querySelector('[data-testid="viewer-canvas"]') as HTMLCanvasElement;
    const copy = document.createElement('canvas');
    copy.width = c.width;
    copy.height = c.height;
    const g = copy.getContext('2d')!;
    g.drawImage(c, 0, 0);
    return pts.map(([x, y]) =>
      Array.from(g.getImageData(Math.floor(x * c.width), Math.floor(y * c.height), 1, 1).data),
    );
  }, points);
}

test(
  'viewer: A/B wipe shows SDR and HDR on the two sides, false colour and its legend, graded PQ to the scopes',
  { skip, timeout: 120_000 },
  async (t) => {
    const page = await mountViewer();
    const grey = 128 / 255;
    // The HDR result of the grey: BT.2408 analytic base (203-nit white), default grade, EETF 1000 -> 100 nits, gamma 2.4.
    const basePq = sdrToHdrPixel(grey, grey, grey)[0];
    const shown =
      Math.pow(pqToNits(eetf(basePq, eetfConstants({ displayPeakNits: 100, sourcePeakNits: 1000 }))) / 100, 1 / 2.4) *
      255;

    // The note comes once the playhead has rested and the full-resolution frame was asked for (after the proxy).
    await page.getByTestId('viewer-caption').filter({ hasText: 'Full-resolution frame unavailable' }).waitFor();
    const caption = await page.getByTestId('viewer-caption').innerText();
    assert.match(caption, /HDR · analytic base/);
    assert.match(caption, /SDR display · EETF 1000 → 100 nits/);
    assert.match(caption, /Full-resolution frame unavailable/); // the preview methods answer an error here

    const graded = await page.evaluate(() => {
      const g = window.viewerHarness.graded!;
      return { w: g.width, h: g.height, px: Array.from(g.pq.subarray(0, 3)), source: g.source };
    });
    assert.deepEqual([graded.w, graded.h, graded.source], [384, 216, 'analytic']);
    for (const v of graded.px) assert.ok(Math.abs(v / 65535 - basePq) * 1023 <= 1, `graded ${v / 65535} vs ${basePq}`);

    await page.getByTestId('viewer-mode-wipe').click();
    let [left, right] = await pixels(page, [
      [0.25, 0.5],
      [0.75, 0.5],
    ]);
    assert.ok(Math.abs(left[0] - 128) <= 1, `SDR side ${left}`);
    assert.ok(Math.abs(right[0] - shown) <= 2, `HDR side ${right} vs ${shown.toFixed(1)}`);
    t.diagnostic(`grey 128: SDR side ${left[0]}, HDR side ${right[0]} (expected ${shown.toFixed(2)})`);

    // Drag the divider to 80%: the point at 75% is now on the SDR side.
    const box = (await page.getByTestId('viewer-canvas').boundingBox())!;
    await page.mouse.move(box.x + box.width * 0.5, box.y + box.height / 2);
    await page.mouse.down();
    await page.mouse.move(box.x + box.width * 0.8, box.y + box.height / 2, { steps: 4 });
    await page.mouse.up();
    [left, right] = await pixels(page, [
      [0.75, 0.5],
      [0.9, 0.5],
    ]);
    assert.ok(Math.abs(left[0] - 128) <= 1, `SDR side after the drag ${left}`);
    assert.ok(Math.abs(right[0] - shown) <= 2, `HDR side after the drag ${right}`);

    await page.getByTestId('viewer-false-colour').click();
    await page.getByTestId('viewer-false-colour-legend').waitFor();
    const legend = await page.getByTestId('viewer-false-colour-legend').innerText();
    for (const l of ['< 0.1', '< 100', '< 203', '≥ 4000']) assert.ok(legend.includes(l), legend);
    const band = falseColourBand(pqToNits(basePq)); // ~38 nits: the 10-100 band
    const [fc] = await pixels(page, [[0.9, 0.5]]);
    band.rgb.forEach((v, k) => assert.ok(Math.abs(fc[k] - v * 255) <= 1, `false colour ${fc} vs ${band.label}`));
    assert.equal(band.label, '< 100');
    // The legend is a strip above the picture, never over it.
    const strip = (await page.getByTestId('viewer-false-colour-legend').boundingBox())!;
    const canvas = (await page.getByTestId('viewer-canvas').boundingBox())!;
    assert.ok(
      strip.y + strip.height <= canvas.y + 0.5,
      `legend ${JSON.stringify(strip)} over ${JSON.stringify(canvas)}`,
    );

    await page.getByTestId('viewer-safe-areas').click();
    const action = page.getByTestId('viewer-safe-action'),
      title = page.getByTestId('viewer-safe-title');
    assert.equal(await action.innerText(), 'Action 93 %');
    assert.equal(await title.innerText(), 'Title 90 %');
    const [a, ti] = [(await action.boundingBox())!, (await title.boundingBox())!];
    assert.ok(Math.abs(ti.width / a.width - 90 / 93) < 0.01, `title ${ti.width} px in action ${a.width} px`);
    assert.ok(Math.abs(a.x + a.width / 2 - (ti.x + ti.width / 2)) < 1, 'both centred on the picture');
  },
);
