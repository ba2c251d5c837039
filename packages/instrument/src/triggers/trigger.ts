import type { Attributes, SpanKind } from '@opentelemetry/api';
import type {
  FAAS_TRIGGER_VALUE_DATASOURCE,
  FAAS_TRIGGER_VALUE_HTTP,
  FAAS_TRIGGER_VALUE_OTHER,
  FAAS_TRIGGER_VALUE_PUBSUB,
  FAAS_TRIGGER_VALUE_TIMER,
} from '@opentelemetry/semantic-conventions/incubating';

/** A `faas.trigger` value the plugin writes (the semantic conventions' enum, `pubsub` … `other`). */
export type FaasTrigger =
  | typeof FAAS_TRIGGER_VALUE_HTTP
  | typeof FAAS_TRIGGER_VALUE_PUBSUB
  | typeof FAAS_TRIGGER_VALUE_DATASOURCE
  | typeof FAAS_TRIGGER_VALUE_TIMER
  | typeof FAAS_TRIGGER_VALUE_OTHER;

/** An event's JSON, read field by field: every field is unknown until checked. */
export type EventRecord = Record<string, unknown>;

/** A text-map carrier found in an event: HTTP headers or one record's trace attributes (lower-case keys). */
export type Carrier = Record<string, string>;

/** What a trigger extractor learns from an event, before the root span starts. */
export interface TriggerInfo {
  /** Which extractor matched, e.g. `api-gateway-v2`. */
  readonly source: string;
  readonly trigger: FaasTrigger;
  readonly kind: SpanKind;
  /** Span name when the event names one (route, destination); otherwise the function name is used. */
  readonly spanName?: string;
  readonly attributes: Attributes;
  /** HTTP triggers: the request headers, to extract the parent from. */
  readonly headers?: Carrier;
  /** Messaging triggers: one carrier per record that holds trace context; each becomes a span link. */
  readonly linkCarriers?: readonly Carrier[];
  /** HTTP triggers: attributes and error flag derived from the handler's result. */
  readonly onResult?: (result: unknown) => { attributes: Attributes; isError: boolean };
}

/** Settings an extractor needs to avoid recording secrets. */
export interface TriggerSettings {
  readonly redactQueryParams: readonly string[];
  readonly captureHeaders: readonly string[];
}

/** One event source: a cheap shape test, then the extraction. */
export interface TriggerExtractor {
  readonly source: string;
  matches(event: unknown): boolean;
  /** Called only with an event `matches` accepted. */
  extract(event: EventRecord, settings: TriggerSettings): TriggerInfo;
}

export function isObject(value: unknown): value is EventRecord {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** The field as a string, if it is one. */
export function text(value: unknown): string | undefined {
  return typeof value === 'string' ? value : undefined;
}

/** The field as an object, or an empty one. */
export function objectAt(value: unknown): EventRecord {
  return isObject(value) ? value : {};
}

/** The records of a `Records` batch (objects only), empty if the event is not one. */
export function records(event: unknown): EventRecord[] {
  if (!isObject(event) || !Array.isArray(event.Records)) return [];
  return event.Records.filter(isObject);
}

/** The first record of a `Records` batch, if the event is one. */
export function firstRecord(event: unknown): EventRecord | undefined {
  if (!isObject(event) || !Array.isArray(event.Records) || event.Records.length === 0) return undefined;
  const first: unknown = event.Records[0];
  return isObject(first) ? first : undefined;
}

/** The resource name at the end of an ARN: `arn:aws:sqs:us-east-1:123:orders` → `orders`, `...:stream/clicks` → `clicks`. */
export function nameFromArn(arn: unknown, after?: string): string | undefined {
  if (typeof arn !== 'string' || arn === '') return undefined;
  const resource = arn.split(':').slice(5).join(':');
  if (after !== undefined) {
    const parts = resource.split('/');
    const index = parts.indexOf(after);
    return index >= 0 ? parts[index + 1] : undefined;
  }
  const slash = resource.lastIndexOf('/');
  return slash >= 0 ? resource.slice(slash + 1) : resource;
}
