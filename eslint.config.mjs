import js from '@eslint/js';
import globals from 'globals';
import reactHooks from 'eslint-plugin-react-hooks';
import tseslint from 'typescript-eslint';

const nodeOnlyImports = [
  { group: ['node:*'], message: 'core is pure: no Node modules (pass data in instead).' },
  { group: ['pg', 'drizzle-orm', 'drizzle-orm/*', '@electric-sql/*'], message: 'core is pure: no database.' },
  { group: ['@roas/app', '@roas/sim', '@roas/web'], message: 'core depends on nothing but zod.' },
];

export default tseslint.config(
  { ignores: ['**/node_modules/**', '**/dist/**', '.roas/**', 'packages/app/drizzle/**'] },
  js.configs.recommended,
  ...tseslint.configs.recommendedTypeChecked,
  {
    languageOptions: {
      parserOptions: { projectService: true, tsconfigRootDir: import.meta.dirname },
      globals: { ...globals.node },
    },
    rules: {
      '@typescript-eslint/no-floating-promises': 'error',
      '@typescript-eslint/no-misused-promises': 'error',
      '@typescript-eslint/switch-exhaustiveness-check': [
        'error',
        { considerDefaultExhaustiveForUnions: true, requireDefaultForNonUnion: false },
      ],
      '@typescript-eslint/consistent-type-imports': 'error',
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      eqeqeq: ['error', 'always'],
    },
  },
  {
    // The dashboard runs in the browser: browser globals, the rules of hooks, and no Node.
    files: ['packages/web/src/**/*.{ts,tsx}'],
    plugins: { 'react-hooks': reactHooks },
    languageOptions: { globals: { ...globals.browser } },
    rules: {
      'react-hooks/rules-of-hooks': 'error',
      'react-hooks/exhaustive-deps': 'error',
      'no-restricted-imports': [
        'error',
        {
          patterns: [
            { group: ['node:*'], message: 'the dashboard runs in the browser.' },
            { group: ['@roas/*'], message: 'the dashboard talks to the server over HTTP only.' },
          ],
        },
      ],
    },
  },
  {
    files: ['**/*.mjs', '**/*.js'],
    ...tseslint.configs.disableTypeChecked,
  },
  {
    files: ['packages/core/src/**/*.ts'],
    ignores: ['packages/core/src/**/*.test.ts'],
    rules: {
      'no-restricted-imports': ['error', { patterns: nodeOnlyImports }],
      'no-restricted-globals': [
        'error',
        { name: 'process', message: 'core is pure: configuration is passed in.' },
        { name: 'Buffer', message: 'core is pure.' },
        { name: 'fetch', message: 'core is pure: no I/O.' },
      ],
      'no-restricted-properties': [
        'error',
        { object: 'Date', property: 'now', message: 'core is pure: take `now` as an argument.' },
        { object: 'Math', property: 'random', message: 'core is pure: take a seeded generator.' },
      ],
    },
  },
);
