// One invocation's record, from the caller's event to its result.
import { randomUUID } from 'node:crypto';
import type { InvocationResult, InvocationStatus, InvokeOptions, StreamedResponse } from '../types.ts';

export interface Invocation {
  requestId: string;
  payload: Buffer;
  traceHeader: string | undefined;
  options: InvokeOptions;
  /** When the runtime was handed the event (epoch ms). */
  startMs: number;
  deadlineMs: number;
  state: 'queued' | 'running' | 'responded';
  /** First byte of the response (a stream's start), then its end. */
  responseStartMs?: number;
  responseAtMs?: number;
  runtimeDoneAtMs?: number;
  status?: InvocationStatus;
  response?: unknown;
  errorType?: string;
  errorMessage?: string;
  /** The error type the platform records carry (see api/runtime/error-type.ts). */
  platformErrorType?: string;
  producedBytes: number;
  streamed?: StreamedResponse;
  /** A rejected response (413, bad mode) still lets the runtime report an error afterwards. */
  allowLateError: boolean;
  initDurationMs?: number;
}

/** Lambda's limit on a synchronous invocation's event: 6 MB (6,291,456 bytes). */
export const invokePayloadLimitBytes = 6 * 1024 * 1024;

/** The event's size as the runtime will receive it (JSON text, or the bytes as given). */
export function payloadSize(event: unknown): number {
  return Buffer.isBuffer(event) ? event.length : Buffer.byteLength(JSON.stringify(event ?? null));
}

export function newInvocation(event: unknown, options: InvokeOptions, traceHeader: string | undefined): Invocation {
  const payload = Buffer.isBuffer(event) ? event : Buffer.from(JSON.stringify(event ?? null));
  return {
    requestId: randomUUID(),
    payload,
    traceHeader,
    options,
    startMs: 0,
    deadlineMs: 0,
    state: 'queued',
    producedBytes: 0,
    allowLateError: false,
  };
}

export function toResult(invocation: Invocation, endMs: number): InvocationResult {
  const responseAtMs = invocation.responseAtMs ?? endMs;
  const result: InvocationResult = {
    requestId: invocation.requestId,
    status: invocation.status ?? 'failure',
    response: invocation.response ?? null,
    durationMs: round(endMs - invocation.startMs),
    responseLatencyMs: round(responseAtMs - invocation.startMs),
    postRuntimeMs: round(Math.max(0, endMs - responseAtMs)),
  };
  if (invocation.errorType !== undefined) result.errorType = invocation.errorType;
  if (invocation.errorMessage !== undefined) result.errorMessage = invocation.errorMessage;
  if (invocation.initDurationMs !== undefined) result.initDurationMs = invocation.initDurationMs;
  if (invocation.streamed) result.streamed = invocation.streamed;
  return result;
}

function round(ms: number): number {
  return Math.round(ms * 1000) / 1000;
}

/** A response body as the report shows it: parsed JSON when it is JSON, else text. */
export function decodeBody(body: Buffer): unknown {
  const text = body.toString('utf8');
  try {
    return JSON.parse(text);
  } catch {
    return text;
  }
}
