// The layering rules, checked on the source itself (the lint config says the same for editors).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import { appRoot } from '../../src-main/core/paths';

const root = appRoot();
function files(dir: string): string[] {
  return readdirSync(dir).flatMap((n) => {
    const p = join(dir, n);
    return statSync(p).isDirectory() ? files(p) : /\.(ts|tsx|mts)$/.test(n) ? [p] : [];
  });
}
function imports(file: string): string[] {
  const src = readFileSync(file, 'utf8');
  return [...src.matchAll(/(?:import|export)\s[^'"]*?from\s+['"]([^'"]+)['"]|import\(\s*['"]([^'"]+)['"]\s*\)|require\(\s*['"]([^'"]+)['"]\s*\)/g)].map((m) => m[1] ?? m[2] ?? m[3]);
}

test('src-main/common imports nothing but zod and itself', () => {
  for (const f of files(join(root, 'src-main', 'common'))) {
    for (const i of imports(f)) {
      const ok = i === 'zod' || (i.startsWith('.') && !/\/(core|host|electron|worker|cli)(\/|$)/.test(i) && !i.includes('src-renderer'));
      assert.ok(ok, `${relative(root, f)} imports ${i}`);
    }
    const src = readFileSync(f, 'utf8').replace(/\/\*[\s\S]*?\*\/|\/\/.*$/gm, '');
    assert.doesNotMatch(src, /\b(process\.|require\(|window\.|document\.)/, `${relative(root, f)} uses a runtime global`);
  }
});

test("only src-main/electron and src-preload import 'electron'", () => {
  for (const dir of ['src-main', 'src-renderer', 'src-preload']) {
    for (const f of files(join(root, dir))) {
      if (imports(f).includes('electron')) {
        const rel = relative(root, f);
        assert.ok(rel.startsWith('src-main/electron/') || rel.startsWith('src-preload/'), `${rel} imports electron`);
      }
    }
  }
});

test('node, core and worker never import upward (electron, host, cli, renderer); the worker imports only common and node; node only common', () => {
  for (const layer of ['node', 'core', 'worker']) {
    for (const f of files(join(root, 'src-main', layer))) {
      for (const i of imports(f)) {
        assert.doesNotMatch(i, /\/(electron|host|cli)(\/|$)|src-renderer/, `${relative(root, f)} imports ${i}`);
        if (layer !== 'core') assert.doesNotMatch(i, /\/core(\/|$)/, `${relative(root, f)} imports ${i}`);
        if (layer === 'node') assert.doesNotMatch(i, /\/worker(\/|$)/, `${relative(root, f)} imports ${i}`);
      }
    }
  }
});

test('the renderer reaches the main side only through src-main/common, and features only through index files', () => {
  for (const f of files(join(root, 'src-renderer'))) {
    const rel = relative(root, f);
    if (rel.endsWith('vite.config.mts')) continue; // build tooling, runs in Node
    for (const i of imports(f)) {
      if (i.includes('src-main')) assert.match(i, /src-main\/common\//, `${rel} imports ${i}`);
      const m = /features\/([^/]+)\/(.+)$/.exec(i);
      if (m && !rel.includes(`features/${m[1]}/`)) assert.fail(`${rel} reaches into feature ${m[1]}: ${i}`);
      assert.ok(!/^node:|^(fs|path|child_process)$/.test(i), `${rel} imports ${i}`);
    }
  }
});

test('fluent-ffmpeg (archived upstream) is confined to one media module', () => {
  for (const dir of ['src-main', 'src-renderer', 'src-preload']) {
    for (const f of files(join(root, dir))) {
      if (imports(f).includes('fluent-ffmpeg')) assert.equal(relative(root, f), 'src-main/core/media/encode.ts');
    }
  }
});
