import type { Attributes } from '@opentelemetry/api';
import { REDACTED } from '../triggers/http-common.ts';

const MAX_EVENT_CHARS = 8192;

/** The event as JSON for `lambda_otel.event`, with redacted header values, cut at 8 KiB. Only when asked. */
export function captureEventAttribute(event: unknown, redactHeaders: readonly string[]): Attributes {
  try {
    const json = JSON.stringify(event, (key, value) => (key !== '' && (redactHeaders.includes(key.toLowerCase()) || key === 'cookies') ? REDACTED : value));
    if (json === undefined) return {};
    return { 'lambda_otel.event': json.length > MAX_EVENT_CHARS ? `${json.slice(0, MAX_EVENT_CHARS)}…` : json };
  } catch {
    return {};
  }
}
