// Finds test files and runs them with Node's own test runner (TypeScript through tsx).
// Usage: node test/run.mjs [unit|integration|e2e|electron ...]   (no argument: all suites)
import { spawnSync } from 'node:child_process';
import { readdirSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';

const root = new URL('..', import.meta.url).pathname;
const suites = process.argv.slice(2).length ? process.argv.slice(2) : ['unit', 'integration', 'e2e', 'electron'];

function find(dir) {
  let out = [];
  for (const name of readdirSync(dir)) {
    const p = join(dir, name);
    if (statSync(p).isDirectory()) out = out.concat(find(p));
    else if (name.endsWith('.test.ts') || name.endsWith('.test.tsx')) out.push(p);
  }
  return out;
}

const files = suites
  .flatMap((s) => find(join(root, 'test', s)))
  .map((f) => relative(root, f))
  .sort();
if (files.length === 0) {
  console.error('no test files found for', suites.join(', '));
  process.exit(1);
}
// One file at a time: the machine has two cores and several suites start ffmpeg, workers or Chromium.
const r = spawnSync(
  process.execPath,
  ['--import', 'tsx', '--test', '--test-concurrency=1', '--test-reporter=spec', ...files],
  {
    cwd: root,
    stdio: 'inherit',
    env: { ...process.env, REMASTER_TEST: '1' },
  },
);
process.exit(r.status ?? 1);
