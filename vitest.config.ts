import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    projects: [
      { test: { name: 'core', include: ['packages/core/src/**/*.test.ts'] } },
      { test: { name: 'sim', include: ['packages/sim/src/**/*.test.ts'] } },
      {
        test: {
          name: 'app',
          include: ['packages/app/src/**/*.test.ts', 'packages/app/test/**/*.test.ts'],
          testTimeout: 60_000,
          hookTimeout: 120_000,
        },
      },
    ],
  },
});
