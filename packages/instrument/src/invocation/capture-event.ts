import type { Attributes } from '@opentelemetry/api';
import { ATTR_LAMBDA_OTEL_EVENT } from '../attributes.ts';
import { REDACTED, redactQueryString } from '../triggers/http-common.ts';
import { isObject } from '../triggers/trigger.ts';

/** The most `lambda_otel.event` holds, in UTF-8 bytes, the cut marker included. */
export const MAX_EVENT_BYTES = 8192;
const CUT_MARKER = '…';

/** What must not reach `lambda_otel.event`: header values and query values the configuration redacts. */
export interface EventRedaction {
  readonly redactHeaders: readonly string[];
  readonly redactQueryParams: readonly string[];
}

/** Keys whose values are credentials wherever they appear: a custom authorizer's token, an mTLS client certificate. */
const CREDENTIAL_KEYS = new Set(['authorizationtoken', 'clientcert']);

function redactParameters(parameters: Record<string, unknown>, sensitive: readonly string[]): Record<string, unknown> {
  return Object.fromEntries(Object.entries(parameters).map(([key, value]) => [key, sensitive.includes(key.toLowerCase()) ? REDACTED : value]));
}

/** `name=value` cookies (HTTP API's `cookies`) keep their names; the values go. */
function redactCookies(cookies: unknown[]): unknown[] {
  return cookies.map((cookie) => {
    if (typeof cookie !== 'string') return REDACTED;
    const eq = cookie.indexOf('=');
    return eq > 0 ? `${cookie.slice(0, eq)}=${REDACTED}` : REDACTED;
  });
}

/**
 * API Gateway's request context, with what identifies the caller removed: the authorizer's output
 * (claims, principal, context) and the identity block (access key, user ARN, Cognito ids, API key),
 * except `sourceIp`, which the span records as `client.address` anyway.
 */
function redactRequestContext(requestContext: Record<string, unknown>): Record<string, unknown> {
  const copy: Record<string, unknown> = { ...requestContext };
  if ('authorizer' in copy) copy.authorizer = REDACTED;
  if (isObject(copy.identity)) copy.identity = typeof copy.identity.sourceIp === 'string' ? { sourceIp: copy.identity.sourceIp } : {};
  return copy;
}

/** The longest prefix of `text` that fits `maxBytes` of UTF-8, never splitting a character. */
function cutToBytes(text: string, maxBytes: number): string {
  const bytes = Buffer.from(text, 'utf8');
  if (bytes.byteLength <= maxBytes) return text;
  let end = maxBytes;
  // Step back over continuation bytes (10xxxxxx) to the start of the character that did not fit.
  while (end > 0 && (bytes[end]! & 0xc0) === 0x80) end -= 1;
  return bytes.subarray(0, end).toString('utf8');
}

/**
 * The event as JSON for `lambda_otel.event`, only when asked (`captureEvent`), at most 8 KiB of UTF-8.
 * Redacted (REDACTED): values of the redacted headers (any object key naming one), cookie values,
 * `authorizationToken`, `clientCert`, `requestContext.authorizer`, `requestContext.identity` but its
 * `sourceIp`, and the values of sensitive query parameters (in `rawQueryString` and the (multi-value)
 * query parameter objects). Everything else, the body included, is kept as the event has it.
 */
export function captureEventAttribute(event: unknown, redaction: EventRedaction): Attributes {
  try {
    const input = isObject(event) && isObject(event.requestContext) ? { ...event, requestContext: redactRequestContext(event.requestContext) } : event;
    const json = JSON.stringify(input, (key, value: unknown) => {
      if (key === '') return value;
      const lower = key.toLowerCase();
      if (CREDENTIAL_KEYS.has(lower) || redaction.redactHeaders.includes(lower)) return REDACTED;
      if (key === 'cookies' && Array.isArray(value)) return redactCookies(value);
      if (key === 'rawQueryString' && typeof value === 'string') return redactQueryString(value, redaction.redactQueryParams);
      if ((key === 'queryStringParameters' || key === 'multiValueQueryStringParameters') && isObject(value)) {
        return redactParameters(value, redaction.redactQueryParams);
      }
      return value;
    });
    if (json === undefined) return {};
    const fits = Buffer.byteLength(json, 'utf8') <= MAX_EVENT_BYTES;
    return { [ATTR_LAMBDA_OTEL_EVENT]: fits ? json : `${cutToBytes(json, MAX_EVENT_BYTES - Buffer.byteLength(CUT_MARKER, 'utf8'))}${CUT_MARKER}` };
  } catch {
    return {};
  }
}
