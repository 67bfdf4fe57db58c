// Which ONNX model the worker loads: a user choice (REMASTER_MODEL), else the best shipped one.
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { contentModelFile, type ShotContent } from '../../common/colour';
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
 * `modelPath` itself (an analytic model has no variant: its result does not depend on the content).
 */
export function modelForContent(modelPath: string, content: ShotContent): string {
  const variant = contentModelFile(modelPath, content);
  return variant !== modelPath && existsSync(variant) ? variant : modelPath;
}
