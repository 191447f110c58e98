import { defineConfig } from 'vitest/config';

// Three kinds of test file (test/helpers/test-kind.ts): a file's kind is its name or folder.
const UNIT = 'test/**/*.unit.test.ts';
const E2E = ['test/e2e/**/*.test.ts', 'test/**/*.e2e.test.ts'];
const REDIS = ['test/helpers/global-redis.ts'];

export default defineConfig({
  test: {
    testTimeout: 30_000,
    hookTimeout: 120_000,
    projects: [
      {
        extends: true,
        // No global Redis: a unit file that asks for one fails (test/helpers/test-kind.ts).
        test: { name: 'unit', include: [UNIT], env: { CALLGUARD_TEST_KIND: 'unit' } },
      },
      {
        extends: true,
        test: {
          name: 'int',
          include: ['test/**/*.test.ts'],
          exclude: [UNIT, ...E2E],
          globalSetup: REDIS,
          env: { CALLGUARD_TEST_KIND: 'int' },
        },
      },
      {
        extends: true,
        test: { name: 'e2e', include: E2E, globalSetup: REDIS, env: { CALLGUARD_TEST_KIND: 'e2e' } },
      },
    ],
  },
});
