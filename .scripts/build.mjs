// Builds the app into .build/: main-side bundles with esbuild, the renderer with Vite.
//   node .scripts/build.mjs              build everything
//   node .scripts/build.mjs --if-needed  skip when nothing changed since the last build (npm start)
import { build } from 'esbuild';
import { existsSync, readFileSync, readdirSync, statSync, writeFileSync, mkdirSync, chmodSync } from 'node:fs';
import { join } from 'node:path';
import { spawnSync } from 'node:child_process';

const root = new URL('..', import.meta.url).pathname;
const out = join(root, '.build');
const stamp = join(out, 'stamp.json');
const pkg = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8'));

function newestSource() {
  let newest = statSync(join(root, 'package.json')).mtimeMs;
  const walk = (dir) => {
    for (const name of readdirSync(dir)) {
      const p = join(dir, name);
      const s = statSync(p);
      if (s.isDirectory()) walk(p);
      else newest = Math.max(newest, s.mtimeMs);
    }
  };
  for (const d of ['src-main', 'src-preload', 'src-renderer']) walk(join(root, d));
  return newest;
}

if (process.argv.includes('--if-needed') && existsSync(stamp)) {
  const { builtFrom } = JSON.parse(readFileSync(stamp, 'utf8'));
  if (builtFrom >= newestSource()) process.exit(0);
  console.log('Sources changed since the last build: rebuilding…');
}

const sourceTime = newestSource();
// Native and runtime packages stay in node_modules (electron-builder unpacks *.node from the asar).
const external = ['electron', ...Object.keys(pkg.dependencies ?? {})];
const common = {
  bundle: true,
  platform: 'node',
  target: 'node20',
  format: 'cjs',
  sourcemap: 'linked',
  external,
  logLevel: 'warning',
};

await Promise.all([
  build({
    ...common,
    entryPoints: {
      'electron-main': 'src-main/electron/main.ts',
      worker: 'src-main/worker/index.ts',
      'grade-thread': 'src-main/core/render/grade-thread-main.ts',
      cli: 'src-main/cli/bin.ts',
      start: 'src-main/cli/start.ts',
    },
    outdir: join(out, 'main'),
    outExtension: { '.js': '.cjs' },
  }),
  // A sandboxed preload can require only 'electron': everything else is bundled into it.
  build({
    ...common,
    external: ['electron'],
    entryPoints: { preload: 'src-preload/index.ts' },
    outdir: join(out, 'preload'),
    outExtension: { '.js': '.cjs' },
  }),
]);
chmodSync(join(out, 'main', 'cli.cjs'), 0o755);

const vite = spawnSync(
  process.execPath,
  [
    join(root, 'node_modules', 'vite', 'bin', 'vite.js'),
    'build',
    '--config',
    'src-renderer/vite.config.mts',
    '--logLevel',
    'warn',
  ],
  { cwd: root, stdio: 'inherit' },
);
if (vite.status !== 0) process.exit(vite.status ?? 1);

mkdirSync(out, { recursive: true });
writeFileSync(stamp, JSON.stringify({ builtFrom: sourceTime, version: pkg.version }));
console.log('Built into .build/');
