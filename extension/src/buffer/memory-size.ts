/**
 * What a buffered item costs in the heap, so that LAMBDA_OTEL_BUFFER_MAX_BYTES bounds memory and
 * not some smaller wire size. A decoded span is a tree of small objects and strings: an empty one
 * takes about 700 bytes in V8 (64-bit), each attribute about 150 more, while its protobuf
 * encoding is under 100 bytes. The constants below were measured with forced GCs on decoded
 * OpenTelemetry SDK spans and Telemetry API log lines (empty spans, 1 to 30 attributes, 4 KiB
 * strings, events); they err on the high side, by up to about a third for the smallest items
 * (test/memory-size.test.ts checks the estimate against the heap).
 *
 * A resource and scope are shared by every item of one request, so they are counted once per
 * request ({@link envelopeMemoryBytes}), not once per item.
 */
import type { AnyValue, InstrumentationScope, KeyValue, LogItem, Resource, SpanItem } from '../otlp/types.ts';

/** The buffer entry, the item wrapper, a span's ids, times, status and empty lists. */
const SPAN_BYTES = 720;
/** The buffer entry, the item wrapper, a log record's times and fields. */
const LOG_BYTES = 600;
/** One KeyValue: the pair, the AnyValue holder and the key string's header. */
const KEY_VALUE_BYTES = 140;
/** A string's header, rounded. */
const STRING_BYTES = 24;
const EVENT_BYTES = 200;
const LINK_BYTES = 300;
/** Deep values are cut off at the same depth as the codec's. */
const MAX_DEPTH = 32;

/** Heap bytes of one span or log record, without its (shared) resource and scope. */
export function recordMemoryBytes(item: SpanItem | LogItem): number {
  if ('span' in item) {
    const span = item.span;
    let n = SPAN_BYTES + span.name.length + (span.traceState?.length ?? 0) + attributesBytes(span.attributes, 0);
    if (span.status?.message) n += STRING_BYTES + span.status.message.length;
    if (span.events) for (const event of span.events) n += EVENT_BYTES + event.name.length + attributesBytes(event.attributes, 0);
    if (span.links) for (const link of span.links) n += LINK_BYTES + (link.traceState?.length ?? 0) + attributesBytes(link.attributes, 0);
    return n;
  }
  const log = item.log;
  return LOG_BYTES + (log.severityText?.length ?? 0) + (log.eventName?.length ?? 0) + anyValueBytes(log.body, 0) + attributesBytes(log.attributes, 0);
}

/** Heap bytes of an item's resource and scope: count once for all the items that share them. */
export function envelopeMemoryBytes(item: { readonly resource: Resource; readonly scope: InstrumentationScope }): number {
  const scope = item.scope;
  return (
    200 + attributesBytes(item.resource?.attributes, 0) + (scope?.name.length ?? 0) + (scope?.version?.length ?? 0) + attributesBytes(scope?.attributes, 0)
  );
}

function attributesBytes(attributes: readonly KeyValue[] | undefined, depth: number): number {
  if (!attributes) return 0;
  let n = 0;
  for (const kv of attributes) n += KEY_VALUE_BYTES + kv.key.length + anyValueBytes(kv.value, depth);
  return n;
}

function anyValueBytes(value: AnyValue | undefined, depth: number): number {
  if (!value || depth > MAX_DEPTH) return 0;
  if (value.stringValue !== undefined) return STRING_BYTES + value.stringValue.length;
  if (value.intValue !== undefined) return STRING_BYTES + value.intValue.length;
  if (value.bytesValue !== undefined) return STRING_BYTES + value.bytesValue.length;
  if (value.arrayValue) {
    let n = 64;
    for (const element of value.arrayValue.values) n += 40 + anyValueBytes(element, depth + 1);
    return n;
  }
  if (value.kvlistValue) return 64 + attributesBytes(value.kvlistValue.values, depth + 1);
  // bool and double: the value lives in the holder.
  return 16;
}
