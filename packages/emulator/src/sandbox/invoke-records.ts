// The platform records of one invocation: platform.start, platform.runtimeDone (metrics and the
// responseLatency/responseDuration/runtimeOverhead spans) and platform.report (durations, memory, init on a cold start).
import { isoTime, roundMs, type Tracing } from '../api/telemetry/records.ts';
import type { Invocation } from '../invoke/invocation.ts';
import type { InvocationResult } from '../types.ts';
import type { Sandbox } from './lifecycle.ts';
import { groupMemory } from './memory.ts';

export function tracingOf(invocation: Invocation): Tracing | undefined {
  if (!invocation.traceHeader) return undefined;
  return { type: 'X-Amzn-Trace-Id', value: invocation.traceHeader };
}

/** The error type platform records carry: the platform's classification, not the function's own name. */
function platformErrorOf(invocation: Invocation, status: string): string | undefined {
  return status === 'success' ? undefined : (invocation.platformErrorType ?? invocation.errorType);
}

export function emitStart(sandbox: Sandbox, invocation: Invocation): void {
  const tracing = tracingOf(invocation);
  sandbox.deps.dispatcher.emit({ type: 'platform.start', record: { requestId: invocation.requestId, version: '$LATEST', ...(tracing ? { tracing } : {}) } });
}

export function emitRuntimeDone(sandbox: Sandbox, invocation: Invocation, atMs: number): void {
  invocation.runtimeDoneAtMs = atMs;
  const status = invocation.status ?? sandbox.failure?.status ?? 'failure';
  const responseAtMs = invocation.responseAtMs ?? atMs;
  const responseStartMs = invocation.responseStartMs ?? responseAtMs;
  const tracing = tracingOf(invocation);
  const errorType = platformErrorOf(invocation, status);
  sandbox.deps.dispatcher.emit({
    type: 'platform.runtimeDone',
    record: {
      requestId: invocation.requestId,
      status,
      ...(errorType ? { errorType } : {}),
      metrics: { durationMs: roundMs(atMs - invocation.startMs), producedBytes: invocation.producedBytes },
      spans: [
        { name: 'responseLatency', start: isoTime(invocation.startMs), durationMs: roundMs(responseStartMs - invocation.startMs) },
        { name: 'responseDuration', start: isoTime(responseStartMs), durationMs: roundMs(responseAtMs - responseStartMs) },
        // Response sent → the runtime's next /next: the runtime's own work after the handler.
        { name: 'runtimeOverhead', start: isoTime(responseAtMs), durationMs: roundMs(Math.max(0, atMs - responseAtMs)) },
      ],
      ...(tracing ? { tracing } : {}),
    },
  });
}

export function emitReport(sandbox: Sandbox, invocation: Invocation, result: InvocationResult): void {
  const memory = groupMemory(sandbox.processes.filter((proc) => !proc.exit).map((proc) => proc.pid));
  const tracing = tracingOf(invocation);
  const errorType = platformErrorOf(invocation, result.status);
  sandbox.deps.dispatcher.emit({
    type: 'platform.report',
    record: {
      requestId: invocation.requestId,
      status: result.status,
      ...(errorType ? { errorType } : {}),
      metrics: {
        durationMs: result.durationMs,
        billedDurationMs: Math.max(1, Math.ceil(result.durationMs)),
        memorySizeMB: sandbox.config.memoryMb,
        maxMemoryUsedMB: Math.max(1, Math.round(Math.max(memory.peakKb, sandbox.peakKb) / 1024)),
        ...(result.initDurationMs !== undefined ? { initDurationMs: result.initDurationMs } : {}),
      },
      ...(tracing ? { tracing } : {}),
    },
  });
}
