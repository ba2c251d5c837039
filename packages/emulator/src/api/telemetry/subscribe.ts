// Validation of a Telemetry API subscription body (PUT /2022-07-01/telemetry).
import { apiErrors } from '../../errors.ts';
import type { TelemetryType } from './records.ts';

export const schemaVersions = ['2022-07-01', '2022-12-13', '2025-01-29'] as const;

export interface Buffering {
  maxItems: number;
  maxBytes: number;
  timeoutMs: number;
}

export type Destination = { protocol: 'HTTP'; uri: string } | { protocol: 'TCP'; port: number };

export interface Subscription {
  schemaVersion: (typeof schemaVersions)[number];
  types: TelemetryType[];
  buffering: Buffering;
  destination: Destination;
}

const bufferingRanges = {
  maxItems: { min: 1000, max: 10000, fallback: 10000 },
  maxBytes: { min: 262144, max: 1048576, fallback: 262144 },
  timeoutMs: { min: 25, max: 30000, fallback: 1000 },
} as const;

const allowedTypes: readonly TelemetryType[] = ['platform', 'function', 'extension'];

export function parseSubscription(raw: Buffer, managedInstances: boolean): Subscription {
  let body: unknown;
  try {
    body = JSON.parse(raw.toString('utf8'));
  } catch {
    throw apiErrors.telemetryValidation('The request body is not valid JSON');
  }
  if (!isObject(body)) throw apiErrors.telemetryValidation('The request body must be a JSON object');
  const schemaVersion = body.schemaVersion;
  if (!schemaVersions.includes(schemaVersion as never)) {
    throw apiErrors.telemetryValidation(`schemaVersion must be one of ${schemaVersions.join(', ')}`);
  }
  if (managedInstances && schemaVersion !== '2025-01-29') {
    throw apiErrors.telemetryValidation('Managed Instances require schemaVersion 2025-01-29');
  }
  const types = body.types;
  if (!Array.isArray(types) || types.length === 0 || !types.every((type) => allowedTypes.includes(type))) {
    throw apiErrors.telemetryValidation('types must be a non-empty subset of platform, function, extension');
  }
  const buffering = parseBuffering(body.buffering);
  const destination = parseDestination(body.destination);
  return { schemaVersion: schemaVersion as Subscription['schemaVersion'], types: [...new Set(types)], buffering, destination };
}

function parseBuffering(raw: unknown): Buffering {
  if (raw === undefined) return { maxItems: 10000, maxBytes: 262144, timeoutMs: 1000 };
  if (!isObject(raw)) throw apiErrors.telemetryValidation('buffering must be an object');
  const read = (key: keyof typeof bufferingRanges): number => {
    const range = bufferingRanges[key];
    const value = raw[key];
    if (value === undefined) return range.fallback;
    if (typeof value !== 'number' || !Number.isInteger(value) || value < range.min || value > range.max) {
      throw apiErrors.telemetryValidation(`buffering.${key} must be an integer from ${range.min} to ${range.max}`);
    }
    return value;
  };
  return { maxItems: read('maxItems'), maxBytes: read('maxBytes'), timeoutMs: read('timeoutMs') };
}

function parseDestination(raw: unknown): Destination {
  if (!isObject(raw)) throw apiErrors.telemetryValidation('destination must be an object');
  if (raw.protocol === 'HTTP') {
    const uri = raw.URI;
    let url: URL;
    try {
      url = new URL(String(uri));
    } catch {
      throw apiErrors.telemetryValidation('destination.URI must be an http:// URL');
    }
    if (url.protocol !== 'http:') throw apiErrors.telemetryValidation('destination.URI must use http://');
    if (url.port === '9001') throw apiErrors.telemetryValidation('port 9001 is reserved');
    return { protocol: 'HTTP', uri: url.toString() };
  }
  if (raw.protocol === 'TCP') {
    const port = raw.port;
    if (typeof port !== 'number' || !Number.isInteger(port) || port < 1 || port > 65535 || port === 9001) {
      throw apiErrors.telemetryValidation('destination.port must be a TCP port other than 9001');
    }
    return { protocol: 'TCP', port };
  }
  throw apiErrors.telemetryValidation('destination.protocol must be HTTP or TCP');
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
