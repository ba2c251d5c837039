import type { Writable } from 'node:stream';
import type { Attributes } from '@opentelemetry/api';
import { ATTR_LAMBDA_OTEL_RESPONSE_BYTES, ATTR_LAMBDA_OTEL_RESPONSE_STREAMED, ATTR_LAMBDA_OTEL_RESPONSE_TIME_TO_FIRST_BYTE_MS } from '../attributes.ts';

/** The runtime client's response stream: a Writable with the hook HttpResponseStream.from sets. */
export type ResponseStream = Writable & { _onBeforeFirstWrite?: unknown };

/** What the plugin learns from a streamed response. */
export interface StreamObservation {
  /** The stream handed to the user's handler: the runtime's stream with counting write/end. */
  readonly stream: ResponseStream;
  /** Resolves when the stream has finished, closed or failed (with the error, if any). */
  readonly done: Promise<{ error?: unknown }>;
  /** The status code of the HTTP integration's prelude (`HttpResponseStream.from`), once written. */
  statusCode(): number | undefined;
  /** Bytes, time to first byte: the stream's own attributes (the status goes through the trigger). */
  attributes(): Attributes;
}

/** write/end forwarded with whatever arguments the handler passed (they have several overloads). */
type Forward = (...args: unknown[]) => unknown;

function byteLength(chunk: unknown, encoding: unknown): number {
  if (chunk === undefined || chunk === null || typeof chunk === 'function') return 0;
  if (typeof chunk === 'string') return Buffer.byteLength(chunk, typeof encoding === 'string' ? (encoding as BufferEncoding) : 'utf8');
  if (chunk instanceof Uint8Array) return chunk.byteLength;
  return Buffer.byteLength(JSON.stringify(chunk));
}

/**
 * Observes the runtime's response stream without replacing it: the handler gets an object whose
 * prototype is the runtime's stream (so HttpResponseStream.from, setContentType, pipeline() and the
 * runtime's own bookkeeping keep working), with write/end counting body bytes and the time to first
 * byte. The HTTP-integration prelude (`HttpResponseStream.from`) is read for the status code and is not
 * counted as body.
 */
export function observeResponseStream(runtimeStream: ResponseStream, startedAtMs: number): StreamObservation {
  let bytes = 0;
  let firstByteAtMs: number | undefined;
  let statusCode: number | undefined;
  const count = (chunk: unknown, encoding: unknown) => {
    const n = byteLength(chunk, encoding);
    if (n > 0) {
      firstByteAtMs ??= Date.now();
      bytes += n;
    }
  };

  const stream = Object.create(runtimeStream) as ResponseStream;
  const write: Forward = (...args) => {
    count(args[0], args[1]);
    return (runtimeStream.write as Forward).apply(runtimeStream, args);
  };
  const end: Forward = (...args) => {
    count(args[0], args[1]);
    return (runtimeStream.end as Forward).apply(runtimeStream, args);
  };
  stream.write = write as Writable['write'];
  stream.end = end as Writable['end'];
  Object.defineProperty(stream, '_onBeforeFirstWrite', {
    configurable: true,
    enumerable: true,
    get: () => runtimeStream._onBeforeFirstWrite,
    set(fn: unknown) {
      if (typeof fn !== 'function') {
        runtimeStream._onBeforeFirstWrite = fn;
        return;
      }
      runtimeStream._onBeforeFirstWrite = (write: (chunk: unknown) => unknown) =>
        fn((chunk: unknown) => {
          if (statusCode === undefined && typeof chunk === 'string') {
            try {
              const prelude = JSON.parse(chunk) as { statusCode?: unknown } | null;
              if (typeof prelude?.statusCode === 'number' && Number.isInteger(prelude.statusCode)) statusCode = prelude.statusCode;
            } catch {
              // not a JSON prelude
            }
          }
          return write(chunk);
        });
    },
  });

  const done = new Promise<{ error?: unknown }>((resolve) => {
    if (runtimeStream.writableFinished) return resolve({});
    let settled = false;
    const settle = (outcome: { error?: unknown }) => {
      if (settled) return;
      settled = true;
      resolve(outcome);
    };
    runtimeStream.on('finish', () => settle({}));
    runtimeStream.on('close', () => settle({}));
    runtimeStream.on('error', (error: unknown) => settle({ error }));
  });

  return {
    stream,
    done,
    statusCode: () => statusCode,
    attributes() {
      const attributes: Attributes = { [ATTR_LAMBDA_OTEL_RESPONSE_STREAMED]: true, [ATTR_LAMBDA_OTEL_RESPONSE_BYTES]: bytes };
      if (firstByteAtMs !== undefined) attributes[ATTR_LAMBDA_OTEL_RESPONSE_TIME_TO_FIRST_BYTE_MS] = firstByteAtMs - startedAtMs;
      return attributes;
    },
  };
}
