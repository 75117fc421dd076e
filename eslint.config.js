import js from '@eslint/js';
import svelte from 'eslint-plugin-svelte';
import globals from 'globals';
import ts from 'typescript-eslint';

export default ts.config(
  { ignores: ['out/', 'dist/', 'node_modules/', 'test-results/', 'playwright-report/', 'bench/results/'] },
  js.configs.recommended,
  ...ts.configs.recommended,
  ...svelte.configs.recommended,
  {
    languageOptions: { globals: { ...globals.node, ...globals.browser } },
    rules: {
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      'no-empty-pattern': 'off',
    },
  },
  {
    files: ['**/*.svelte', '**/*.svelte.ts'],
    languageOptions: { parserOptions: { parser: ts.parser, extraFileExtensions: ['.svelte'] } },
  },
  {
    // Electron is imported only by the shell; everything else must run on plain Node (DESIGN.md).
    files: ['main/**/*.ts', 'test/**/*.ts', 'bench/**/*.ts', 'renderer/**/*.ts', 'renderer/**/*.svelte'],
    ignores: ['main/index.ts', 'main/preload.ts', 'main/shell/**'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          paths: [
            { name: 'electron', message: 'Only main/index.ts, main/preload.ts and main/shell/ may import electron.' },
            {
              name: 'sharp',
              allowTypeImports: true,
              message: 'Load sharp through main/services/image-engine.ts (it chooses the wasm or native build).',
            },
          ],
        },
      ],
    },
  },
  {
    // Raw IPC only in the two files built from the contract.
    files: ['main/shell/**/*.ts', 'main/index.ts'],
    ignores: ['main/shell/ipc.ts'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          paths: [
            {
              name: 'electron',
              importNames: ['ipcMain', 'ipcRenderer'],
              message: 'Register IPC through main/shell/ipc.ts (built from the contract).',
            },
          ],
        },
      ],
    },
  },
  {
    files: ['renderer/**/*.ts', 'renderer/**/*.svelte'],
    // Beside the app, renderer/*.ts are its build settings (Vite, the dev CSP), which Node runs.
    ignores: ['renderer/*.ts'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          patterns: [
            { regex: '^node:', message: 'The renderer has no Node.' },
            {
              regex: 'main/(services|ipc|shell|cli)',
              message: 'The renderer reaches main only through the bridge; import types from $contract.',
            },
            { regex: '^(\\.\\./)+main/contract', message: "Import the contract as '$contract' (the alias in tsconfig.base.json)." },
          ],
        },
      ],
    },
  },
);
