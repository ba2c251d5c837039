import type { Attributes, SpanKind } from '@opentelemetry/api';

/** `faas.trigger` values (OpenTelemetry FaaS semantic conventions). */
export const FAAS_TRIGGER = {
  http: 'http',
  pubsub: 'pubsub',
  datasource: 'datasource',
  timer: 'timer',
  other: 'other',
} as const;
export type FaasTrigger = (typeof FAAS_TRIGGER)[keyof typeof FAAS_TRIGGER];

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
  extract(event: any, settings: TriggerSettings): TriggerInfo;
}

export function isObject(value: unknown): value is Record<string, any> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** The first record of a `Records` batch, if the event is one. */
export function firstRecord(event: unknown): Record<string, any> | undefined {
  if (!isObject(event) || !Array.isArray(event.Records) || event.Records.length === 0) return undefined;
  const first = event.Records[0];
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
