import { defineConfig } from 'vitest/config';

/**
 * Shared by every workspace's vitest config: resolve `@sockkit/*` to their `src/`
 * through the `@sockkit/source` export condition, so tests never need a build.
 */
export default defineConfig({
  resolve: { conditions: ['@sockkit/source', 'module', 'node', 'import', 'default'] },
  ssr: {
    resolve: {
      conditions: ['@sockkit/source', 'module', 'node', 'import', 'default'],
      externalConditions: ['@sockkit/source'],
    },
  },
  test: {
    include: ['test/**/*.test.ts'],
    testTimeout: 20_000,
    hookTimeout: 20_000,
    teardownTimeout: 5_000,
    pool: 'forks',
  },
});
