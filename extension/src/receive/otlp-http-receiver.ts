/**
 * The local OTLP/HTTP collector endpoint (127.0.0.1 only): POST /v1/traces, /v1/logs and (when
 * `onMetrics` is given) /v1/metrics, protobuf
 * or JSON, optionally gzip. Bodies past the cap (before or after decompression) get 413, bodies
 * that do not decode get 400, each with a message saying what is wrong.
 */
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import type * as Decode from '../otlp/decode.ts';
import { flattenMetrics } from '../otlp/metrics-model.ts';
import type { MetricItem } from '../otlp/metrics-model.ts';
import { flattenLogs, flattenTraces } from '../otlp/types.ts';
import type { LogItem, SpanItem } from '../otlp/types.ts';
import { errorMessage } from '../logger.ts';
import type { Logger } from '../logger.ts';

export interface OtlpReceiverOptions {
  readonly port: number;
  readonly host?: string;
  readonly maxRequestBytes: number;
  readonly onSpans: (items: SpanItem[]) => void;
  readonly onLogs: (items: LogItem[]) => void;
  /** Metrics from the function's own SDK; without it /v1/metrics answers 404. */
  readonly onMetrics?: (items: MetricItem[]) => void;
  /** Flow control: a request is read once `admit()` resolves (undefined: at once); `done()` follows every admitted request. */
  readonly admission?: { admit(): Promise<void> | undefined; done(): void };
  readonly logger: Logger;
}

export interface OtlpReceiver {
  readonly port: number;
  /** Requests currently being read or decoded. */
  inFlight(): number;
  /** Stops accepting connections, lets requests already being read finish (up to `graceMs`). */
  close(graceMs?: number): Promise<void>;
}

let decoder: Promise<typeof Decode> | undefined;

/**
 * The OTLP decoder (protobuf runtime included) loads on first use, not before the first
 * /event/next; `loadDecoder()` right after start-up warms it in the background.
 */
export function loadDecoder(): Promise<typeof Decode> {
  decoder ??= import('../otlp/decode.ts');
  decoder.catch(() => {
    decoder = undefined;
  });
  return decoder;
}

class RequestError extends Error {
  readonly status: number;
  constructor(status: number, message: string) {
    super(message);
    this.status = status;
  }
}

/** How much of a refused body is read (and dropped) so that its sender gets the answer. */
const MAX_DISCARDED_BYTES = 64 * 1024 * 1024;

export async function startOtlpReceiver(options: OtlpReceiverOptions): Promise<OtlpReceiver> {
  let inFlight = 0;
  const server = http.createServer((request, response) => {
    inFlight++;
    response.on('close', () => inFlight--);
    handle(request, options)
      .then((contentType) => {
        const json = contentType === 'application/json';
        response.writeHead(200, { 'Content-Type': json ? 'application/json' : 'application/x-protobuf' }).end(json ? '{}' : '');
      })
      .catch((error: unknown) => {
        const status = error instanceof RequestError ? error.status : 500;
        const message = errorMessage(error);
        if (status >= 500) options.logger.error('OTLP request failed', { error: message });
        else options.logger.debug('OTLP request rejected', { status, error: message });
        if (response.headersSent) return;
        const answer = (): void => {
          response.writeHead(status, { 'Content-Type': 'application/json', Connection: 'close' });
          response.end(JSON.stringify({ code: status === 413 ? 8 : 3, message }));
        };
        if (request.complete) return answer();
        // The rest of a refused body is read and thrown away before the answer, so the sender gets
        // the 413 (or 400) instead of a connection reset mid-upload; past a bound the connection is cut.
        let discarded = 0;
        request.on('data', (chunk: Buffer) => {
          discarded += chunk.length;
          if (discarded > MAX_DISCARDED_BYTES) request.destroy();
        });
        request.once('end', answer);
        request.resume();
      });
  });
  server.keepAliveTimeout = 60_000;
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port, options.host ?? '127.0.0.1', () => {
      server.off('error', reject);
      resolve();
    });
  });
  const { port } = server.address() as AddressInfo;
  return {
    port,
    inFlight: () => inFlight,
    close: (graceMs = 0) =>
      new Promise<void>((resolve) => {
        const timer = setTimeout(() => {
          server.closeAllConnections();
          resolve();
        }, graceMs);
        server.close(() => {
          clearTimeout(timer);
          resolve();
        });
        server.closeIdleConnections();
      }),
  };
}

