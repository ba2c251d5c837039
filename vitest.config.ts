// One vitest project per package plus the end-to-end project. Unit projects run their files in
// parallel worker threads. The end-to-end and bench projects spawn real Lambda environments
// (emulator, runtime, extensions, sinks) in forks, one file at a time (fileParallelism false).
//
// Two at a time would be safe from collisions: every sandbox has its own receiver port and every sink
// a free port, and no run had an EADDRINUSE. It is not safe from the CPU: on 2 cores, the e2e project
// twice each way (a machine shared with other work, load 8–13) gave one at a time 472 s and 449 s
// with 3 failures each, two at a time 357 s with 4 failures and 152 s with 1; every failure but one
// was a timing assertion (a frozen extension's timer ticking, a periodic flush interval, the shutdown
// deadline), which a second environment only makes likelier (the other was a verifier bug, fixed).
// Also, package-install.test.ts runs `npm pack`, whose prepack rebuilds packages/instrument/dist
// that other files bundle from. So: one file at a time; the unit projects carry the parallelism.
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
          // One file at a time: see the top of this file.
          fileParallelism: false,
        },
      },
    ],
  },
});
