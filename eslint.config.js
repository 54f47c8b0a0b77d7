// Lint the TypeScript sources with the recommended rule sets; dist/ and node_modules are build output.
import js from '@eslint/js';
import tseslint from 'typescript-eslint';

export default tseslint.config(
  { ignores: ['dist/**', 'node_modules/**', 'bin/**', 'scripts/**', 'eslint.config.js'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    rules: {
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      'no-constant-condition': ['error', { checkLoops: false }],
    },
  },
  {
    // The HTML report's script runs in the reader's browser, as a classic script (scripts/build-html-assets.mjs).
    files: ['src/render/report-html/*.js'],
    // The globals it may use, named here rather than from a package the project does not depend on.
    languageOptions: { sourceType: 'script', globals: { document: 'readonly' } },
  },
  {
    files: ['test/**/*.ts'],
    rules: { 'no-restricted-properties': ['error', { object: 'it', property: 'only' }, { object: 'describe', property: 'only' }] },
  },
);
