// Lint rules. The layering rules live in one table, .layers.mjs, enforced here by its `layers/imports` rule
// on every file of every layer; common must also not touch the runtime's globals.
import tseslint from 'typescript-eslint';
import { layerFiles, layersPlugin } from './.layers.mjs';

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
    files: layerFiles,
    plugins: { layers: layersPlugin },
    rules: { 'layers/imports': 'error' },
  },
  {
    // A main-side file past 400 lines holds more than one subject: split it by subject (as library/ is).
    files: ['src-main/**/*.ts'],
    rules: { 'max-lines': ['error', { max: 400 }] },
  },
  {
    files: ['src-main/common/**/*.ts'],
    rules: {
      'no-restricted-globals': ['error', 'window', 'document', 'process', 'Buffer', 'require', '__dirname'],
    },
  },
);
