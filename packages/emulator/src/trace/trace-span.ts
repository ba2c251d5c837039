// A span as the trace view needs it: times in epoch ms, attributes as plain values, and its events
// and links, whatever produced it (the layer over OTLP, or the platform's own timings).
import type { AnyValue, KeyValue, SpanItem } from '../../../../extension/src/otlp/types.ts';

export type AttributeValue = string | number | boolean | null | AttributeValue[] | { [key: string]: AttributeValue };

export interface TraceSpan {
  traceId: string;
  spanId: string;
  parentSpanId: string;
  name: string;
  kind: 'internal' | 'server' | 'client' | 'producer' | 'consumer' | 'unspecified';
  status: 'unset' | 'ok' | 'error';
  statusMessage: string;
  startMs: number;
  endMs: number;
  attributes: Record<string, AttributeValue>;
  events: { name: string; atMs: number; attributes: Record<string, AttributeValue> }[];
  links: { traceId: string; spanId: string; attributes: Record<string, AttributeValue> }[];
  /** service.name of its resource, or `platform` for the emulator's own timings. */
  service: string;
}

const kinds = ['unspecified', 'internal', 'server', 'client', 'producer', 'consumer'] as const;
const statuses = ['unset', 'ok', 'error'] as const;

export function toTraceSpan(item: SpanItem): TraceSpan {
  const span = item.span;
  return {
    traceId: span.traceId,
    spanId: span.spanId,
    parentSpanId: span.parentSpanId ?? '',
    name: span.name,
    kind: kinds[span.kind] ?? 'unspecified',
    status: statuses[span.status?.code ?? 0] ?? 'unset',
    statusMessage: span.status?.message ?? '',
    startMs: nanosToMs(span.startTimeUnixNano),
    endMs: nanosToMs(span.endTimeUnixNano),
    attributes: plainAttributes(span.attributes),
    events: (span.events ?? []).map((event) => ({ name: event.name, atMs: nanosToMs(event.timeUnixNano), attributes: plainAttributes(event.attributes) })),
    links: (span.links ?? []).map((link) => ({ traceId: link.traceId, spanId: link.spanId, attributes: plainAttributes(link.attributes) })),
    service: String(plainAttributes(item.resource.attributes)['service.name'] ?? ''),
  };
}

function nanosToMs(nanos: string): number {
  // Whole milliseconds from the big part, the rest as a fraction: no precision lost to 2^53.
  const value = BigInt(nanos || '0');
  return Number(value / 1_000_000n) + Number(value % 1_000_000n) / 1e6;
}

function plainAttributes(attributes: readonly KeyValue[] | undefined): Record<string, AttributeValue> {
  const plain: Record<string, AttributeValue> = {};
  for (const { key, value } of attributes ?? []) plain[key] = plainValue(value);
  return plain;
}

function plainValue(value: AnyValue | undefined): AttributeValue {
  if (!value) return null;
  if (value.stringValue !== undefined) return value.stringValue;
  if (value.boolValue !== undefined) return value.boolValue;
  if (value.intValue !== undefined) return Number(value.intValue);
  if (value.doubleValue !== undefined) return value.doubleValue;
  if (value.bytesValue !== undefined) return value.bytesValue;
  if (value.arrayValue) return value.arrayValue.values.map(plainValue);
  if (value.kvlistValue) return plainAttributes(value.kvlistValue.values);
  return null;
}
