import { SpanKind, type Attributes } from '@opentelemetry/api';
import {
  ATTR_CLIENT_ADDRESS,
  ATTR_ERROR_TYPE,
  ATTR_HTTP_REQUEST_HEADER,
  ATTR_HTTP_REQUEST_METHOD,
  ATTR_HTTP_REQUEST_METHOD_ORIGINAL,
  ATTR_HTTP_RESPONSE_STATUS_CODE,
  ATTR_HTTP_ROUTE,
  ATTR_NETWORK_PROTOCOL_VERSION,
  ATTR_SERVER_ADDRESS,
  ATTR_SERVER_PORT,
  ATTR_URL_PATH,
  ATTR_URL_QUERY,
  ATTR_URL_SCHEME,
  ATTR_USER_AGENT_ORIGINAL,
  HTTP_REQUEST_METHOD_VALUE_CONNECT,
  HTTP_REQUEST_METHOD_VALUE_DELETE,
  HTTP_REQUEST_METHOD_VALUE_GET,
  HTTP_REQUEST_METHOD_VALUE_HEAD,
  HTTP_REQUEST_METHOD_VALUE_OPTIONS,
  HTTP_REQUEST_METHOD_VALUE_OTHER,
  HTTP_REQUEST_METHOD_VALUE_PATCH,
  HTTP_REQUEST_METHOD_VALUE_POST,
  HTTP_REQUEST_METHOD_VALUE_PUT,
  HTTP_REQUEST_METHOD_VALUE_TRACE,
} from '@opentelemetry/semantic-conventions';
import { FAAS_TRIGGER_VALUE_HTTP } from '@opentelemetry/semantic-conventions/incubating';
import { isObject, type Carrier, type TriggerInfo, type TriggerSettings } from './trigger.ts';

export const REDACTED = 'REDACTED';

/** Lower-cases header names and keeps the last value of multi-value headers. */
export function normalizeHeaders(headers: unknown, multiValue?: unknown): Carrier {
  const result: Carrier = {};
  if (isObject(multiValue)) {
    for (const [key, values] of Object.entries(multiValue)) {
      if (Array.isArray(values) && values.length > 0) result[key.toLowerCase()] = String(values.join(','));
    }
  }
  if (isObject(headers)) {
    for (const [key, value] of Object.entries(headers)) {
      if (value !== undefined && value !== null) result[key.toLowerCase()] = String(value);
    }
  }
  return result;
}

/**
 * Replaces the values of sensitive parameters in a raw (already encoded) query string.
 * Parameter names compare case-insensitively after decoding.
 */
export function redactQueryString(rawQuery: string, sensitive: readonly string[]): string {
  if (rawQuery === '') return '';
  return rawQuery
    .split('&')
    .map((pair) => {
      const eq = pair.indexOf('=');
      const rawKey = eq >= 0 ? pair.slice(0, eq) : pair;
      let key = rawKey;
      try {
        key = decodeURIComponent(rawKey.replace(/\+/g, ' '));
      } catch {
        // keep the raw key: a malformed escape is compared as written
      }
      return eq >= 0 && sensitive.includes(key.toLowerCase()) ? `${rawKey}=${REDACTED}` : pair;
    })
    .join('&');
}

/** Builds an encoded query string from API Gateway's decoded (multi-value) parameters. */
export function encodeQueryParameters(single: unknown, multi: unknown): string {
  const pairs: string[] = [];
  if (isObject(multi)) {
    for (const [key, values] of Object.entries(multi)) {
      for (const value of Array.isArray(values) ? values : [values]) pairs.push(`${encodeURIComponent(key)}=${encodeURIComponent(String(value))}`);
    }
  } else if (isObject(single)) {
    for (const [key, value] of Object.entries(single)) pairs.push(`${encodeURIComponent(key)}=${encodeURIComponent(String(value))}`);
  }
  return pairs.join('&');
}

export interface HttpRequestFacts {
  source: string;
  method: string | undefined;
  route: string | undefined;
  path: string | undefined;
  rawQuery: string;
  headers: Carrier;
  clientAddress: string | undefined;
  serverAddress: string | undefined;
  /** The request line's protocol as API Gateway reports it (`HTTP/1.1`), when it does. */
  protocol?: string | undefined;
  extra?: Attributes;
}

/** The methods the HTTP conventions know; any other is recorded as `_OTHER`. */
const KNOWN_METHODS: ReadonlySet<string> = new Set([
  HTTP_REQUEST_METHOD_VALUE_CONNECT,
  HTTP_REQUEST_METHOD_VALUE_DELETE,
  HTTP_REQUEST_METHOD_VALUE_GET,
  HTTP_REQUEST_METHOD_VALUE_HEAD,
  HTTP_REQUEST_METHOD_VALUE_OPTIONS,
  HTTP_REQUEST_METHOD_VALUE_PATCH,
  HTTP_REQUEST_METHOD_VALUE_POST,
  HTTP_REQUEST_METHOD_VALUE_PUT,
  HTTP_REQUEST_METHOD_VALUE_TRACE,
]);

