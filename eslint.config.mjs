// Lint rules, including the layering rules: common imports nothing from Node, the DOM or Electron; node (plain-Node
// helpers) imports only common; the worker only common and node;
// only src-main/electron and src-preload import 'electron'; the renderer never imports main-side code
// except src-main/common.
import tseslint from 'typescript-eslint';

const nodeBuiltins = ['node:*', 'fs', 'path', 'os', 'child_process', 'crypto', 'http', 'net', 'url', 'util', 'stream', 'events', 'worker_threads'];

export default tseslint.config(
  { ignores: ['node_modules/**', '.build/**', '.release/**', 'models/training/**', '**/*.cjs'] },
  ...tseslint.configs.recommended,
  {
    rules: {
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      '@typescript-eslint/no-require-imports': 'off',
      '@typescript-eslint/no-namespace': 'off',
    },
  },
  {
    files: ['src-main/common/**/*.ts'],
    rules: {
      'no-restricted-imports': ['error', { patterns: [{ group: [...nodeBuiltins, 'electron', 'react', 'react-dom', '@mui/*', 'ws', 'better-sqlite3', 'onnxruntime-node', 'fluent-ffmpeg', '**/core/**', '**/core', '**/host/**', '**/host', '**/electron/**', '**/electron', '**/worker/**', '**/worker', '**/cli/**', '**/src-renderer/**'], message: 'src-main/common is pure TypeScript: no Node, DOM, Electron or main-side imports.' }] }],
      'no-restricted-globals': ['error', 'window', 'document', 'process', 'Buffer', 'require', '__dirname'],
    },
  },
  {
    files: ['src-main/host/**/*.ts', 'src-main/cli/**/*.ts'],
    rules: {
      'no-restricted-imports': ['error', { patterns: [{ group: ['electron', '**/electron/**', '**/src-renderer/**'], message: 'Only src-main/electron and src-preload import Electron.' }] }],
    },
  },
  {
    files: ['src-main/core/**/*.ts'],
    rules: {
      'no-restricted-imports': ['error', { patterns: [{ group: ['electron', '**/electron/**', '**/electron', '**/host/**', '**/host', '**/cli/**', '**/cli', '**/src-renderer/**'], message: 'Layers import downward only.' }] }],
    },
  },
  {
    files: ['src-main/node/**/*.ts'],
    rules: {
      'no-restricted-imports': ['error', { patterns: [{ group: ['electron', '**/electron/**', '**/electron', '**/host/**', '**/host', '**/cli/**', '**/cli', '**/core/**', '**/core', '**/worker/**', '**/worker', '**/src-renderer/**'], message: 'src-main/node imports only Node and src-main/common.' }] }],
    },
  },
  {
    files: ['src-main/worker/**/*.ts'],
    rules: {
      'no-restricted-imports': ['error', { patterns: [{ group: ['electron', '**/electron/**', '**/host/**', '**/cli/**', '**/core/**', '**/core', '**/src-renderer/**'], message: 'The worker imports only src-main/common and src-main/node.' }] }],
    },
  },
  {
    files: ['src-renderer/**/*.ts', 'src-renderer/**/*.tsx'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          patterns: [
            { group: ['electron', ...nodeBuiltins, '**/src-main/core/**', '**/src-main/host/**', '**/src-main/electron/**', '**/src-main/worker/**'], message: 'The renderer reaches the main side only through the contract (src-main/common).' },
            { group: ['**/features/*/*', '!**/features/*/index'], message: 'Import another feature only through its index file.' },
          ],
        },
      ],
    },
  },
);
