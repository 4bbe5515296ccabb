import tseslint from 'typescript-eslint';

export default tseslint.config(
  { ignores: ['node_modules/', 'out/', 'dist/', 'test-results/', 'playwright-report/', 'bench/tmp/'] },
  ...tseslint.configs.recommended,
  {
    rules: {
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
    },
  },
  {
    // The core, the IPC contract and the CLI run without Electron and without a DOM.
    files: ['src/core/**/*.ts', 'src/shared/**/*.ts', 'src/cli/**/*.ts'],
    rules: {
      'no-restricted-imports': ['error', {
        paths: [{ name: 'electron', message: 'src/core, src/shared and src/cli must stay Electron-free.' }],
        patterns: [{ group: ['react', 'react-dom', 'react-dom/*', '**/renderer/**', '**/main/**', '**/preload/**'], message: 'no UI or Electron code below src/core, src/shared, src/cli.' }],
      }],
      'no-restricted-globals': ['error', 'window', 'document', 'navigator', 'localStorage'],
    },
  },
  {
    // Only main and preload may talk to Electron's IPC; the renderer goes through the preload API.
    files: ['src/renderer/**/*.{ts,tsx}'],
    rules: {
      'no-restricted-imports': ['error', { paths: [{ name: 'electron', message: 'the renderer uses window.certbench, never Electron directly.' }] }],
    },
  },
);
