// ESLint (typescript-eslint) for the whole code base, with the rules Temporal's samples apply to
// workflow code: workflows run in a deterministic sandbox, so they may not import Node built-ins or
// anything that does I/O, and they take activities as types only. Formatting is Prettier's.
import tseslint from 'typescript-eslint';
import prettier from 'eslint-config-prettier';

const NODE_BUILTINS = [
  'assert',
  'buffer',
  'child_process',
  'cluster',
  'crypto',
  'dgram',
  'dns',
  'events',
  'fs',
  'fs/promises',
  'http',
  'http2',
  'https',
  'net',
  'os',
  'path',
  'perf_hooks',
  'process',
  'readline',
  'stream',
  'timers',
  'tls',
  'url',
  'util',
  'v8',
  'vm',
  'worker_threads',
  'zlib',
];

export default tseslint.config(
  {
    ignores: [
      'node_modules/**',
      'generated/**',
      'dist/**',
      'console/dist/**',
      'console/src/generated/**',
      'console/generated/**',
      '.data/**',
      '.tools/**',
      'coverage/**',
      '**/*.js',
      '**/*.cjs',
      '**/*.mjs',
    ],
  },
  ...tseslint.configs.recommended,
  prettier,
  {
    rules: {
      // Process definitions are registered heterogeneously (ProcessDefinition<any>[]), and tests read untyped JSON.
      '@typescript-eslint/no-explicit-any': 'off',
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_', caughtErrors: 'none', ignoreRestSiblings: true }],
      '@typescript-eslint/no-require-imports': 'off',
      'no-control-regex': 'error',
      'no-var': 'error',
      'prefer-const': 'error',
    },
  },
  {
    files: ['workflows/**/*.ts'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          paths: [
            ...NODE_BUILTINS.flatMap((m) => [m, `node:${m}`]).map((name) => ({
              name,
              message: 'Workflow code runs in a deterministic sandbox: no Node built-ins (use @temporalio/workflow).',
            })),
            { name: '@temporalio/activity', message: 'Activities run in the worker, not in workflow code.' },
            { name: '@temporalio/client', message: 'Workflow code does not call Temporal clients; use child workflows, signals or activities.' },
            { name: '@temporalio/worker', message: 'Workflow code does not create workers.' },
          ],
          patterns: [
            {
              group: ['../activities/*', '../activities/**', '../../activities/**'],
              allowTypeImports: true,
              message: 'Workflows import activities as types only (proxyActivities<typeof ...>).',
            },
            {
              group: ['../platform/*', '../platform/**', '../../platform/**', '../api/**', '../../api/**', '../generated/**', '../../generated/**'],
              message: 'Workflow code does no I/O: platform, API and database code belongs in activities.',
            },
            {
              group: ['pg', '@prisma/*', 'nodemailer', 'express', 'pino', 'pino-*', 'handlebars', 'dotenv', 'dotenv/*'],
              message: 'Workflow code does no I/O: this library belongs in activities.',
            },
          ],
        },
      ],
    },
  },
  // Imports run one way: domain -> nothing of ours; platform -> domain; activities -> domain, platform;
  // workflows -> domain and activity types (above); api and workers -> the layers below; scripts -> anything but tests.
  ...[
    { files: ['domain/**/*.ts'], group: ['../**'], message: 'domain/ holds pure rules and imports nothing of ours.' },
    { files: ['platform/**/*.ts'], group: ['**/workflows/**', '**/activities/**', '**/api/**', '**/workers/**'], message: 'platform/ imports only domain/.' },
    {
      files: ['activities/**/*.ts'],
      group: ['**/workflows/**', '**/api/**', '**/workers/**'],
      message: 'activities/ import domain/ and platform/ only (a starter is injected).',
    },
    { files: ['scripts/**/*.ts'], group: ['**/tests/**'], message: 'scripts/ may use anything but tests/ (shared infrastructure lives in scripts/kit/).' },
  ].map(({ files, group, message }) => ({ files, rules: { 'no-restricted-imports': ['error', { patterns: [{ group, message }] }] } })),
  {
    files: ['activities/**/*.ts'],
    languageOptions: { parserOptions: { projectService: true, tsconfigRootDir: import.meta.dirname } },
    rules: {
      // An activity that forgets to await a side effect reports success before it happened.
      '@typescript-eslint/no-floating-promises': 'error',
    },
  },
);
