// Decodes OTLP/HTTP request bodies (protobuf or JSON, gzip, deflate or identity) into the model,
// with a bound on the decompressed size so a small gzip bomb cannot exhaust the extension's memory.
// The one place bodies are decompressed: the receiver and the backend's answers both come here.
import { gunzipSync, inflateSync } from 'node:zlib';
import { MessageName } from './otlp-schema.ts';
import { decodeJson, JsonFormatError } from './json-codec.ts';
import { decodeProtobuf } from './protobuf-codec.ts';
import { planFor } from './schema-plan.ts';
import type { ExportLogsServiceRequest, ExportTraceServiceRequest } from './types.ts';
import type { ExportMetricsServiceRequest } from './metrics-model.ts';

export interface DecodeOptions {
  /** Largest body accepted after decompression, in bytes (the receiver's request limit). */
  maxDecodedBytes: number;
}

export type OtlpDecodeReason = 'content-type' | 'content-encoding' | 'gzip' | 'protobuf' | 'json' | 'too-large';

/**
 * A request body that cannot be decoded. `tooLarge` is true when the body (after decompression)
 * exceeds `maxDecodedBytes`: answer 413, not 400.
 */
export class OtlpDecodeError extends Error {
  readonly reason: OtlpDecodeReason;
  readonly tooLarge: boolean;

  constructor(reason: OtlpDecodeReason, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'OtlpDecodeError';
    this.reason = reason;
    this.tooLarge = reason === 'too-large';
  }
}

export type OtlpFormat = 'protobuf' | 'json';

/** Maps a Content-Type header to a format; parameters (`; charset=utf-8`) and case are ignored. */
export function formatOfContentType(contentType: string | undefined): OtlpFormat {
  const mediaType = (contentType ?? '').split(';')[0]!.trim().toLowerCase();
  if (mediaType === 'application/x-protobuf' || mediaType === 'application/protobuf') return 'protobuf';
  if (mediaType === 'application/json') return 'json';
  throw new OtlpDecodeError(
    'content-type',
    `unsupported Content-Type ${JSON.stringify(contentType ?? '')}: expected application/x-protobuf or application/json`,
  );
}

function decompress(body: Buffer, contentEncoding: string | undefined, maxDecodedBytes: number): Buffer {
  const encoding = (contentEncoding ?? '').trim().toLowerCase();
  const tooLarge = () => new OtlpDecodeError('too-large', `request body exceeds ${maxDecodedBytes} bytes after decompression`);
  if (encoding === '' || encoding === 'identity') {
    if (body.length > maxDecodedBytes) throw tooLarge();
    return body;
  }
  const gzip = encoding === 'gzip' || encoding === 'x-gzip';
  if (!gzip && encoding !== 'deflate') {
    throw new OtlpDecodeError('content-encoding', `unsupported Content-Encoding ${JSON.stringify(contentEncoding)}: expected gzip or identity`);
  }
  try {
    // maxOutputLength stops inflation at the bound instead of after allocating the whole output.
    return gzip ? gunzipSync(body, { maxOutputLength: maxDecodedBytes }) : inflateSync(body, { maxOutputLength: maxDecodedBytes });
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ERR_BUFFER_TOO_LARGE') throw tooLarge();
    throw new OtlpDecodeError('gzip', `body is not valid ${gzip ? 'gzip' : 'deflate'} data: ${(error as Error).message}`, { cause: error });
  }
}

function decodeBody(
  name: MessageName,
  rootName: string,
  body: Buffer,
  contentType: string | undefined,
  contentEncoding: string | undefined,
  options: DecodeOptions,
): Record<string, unknown> {
  const format = formatOfContentType(contentType);
  const raw = decompress(body, contentEncoding, options.maxDecodedBytes);
  const plan = planFor(name);
  if (format === 'json') {
    try {
      return decodeJson(plan, raw.toString('utf8'), rootName);
    } catch (error) {
      if (error instanceof JsonFormatError) throw new OtlpDecodeError('json', `bad OTLP JSON: ${error.message}`, { cause: error });
      throw new OtlpDecodeError('json', `bad OTLP JSON: ${(error as Error).message}`, { cause: error });
    }
  }
  try {
    return decodeProtobuf(plan, raw);
  } catch (error) {
    throw new OtlpDecodeError('protobuf', `bad OTLP protobuf (${rootName}): ${(error as Error).message}`, { cause: error });
  }
}

/**
 * Decodes an OTLP/HTTP `/v1/traces` body.
 * @example
 * const req = decodeTraceRequest(body, headers['content-type'], headers['content-encoding'], { maxDecodedBytes: 4 << 20 });
 */
export function decodeTraceRequest(
  body: Buffer,
  contentType: string | undefined,
  contentEncoding: string | undefined,
  options: DecodeOptions,
): ExportTraceServiceRequest {
  return decodeBody(MessageName.traceRequest, 'ExportTraceServiceRequest', body, contentType, contentEncoding, options) as unknown as ExportTraceServiceRequest;
}

/** Decodes an OTLP/HTTP `/v1/logs` body. */
export function decodeLogsRequest(
  body: Buffer,
  contentType: string | undefined,
  contentEncoding: string | undefined,
  options: DecodeOptions,
): ExportLogsServiceRequest {
  return decodeBody(MessageName.logsRequest, 'ExportLogsServiceRequest', body, contentType, contentEncoding, options) as unknown as ExportLogsServiceRequest;
}

/** Decodes an OTLP/HTTP `/v1/metrics` body. */
export function decodeMetricsRequest(
  body: Buffer,
  contentType: string | undefined,
  contentEncoding: string | undefined,
  options: DecodeOptions,
): ExportMetricsServiceRequest {
  return decodeBody(
    MessageName.metricsRequest,
    'ExportMetricsServiceRequest',
    body,
    contentType,
    contentEncoding,
    options,
  ) as unknown as ExportMetricsServiceRequest;
}

const responseOf = { traces: MessageName.traceResponse, logs: MessageName.logsResponse, metrics: MessageName.metricsResponse } as const;
/** The partial-success field counting what the backend refused: spans, log records or data points. */
const rejectedKeyOf = { traces: 'rejectedSpans', logs: 'rejectedLogRecords', metrics: 'rejectedDataPoints' } as const;

/** What a backend's 200 answer says about rejected items (OTLP partial success). */
export interface PartialSuccess {
  rejected: number;
  errorMessage: string;
}

/**
 * Reads the partial-success part of an Export*ServiceResponse. Never throws: an unreadable or empty
 * response body counts as full success, as the protocol allows servers to omit it.
 */
export function decodeExportResponse(
  signal: 'traces' | 'logs' | 'metrics',
  body: Buffer,
  contentType: string | undefined,
  contentEncoding?: string,
): PartialSuccess {
  const none = { rejected: 0, errorMessage: '' };
  if (body.length === 0) return none;
  const name = responseOf[signal];
  try {
    const decoded = decodeBody(name, 'response', body, contentType, contentEncoding, { maxDecodedBytes: 1024 * 1024 });
    const partial = decoded.partialSuccess as Record<string, unknown> | undefined;
    if (!partial) return none;
    const rejected = Number(partial[rejectedKeyOf[signal]] ?? 0);
    return { rejected: Number.isFinite(rejected) ? rejected : 0, errorMessage: String(partial.errorMessage ?? '') };
  } catch {
    return none;
  }
}