/** Reads, decompresses, decodes and hands over one request; returns the request content type. */
async function handle(request: http.IncomingMessage, options: OtlpReceiverOptions): Promise<string> {
  const path = (request.url ?? '').split('?')[0];
  const served = options.onMetrics ? ['/v1/traces', '/v1/logs', '/v1/metrics'] : ['/v1/traces', '/v1/logs'];
  if (path === undefined || !served.includes(path)) throw new RequestError(404, `unknown path ${path}; this receiver serves ${served.join(', ')}`);
  if (request.method !== 'POST') throw new RequestError(405, `method ${request.method} not allowed; use POST`);
  const contentType = (request.headers['content-type'] ?? 'application/x-protobuf').split(';')[0]!.trim().toLowerCase();
  if (contentType !== 'application/x-protobuf' && contentType !== 'application/json' && contentType !== 'application/protobuf') {
    throw new RequestError(415, `content-type ${contentType} not supported; use application/x-protobuf or application/json`);
  }
  const declared = Number(request.headers['content-length']);
  if (Number.isFinite(declared) && declared > options.maxRequestBytes) {
    throw new RequestError(413, `request body of ${declared} bytes exceeds the limit of ${options.maxRequestBytes} bytes`);
  }
  const { admission } = options;
  if (!admission) return decodeRequest(request, path, contentType, options);
  const admitted = admission.admit();
  if (admitted) await admitted;
  try {
    return await decodeRequest(request, path, contentType, options);
  } finally {
    admission.done();
  }
}

async function decodeRequest(request: http.IncomingMessage, path: string, contentType: string, options: OtlpReceiverOptions): Promise<string> {
  const { decodeLogsRequest, decodeMetricsRequest, decodeTraceRequest, OtlpDecodeError } = await loadDecoder();
  const body = await readBody(request, options.maxRequestBytes);
  const encoding = request.headers['content-encoding'];
  const limits = { maxDecodedBytes: options.maxRequestBytes };
  try {
    if (path === '/v1/traces') {
      const items = flattenTraces(decodeTraceRequest(body, contentType, encoding, limits));
      if (items.length > 0) options.onSpans(items);
    } else if (path === '/v1/metrics') {
      const items = flattenMetrics(decodeMetricsRequest(body, contentType, encoding, limits));
      if (items.length > 0) options.onMetrics?.(items);
    } else {
      const items = flattenLogs(decodeLogsRequest(body, contentType, encoding, limits));
      if (items.length > 0) options.onLogs(items);
    }
  } catch (error) {
    if (error instanceof RequestError) throw error;
    if (error instanceof OtlpDecodeError) {
      if (error.tooLarge) throw new RequestError(413, error.message);
      if (error.reason === 'content-encoding') throw new RequestError(415, error.message);
      if (error.reason === 'gzip') throw new RequestError(400, `request body ${error.message.replace(/^body /, '')}`);
      throw new RequestError(400, `malformed OTLP ${path.slice('/v1/'.length)} request: ${error.message}`);
    }
    throw error;
  }
  return contentType;
}

function readBody(request: http.IncomingMessage, maxBytes: number): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    let refused = false;
    request.on('data', (chunk: Buffer) => {
      if (refused) return;
      size += chunk.length;
      if (size > maxBytes) {
        refused = true;
        reject(new RequestError(413, `request body exceeds the limit of ${maxBytes} bytes`));
        return;
      }
      chunks.push(chunk);
    });
    request.on('error', (error) => reject(new RequestError(400, `request body could not be read: ${error.message}`)));
    request.on('end', () => {
      if (!refused) resolve(Buffer.concat(chunks));
    });
  });
}
