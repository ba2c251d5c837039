/**
 * Ends the runtime process with status 0 once shutdown is done.
 *
 * process.exit() is not enough inside Lambda: it runs libuv's teardown, which joins every thread of
 * the thread pool, and the runtime client keeps one of those threads blocked in its native
 * GET /runtime/invocation/next until the platform answers — which it never does at shutdown. The
 * process would then sit there until SIGKILL. Replacing the process image with `true` (execve,
 * Node ≥ 22.15) skips that teardown: same pid, status 0, at once. Our stdout lines are written
 * synchronously before this runs, so nothing is lost.
 */
import { existsSync } from 'node:fs';

const TRUE_BINARIES = ['/usr/bin/true', '/bin/true'] as const;

export function exitProcess(options: { underRuntimeClient: boolean }): void {
  if (options.underRuntimeClient && typeof process.execve === 'function') {
    for (const file of TRUE_BINARIES) {
      if (!existsSync(file)) continue;
      try {
        process.execve(file, [file], {});
      } catch {
        // Try the next one, then fall back to process.exit.
      }
    }
  }
  process.exit(0);
}
