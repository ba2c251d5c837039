// A local OTLP/HTTP backend for tests. It decodes what it receives with the official OTLP protobuf
// definitions (generated code from a published OpenTelemetry package), never with this project's own
// codec, so an encoding mistake on our side cannot cancel itself out.
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import { createRequire } from 'node:module';
import type { AddressInfo } from 'node:net';
import { gunzipSync } from 'node:zlib';
import { verifySigV4, type SigV4Expectation, type SigV4Verdict } from './sigv4-verifier.ts';

// The generated code lives in its own workspace (packages/otlp-reference-protos) so that the older
// OpenTelemetry packages it comes with never shadow the current ones in tests.
const require = createRequire(new URL('../../packages/otlp-reference-protos/package.json', import.meta.url));
const reference = require('otlp-reference-protos/build/src/generated/root.js').opentelemetry.proto;
const TraceRequest = reference.collector.trace.v1.ExportTraceServiceRequest;
const LogsRequest = reference.collector.logs.v1.ExportLogsServiceRequest;

export interface DecodedSpan {
  traceId: string;
  spanId: string;
  parentSpanId: string;
  traceState: string;
  name: string;
  kind: number;
  startTimeUnixNano: bigint;
  endTimeUnixNano: bigint;
  attributes: Record<string, unknown>;
  events: { name: string; timeUnixNano: bigint; attributes: Record<string, unknown> }[];
  links: { traceId: string; spanId: string; attributes: Record<string, unknown> }[];
  status: { code: number; message: string };
  resource: Record<string, unknown>;
  scope: string;
}

export interface DecodedLog {
  timeUnixNano: bigint;
  severityNumber: number;
  severityText: string;
  body: unknown;
  attributes: Record<string, unknown>;
  traceId: string;
  spanId: string;
  resource: Record<string, unknown>;
  scope: string;
}

export interface ReceivedRequest {
  path: string;
  method: string;
  headers: IncomingMessage['headers'];
  body: Buffer;
  receivedAtMs: number;
  /** Present when the sink was started with `verifySigV4`. */
  sigv4?: SigV4Verdict;
  /** Set when the body could not be decoded; the sink answered 400. */
  decodeError?: string;
}

export interface SinkResponse {
  status: number;
  headers?: Record<string, string>;
  body?: string | Buffer;
  delayMs?: number;
}

export type Responder = (request: ReceivedRequest) => SinkResponse | undefined;

export interface OtlpSinkOptions {
  /** Check every request's SigV4 signature independently (with the `aws4` package). */
  verifySigV4?: SigV4Expectation;
}

export interface OtlpSink {
  url: string;
  port: number;
  requests: ReceivedRequest[];
  spans(): DecodedSpan[];
  logs(): DecodedLog[];
  waitForSpans(count: number, timeoutMs?: number): Promise<DecodedSpan[]>;
  waitForLogs(count: number, timeoutMs?: number): Promise<DecodedLog[]>;
  /** Decide the answer per request; return undefined for the default 200. */
  setResponder(responder: Responder | undefined): void;
  close(): Promise<void>;
}

export async function startOtlpSink(options: OtlpSinkOptions = {}): Promise<OtlpSink> {
  const requests: ReceivedRequest[] = [];
  const spans: DecodedSpan[] = [];
  const logs: DecodedLog[] = [];
  let responder: Responder | undefined;
  const waiters = new Set<() => void>();
  const notify = (): void => waiters.forEach((wake) => wake());

  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      const received: ReceivedRequest = {
        path: req.url ?? '/',
        method: req.method ?? 'GET',
        headers: req.headers,
        body: Buffer.concat(chunks),
        receivedAtMs: Date.now(),
      };
      if (options.verifySigV4) received.sigv4 = verifySigV4(received, options.verifySigV4);
      requests.push(received);
      const answer = responder?.(received);
      if (answer && answer.status !== 200) {
        reply(res, answer);
        notify();
        return;
      }
      try {
        if (received.path.startsWith('/v1/traces')) spans.push(...decodeTraces(received));
        else if (received.path.startsWith('/v1/logs')) logs.push(...decodeLogs(received));
        else {
          reply(res, { status: 404, body: `no such path ${received.path}` });
          return;
        }
      } catch (error) {
        received.decodeError = (error as Error).message;
        reply(res, { status: 400, body: received.decodeError });
        notify();
        return;
      }
      reply(res, answer ?? { status: 200 }, received.headers['content-type']);
      notify();
    });
  });
  await new Promise<void>((done) => server.listen(0, '127.0.0.1', done));
  const port = (server.address() as AddressInfo).port;

  const waitFor = <T>(read: () => T[], count: number, timeoutMs: number, what: string): Promise<T[]> =>
    new Promise((resolve, reject) => {
      const check = (): void => {
        const items = read();
        if (items.length >= count) {
          waiters.delete(check);
          clearTimeout(timer);
          resolve(items);
        }
      };
      const timer = setTimeout(() => {
        waiters.delete(check);
        reject(new Error(`sink: expected ${count} ${what}, got ${read().length} after ${timeoutMs} ms`));
      }, timeoutMs);
      waiters.add(check);
      check();
    });

  return {
    url: `http://127.0.0.1:${port}`,
    port,
    requests,
    spans: () => [...spans],
    logs: () => [...logs],
    waitForSpans: (count, timeoutMs = 5000) => waitFor(() => spans, count, timeoutMs, 'spans'),
    waitForLogs: (count, timeoutMs = 5000) => waitFor(() => logs, count, timeoutMs, 'log records'),
    setResponder: (next) => {
      responder = next;
    },
    close: () =>
      new Promise<void>((done) => {
        server.closeAllConnections();
        server.close(() => done());
      }),
  };
}

