// The layering rules, in one table: what each layer may import. eslint.config.mjs enforces it with the rule
// below on every import form (static, side-effect, export-from, import(), require(), import type, TS
// `import x = require()`); test/unit/layers.test.ts runs ESLint to prove the rule and the tree agree.
import { builtinModules } from 'node:module';
import { dirname, relative, resolve, sep } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = dirname(fileURLToPath(import.meta.url));

/**
 * Each layer: its folder, the layers it may import (besides itself), and the packages it may import
 * ('node:' stands for Node's built-in modules; 'pkg/*' for a scope). Layers import downward only.
 */
export const layers = {
  common: { dir: 'src-main/common', layers: [], packages: ['zod'] },
  node: { dir: 'src-main/node', layers: ['common'], packages: ['node:'] },
  worker: { dir: 'src-main/worker', layers: ['common', 'node'], packages: ['node:', 'onnxruntime-node'] },
  core: {
    dir: 'src-main/core',
    layers: ['common', 'node'],
    packages: ['node:', 'better-sqlite3', 'fluent-ffmpeg', 'bullmq'],
  },
  host: { dir: 'src-main/host', layers: ['core', 'common', 'node'], packages: ['node:', 'ws'] },
  cli: { dir: 'src-main/cli', layers: ['core', 'host', 'common', 'node'], packages: ['node:'] },
  electron: { dir: 'src-main/electron', layers: ['core', 'common', 'node'], packages: ['node:', 'electron'] },
  preload: { dir: 'src-preload', layers: ['common'], packages: ['electron'] },
  renderer: { dir: 'src-renderer', layers: ['common'], packages: ['react', 'react-dom', '@mui/*', '@emotion/*'] },
};

/** Packages confined to one file inside their layer (fluent-ffmpeg is archived upstream). */
export const confined = { 'fluent-ffmpeg': 'src-main/core/media/encode.ts', bullmq: 'src-main/core/farm/queue.ts' };

/** Renderer features are reached from outside only through their index file. */
export const featuresDir = 'src-renderer/features';

/** Build tooling that sits in a layer's folder but runs in Node, not in that layer. */
export const outsideLayers = ['src-renderer/vite.config.mts'];

const posix = (p) => p.split(sep).join('/');
const under = (rel, dir) => rel === dir || rel.startsWith(dir + '/');

export function layerOf(rel) {
  return Object.keys(layers).find((name) => under(rel, layers[name].dir)) ?? null;
}

function packageName(spec) {
  const parts = spec.split('/');
  return spec.startsWith('@') ? parts.slice(0, 2).join('/') : parts[0];
}

function packageAllowed(name, allowed) {
  const builtin = name.startsWith('node:') || builtinModules.includes(name);
  return allowed.some((a) =>
    a === 'node:' ? builtin : a.endsWith('/*') ? name.startsWith(a.slice(0, -1)) : a === name,
  );
}

/** Why `spec`, imported by the file at `rel` (repository-relative), breaks the table; null when it does not. */
export function importProblem(rel, spec) {
  const from = layerOf(rel);
  if (!from || outsideLayers.includes(rel)) return null;
  if (!spec.startsWith('.') && !spec.startsWith('/')) {
    const name = packageName(spec);
    if (!packageAllowed(name, layers[from].packages)) {
      return `${from} may not import '${spec}' (it may import packages: ${layers[from].packages.join(', ') || 'none'})`;
    }
    if (confined[name] && rel !== confined[name]) return `'${name}' is confined to ${confined[name]}`;
    return null;
  }
  const target = posix(relative(root, resolve(root, dirname(rel), spec)));
  const to = layerOf(target);
  if (!to) return `${from} may not import ${target}: it is outside every layer`;
  if (to !== from && !layers[from].layers.includes(to)) {
    return `${from} may not import ${to} (${target}); ${from} imports only ${layers[from].layers.join(', ') || 'itself'}`;
  }
  const feature = new RegExp(`^${featuresDir}/([^/]+)/(.+)$`).exec(target);
  if (feature && !under(rel, `${featuresDir}/${feature[1]}`) && !/^index(\.tsx?)?$/.test(feature[2])) {
    return `import feature '${feature[1]}' only through its index file, not ${target}`;
  }
  return null;
}

/** The specifier of a string literal or a template without expressions; null when computed. */
function literal(node) {
  if (!node) return null;
  if (node.type === 'Literal' && typeof node.value === 'string') return node.value;
  if (node.type === 'TemplateLiteral' && node.expressions.length === 0) return node.quasis[0].value.cooked;
  if (node.type === 'TSLiteralType') return literal(node.literal);
  return null;
}

const importsRule = {
  meta: { type: 'problem', schema: [], docs: { description: 'Layers import only what .layers.mjs allows.' } },
  create(context) {
    const rel = posix(relative(root, context.filename));
    const check = (node, source) => {
      const spec = literal(source);
      if (spec === null) return; // computed specifiers cannot be resolved here
      const problem = importProblem(rel, spec);
      if (problem) context.report({ node: source ?? node, message: problem });
    };
    return {
      ImportDeclaration: (n) => check(n, n.source),
      ExportNamedDeclaration: (n) => n.source && check(n, n.source),
      ExportAllDeclaration: (n) => check(n, n.source),
      ImportExpression: (n) => check(n, n.source),
      TSImportType: (n) => check(n, n.source ?? n.argument),
      TSExternalModuleReference: (n) => check(n, n.expression),
      CallExpression: (n) => {
        if (n.callee.type === 'Identifier' && n.callee.name === 'require' && n.arguments.length > 0)
          check(n, n.arguments[0]);
      },
    };
  },
};

/** The ESLint plugin: `layers/imports`. */
export const layersPlugin = { meta: { name: 'remaster-layers' }, rules: { imports: importsRule } };

/** Globs of every file that belongs to a layer, for the config's `files`. */
export const layerFiles = Object.values(layers).flatMap(({ dir }) => [
  `${dir}/**/*.ts`,
  `${dir}/**/*.tsx`,
  `${dir}/**/*.mts`,
]);
