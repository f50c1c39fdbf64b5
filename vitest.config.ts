// Two projects: `unit` (x.test.ts, no network, seconds) and `integration` (x.int.test.ts: chDB, the
// Kafka-protocol mock broker, whole-pipeline runs). `npm test` runs both, unit first.
import { defineConfig } from 'vitest/config';

const exclude = ['node_modules/**', 'data/**'];

export default defineConfig({
  test: {
    projects: [
      {
        test: {
          name: 'unit',
          include: ['**/*.test.ts'],
          exclude: [...exclude, '**/*.int.test.ts'],
          testTimeout: 10_000,
        },
      },
      {
        test: {
          name: 'integration',
          include: ['**/*.int.test.ts'],
          exclude,
          testTimeout: 120_000,
          hookTimeout: 120_000,
          // chDB binds one data directory per process: every integration file gets its own process.
          pool: 'forks',
          fileParallelism: false,
        },
      },
    ],
  },
});
