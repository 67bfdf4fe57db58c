// Which ONNX model the worker loads: a user choice (REMASTER_MODEL), else the best shipped one.
import { existsSync } from 'node:fs';
import { join } from 'node:path';
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
