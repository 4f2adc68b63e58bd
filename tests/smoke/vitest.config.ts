import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    testTimeout: 60_000,
    hookTimeout: 60_000,
    // The restart test stops brokers that the other files use: one file at a time.
    fileParallelism: false,
    maxWorkers: 1,
  },
});
