// Lint: typescript-eslint recommended everywhere; models/ may not import IO (node:*, Kafka, ClickHouse,
// logging, metrics) so that every model stays pure and testable without a server.
import js from '@eslint/js';
import tseslint from 'typescript-eslint';

const ioModules = ['node:*', 'fs', 'path', 'os', 'kafkajs', '@clickhouse/*', 'chdb', 'chdb/*', 'pino', 'prom-client', 'fastify', 'p-queue'];

export default tseslint.config(
  { ignores: ['node_modules/**', 'data/**', 'ops/kafka-mock/build/**', '**/*.js', '!eslint.config.js'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    rules: {
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      'no-empty': ['error', { allowEmptyCatch: false }],
    },
  },
  {
    files: ['models/**/*.ts'],
    rules: {
      'no-restricted-imports': ['error', { patterns: ioModules.map((group) => ({ group: [group], message: 'models/ is pure: no IO imports.' })) }],
      'no-restricted-globals': ['error', { name: 'Date', message: 'models/ takes time as an argument.' }, { name: 'process', message: 'models/ reads no environment.' }],
      'no-restricted-properties': ['error', { object: 'Math', property: 'random', message: 'Use a seeded generator passed in.' }],
    },
  },
);
