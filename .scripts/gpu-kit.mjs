// Packs what a lent GPU machine needs to run the app's inference path without Node, npm or internet:
// this machine's Node binary (xz), onnxruntime-node's Linux x64 files, the built worker, the bench and the models
// (the shipped ones and the paper configuration).
//   npm run gpu-kit            -> .gpu-kit/ (git-ignored; carry it to the GPU machine, under 64 MiB)
//   bash .gpu-kit/run.sh [--provider webgpu] [--frames 10]   (there; figures to $OUT/gpu-app.json)
import { build } from 'esbuild';
import { spawnSync } from 'node:child_process';
import {
  chmodSync,
  copyFileSync,
  cpSync,
  mkdirSync,
  readdirSync,
  readFileSync,
  rmSync,
  statSync,
  writeFileSync,
} from 'node:fs';
import { join } from 'node:path';

const root = new URL('..', import.meta.url).pathname;
const kit = join(root, '.gpu-kit');
const pkg = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8'));

function run(cmd, args, opts = {}) {
  const r = spawnSync(cmd, args, { stdio: 'inherit', cwd: root, ...opts });
  if (r.status !== 0) throw new Error(`${cmd} ${args.join(' ')} failed (${r.status ?? r.signal})`);
}

run(process.execPath, ['.scripts/build.mjs', '--if-needed']);
rmSync(kit, { recursive: true, force: true });
mkdirSync(join(kit, '.build', 'main'), { recursive: true });
// appRoot() finds the kit by this name; the worker is found at .build/main/worker.cjs beneath it.
writeFileSync(join(kit, 'package.json'), JSON.stringify({ name: 'remaster', version: pkg.version, private: true }));
copyFileSync(join(root, '.build', 'main', 'worker.cjs'), join(kit, '.build', 'main', 'worker.cjs'));
await build({
  entryPoints: { 'gpu-bench': 'test/bench/app-gpu-main.ts' },
  bundle: true,
  platform: 'node',
  target: 'node20',
  format: 'cjs',
  external: Object.keys(pkg.dependencies ?? {}),
  outdir: join(kit, '.build', 'main'),
  outExtension: { '.js': '.cjs' },
  logLevel: 'warning',
  absWorkingDir: root,
});

mkdirSync(join(kit, 'models'));
for (const f of readdirSync(join(root, 'models')))
  if (/\.(onnx|card\.json)$/.test(f)) copyFileSync(join(root, 'models', f), join(kit, 'models', f));
cpSync(join(root, 'models', 'golden'), join(kit, 'models', 'golden'), { recursive: true });

// The paper configuration (2.5 M parameters, untrained: speed only), exported by Debian's PyTorch here; its
// weights take 16 levels per tensor so the four files (30 MB) travel as ~4.5 MB of xz.
const python = '/usr/bin/python3';
if (spawnSync(python, ['-c', 'import torch, onnx'], { stdio: 'ignore' }).status === 0) {
  const paper = join(kit, 'paper-models');
  run(python, ['-m', 'remaster_train.paper_onnx', '--out-dir', paper], {
    cwd: join(root, 'models', 'training'),
    env: { ...process.env, OMP_NUM_THREADS: '1' },
    stdio: ['ignore', 'inherit', 'ignore'],
  });
  run('tar', ['-cJf', join(kit, 'paper-models.tar.xz'), '-C', paper, '.']);
  rmSync(paper, { recursive: true, force: true });
} else console.log('no PyTorch at /usr/bin/python3: the kit measures the shipped models only');

// Only the Linux x64 binaries of onnxruntime-node (the package carries every platform's).
const ort = 'node_modules/onnxruntime-node';
run('tar', [
  '-cJf',
  join(kit, 'runtime.tar.xz'),
  `${ort}/package.json`,
  `${ort}/dist`,
  `${ort}/lib`,
  `${ort}/bin/napi-v6/linux/x64`,
  'node_modules/onnxruntime-common',
  'node_modules/zod',
]);
run('sh', ['-c', `xz -T0 -6 -c "${process.execPath}" > "${join(kit, 'node.xz')}"`]);

writeFileSync(
  join(kit, 'run.sh'),
  `#!/usr/bin/env bash
# Runs the app's inference bench on this (GPU) machine; made by .scripts/gpu-kit.mjs.
set -euo pipefail
cd "$(dirname "$0")"
[ -x node ] || { xz -dc node.xz > node; chmod +x node; }
[ -d node_modules ] || tar -xJf runtime.tar.xz
[ ! -f paper-models.tar.xz ] || [ -f models/paper-x2.onnx ] || tar -xJf paper-models.tar.xz -C models
out="\${OUT:-$PWD}"
{ nvidia-smi --query-gpu=name,driver_version,memory.total --format=csv,noheader || true
  command -v vulkaninfo >/dev/null && vulkaninfo --summary 2>/dev/null | grep -E 'deviceName|driverInfo|apiVersion' || true
} > "$out/gpu-device.txt"
./node .build/main/gpu-bench.cjs "$out/gpu-app.json" "$@"
`,
);
chmodSync(join(kit, 'run.sh'), 0o755);

const size = (p) =>
  statSync(p).isDirectory() ? readdirSync(p).reduce((a, f) => a + size(join(p, f)), 0) : statSync(p).size;
const mib = size(kit) / 2 ** 20;
console.log(`.gpu-kit: ${mib.toFixed(1)} MiB (carry limit 64 MiB)`);
if (mib > 64) throw new Error('The GPU kit is over the 64 MiB carry limit');
