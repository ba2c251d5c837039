// The SHUTDOWN phase, also run as the reset after a timeout or a failure. Budget: 0 ms with no
// extensions, 500 ms with internal ones only, 2000 ms with any external one. The runtime gets SIGTERM
// and 300 ms (500 ms with internal extensions; SIGKILL at once with a 0 ms budget); then SHUTDOWN
// events go to subscribed extensions, unsubscribed ones are SIGKILLed, and whatever still runs at the
// deadline is SIGKILLed.
import { nowMs, waitAtMost } from '../clock.ts';
import { roundMs } from '../api/telemetry/records.ts';
import type { ProcessOutcome, ShutdownReason, ShutdownResult } from '../types.ts';
import { thaw } from './freeze.ts';
import type { SandboxContext } from './context.ts';
import { groupMemory } from './memory.ts';
import { kill, signalGroup } from './processes.ts';

export function shutdownBudgetMs(sandbox: SandboxContext): number {
  const extensions = sandbox.extensions.all();
  if (sandbox.processes.all.some((proc) => proc.role === 'extension') || extensions.some((ext) => ext.kind === 'external')) return 2000;
  if (extensions.some((ext) => ext.kind === 'internal')) return 500;
  return 0;
}

export async function runShutdown(sandbox: SandboxContext, reason: ShutdownReason): Promise<ShutdownResult> {
  const { dispatcher } = sandbox.deps;
  const processes = sandbox.processes.all;
  const startMs = nowMs();
  sandbox.state.shutdownStarted();
  sandbox.state.notePeakMemory(groupMemory(sandbox.processes.running().map((proc) => proc.pid)).peakKb);
  thaw(processes);
  const budgetMs = shutdownBudgetMs(sandbox);
  const deadlineMs = Date.now() + budgetMs;
  // Whatever telemetry is buffered goes out now; extensions drain it before their deadline.
  dispatcher.setShutdownMode(true);
  const extensions = sandbox.extensions.all();
  const internalOnly = extensions.every((ext) => ext.kind === 'internal') && budgetMs > 0;
  const runtime = sandbox.processes.runtime;
  if (runtime && !runtime.exit) {
    if (budgetMs === 0) kill(runtime);
    else {
      signalGroup(runtime.pid, 'SIGTERM');
      const runtimeBudgetMs = Math.min(internalOnly || extensions.some((ext) => ext.kind === 'internal') ? 500 : 300, budgetMs);
      await waitAtMost(runtime.exited, runtimeBudgetMs);
      kill(runtime);
    }
  }
  for (const proc of processes) {
    if (proc.role !== 'extension' || proc.exit) continue;
    const ext = sandbox.extensions.forProcess(proc);
    if (ext?.events.includes('SHUTDOWN')) sandbox.extensions.deliver(ext, { eventType: 'SHUTDOWN', deadlineMs, shutdownReason: reason });
    else kill(proc);
  }
  const remaining = sandbox.processes.running();
  await waitAtMost(Promise.all(remaining.map((proc) => proc.exited)), deadlineMs - Date.now());
  for (const proc of processes) kill(proc);
  await Promise.all(processes.map((proc) => proc.exited));
  sandbox.cpuLimit?.release();
  dispatcher.setShutdownMode(false);
  dispatcher.clearSubscribers();
  sandbox.runtime.closeParked();
  sandbox.state.shutdownDone();
  const outcomes: ProcessOutcome[] = processes.map((proc) => ({
    name: proc.name,
    pid: proc.pid,
    exitedOnItsOwn: !proc.killedByEmulator,
    exitCode: proc.exit?.code ?? null,
    killed: proc.killedByEmulator,
  }));
  return { reason, durationMs: roundMs(nowMs() - startMs), processes: outcomes };
}
