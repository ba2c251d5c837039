// The extension's in-memory telemetry model: the OTLP/JSON shape (proto3 JSON mapping) — lowerCamelCase
// keys, trace/span ids as lowercase hex, int64 as decimal strings, enums as numbers. Protobuf and JSON
// requests decode into it and encode from it, so the buffer and exporters never see wire formats.

export interface AnyValue {
  stringValue?: string;
  boolValue?: boolean;
  /** int64 as a decimal string. */
  intValue?: string;
  doubleValue?: number;
  arrayValue?: { values: AnyValue[] };
  kvlistValue?: { values: KeyValue[] };
  /** Base64 (standard alphabet). */
  bytesValue?: string;
}

export interface KeyValue {
  key: string;
  value: AnyValue;
}

export interface Resource {
  attributes: KeyValue[];
  droppedAttributesCount?: number;
}

export interface InstrumentationScope {
  name: string;
  version?: string;
  attributes?: KeyValue[];
  droppedAttributesCount?: number;
}

export const SpanKind = {
  unspecified: 0,
  internal: 1,
  server: 2,
  client: 3,
  producer: 4,
  consumer: 5,
} as const;

export const StatusCode = { unset: 0, ok: 1, error: 2 } as const;

export interface SpanEvent {
  timeUnixNano: string;
  name: string;
  attributes: KeyValue[];
  droppedAttributesCount?: number;
}

export interface SpanLink {
  traceId: string;
  spanId: string;
  traceState?: string;
  attributes: KeyValue[];
  droppedAttributesCount?: number;
  flags?: number;
}

export interface SpanStatus {
  code: number;
  message?: string;
}

export interface Span {
  /** 32 lowercase hex characters. */
  traceId: string;
  /** 16 lowercase hex characters. */
  spanId: string;
  /** 16 lowercase hex characters; absent or '' for a root span. */
  parentSpanId?: string;
  traceState?: string;
  flags?: number;
  name: string;
  /** One of {@link SpanKind}. */
  kind: number;
  startTimeUnixNano: string;
  endTimeUnixNano: string;
  attributes: KeyValue[];
  droppedAttributesCount?: number;
  events?: SpanEvent[];
  droppedEventsCount?: number;
  links?: SpanLink[];
  droppedLinksCount?: number;
  status?: SpanStatus;
}

export interface ScopeSpans {
  scope?: InstrumentationScope;
  spans: Span[];
  schemaUrl?: string;
}

export interface ResourceSpans {
  resource?: Resource;
  scopeSpans: ScopeSpans[];
  schemaUrl?: string;
}

export interface ExportTraceServiceRequest {
  resourceSpans: ResourceSpans[];
}

export interface LogRecord {
  timeUnixNano: string;
  observedTimeUnixNano: string;
  severityNumber?: number;
  severityText?: string;
  body?: AnyValue;
  attributes: KeyValue[];
  droppedAttributesCount?: number;
  flags?: number;
  traceId?: string;
  spanId?: string;
  eventName?: string;
}

export interface ScopeLogs {
  scope?: InstrumentationScope;
  logRecords: LogRecord[];
  schemaUrl?: string;
}

export interface ResourceLogs {
  resource?: Resource;
  scopeLogs: ScopeLogs[];
  schemaUrl?: string;
}

export interface ExportLogsServiceRequest {
  resourceLogs: ResourceLogs[];
}

/**
 * One span with the resource and scope it was reported under. Items flattened from one request share
 * the same resource/scope objects, which lets {@link groupSpans} regroup them cheaply.
 */
export interface SpanItem {
  resource: Resource;
  scope: InstrumentationScope;
  span: Span;
  /** ResourceSpans.schemaUrl, kept so regrouping does not lose it. */
  resourceSchemaUrl?: string;
  /** ScopeSpans.schemaUrl. */
  scopeSchemaUrl?: string;
}

/** One log record with its resource and scope (see {@link SpanItem}). */
export interface LogItem {
  resource: Resource;
  scope: InstrumentationScope;
  log: LogRecord;
  resourceSchemaUrl?: string;
  scopeSchemaUrl?: string;
}

const emptyScope = (): InstrumentationScope => ({ name: '' });
const emptyResource = (): Resource => ({ attributes: [] });

/**
 * Splits a request into one item per span.
 * @example
 * const items = flattenTraces(decodeTraceRequest(body, 'application/x-protobuf', 'gzip', { maxDecodedBytes: 4 << 20 }));
 */
export function flattenTraces(req: ExportTraceServiceRequest): SpanItem[] {
  const items: SpanItem[] = [];
  for (const rs of req.resourceSpans ?? []) {
    const resource = rs.resource ?? emptyResource();
    for (const ss of rs.scopeSpans ?? []) {
      const scope = ss.scope ?? emptyScope();
      for (const span of ss.spans ?? []) {
        const item: SpanItem = { resource, scope, span };
        if (rs.schemaUrl) item.resourceSchemaUrl = rs.schemaUrl;
        if (ss.schemaUrl) item.scopeSchemaUrl = ss.schemaUrl;
        items.push(item);
      }
    }
  }
  return items;
}

