// Flat config. The pure core (src/core, src/articles) may not do I/O, read the clock or roll dice:
// purity is a folder boundary, enforced here rather than by review.
const js = require('@eslint/js');
const tseslint = require('typescript-eslint');

const pureImportBans = {
  patterns: [
    {
      group: ['node:*', 'fs', 'http', 'https', 'net', 'child_process'],
      message: 'The pure core does no I/O.',
    },
    { group: ['@azure/*'], message: 'The pure core knows no SDK: adapters map SDK types to plain data.' },
    {
      group: ['**/adapters/**', '**/emulator/**', '**/cli/**'],
      message: 'The core may not import adapters.',
    },
  ],
};

module.exports = tseslint.config(
  { ignores: ['dist/**', 'app/**', 'out/**', 'coverage/**', 'node_modules/**'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    files: ['**/*.js'],
    languageOptions: {
      sourceType: 'commonjs',
      globals: {
        require: 'readonly',
        module: 'writable',
        process: 'readonly',
        __dirname: 'readonly',
        console: 'readonly',
      },
    },
    rules: { '@typescript-eslint/no-require-imports': 'off' },
  },
  {
    rules: {
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
    },
  },
  {
    // The use case works through the ports only: adapters are chosen by the composition root (src/app).
    files: ['src/pipeline/**/*.ts'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          patterns: [
            {
              group: ['**/adapters/**', '**/emulator/**', '**/cli/**'],
              message: 'The pipeline uses src/ports.ts, not adapters.',
            },
            { group: ['@azure/*'], message: 'The pipeline knows no SDK.' },
          ],
        },
      ],
    },
  },
  {
    // Tests load modules afresh with jest.isolateModules, which needs require().
    files: ['test/**/*.ts'],
    rules: { '@typescript-eslint/no-require-imports': 'off' },
  },
  {
    files: ['src/core/**/*.ts', 'src/articles/**/*.ts', 'src/insight/**/*.ts'],
    rules: {
      'no-restricted-imports': ['error', pureImportBans],
      'no-restricted-syntax': [
        'error',
        {
          selector: "CallExpression[callee.object.name='Date'][callee.property.name='now']",
          message: 'Take the time as an argument.',
        },
        {
          selector: "NewExpression[callee.name='Date'][arguments.length=0]",
          message: 'Take the time as an argument.',
        },
        {
          selector: "CallExpression[callee.object.name='Math'][callee.property.name='random']",
          message: 'The core is deterministic.',
        },
        { selector: "MemberExpression[object.name='process']", message: 'The core reads no environment.' },
      ],
    },
  },
);
