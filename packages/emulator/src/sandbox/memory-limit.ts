// Lambda's memory limit, when asked for (EmulatorOptions.enforceMemoryLimit): while an invoke runs,
// the sandbox's memory (every process's RSS, as Lambda counts the whole environment) is sampled;
// past the configured size the runtime is killed and the invoke fails with Runtime.OutOfMemory,
// as Lambda reports it. Off by default: a developer machine's processes are larger than Lambda's.
import type { Sandbox } from './lifecycle.ts';
import { groupMemory } from './memory.ts';
import { kill } from './processes.ts';

const SAMPLE_MS = 20;

/** Starts watching; returns the function that stops it. */
export function watchMemoryLimit(sandbox: Sandbox, memoryMb: number): () => void {
  const limitKb = memoryMb * 1024;
  const timer = setInterval(() => {
    if (sandbox.failure) return;
    const live = sandbox.processes.filter((proc) => !proc.exit);
    const { rssKb } = groupMemory(live.map((proc) => proc.pid));
    if (rssKb <= limitKb) return;
    sandbox.failure = {
      status: 'error',
      errorType: 'Runtime.OutOfMemory',
      errorMessage: `Runtime exited with error: signal: killed (the sandbox used ${(rssKb / 1024).toFixed(1)} MB of its ${memoryMb} MB)`,
      reason: 'failure',
    };
    for (const proc of live) if (proc.role === 'runtime') kill(proc);
    sandbox.changed();
  }, SAMPLE_MS);
  timer.unref();
  return () => clearInterval(timer);
}