function reply(res: ServerResponse, answer: SinkResponse, requestContentType?: string): void {
  const send = (): void => {
    if (answer.status === 200 && answer.body === undefined) {
      // An empty Export*ServiceResponse, in the request's encoding.
      const json = requestContentType?.includes('json');
      res.writeHead(200, { 'content-type': json ? 'application/json' : 'application/x-protobuf' });
      res.end(json ? '{}' : Buffer.alloc(0));
      return;
    }
    res.writeHead(answer.status, answer.headers ?? {});
    res.end(answer.body ?? '');
  };
  if (answer.delayMs) setTimeout(send, answer.delayMs);
  else send();
}

function bodyOf(request: ReceivedRequest): Buffer {
  const encoding = request.headers['content-encoding'];
  if (encoding === 'gzip') return gunzipSync(request.body);
  if (encoding && encoding !== 'identity') throw new Error(`unsupported content-encoding ${encoding}`);
  return request.body;
}

function isJson(request: ReceivedRequest): boolean {
  return String(request.headers['content-type'] ?? '').includes('json');
}

function decodeTraces(request: ReceivedRequest): DecodedSpan[] {
  const body = bodyOf(request);
  const message = isJson(request) ? fromJson(body) : protobufToPlain(TraceRequest, body);
  const out: DecodedSpan[] = [];
  for (const resourceSpans of list(message.resourceSpans)) {
    const resource = attributes(resourceSpans.resource?.attributes);
    for (const scopeSpans of list(resourceSpans.scopeSpans)) {
      for (const span of list(scopeSpans.spans)) {
        out.push({
          traceId: hex(span.traceId),
          spanId: hex(span.spanId),
          parentSpanId: hex(span.parentSpanId),
          traceState: String(span.traceState ?? ''),
          name: String(span.name ?? ''),
          kind: Number(span.kind ?? 0),
          startTimeUnixNano: BigInt(span.startTimeUnixNano ?? 0),
          endTimeUnixNano: BigInt(span.endTimeUnixNano ?? 0),
          attributes: attributes(span.attributes),
          events: list(span.events).map((event) => ({
            name: String(event.name ?? ''),
            timeUnixNano: BigInt(event.timeUnixNano ?? 0),
            attributes: attributes(event.attributes),
          })),
          links: list(span.links).map((link) => ({
            traceId: hex(link.traceId),
            spanId: hex(link.spanId),
            attributes: attributes(link.attributes),
          })),
          status: { code: Number(span.status?.code ?? 0), message: String(span.status?.message ?? '') },
          resource,
          scope: String(scopeSpans.scope?.name ?? ''),
        });
      }
    }
  }
  return out;
}

function decodeLogs(request: ReceivedRequest): DecodedLog[] {
  const body = bodyOf(request);
  const message = isJson(request) ? fromJson(body) : protobufToPlain(LogsRequest, body);
  const out: DecodedLog[] = [];
  for (const resourceLogs of list(message.resourceLogs)) {
    const resource = attributes(resourceLogs.resource?.attributes);
    for (const scopeLogs of list(resourceLogs.scopeLogs)) {
      for (const log of list(scopeLogs.logRecords)) {
        out.push({
          timeUnixNano: BigInt(log.timeUnixNano ?? 0),
          severityNumber: Number(log.severityNumber ?? 0),
          severityText: String(log.severityText ?? ''),
          body: log.body ? anyValue(log.body) : undefined,
          attributes: attributes(log.attributes),
          traceId: hex(log.traceId),
          spanId: hex(log.spanId),
          resource,
          scope: String(scopeLogs.scope?.name ?? ''),
        });
      }
    }
  }
  return out;
}

// The decoded messages are walked loosely: both the protobuf and the JSON path produce the same
// plain shape (ids as bytes or hex strings, int64 as strings).
type Plain = any;

function protobufToPlain(type: Plain, body: Buffer): Plain {
  const decoded = type.decode(body);
  return type.toObject(decoded, { longs: String, enums: Number, bytes: Buffer, defaults: false });
}

function fromJson(body: Buffer): Plain {
  return JSON.parse(body.toString('utf8'));
}

function list(value: Plain): Plain[] {
  return Array.isArray(value) ? value : [];
}

/** Ids arrive as bytes (protobuf) or as hex strings (OTLP JSON). */
function hex(value: Plain): string {
  if (value === undefined || value === null) return '';
  if (typeof value === 'string') return value.toLowerCase();
  return Buffer.from(value).toString('hex');
}

function attributes(keyValues: Plain): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const kv of list(keyValues)) out[kv.key] = kv.value ? anyValue(kv.value) : undefined;
  return out;
}

function anyValue(value: Plain): unknown {
  if ('stringValue' in value) return value.stringValue;
  if ('boolValue' in value) return value.boolValue;
  if ('intValue' in value) return Number(value.intValue);
  if ('doubleValue' in value) return Number(value.doubleValue);
  if ('bytesValue' in value) return Buffer.from(value.bytesValue, typeof value.bytesValue === 'string' ? 'base64' : undefined);
  if ('arrayValue' in value) return list(value.arrayValue?.values).map(anyValue);
  if ('kvlistValue' in value) return attributes(value.kvlistValue?.values);
  return undefined;
}
