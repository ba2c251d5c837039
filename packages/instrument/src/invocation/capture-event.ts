import type { Attributes } from '@opentelemetry/api';
import { REDACTED, redactQueryString } from '../triggers/http-common.ts';
import { isObject } from '../triggers/trigger.ts';

const MAX_EVENT_CHARS = 8192;

/** What must not reach `lambda_otel.event`: header values and query values the configuration redacts. */
export interface EventRedaction {
  readonly redactHeaders: readonly string[];
  readonly redactQueryParams: readonly string[];
}

function redactParameters(parameters: Record<string, unknown>, sensitive: readonly string[]): Record<string, unknown> {
  return Object.fromEntries(Object.entries(parameters).map(([key, value]) => [key, sensitive.includes(key.toLowerCase()) ? REDACTED : value]));
}

/**
 * The event as JSON for `lambda_otel.event`, only when asked (`captureEvent`), cut at 8 KiB: redacted
 * header values (any object key naming one, and HTTP API `cookies`) and sensitive query values (in
 * `rawQueryString` and the (multi-value) query parameter objects) become REDACTED.
 */
export function captureEventAttribute(event: unknown, redaction: EventRedaction): Attributes {
  try {
    const json = JSON.stringify(event, (key, value: unknown) => {
      if (key === '') return value;
      if (key === 'cookies' || redaction.redactHeaders.includes(key.toLowerCase())) return REDACTED;
      if (key === 'rawQueryString' && typeof value === 'string') return redactQueryString(value, redaction.redactQueryParams);
      if ((key === 'queryStringParameters' || key === 'multiValueQueryStringParameters') && isObject(value)) {
        return redactParameters(value, redaction.redactQueryParams);
      }
      return value;
    });
    if (json === undefined) return {};
    return { 'lambda_otel.event': json.length > MAX_EVENT_CHARS ? `${json.slice(0, MAX_EVENT_CHARS)}…` : json };
  } catch {
    return {};
  }
}
