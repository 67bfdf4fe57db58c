// `remaster still`: one SDR image up-converted to an HDR BT.2020 PQ 16-bit TIFF through the real worker.
import { existsSync, statSync } from 'node:fs';
import { basename, join, resolve } from 'node:path';
import { applyGradeFrame, DEFAULT_GRADE, GradeParams, type ShotContent } from '../common/colour';
import { bt2100PqIccProfile } from '../common/colour/icc';
import { ServiceError } from '../common/contract';
import { InferenceClient } from './inference/client';
import { forkLauncher } from './inference/launcher';
import { contentModelFile, modelForContent } from './inference/models';
import { writeTiff16 } from './master/tiff16';
import { upconvertFrame, type UpconvertQuality } from './inference/tiled';
import type { Logger } from './log';
import { resolveBinaries } from './media';
import { readSdrImage } from './media/stills';
import { checkOutputFile } from '../node/output-path';
import { modelsDir } from './paths';

export interface StillOptions {
  scale: 2 | 4;
  /** 0 = the analytic BT.2408 baseline exactly, 1 = the model. */
  strength: number;
  /** Where SDR 100% lands, nits (BT.2408: 203). */
  whiteNits: number;
  modelPath?: string;
  /** Live action (default) or animation & graphics: the latter runs the model's graphics variant when it has one. */
  content?: ShotContent;
  /** 'best': the model on all eight orientations, averaged (8x the time). Default 'standard'. */
  quality?: UpconvertQuality;
  log: Logger;
  onProgress?(done: number, total: number): void;
  signal?: AbortSignal;
}

/** Output pixels we accept in memory (float hdr + base + 16-bit result ≈ 30 bytes a pixel). */
const MAX_OUTPUT_PIXELS = 80e6;

export function modelForScale(scale: number): string {
  for (const name of [`srItm-x${scale}.onnx`, `baseline-x${scale}.onnx`]) {
    const p = join(modelsDir(), name);
    if (existsSync(p)) return p;
  }
  throw new ServiceError('not_found', `No x${scale} model in ${modelsDir()}`);
}

/** Same path, or the same file reached another way (a link, a case-insensitive file system). */
function sameFile(a: string, b: string): boolean {
  if (resolve(a) === resolve(b)) return true;
  try {
    const sa = statSync(a);
    const sb = statSync(b);
    return sa.dev === sb.dev && sa.ino === sb.ino;
  } catch {
    return false; // the output does not exist yet
  }
}

export async function upconvertStill(input: string, output: string, opts: StillOptions) {
  if (sameFile(input, output))
    throw new ServiceError('bad_input', 'The output would overwrite the source image; choose another name');
  const params = GradeParams.parse({ modelStrength: opts.strength, diffuseWhite: opts.whiteNits });
  checkOutputFile(output, { force: true });
  const bin = resolveBinaries();
  const image = await readSdrImage(bin, input, { maxPixels: MAX_OUTPUT_PIXELS / (opts.scale * opts.scale) });
  // 16-bit RGB, uncompressed: 6 bytes an output pixel.
  checkOutputFile(output, {
    force: true,
    estimateBytes: image.width * image.height * opts.scale * opts.scale * 6 + 65536,
  });
  const asked = opts.modelPath ?? modelForScale(opts.scale);
  const content = opts.content ?? 'live';
  const modelPath = modelForContent(asked, content);
  const client = new InferenceClient({ launcher: forkLauncher(), modelPath, log: opts.log });
  try {
    await client.start();
    const model = client.status().model!;
    if (model.scale !== opts.scale)
      throw new ServiceError('bad_input', `${basename(modelPath)} scales x${model.scale}, not x${opts.scale}`);
    const t0 = performance.now();
    const hdr = await upconvertFrame(client, image.planes, image.width, image.height, {
      quality: opts.quality,
      onProgress: opts.onProgress,
      signal: opts.signal,
      priority: 'render',
    });
    const n = hdr.width * hdr.height;
    const plane = (f: Float32Array, c: number) => f.subarray(c * n, (c + 1) * n);
    // A neutral grade passes the model's (or the baseline's) PQ values through untouched, so --strength 0
    // is the analytic baseline bit for bit; anything else goes through the grade in linear light.
    const neutral =
      params.diffuseWhite === DEFAULT_GRADE.diffuseWhite && (params.modelStrength === 0 || params.modelStrength === 1);
    let graded: Float32Array;
    if (neutral) graded = params.modelStrength === 0 ? hdr.base : hdr.hdr;
    else {
      const out = applyGradeFrame(
        { r: plane(hdr.hdr, 0), g: plane(hdr.hdr, 1), b: plane(hdr.hdr, 2) },
        { r: plane(hdr.base, 0), g: plane(hdr.base, 1), b: plane(hdr.base, 2) },
        params,
      );
      graded = new Float32Array(3 * n);
      graded.set(out.r, 0);
      graded.set(out.g, n);
      graded.set(out.b, 2 * n);
    }
    const rgb48 = new Uint16Array(3 * n);
    for (let c = 0; c < 3; c++) {
      const p = plane(graded, c);
      for (let i = 0; i < n; i++) {
        const v = p[i];
        rgb48[3 * i + c] = v <= 0 ? 0 : v >= 1 ? 65535 : Math.round(v * 65535);
      }
    }
    // The TIFF names its own colour (ICC profile with a cicp tag: BT.2020, PQ, full range).
    await writeTiff16(output, hdr.width, hdr.height, rgb48, bt2100PqIccProfile());
    return {
      width: hdr.width,
      height: hdr.height,
      model: model.name,
      device: client.status().device,
      providerNote: client.status().providerNote,
      /** Set when the content asked for a variant the model does not have (it ran as it is). */
      contentNote:
        content !== 'live' && modelPath === asked
          ? `${basename(asked)} has no ${content} variant (${basename(contentModelFile(asked, content))}): ran it as it is`
          : null,
      ms: performance.now() - t0,
      sourceBitDepth: image.bitDepth,
    };
  } finally {
    await client.close();
  }
}