/**
 * `http.request.method` and, when it differs from what the client sent, `http.request.method_original`.
 * The integrations treat methods case-insensitively, so `get` is GET; `PURGE` is `_OTHER`.
 */
function methodAttributes(method: string): Attributes {
  const upper = method.toUpperCase();
  const known = KNOWN_METHODS.has(upper) ? upper : HTTP_REQUEST_METHOD_VALUE_OTHER;
  return known === method ? { [ATTR_HTTP_REQUEST_METHOD]: known } : { [ATTR_HTTP_REQUEST_METHOD]: known, [ATTR_HTTP_REQUEST_METHOD_ORIGINAL]: method };
}

/** `host[:port]` (IPv6 in brackets) → address and port. */
function splitHost(host: string): { address: string; port: number | undefined } {
  const match = /^(\[[^\]]*\]|[^:]*)(?::(\d+))?$/.exec(host.trim());
  if (!match) return { address: host.trim(), port: undefined };
  const address = match[1]!.replace(/^\[(.*)\]$/, '$1');
  return { address, port: match[2] === undefined ? undefined : Number(match[2]) };
}

function portNumber(value: string | undefined): number | undefined {
  const port = Number(value?.split(',')[0]?.trim());
  return Number.isInteger(port) && port > 0 && port < 65_536 ? port : undefined;
}

/** The HTTP status the integration will answer with, from the handler's result. */
function statusCodeFromResult(result: unknown, defaultStatus: number | undefined): number | undefined {
  if (isObject(result) && result.statusCode !== undefined) {
    const code = Number(result.statusCode);
    return Number.isInteger(code) ? code : undefined;
  }
  return defaultStatus;
}

/** Response attributes of an HTTP server span: the status, and `error.type` (the status) for a 5xx. */
function responseStatusOutcome(status: number | undefined): { attributes: Attributes; isError: boolean } {
  if (status === undefined) return { attributes: {}, isError: false };
  if (status >= 500) return { attributes: { [ATTR_HTTP_RESPONSE_STATUS_CODE]: status, [ATTR_ERROR_TYPE]: String(status) }, isError: true };
  return { attributes: { [ATTR_HTTP_RESPONSE_STATUS_CODE]: status }, isError: false };
}

/**
 * Common attribute set for every HTTP-shaped trigger (semantic conventions for HTTP server spans).
 * `defaultStatus` is the status the integration uses when the result carries none (HTTP API: 200).
 * The span is named `{method} {route}`, or `{method}` without a route (`HTTP` for an unknown method).
 */
export function httpTrigger(facts: HttpRequestFacts, settings: TriggerSettings, defaultStatus?: number): TriggerInfo {
  const { headers } = facts;
  const attributes: Attributes = { ...facts.extra };
  const method = facts.method ? methodAttributes(facts.method) : {};
  Object.assign(attributes, method);
  if (facts.route) attributes[ATTR_HTTP_ROUTE] = facts.route;
  if (facts.path) attributes[ATTR_URL_PATH] = facts.path;
  const scheme = (headers['x-forwarded-proto']?.split(',')[0]?.trim() || 'https').toLowerCase();
  attributes[ATTR_URL_SCHEME] = scheme;
  if (facts.rawQuery !== '') attributes[ATTR_URL_QUERY] = redactQueryString(facts.rawQuery, settings.redactQueryParams);
  const host = headers.host ?? facts.serverAddress;
  if (host) {
    const { address, port } = splitHost(host);
    attributes[ATTR_SERVER_ADDRESS] = address;
    const serverPort = port ?? portNumber(headers['x-forwarded-port']);
    if (serverPort !== undefined) attributes[ATTR_SERVER_PORT] = serverPort;
  }
  const version = facts.protocol?.match(/^HTTP\/(\d(?:\.\d)?)$/i)?.[1];
  if (version) attributes[ATTR_NETWORK_PROTOCOL_VERSION] = version;
  if (headers['user-agent']) attributes[ATTR_USER_AGENT_ORIGINAL] = headers['user-agent'];
  const client = facts.clientAddress ?? headers['x-forwarded-for']?.split(',')[0]?.trim();
  if (client) attributes[ATTR_CLIENT_ADDRESS] = client;
  for (const name of settings.captureHeaders) {
    if (headers[name] !== undefined) attributes[ATTR_HTTP_REQUEST_HEADER(name)] = [headers[name]];
  }
  const recorded = method[ATTR_HTTP_REQUEST_METHOD];
  const spanMethod = recorded === HTTP_REQUEST_METHOD_VALUE_OTHER ? 'HTTP' : recorded;
  return {
    source: facts.source,
    trigger: FAAS_TRIGGER_VALUE_HTTP,
    kind: SpanKind.SERVER,
    spanName: spanMethod === undefined ? undefined : facts.route ? `${spanMethod} ${facts.route}` : String(spanMethod),
    attributes,
    headers,
    onResult: (result) => responseStatusOutcome(statusCodeFromResult(result, defaultStatus)),
  };
}
