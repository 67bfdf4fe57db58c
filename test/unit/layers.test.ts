// The layering rules (one table, .layers.mjs) checked through ESLint itself, as `npm run lint` and editors do:
// the source tree passes, and each way of breaking a layer is caught. Also the size rule that keeps each
// main-side file to one subject (max-lines 400).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { ESLint } from 'eslint';
import { appRoot } from '../../src-main/core/paths';

const root = appRoot();
const layerRules = new Set(['layers/imports', 'no-restricted-globals', 'max-lines']);
const eslint = new ESLint({ cwd: root, ruleFilter: ({ ruleId }) => layerRules.has(ruleId) });

/** The layer rule's complaints about `code` as if it were the file at `file` (repository-relative). */
async function problems(file: string, code: string): Promise<string[]> {
  const [result] = await eslint.lintText(code, { filePath: join(root, file) });
  return result!.messages.map((m) => `${m.ruleId}: ${m.message}`);
}

test('the source tree keeps to the layer table', async () => {
  const results = await eslint.lintFiles(['src-main', 'src-preload', 'src-renderer']);
  assert.ok(results.length > 100, `linted only ${results.length} files`);
  const found = results.flatMap((r) =>
    r.messages.map((m) => `${r.filePath.slice(root.length + 1)}:${m.line} ${m.ruleId}: ${m.message}`),
  );
  assert.deepEqual(found, []);
});

test('core may not import host, even for side effects, nor worker, electron or cli, by any import form', async () => {
  const cases: [string, RegExp][] = [
    ["import '../host/server';", /core may not import host \(src-main\/host\/server\)/],
    ["import { startHost } from '../host/server';\nvoid startHost;", /core may not import host/],
    ["export * from '../host/server';", /core may not import host/],
    ["import '../worker';", /core may not import worker \(src-main\/worker\)/],
    ["import type { X } from '../worker/index';\nexport type Y = X;", /core may not import worker/],
    ["export type Y = import('../worker/index').X;", /core may not import worker/],
    ["export const w = () => import('../worker/index');", /core may not import worker/],
    ['export const w = () => import(`../electron/main`);', /core may not import electron/],
    ["export const c = require('../cli/index');", /core may not import cli/],
    ["import c = require('../cli/index');\nexport { c };", /core may not import cli/],
    ["import { app } from 'electron';\nvoid app;", /core may not import 'electron'/],
    ["import '../../src-renderer/main';", /core may not import renderer/],
  ];
  for (const [code, expected] of cases) {
    const found = await problems('src-main/core/x.ts', code);
    assert.equal(found.length, 1, `${code} -> ${found.join(' | ')}`);
    assert.match(found[0]!, expected, code);
  }
});

test('each layer may import what the table allows', async () => {
  const allowed: [string, string][] = [
    [
      'src-main/core/x.ts',
      "import '../common/csp';\nimport '../node/file-io';\nimport 'node:fs';\nimport 'better-sqlite3';",
    ],
    ['src-main/cli/x.ts', "import '../host/server';\nimport '../core';\nimport 'path';"],
    ['src-main/host/x.ts', "import '../core';\nimport 'ws';"],
    ['src-main/electron/x.ts', "import 'electron';\nimport '../core';"],
    ['src-main/worker/x.ts', "import '../node/file-io';\nimport 'onnxruntime-node';"],
    ['src-preload/x.ts', "import 'electron';\nimport '../src-main/common/contract';"],
    [
      'src-renderer/features/project/x.ts',
      "import '../library';\nimport '../jobs/index';\nimport './Viewer';\nimport '@mui/material';",
    ],
    ['src-main/core/media/encode.ts', "import 'fluent-ffmpeg';"],
  ];
  for (const [file, code] of allowed) assert.deepEqual(await problems(file, code), [], `${file}: ${code}`);
});

test('every other layer edge is refused', async () => {
  const refused: [string, string, RegExp][] = [
    ['src-main/common/x.ts', "import 'node:fs';", /common may not import 'node:fs'/],
    ['src-main/common/x.ts', "import '../node/file-io';", /common may not import node/],
    ['src-main/common/x.ts', 'export const p = process.pid;', /no-restricted-globals/],
    ['src-main/node/x.ts', "import '../core/log';", /node may not import core/],
    ['src-main/worker/x.ts', "import '../core/log';", /worker may not import core/],
    ['src-main/host/x.ts', "import '../cli/index';", /host may not import cli/],
    ['src-main/host/x.ts', "import 'electron';", /host may not import 'electron'/],
    ['src-main/electron/x.ts', "import '../host/server';", /electron may not import host/],
    ['src-main/electron/x.ts', "import '../worker/index';", /electron may not import worker/],
    ['src-preload/x.ts', "import '../src-main/core';", /preload may not import core/],
    ['src-preload/x.ts', "import 'node:fs';", /preload may not import 'node:fs'/],
    ['src-renderer/app/x.ts', "import '../../src-main/core/paths';", /renderer may not import core/],
    ['src-renderer/app/x.ts', "import 'node:path';", /renderer may not import 'node:path'/],
    ['src-renderer/app/x.ts', "import '../features/project/Viewer';", /feature 'project' only through its index/],
    ['src-renderer/features/library/x.ts', "import '../project/Viewer';", /feature 'project' only through its index/],
    [
      'src-main/core/x.ts',
      "import 'fluent-ffmpeg';",
      /'fluent-ffmpeg' is confined to src-main\/core\/media\/encode.ts/,
    ],
    ['src-main/core/x.ts', "import '../../package.json';", /outside every layer/],
  ];
  for (const [file, code, expected] of refused) {
    const found = await problems(file, code);
    assert.equal(found.length, 1, `${file}: ${code} -> ${found.join(' | ')}`);
    assert.match(found[0]!, expected, `${file}: ${code}`);
  }
});

test('a main-side file over 400 lines is refused; 400 pass', async () => {
  const lines = (n: number): string =>
    Array.from({ length: n }, (_, i) => `export const v${i} = ${i};`).join('\n') + '\n';
  assert.deepEqual(await problems('src-main/core/library/x.ts', lines(400)), []);
  assert.deepEqual(await problems('src-main/core/library/x.ts', lines(401)), [
    'max-lines: File has too many lines (401). Maximum allowed is 400.',
  ]);
});
