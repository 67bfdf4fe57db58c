// `remaster render-shot MANIFEST.json --out DIR`: what a render node runs. Reads the manifest, checks that the
// model file is the one it names, starts its own inference worker and renders; never opens the library.
import { readFileSync } from 'node:fs';
import { ServiceError } from '../../common/contract';
import { parseRenderManifest, type RenderManifest, type RenderProgress } from '../../common/contract/render';
import { InferenceClient } from '../inference/client';
import { forkLauncher } from '../inference/launcher';
import type { Logger } from '../log';
import { sha256File } from '../../node/file-io';
import { renderShot, type RenderShotOutcome } from './render-shot';

export interface RunRenderShotOptions {
  log: Logger;
  signal?: AbortSignal;
  onProgress?(p: RenderProgress): void;
}

export function readManifestFile(file: string): RenderManifest {
  let json: unknown;
  try {
    json = JSON.parse(readFileSync(file, 'utf8'));
  } catch (e) {
    throw new ServiceError('bad_input', `${file}: not a readable JSON manifest (${(e as Error).message})`);
  }
  const parsed = parseRenderManifest(json);
  if (!parsed.ok) throw new ServiceError('bad_input', `${file}: ${parsed.why}`);
  return parsed.manifest;
}

export async function runRenderShot(
  manifestPath: string,
  outDir: string,
  opts: RunRenderShotOptions,
): Promise<RenderShotOutcome> {
  const m = readManifestFile(manifestPath);
  const sha = sha256File(m.model.path);
  if (sha !== m.model.sha256)
    throw new ServiceError(
      'conflict',
      `${m.model.path} is not the model this render was planned with (SHA-256 ${sha.slice(0, 12)}…, expected ${m.model.sha256.slice(0, 12)}…)`,
    );
  const inference = new InferenceClient({ launcher: forkLauncher(), modelPath: m.model.path, log: opts.log });
  try {
    return await renderShot(m, outDir, { inference, log: opts.log, signal: opts.signal, onProgress: opts.onProgress });
  } finally {
    await inference.close();
  }
}
