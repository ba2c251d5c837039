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
import type { SandboxContext } from './context.ts';
import type { Failure } from './state.ts';
import { watchMemoryLimit } from './memory-limit.ts';

export async function runInvoke(sandbox: SandboxContext, invocation: Invocation): Promise<InvocationResult> {
  const { config, dispatcher } = sandbox.deps;
  const state = sandbox.state;
  if (!sandbox.managedInstances) {
    state.invokeStarted();
    thaw(sandbox.processes.all);
  }
  invocation.startMs = nowMs();
  invocation.deadlineMs = Math.floor(Date.now() + config.timeoutMs);
  const initDurationMs = state.claimInitDuration();
  if (initDurationMs !== undefined) invocation.initDurationMs = initDurationMs;
  emitStart(dispatcher, invocation);
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
  const settled = await state.waitUntil(() => invokeSettled(sandbox, invocation), invocation.startMs + config.timeoutMs - nowMs());
  stopMemoryWatch?.();
  // Under Managed Instances a timeout is the invocation's own: the others in flight in the same
  // runtime go on, and the environment is not reset. On demand it ends the environment.
  let ownTimeout: Failure | undefined;
  if (!settled && !state.failure) {
    const timeout: Failure = {
      status: 'timeout',
      errorType: 'Sandbox.Timedout',
      errorMessage: `Task timed out after ${(config.timeoutMs / 1000).toFixed(2)} seconds`,
      reason: 'timeout',
    };
    if (sandbox.managedInstances) ownTimeout = timeout;
    else state.failed(timeout);
  }
  // What ends the invocation: a failure before the response; after it, a dying extension (Lambda
  // reports it so) or the timeout (the response went out, but the invocation did not finish in time).
  const failure = ownTimeout ?? state.failure;
  if (failure && (invocation.state !== 'responded' || failure.errorType.startsWith('Extension.') || failure.status === 'timeout')) {
    invocation.status = failure.status;
    invocation.errorType = failure.errorType;
    invocation.errorMessage = failure.errorMessage;
    invocation.platformErrorType = failure.errorType;
    // A response already delivered stays what the caller got.
    if (invocation.state !== 'responded' || failure.errorType.startsWith('Extension.')) {
      invocation.response = { errorType: failure.errorType, errorMessage: failure.errorMessage };
    }
  }
  const endMs = nowMs();
  if (invocation.runtimeDoneAtMs === undefined) emitRuntimeDone(dispatcher, invocation, endMs, state.failure?.status);
  sandbox.runtime.finish(invocation);
  const result = toResult(invocation, endMs);
  emitReport(dispatcher, invocation, result, {
    memorySizeMB: config.memoryMb,
    groupIds: sandbox.processes.running().map((proc) => proc.pid),
    earlierPeakKb: state.peakKb,
  });
  // A failed environment stays as it is until the reset (SHUTDOWN) that follows.
  if (!sandbox.managedInstances && !state.failure) {
    state.invokeFinished();
    freeze(sandbox.processes.all);
  }
  return result;
}

/** Answered, the runtime back on /next and every INVOKE extension back on /event/next (or a failure). */
function invokeSettled(sandbox: SandboxContext, invocation: Invocation): boolean {
  if (sandbox.state.failure) return true;
  if (invocation.state !== 'responded') return false;
  if (sandbox.managedInstances) return true;
  if (invocation.runtimeDoneAtMs === undefined) return false;
  return sandbox.extensions.invokeSubscribersWaiting();
}
