import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['shared/**/*.test.ts', 'services/**/*.test.ts', 'infra/**/*.test.ts', 'web/test/**/*.test.ts'],
    exclude: ['**/node_modules/**', 'web/build/**', 'web/.svelte-kit/**'],
    // PGlite's cold start is ~3 s and integration suites start whole services.
    testTimeout: 30_000,
    hookTimeout: 60_000,
    // 2 cores: a few files at a time; suites isolate by database / prefix, not by process.
    maxWorkers: 2,
    fileParallelism: true,
  },
});