/** Splits a request into one item per log record. */
export function flattenLogs(req: ExportLogsServiceRequest): LogItem[] {
  const items: LogItem[] = [];
  for (const rl of req.resourceLogs ?? []) {
    const resource = rl.resource ?? emptyResource();
    for (const sl of rl.scopeLogs ?? []) {
      const scope = sl.scope ?? emptyScope();
      for (const log of sl.logRecords ?? []) {
        const item: LogItem = { resource, scope, log };
        if (rl.schemaUrl) item.resourceSchemaUrl = rl.schemaUrl;
        if (sl.schemaUrl) item.scopeSchemaUrl = sl.schemaUrl;
        items.push(item);
      }
    }
  }
  return items;
}

// Content keys are cached per object: items from one request share objects, so each resource and
// scope is serialised once per grouping, not once per span.
function contentKeyOf(cache: Map<object, string>, value: object, extra: string | undefined): string {
  let key = cache.get(value);
  if (key === undefined) {
    key = JSON.stringify(value);
    cache.set(value, key);
  }
  return extra ? `${key}\u0000${extra}` : key;
}

export interface Grouped<R, S, T> {
  resource: R;
  resourceSchemaUrl: string | undefined;
  scopes: Map<string, { scope: S; scopeSchemaUrl: string | undefined; records: T[] }>;
}

/** Groups items by resource, then scope (equal content counts as equal); shared by every signal's grouping. */
export function group<T>(
  items: readonly { resource: Resource; scope: InstrumentationScope; resourceSchemaUrl?: string; scopeSchemaUrl?: string }[],
  recordOf: (index: number) => T,
): Grouped<Resource, InstrumentationScope, T>[] {
  const cache = new Map<object, string>();
  const resources = new Map<string, Grouped<Resource, InstrumentationScope, T>>();
  items.forEach((item, index) => {
    const resourceKey = contentKeyOf(cache, item.resource, item.resourceSchemaUrl);
    let resourceGroup = resources.get(resourceKey);
    if (!resourceGroup) {
      resourceGroup = { resource: item.resource, resourceSchemaUrl: item.resourceSchemaUrl, scopes: new Map() };
      resources.set(resourceKey, resourceGroup);
    }
    const scopeKey = contentKeyOf(cache, item.scope, item.scopeSchemaUrl);
    let scopeGroup = resourceGroup.scopes.get(scopeKey);
    if (!scopeGroup) {
      scopeGroup = { scope: item.scope, scopeSchemaUrl: item.scopeSchemaUrl, records: [] };
      resourceGroup.scopes.set(scopeKey, scopeGroup);
    }
    scopeGroup.records.push(recordOf(index));
  });
  return [...resources.values()];
}

/**
 * Rebuilds a request from items; items whose resource and scope are the same object or have equal
 * content end up under one ResourceSpans/ScopeSpans.
 */
export function groupSpans(items: readonly SpanItem[]): ExportTraceServiceRequest {
  return {
    resourceSpans: group(items, (i) => items[i]!.span).map((g) => {
      const rs: ResourceSpans = {
        resource: g.resource,
        scopeSpans: [...g.scopes.values()].map((s) => {
          const ss: ScopeSpans = { scope: s.scope, spans: s.records };
          if (s.scopeSchemaUrl) ss.schemaUrl = s.scopeSchemaUrl;
          return ss;
        }),
      };
      if (g.resourceSchemaUrl) rs.schemaUrl = g.resourceSchemaUrl;
      return rs;
    }),
  };
}

/** Log twin of {@link groupSpans}. */
export function groupLogs(items: readonly LogItem[]): ExportLogsServiceRequest {
  return {
    resourceLogs: group(items, (i) => items[i]!.log).map((g) => {
      const rl: ResourceLogs = {
        resource: g.resource,
        scopeLogs: [...g.scopes.values()].map((s) => {
          const sl: ScopeLogs = { scope: s.scope, logRecords: s.records };
          if (s.scopeSchemaUrl) sl.schemaUrl = s.scopeSchemaUrl;
          return sl;
        }),
      };
      if (g.resourceSchemaUrl) rl.schemaUrl = g.resourceSchemaUrl;
      return rl;
    }),
  };
}

/**
 * Builds an attribute. Integers become `intValue`, other numbers `doubleValue`, string arrays an
 * `arrayValue` of strings.
 * @example
 * span.attributes.push(attr('faas.coldstart', true), attr('faas.max_memory', 128));
 */
export function attr(key: string, value: string | number | boolean | string[]): KeyValue {
  return { key, value: toAnyValue(value) };
}

/**
 * Converts any JS value to an AnyValue: objects become kvlists, arrays arrayValues, bigint intValue,
 * Uint8Array bytesValue, null/undefined an empty AnyValue; anything else its string form.
 */
export function toAnyValue(v: unknown): AnyValue {
  return toAnyValueAt(v, 0);
}

// Deep or cyclic structures (e.g. a logged object graph) are cut off rather than overflow the stack;
// 32 levels (3 protobuf messages each) stay under the codec's nesting limit of 128.
const maxAnyValueDepth = 32;

