import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    projects: [
      { test: { name: 'core', include: ['packages/core/src/**/*.test.ts'], testTimeout: 30_000 } },
      // Simulation tests run whole markets for 90 days: seconds each, more on a busy 2-core machine.
      { test: { name: 'sim', include: ['packages/sim/src/**/*.test.ts'], testTimeout: 30_000 } },
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
