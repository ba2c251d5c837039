/**
 * Which trace and resource a log record gets at export, as a pure function: a record that names
 * only a request id (a function log line, a REPORT record) gets that invocation's trace context
 * (its root span, else its X-Ray trace), and a record made with the extension's own resource gets
 * the function's once it is known. Changed records are copies; the buffered ones stay as they are.
 */
import type { BufferedEntry } from '../buffer/telemetry-buffer.ts';
import type { Resource } from '../otlp/types.ts';
import { invocationIdOf } from './log-records.ts';

export interface TraceContext {
  readonly traceId: string;
  readonly spanId?: string;
}

export interface Attribution {
  /** The resource the extension gives the records it makes… */
  readonly ownResource: Resource;
  /** …replaced by the function's own, once a root span has shown it. */
  readonly functionResource: Resource | undefined;
  /** The trace context of an invocation, by request id. */
  readonly traceOf: (requestId: string) => TraceContext | undefined;
}

export function attributeLogs(entries: readonly BufferedEntry[], attribution: Attribution): BufferedEntry[] {
  return entries.map((entry) => {
    if (entry.kind !== 'log') return entry;
    const { item } = entry;
    const resource = item.resource === attribution.ownResource && attribution.functionResource ? attribution.functionResource : item.resource;
    const requestId = item.log.traceId ? undefined : invocationIdOf(item.log.attributes);
    const trace = typeof requestId === 'string' ? attribution.traceOf(requestId) : undefined;
    if (resource === item.resource && !trace) return entry;
    return { ...entry, item: { ...item, resource, log: trace ? { ...item.log, ...trace } : item.log } };
  });
}
