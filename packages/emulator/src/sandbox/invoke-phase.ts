// The invoke phase: thaw, release the runtime and the INVOKE extensions together, wait for the
// response, the runtime's next /next and every INVOKE extension's /event/next (all bounded by the
// function timeout), report, then freeze. A timeout or a failure instead leaves the environment
// marked for a reset.
import { nowMs } from '../clock.ts';
import type { ExtensionEvent } from '../api/extensions/events.ts';
import { toResult, type Invocation } from '../invoke/invocation.ts';
import type { InvocationResult } from '../types.ts';
import { freeze, thaw } from './freeze.ts';
import { emitReport, emitRuntimeDone, emitStart } from './invoke-records.ts';
import { watchMemoryLimit } from './memory-limit.ts';
import type { Sandbox } from './lifecycle.ts';

export async function runInvoke(sandbox: Sandbox, invocation: Invocation): Promise<InvocationResult> {
  const { config } = sandbox.deps;
  if (!sandbox.managedInstances) {
    sandbox.phase = 'invoking';
    thaw(sandbox.processes);
  }
  invocation.startMs = nowMs();
  invocation.deadlineMs = Math.floor(Date.now() + config.timeoutMs);
  if (sandbox.unclaimedInitDurationMs !== undefined) {
    invocation.initDurationMs = sandbox.unclaimedInitDurationMs;
    sandbox.unclaimedInitDurationMs = undefined;
  }
  emitStart(sandbox, invocation);
  // Runtime and INVOKE extensions are released together.
  const invokeEvent: ExtensionEvent = {
    eventType: 'INVOKE',
    deadlineMs: invocation.deadlineMs,
    requestId: invocation.requestId,
    invokedFunctionArn: config.functionArn,
    ...(invocation.traceHeader ? { tracing: { type: 'X-Amzn-Trace-Id' as const, value: invocation.traceHeader } } : {}),
  };
  for (const ext of sandbox.extensions.all()) if (ext.events.includes('INVOKE')) sandbox.extensions.deliver(ext, invokeEvent);
  sandbox.runtime.release(invocation);

  const stopMemoryWatch = config.enforceMemoryLimit ? watchMemoryLimit(sandbox, config.memoryMb) : undefined;
  const settled = await sandbox.waitUntil(() => invokeSettled(sandbox, invocation), invocation.startMs + config.timeoutMs - nowMs());
  stopMemoryWatch?.();
  if (!settled && !sandbox.failure) {
    sandbox.failure = {
      status: 'timeout',
      errorType: 'Sandbox.Timedout',
      errorMessage: `Task timed out after ${(config.timeoutMs / 1000).toFixed(2)} seconds`,
      reason: 'timeout',
    };
  }
  // An extension that dies fails the invoke even after the runtime answered (Lambda reports it so).
  const failure = sandbox.failure;
  if (failure && (invocation.state !== 'responded' || failure.errorType.startsWith('Extension.'))) {
    invocation.status = failure.status;
    invocation.errorType = failure.errorType;
    invocation.errorMessage = failure.errorMessage;
    invocation.platformErrorType = failure.errorType;
    invocation.response = { errorType: failure.errorType, errorMessage: failure.errorMessage };
  }
  const endMs = nowMs();
  if (invocation.runtimeDoneAtMs === undefined) emitRuntimeDone(sandbox, invocation, endMs);
  sandbox.runtime.finish(invocation);
  const result = toResult(invocation, endMs);
  emitReport(sandbox, invocation, result);
  if (!sandbox.managedInstances && !sandbox.failure) {
    sandbox.phase = 'ready';
    freeze(sandbox.processes);
  }
  return result;
}

/** Answered, the runtime back on /next and every INVOKE extension back on /event/next (or a failure). */
function invokeSettled(sandbox: Sandbox, invocation: Invocation): boolean {
  if (sandbox.failure) return true;
  if (invocation.state !== 'responded') return false;
  if (sandbox.managedInstances) return true;
  if (invocation.runtimeDoneAtMs === undefined) return false;
  return sandbox.extensions.invokeSubscribersWaiting();
}
