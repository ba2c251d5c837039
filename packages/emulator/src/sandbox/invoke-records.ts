// The platform records of one invocation: platform.start, platform.runtimeDone (metrics and the
// responseLatency/responseDuration/runtimeOverhead spans) and platform.report (durations, memory, init on a cold start).
import { isoTime, roundMs, type Tracing } from '../api/telemetry/records.ts';
import type { Invocation } from '../invoke/invocation.ts';
import type { TelemetryDispatcher } from '../api/telemetry/dispatcher.ts';
import type { InvocationResult, InvocationStatus } from '../types.ts';
import { groupMemory } from './memory.ts';

export function tracingOf(invocation: Invocation): Tracing | undefined {
  if (!invocation.traceHeader) return undefined;
  return { type: 'X-Amzn-Trace-Id', value: invocation.traceHeader };
}

/** The error type platform records carry: the platform's classification, not the function's own name. */
function platformErrorOf(invocation: Invocation, status: string): string | undefined {
  return status === 'success' ? undefined : (invocation.platformErrorType ?? invocation.errorType);
}

export function emitStart(dispatcher: TelemetryDispatcher, invocation: Invocation): void {
  const tracing = tracingOf(invocation);
  dispatcher.emit({ type: 'platform.start', record: { requestId: invocation.requestId, version: '$LATEST', ...(tracing ? { tracing } : {}) } });
}

/** `fallbackStatus`: the environment's failure when the runtime never answered. */
export function emitRuntimeDone(dispatcher: TelemetryDispatcher, invocation: Invocation, atMs: number, fallbackStatus?: InvocationStatus): void {
  invocation.runtimeDoneAtMs = atMs;
  const status = invocation.status ?? fallbackStatus ?? 'failure';
  const responseAtMs = invocation.responseAtMs ?? atMs;
  const responseStartMs = invocation.responseStartMs ?? responseAtMs;
  const tracing = tracingOf(invocation);
  const errorType = platformErrorOf(invocation, status);
  dispatcher.emit({
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

export interface ReportMemory {
  memorySizeMB: number;
  /** The process groups whose memory counts now, and the peak of those already gone. */
  groupIds: number[];
  earlierPeakKb: number;
}

export function emitReport(dispatcher: TelemetryDispatcher, invocation: Invocation, result: InvocationResult, memoryUse: ReportMemory): void {
  const memory = groupMemory(memoryUse.groupIds);
  const tracing = tracingOf(invocation);
  const errorType = platformErrorOf(invocation, result.status);
  dispatcher.emit({
    type: 'platform.report',
    record: {
      requestId: invocation.requestId,
      status: result.status,
      ...(errorType ? { errorType } : {}),
      metrics: {
        durationMs: result.durationMs,
        billedDurationMs: Math.max(1, Math.ceil(result.durationMs)),
        memorySizeMB: memoryUse.memorySizeMB,
        maxMemoryUsedMB: Math.max(1, Math.round(Math.max(memory.peakKb, memoryUse.earlierPeakKb) / 1024)),
        ...(result.initDurationMs !== undefined ? { initDurationMs: result.initDurationMs } : {}),
      },
      ...(tracing ? { tracing } : {}),
    },
  });
}
