// Lambda's memory limit, when asked for (EmulatorOptions.enforceMemoryLimit): while an invoke runs,
// the sandbox's memory (every process's RSS, as Lambda counts the whole environment) is sampled;
// past the configured size the runtime is killed and the invoke fails with Runtime.OutOfMemory,
// as Lambda reports it. Off by default: a developer machine's processes are larger than Lambda's.
import type { SandboxContext } from './context.ts';
import { groupMemory } from './memory.ts';
import { kill } from './processes.ts';

const SAMPLE_MS = 20;

/** Starts watching; returns the function that stops it. */
export function watchMemoryLimit(sandbox: SandboxContext, memoryMb: number): () => void {
  const limitKb = memoryMb * 1024;
  const timer = setInterval(() => {
    if (sandbox.state.failure) return;
    const live = sandbox.processes.running();
    const { rssKb } = groupMemory(live.map((proc) => proc.pid));
    if (rssKb <= limitKb) return;
    // Kill first, then record the failure: the transition wakes whoever waits on the invoke.
    for (const proc of live) if (proc.role === 'runtime') kill(proc);
    sandbox.state.failed({
      status: 'error',
      errorType: 'Runtime.OutOfMemory',
      errorMessage: `Runtime exited with error: signal: killed (the sandbox used ${(rssKb / 1024).toFixed(1)} MB of its ${memoryMb} MB)`,
      reason: 'failure',
    });
  }, SAMPLE_MS);
  timer.unref();
  return () => clearInterval(timer);
}
