/**
 * Turns one logger call into one JSON line. Pure: the clock and the correlation are passed in.
 */
import type { LogLevel } from './log-level.ts';

export type LogFields = Record<string, unknown>;

/** What ties a line to an invocation and its trace; every field is optional. */
export type Correlation = { requestId?: string; traceId?: string; spanId?: string };

/** Keys the logger owns; an extra field with one of these names is dropped so a line stays parseable. */
const RESERVED_KEYS = new Set(['timestamp', 'level', 'message', 'requestId', 'trace_id', 'span_id']);

/** Lambda's shape for an error (the same names the runtime client uses in JSON log format). */
export type ErrorFields = { errorType: string; errorMessage: string; stackTrace: string[] };

export function errorFields(error: Error): ErrorFields {
  // A subclass that does not set `name` still says what it is through its constructor.
  const ctorName = (error.constructor as { name?: unknown } | undefined)?.name;
  const errorType = error.name && error.name !== 'Error' ? error.name : typeof ctorName === 'string' && ctorName ? ctorName : 'Error';
  return {
    errorType,
    errorMessage: String(error.message),
    stackTrace: typeof error.stack === 'string' ? error.stack.split('\n') : [],
  };
}

/**
 * Builds the line (without the trailing newline). The first Error value found in `fields` is
 * spread into top-level errorType/errorMessage/stackTrace; any other Error is nested in that shape.
 *
 * @example
 * formatLogLine({ timestamp: new Date(0), level: 'INFO', message: 'hi', correlation: { requestId: 'r1' } });
 * // '{"timestamp":"1970-01-01T00:00:00.000Z","level":"INFO","message":"hi","requestId":"r1"}'
 */
export function formatLogLine(input: {
  timestamp: Date;
  level: LogLevel;
  message: string;
  correlation?: Correlation | undefined;
  fields?: LogFields | undefined;
}): string {
  const record: Record<string, unknown> = {
    timestamp: input.timestamp.toISOString(),
    level: input.level,
    message: typeof input.message === 'string' ? input.message : String(input.message),
  };
  const correlation = input.correlation;
  if (correlation) {
    if (correlation.requestId) record.requestId = correlation.requestId;
    if (correlation.traceId) record.trace_id = correlation.traceId;
    if (correlation.spanId) record.span_id = correlation.spanId;
  }
  const fields = input.fields;
  if (fields && typeof fields === 'object') {
    let errorSpread = false;
    for (const key of Object.keys(fields)) {
      if (RESERVED_KEYS.has(key)) continue;
      const value = fields[key];
      if (!errorSpread && value instanceof Error) {
        errorSpread = true;
        Object.assign(record, errorFields(value));
        continue;
      }
      if (key === 'errorType' || key === 'errorMessage' || key === 'stackTrace') {
        // Explicit error fields are kept unless an Error value already filled them.
        if (errorSpread) continue;
      }
      record[key] = value;
    }
  }
  return stringifyRecord(record);
}

function plainReplacer(_key: string, value: unknown): unknown {
  if (typeof value === 'bigint') return value.toString();
  if (value instanceof Error) return errorFields(value);
  return value;
}

/** JSON.stringify that never throws: bigint becomes a string, cycles become "[Circular]". */
export function stringifyRecord(record: Record<string, unknown>): string {
  try {
    return JSON.stringify(record, plainReplacer);
  } catch {
    return JSON.stringify(record, cycleSafeReplacer());
  }
}

function cycleSafeReplacer(): (this: unknown, key: string, value: unknown) => unknown {
  const ancestors: unknown[] = [];
  return function replace(this: unknown, _key: string, value: unknown): unknown {
    const plain = plainReplacer(_key, value);
    if (typeof plain !== 'object' || plain === null) return plain;
    // `this` is the object holding the key: unwind the path back to it before checking for a cycle.
    while (ancestors.length > 0 && ancestors[ancestors.length - 1] !== this) ancestors.pop();
    if (ancestors.includes(plain)) return '[Circular]';
    ancestors.push(plain);
    return plain;
  };
}
