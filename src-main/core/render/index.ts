// Shot renders into the per-shot render cache (see cache.ts for the folder, render-shot.ts for the pipeline).
export { renderShot, type RenderShotDeps, type RenderShotOutcome } from './render-shot';
export { runRenderShot, readManifestFile, type RunRenderShotOptions } from './render-shot-main';
export { buildRenderManifest, manifestHash, mediaInputOf, modelSha, type ManifestSpec } from './manifest';
export { sha256File } from '../../node/file-io';
export { MANIFEST_FILE, RESULT_FILE, segmentFile, segmentRecordFile } from './cache';
export { BoundedQueue } from './queue';
