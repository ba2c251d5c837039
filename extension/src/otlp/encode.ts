// Encodes model requests for sending: protobuf (the default, smallest) or OTLP/JSON.
import { encodeJson } from './json-codec.ts';
import { MessageName } from './otlp-schema.ts';
import { encodeProtobuf } from './protobuf-codec.ts';
import { planFor } from './schema-plan.ts';
import type { ExportLogsServiceRequest, ExportTraceServiceRequest } from './types.ts';
import type { ExportMetricsServiceRequest } from './metrics-model.ts';

export type EncodeFormat = 'protobuf' | 'json';

/** The Content-Type header that goes with a format. */
export const contentTypeOf = {
  protobuf: 'application/x-protobuf',
  json: 'application/json',
} as const satisfies Record<EncodeFormat, string>;

/**
 * @example
 * const body = encodeTraceRequest(groupSpans(items), 'protobuf');
 */
export function encodeTraceRequest(req: ExportTraceServiceRequest, format: EncodeFormat): Buffer {
  if (format === 'json') return Buffer.from(encodeJson(req), 'utf8');
  return encodeProtobuf(planFor(MessageName.traceRequest), req);
}

export function encodeLogsRequest(req: ExportLogsServiceRequest, format: EncodeFormat): Buffer {
  if (format === 'json') return Buffer.from(encodeJson(req), 'utf8');
  return encodeProtobuf(planFor(MessageName.logsRequest), req);
}

export function encodeMetricsRequest(req: ExportMetricsServiceRequest, format: EncodeFormat): Buffer {
  if (format === 'json') return Buffer.from(encodeJson(req), 'utf8');
  return encodeProtobuf(planFor(MessageName.metricsRequest), req);
}
