// One vitest project per package plus the end-to-end project. Unit projects run their files in
// parallel worker threads; the end-to-end and bench projects spawn real Lambda environments
// (runtime, extensions, sinks), so their files run one at a time in forks: two environments would
// fight over the CPU that their timing-sensitive assertions (freeze, deadlines) depend on.
import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    reporters: ['default'],
    coverage: {
      provider: 'v8',
      reportOnFailure: true,
      include: ['packages/instrument/src/**', 'packages/emulator/src/**', 'extension/src/**'],
      // Per package: scripts/coverage-by-package.ts reads the json summary (npm run coverage).
      reporter: ['text-summary', 'json-summary', 'html'],
    },
    projects: [
      { test: { name: 'instrument', include: ['packages/instrument/test/**/*.test.ts'], testTimeout: 30_000, pool: 'threads' } },
      { test: { name: 'emulator', include: ['packages/emulator/test/**/*.test.ts'], testTimeout: 30_000, pool: 'threads' } },
      { test: { name: 'extension', include: ['extension/test/**/*.test.ts'], testTimeout: 30_000, pool: 'threads' } },
      {
        test: {
          name: 'e2e',
          include: ['test/**/*.test.ts', 'bench/test/**/*.test.ts'],
          testTimeout: 180_000,
          hookTimeout: 180_000,
          pool: 'forks',
          fileParallelism: false,
        },
      },
    ],
  },
});
