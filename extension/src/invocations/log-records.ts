/**
 * Function and extension log lines (Telemetry API `function`/`extension` records) as OTLP log
 * records. JSON lines: `level` → severity, `message` → body, `requestId` → faas.invocation.id,
 * `trace_id`/`span_id` → the record's trace context, every other field → an attribute. Text lines
 * from the runtime client (`ISO\treqId\tLEVEL\tmessage`) are split the same way; anything else
 * becomes the body as it is.
 */
import { attr, getAttr, toAnyValue } from '../otlp/types.ts';
import type { InstrumentationScope, KeyValue, LogRecord, Resource } from '../otlp/types.ts';
import { OWN_LOGGER_NAME } from '../logger.ts';
import { msToUnixNano } from './trace-context.ts';

export const INVOCATION_ID_KEY = 'faas.invocation.id';
/** The name before semantic conventions 1.45, still written by other SDKs' Lambda instrumentations. */
export const LEGACY_INVOCATION_ID_KEY = 'faas.invocation_id';

/** The invocation a span or log record belongs to, under either name. */
export function invocationIdOf(attributes: readonly KeyValue[] | undefined): string | number | boolean | undefined {
  return getAttr(attributes, INVOCATION_ID_KEY) ?? getAttr(attributes, LEGACY_INVOCATION_ID_KEY);
}

const SEVERITY: Record<string, number> = {
  TRACE: 1,
  DEBUG: 5,
  INFO: 9,
  LOG: 9,
  NOTICE: 10,
  WARN: 13,
  WARNING: 13,
  ERROR: 17,
  FATAL: 21,
  CRITICAL: 21,
};

/** Fields lifted out of a JSON line into the record itself rather than its attributes. */
const LIFTED = new Set([
  'level',
  'message',
  'msg',
  'timestamp',
  'time',
  'requestId',
  'AWSRequestId',
  'trace_id',
  'span_id',
  'traceId',
  'spanId',
  'trace_flags',
]);

export interface ParsedLogLine {
  readonly log: LogRecord;
  readonly requestId: string | undefined;
}

/**
 * Turns one line into a log record. `fallbackRequestId` is the invocation in progress, used for
 * lines that name none. Returns undefined for the extension's own lines.
 */
export function logLineToRecord(
  source: 'function' | 'extension',
  record: string | Record<string, unknown>,
  recordTimeMs: number,
  fallbackRequestId: string | undefined,
): ParsedLogLine | undefined {
  const structured = typeof record === 'string' ? parseJsonObject(record) : record;
  if (structured) {
    if (source === 'extension' && structured.logger === OWN_LOGGER_NAME) return undefined;
    return fromStructured(source, structured, recordTimeMs, fallbackRequestId);
  }
  const line = (record as string).replace(/\n$/, '');
  const text = /^(\d{4}-\d\d-\d\dT[^\t]+)\t([^\t]*)\t([A-Z]+)\t([\s\S]*)$/.exec(line);
  if (text) {
    const requestId = text[2] && text[2] !== 'undefined' ? text[2] : fallbackRequestId;
    return build(source, {
      timeMs: parseTime(text[1]) ?? recordTimeMs,
      observedMs: recordTimeMs,
      level: text[3],
      body: { stringValue: text[4]! },
      requestId,
      attributes: [],
    });
  }
  return build(source, {
    timeMs: recordTimeMs,
    observedMs: recordTimeMs,
    level: undefined,
    body: { stringValue: line },
    requestId: fallbackRequestId,
    attributes: [],
  });
}

function fromStructured(
  source: 'function' | 'extension',
  fields: Record<string, unknown>,
  recordTimeMs: number,
  fallbackRequestId: string | undefined,
): ParsedLogLine {
  const requestId = stringField(fields.requestId) ?? stringField(fields.AWSRequestId) ?? fallbackRequestId;
  const message = fields.message ?? fields.msg;
  const attributes: KeyValue[] = [];
  for (const [key, value] of Object.entries(fields)) {
    if (LIFTED.has(key) || value === undefined) continue;
    attributes.push({ key, value: toAnyValue(value) });
  }
  const parsed = build(source, {
    timeMs: parseTime(fields.timestamp ?? fields.time) ?? recordTimeMs,
    observedMs: recordTimeMs,
    level: stringField(fields.level),
    body: message === undefined ? toAnyValue(JSON.stringify(fields)) : toAnyValue(message),
    requestId,
    attributes,
  });
  const traceId = stringField(fields.trace_id) ?? stringField(fields.traceId);
  const spanId = stringField(fields.span_id) ?? stringField(fields.spanId);
  if (traceId && /^[0-9a-f]{32}$/i.test(traceId)) parsed.log.traceId = traceId.toLowerCase();
  if (spanId && /^[0-9a-f]{16}$/i.test(spanId)) parsed.log.spanId = spanId.toLowerCase();
  return parsed;
}

function build(
  source: string,
  parts: { timeMs: number; observedMs: number; level: string | undefined; body: LogRecord['body']; requestId: string | undefined; attributes: KeyValue[] },
): ParsedLogLine {
  const attributes = [...parts.attributes, attr('log.source', source)];
  if (parts.requestId) attributes.push(attr(INVOCATION_ID_KEY, parts.requestId));
  const log: LogRecord = {
    timeUnixNano: msToUnixNano(parts.timeMs),
    observedTimeUnixNano: msToUnixNano(parts.observedMs),
    body: parts.body,
    attributes,
  };
  if (parts.level) {
    log.severityText = parts.level.toUpperCase();
    const number = SEVERITY[log.severityText];
    if (number !== undefined) log.severityNumber = number;
  }
  return { log, requestId: parts.requestId };
}

/** The scope of every record the extension creates. */
export const EXTENSION_SCOPE: InstrumentationScope = { name: '@lambda-otel/extension' };

/** A Resource from plain string attributes. */
export function resourceFrom(attributes: Readonly<Record<string, string>>): Resource {
  return { attributes: Object.entries(attributes).map(([key, value]) => attr(key, value)) };
}

function parseJsonObject(line: string): Record<string, unknown> | undefined {
  const trimmed = line.trim();
  if (!trimmed.startsWith('{') || !trimmed.endsWith('}')) return undefined;
  try {
    const value: unknown = JSON.parse(trimmed);
    return typeof value === 'object' && value !== null && !Array.isArray(value) ? (value as Record<string, unknown>) : undefined;
  } catch {
    return undefined;
  }
}

function stringField(value: unknown): string | undefined {
  return typeof value === 'string' && value !== '' ? value : undefined;
}

function parseTime(value: unknown): number | undefined {
  if (typeof value === 'number' && Number.isFinite(value)) {
    // Epoch in ns, µs or ms, told apart by magnitude.
    if (value > 1e17) return value / 1e6;
    if (value > 1e14) return value / 1e3;
    return value;
  }
  if (typeof value !== 'string') return undefined;
  const ms = Date.parse(value);
  return Number.isFinite(ms) ? ms : undefined;
}
