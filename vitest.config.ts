import { availableParallelism } from 'node:os';
import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['src/**/*.test.ts', 'test/**/*.test.ts'],
    // Tests that run GDAL or the CLI on generated scenes take seconds, not milliseconds.
    testTimeout: 60_000,
    hookTimeout: 120_000,
    // The suite waits on CLI children, databases and browsers as much as it computes: two files at
    // a time even on 2 cores (805 s instead of 1065 s for the whole suite on this machine).
    maxWorkers: Math.max(2, availableParallelism() - 1),
  },
});
