import js from '@eslint/js';
import tseslint from 'typescript-eslint';

export default tseslint.config(
  { ignores: ['dist/', 'node_modules/', '.lab/', 'coverage/'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    rules: {
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
    },
  },
  {
    // src/core is pure: no I/O imports allowed there.
    files: ['src/core/**/*.ts'],
    rules: {
      'no-restricted-imports': ['error', {
        patterns: ['node:fs*', 'node:child_process', 'node:net', 'node:http*', 'fs', 'child_process',
          'ssh2', 'node-ssh', 'pg', 'ioredis', 'bullmq', '@slack/*', '../transport/*', '../triage/*'],
      }],
    },
  },
);
