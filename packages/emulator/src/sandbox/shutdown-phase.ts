// The SHUTDOWN phase, also run as the reset after a timeout or a failure. Budget: 0 ms with no
// extensions, 500 ms with internal ones only, 2000 ms with any external one. The runtime gets SIGTERM
// and 300 ms (500 ms with internal extensions; SIGKILL at once with a 0 ms budget); then SHUTDOWN
// events go to subscribed extensions, unsubscribed ones are SIGKILLed, and whatever still runs at the
// deadline is SIGKILLed.
import { nowMs, waitAtMost } from '../clock.ts';
import { roundMs } from '../api/telemetry/records.ts';
import type { ProcessOutcome, ShutdownReason, ShutdownResult } from '../types.ts';
import { thaw } from './freeze.ts';
import type { Sandbox } from './lifecycle.ts';
import { groupMemory } from './memory.ts';
import { kill, signalGroup } from './processes.ts';

export function shutdownBudgetMs(sandbox: Sandbox): number {
  const extensions = sandbox.extensions.all();
  if (sandbox.processes.some((proc) => proc.role === 'extension') || extensions.some((ext) => ext.kind === 'external')) return 2000;
  if (extensions.some((ext) => ext.kind === 'internal')) return 500;
  return 0;
}

export async function runShutdown(sandbox: Sandbox, reason: ShutdownReason): Promise<ShutdownResult> {
  const { dispatcher } = sandbox.deps;
  const startMs = nowMs();
  sandbox.phase = 'shutdown';
  recordPeakMemory(sandbox);
  thaw(sandbox.processes);
  const budgetMs = shutdownBudgetMs(sandbox);
  const deadlineMs = Date.now() + budgetMs;
  // Whatever telemetry is buffered goes out now; extensions drain it before their deadline.
  dispatcher.setShutdownMode(true);
  const extensions = sandbox.extensions.all();
  const internalOnly = extensions.every((ext) => ext.kind === 'internal') && budgetMs > 0;
  const runtime = sandbox.runtimeProcess;
  if (runtime && !runtime.exit) {
    if (budgetMs === 0) kill(runtime);
    else {
      signalGroup(runtime.pid, 'SIGTERM');
      const runtimeBudgetMs = Math.min(internalOnly || extensions.some((ext) => ext.kind === 'internal') ? 500 : 300, budgetMs);
      await waitAtMost(runtime.exited, runtimeBudgetMs);
      kill(runtime);
    }
  }
  for (const proc of sandbox.processes) {
    if (proc.role !== 'extension' || proc.exit) continue;
    const ext = sandbox.extensions.forProcess(proc);
    if (ext?.events.includes('SHUTDOWN')) sandbox.extensions.deliver(ext, { eventType: 'SHUTDOWN', deadlineMs, shutdownReason: reason });
    else kill(proc);
  }
  const remaining = sandbox.processes.filter((proc) => !proc.exit);
  await waitAtMost(Promise.all(remaining.map((proc) => proc.exited)), deadlineMs - Date.now());
  for (const proc of sandbox.processes) kill(proc);
  await Promise.all(sandbox.processes.map((proc) => proc.exited));
  sandbox.cpuLimit?.release();
  dispatcher.setShutdownMode(false);
  dispatcher.clearSubscribers();
  sandbox.phase = 'gone';
  sandbox.runtime.closeParked();
  sandbox.changed();
  const processes: ProcessOutcome[] = sandbox.processes.map((proc) => ({
    name: proc.name,
    pid: proc.pid,
    exitedOnItsOwn: !proc.killedByEmulator,
    exitCode: proc.exit?.code ?? null,
    killed: proc.killedByEmulator,
  }));
  return { reason, durationMs: roundMs(nowMs() - startMs), processes };
}

function recordPeakMemory(sandbox: Sandbox): void {
  const memory = groupMemory(sandbox.processes.filter((proc) => !proc.exit).map((proc) => proc.pid));
  sandbox.peakKb = Math.max(sandbox.peakKb, memory.peakKb);
}
