import { SpanKind, type Attributes } from '@opentelemetry/api';
import { FAAS_TRIGGER, isObject, type Carrier, type TriggerInfo, type TriggerSettings } from './trigger.ts';

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
  extra?: Attributes;
}

/** The HTTP status the integration will answer with, from the handler's result. */
export function statusCodeFromResult(result: unknown, defaultStatus: number | undefined): number | undefined {
  if (isObject(result) && result.statusCode !== undefined) {
    const code = Number(result.statusCode);
    return Number.isInteger(code) ? code : undefined;
  }
  return defaultStatus;
}

/**
 * Common attribute set for every HTTP-shaped trigger (semantic conventions for HTTP server spans).
 * `defaultStatus` is the status the integration uses when the result carries none (HTTP API: 200).
 */
export function httpTrigger(facts: HttpRequestFacts, settings: TriggerSettings, defaultStatus?: number): TriggerInfo {
  const { headers } = facts;
  const attributes: Attributes = { ...facts.extra };
  if (facts.method) attributes['http.request.method'] = facts.method.toUpperCase();
  if (facts.route) attributes['http.route'] = facts.route;
  if (facts.path) attributes['url.path'] = facts.path;
  attributes['url.scheme'] = (headers['x-forwarded-proto']?.split(',')[0]?.trim() || 'https').toLowerCase();
  if (facts.rawQuery !== '') attributes['url.query'] = redactQueryString(facts.rawQuery, settings.redactQueryParams);
  const server = headers.host ?? facts.serverAddress;
  if (server) attributes['server.address'] = server.replace(/:\d+$/, '');
  if (headers['user-agent']) attributes['user_agent.original'] = headers['user-agent'];
  const client = facts.clientAddress ?? headers['x-forwarded-for']?.split(',')[0]?.trim();
  if (client) attributes['client.address'] = client;
  for (const name of settings.captureHeaders) {
    if (headers[name] !== undefined) attributes[`http.request.header.${name}`] = [headers[name]];
  }
  const method = facts.method?.toUpperCase();
  return {
    source: facts.source,
    trigger: FAAS_TRIGGER.http,
    kind: SpanKind.SERVER,
    spanName: method && facts.route ? `${method} ${facts.route}` : undefined,
    attributes,
    headers,
    onResult(result) {
      const status = statusCodeFromResult(result, defaultStatus);
      if (status === undefined) return { attributes: {}, isError: false };
      return { attributes: { 'http.response.status_code': status }, isError: status >= 500 };
    },
  };
}
