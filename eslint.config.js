const { defineConfig } = require('eslint/config');
const js = require('@eslint/js');
const tseslint = require('typescript-eslint');
const lwcConfig = require('@salesforce/eslint-config-lwc');
const jestPlugin = require('eslint-plugin-jest');
const globals = require('globals');

module.exports = defineConfig([
  {
    ignores: [
      '**/node_modules/**',
      '.sfdx/**',
      '.sf/**',
      'coverage/**',
      '**/dist/**',
      '.devstack/**',
      'scripts/checks/__fixtures__/**'
    ]
  },
  // Lightning Web Components: the platform's rules.
  { files: ['force-app/**/lwc/**/*.js'], extends: [lwcConfig.configs.recommended] },
  {
    files: ['force-app/**/lwc/**/__tests__/**/*.js', 'jest-mocks/**/*.js'],
    plugins: { jest: jestPlugin },
    languageOptions: { globals: { ...globals.node, ...globals.jest } },
    rules: { ...jestPlugin.configs['flat/recommended'].rules, '@lwc/lwc/no-async-operation': 'off' }
  },
  { files: ['jest-mocks/**/*.js'], languageOptions: { sourceType: 'module' } },
  // TypeScript (relay, devstack, scripts): type-checked rules.
  {
    files: ['relay/**/*.ts', 'devstack/**/*.ts', 'scripts/**/*.ts'],
    extends: [js.configs.recommended, ...tseslint.configs.recommendedTypeChecked],
    languageOptions: { parserOptions: { projectService: true, tsconfigRootDir: __dirname } },
    rules: {
      '@typescript-eslint/no-explicit-any': 'error',
      '@typescript-eslint/no-floating-promises': [
        'error',
        { allowForKnownSafeCalls: [{ from: 'package', name: ['test', 'it', 'describe', 'suite'], package: 'node:test' }] }
      ],
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }]
    }
  },
  // Plain Node scripts and configs.
  { files: ['**/*.mjs'], extends: [js.configs.recommended], languageOptions: { globals: globals.node } },
  {
    files: ['*.config.js', 'scripts/**/*.cjs', 'eslint.config.js'],
    extends: [js.configs.recommended],
    languageOptions: { sourceType: 'commonjs', globals: globals.node }
  }
]);
