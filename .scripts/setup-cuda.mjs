// Opt-in for NVIDIA GPU users: fetches onnxruntime-node's CUDA 12 execution provider libraries
// (the project's .npmrc skips them because they are large and need the internet).
import { spawnSync } from 'node:child_process';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';

const require = createRequire(import.meta.url);
const ortDir = dirname(require.resolve('onnxruntime-node/package.json'));
const r = spawnSync(process.execPath, [join(ortDir, 'script', 'install.js')], {
  stdio: 'inherit',
  env: { ...process.env, ONNXRUNTIME_NODE_INSTALL: 'cuda12', npm_config_onnxruntime_node_install: 'cuda12' },
});
if (r.status === 0)
  console.log('CUDA libraries installed. Remaster uses the GPU at next start (status bar: "CUDA (onnxruntime …)").');
process.exit(r.status ?? 1);
