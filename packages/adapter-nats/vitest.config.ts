import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    testTimeout: 60_000,
    hookTimeout: 120_000,
    // The suites share one nats-server and restart the persistent one: one file at a time, in one worker.
    fileParallelism: false,
    maxWorkers: 1,
  },
});