function toAnyValueAt(v: unknown, depth: number): AnyValue {
  switch (typeof v) {
    case 'string':
      return { stringValue: v };
    case 'boolean':
      return { boolValue: v };
    case 'number':
      // Integers within int64 keep their integer type; 1.5, NaN and 1e300 are doubles.
      return Number.isInteger(v) && Math.abs(v) < 2 ** 63 ? { intValue: BigInt(v).toString() } : { doubleValue: v };
    case 'bigint':
      return { intValue: BigInt.asIntN(64, v).toString() };
    case 'undefined':
      return {};
    case 'object': {
      if (v === null) return {};
      if (depth >= maxAnyValueDepth) return { stringValue: '[too deep]' };
      if (v instanceof Uint8Array) return { bytesValue: Buffer.from(v.buffer, v.byteOffset, v.byteLength).toString('base64') };
      if (Array.isArray(v)) return { arrayValue: { values: v.map((e) => toAnyValueAt(e, depth + 1)) } };
      if (v instanceof Date) return { stringValue: Number.isNaN(v.getTime()) ? 'Invalid Date' : v.toISOString() };
      if (v instanceof Error) {
        return {
          kvlistValue: {
            values: [
              { key: 'name', value: { stringValue: v.name } },
              { key: 'message', value: { stringValue: v.message } },
              ...(v.stack ? [{ key: 'stack', value: { stringValue: v.stack } }] : []),
            ],
          },
        };
      }
      return {
        kvlistValue: {
          values: Object.entries(v as Record<string, unknown>).map(([key, value]) => ({ key, value: toAnyValueAt(value, depth + 1) })),
        },
      };
    }
    default:
      return { stringValue: String(v) };
  }
}

/**
 * Reads a scalar attribute: strings and booleans as-is, intValue as a number (precision beyond 2^53
 * is lost), doubleValue as a number; undefined when absent or not a scalar.
 */
export function getAttr(attributes: readonly KeyValue[] | undefined, key: string): string | number | boolean | undefined {
  if (!attributes) return undefined;
  for (const kv of attributes) {
    if (kv.key !== key) continue;
    const v = kv.value;
    if (!v) return undefined;
    if (v.stringValue !== undefined) return v.stringValue;
    if (v.boolValue !== undefined) return v.boolValue;
    if (v.intValue !== undefined) return Number(v.intValue);
    if (v.doubleValue !== undefined) return v.doubleValue;
    return undefined;
  }
  return undefined;
}

// Size estimate: a cheap upper-leaning approximation of the protobuf encoding (ids, fixed64 times,
// tags and length prefixes), used to cut batches before encoding. Resource and scope are counted
// with the item because a batch may end up holding a single item of a resource.
const itemOverheadBytes = 16;

function anyValueBytes(v: AnyValue | undefined, depth = 0): number {
  if (!v || depth > maxAnyValueDepth) return 2;
  if (v.stringValue !== undefined) return 4 + Buffer.byteLength(v.stringValue);
  if (v.boolValue !== undefined) return 4;
  if (v.intValue !== undefined) return 13;
  if (v.doubleValue !== undefined) return 11;
  if (v.bytesValue !== undefined) return 4 + Math.ceil((v.bytesValue.length * 3) / 4);
  if (v.arrayValue) return 6 + v.arrayValue.values.reduce((n, e) => n + 2 + anyValueBytes(e, depth + 1), 0);
  if (v.kvlistValue) return 6 + attributesBytes(v.kvlistValue.values, depth + 1);
  return 2;
}

function attributesBytes(attributes: readonly KeyValue[] | undefined, depth = 0): number {
  if (!attributes) return 0;
  let n = 0;
  for (const kv of attributes) n += 6 + Buffer.byteLength(kv.key) + anyValueBytes(kv.value, depth);
  return n;
}

function spanBytes(span: Span): number {
  let n = 90 + Buffer.byteLength(span.name) + (span.traceState?.length ?? 0) + attributesBytes(span.attributes);
  for (const e of span.events ?? []) n += 20 + Buffer.byteLength(e.name) + attributesBytes(e.attributes);
  for (const l of span.links ?? []) n += 40 + (l.traceState?.length ?? 0) + attributesBytes(l.attributes);
  if (span.status) n += 6 + (span.status.message ? Buffer.byteLength(span.status.message) : 0);
  return n;
}

function logBytes(log: LogRecord): number {
  return 60 + (log.severityText?.length ?? 0) + (log.eventName?.length ?? 0) + anyValueBytes(log.body) + attributesBytes(log.attributes);
}

/** Approximate encoded size in bytes of one item (its record plus its resource and scope). */
export function estimateWireBytes(item: SpanItem | LogItem): number {
  const envelope =
    itemOverheadBytes +
    attributesBytes(item.resource?.attributes) +
    Buffer.byteLength(item.scope?.name ?? '') +
    Buffer.byteLength(item.scope?.version ?? '') +
    attributesBytes(item.scope?.attributes);
  return envelope + ('span' in item ? spanBytes(item.span) : logBytes(item.log));
}
