// A render manifest over the demo clip with the fast analytic model, for render tests and their child process.
import { join } from 'node:path';
import type { RenderManifest } from '../../src-main/common/contract/render';
import type { Logger } from '../../src-main/core/log';
import { createMediaService } from '../../src-main/core/media';
import { appRoot } from '../../src-main/core/paths';
import { buildRenderManifest } from '../../src-main/core/render';

export const DEMO_CLIP = join(appRoot(), 'assets', 'demo', 'demo.mp4');
export const BASELINE_X2 = join(appRoot(), 'models', 'baseline-x2.onnx');
/** The trained network (x2): slow on the CPU, for the one test and bench line that run it. */
export const SRITM_X2 = join(appRoot(), 'models', 'srItm-x2.onnx');

/** A grade that exercises every stage of the kernel: blend, gain, black level, expansion, saturation. */
export const TEST_GRADE = {
  exposure: 0.5,
  diffuseWhite: 180,
  highlightExpansion: true,
  highlightPeak: 1500,
  saturation: 1.15,
  blackLevel: 0.01,
  modelStrength: 0.7,
};

export async function demoManifest(
  log: Logger,
  o: { first: number; last: number; inputWidth: number; segmentFrames: number; model?: string },
): Promise<RenderManifest> {
  const media = createMediaService({ log, cacheDir: '/nonexistent' });
  const probe = await media.probe(DEMO_CLIP);
  return buildRenderManifest(media, {
    file: DEMO_CLIP,
    fingerprint: media.fingerprint(DEMO_CLIP),
    probe,
    clip: { deinterlace: 'auto', squarePixels: true },
    frames: { first: o.first, last: o.last },
    model: { path: o.model ?? BASELINE_X2, scale: 2 },
    grade: { version: 3, params: TEST_GRADE },
    inputWidth: o.inputWidth,
    segmentFrames: o.segmentFrames,
  });
}
