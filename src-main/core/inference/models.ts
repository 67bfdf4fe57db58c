// Which ONNX model the worker loads: a user choice (REMASTER_MODEL), else the best shipped one.
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import type { ShotContent } from '../../common/colour';
import { modelsDir } from '../paths';

/** Shipped models, best first. The analytic baseline graph is always there as the fallback. */
const SHIPPED = ['srItm-x2.onnx', 'baseline-x2.onnx'];

export function defaultModelPath(): string {
  if (process.env.REMASTER_MODEL) return process.env.REMASTER_MODEL;
  for (const f of SHIPPED) {
    const p = join(modelsDir(), f);
    if (existsSync(p)) return p;
  }
  return join(modelsDir(), 'baseline-x2.onnx');
}

/**
 * The file a shot's content runs (see contentModelFile): the variant beside `modelPath` when it exists, else
 * `modelPath` itself. An analytic model needs none (its result does not depend on the content); for a user's
 * model without one, the callers say that the shot runs as live action.
 */
export function modelForContent(modelPath: string, content: ShotContent): string {
  const variant = contentModelFile(modelPath, content);
  return variant !== modelPath && existsSync(variant) ? variant : modelPath;
}

/**
 * The model file that runs for a shot's content: for animation and graphics the `NAME.graphics.onnx` variant
 * beside `NAME.onnx` (its float16 twin beside `NAME.fp16.onnx`); live action runs the file itself. Whether the
 * variant exists is the caller's to check (an analytic or user model has none).
 */
export function contentModelFile(modelFile: string, content: ShotContent): string {
  if (content === 'live' || /\.graphics(\.fp16)?\.onnx$/i.test(modelFile)) return modelFile;
  return modelFile.replace(/(\.fp16)?\.onnx$/i, `.${content}$1.onnx`);
}
