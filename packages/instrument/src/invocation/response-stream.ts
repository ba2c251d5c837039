import type { Attributes } from '@opentelemetry/api';

/** What the plugin learns from a streamed response. */
export interface StreamObservation {
  /** The stream handed to the user's handler: the runtime's stream with counting write/end. */
  readonly stream: any;
  /** Resolves when the stream has finished, closed or failed (with the error, if any). */
  readonly done: Promise<{ error?: unknown }>;
  attributes(): Attributes;
}

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
export function observeResponseStream(runtimeStream: any, startedAtMs: number): StreamObservation {
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

  const stream = Object.create(runtimeStream);
  stream.write = function write(chunk: unknown, encoding?: unknown, callback?: unknown) {
    count(chunk, encoding);
    return runtimeStream.write(chunk, encoding, callback);
  };
  stream.end = function end(chunk?: unknown, encoding?: unknown, callback?: unknown) {
    count(chunk, encoding);
    return runtimeStream.end(chunk, encoding, callback);
  };
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
              const prelude = JSON.parse(chunk);
              if (Number.isInteger(prelude?.statusCode)) statusCode = prelude.statusCode;
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
    attributes() {
      const attributes: Attributes = { 'lambda_otel.response.streamed': true, 'lambda_otel.response.bytes': bytes };
      if (firstByteAtMs !== undefined) attributes['lambda_otel.response.time_to_first_byte_ms'] = firstByteAtMs - startedAtMs;
      if (statusCode !== undefined) attributes['http.response.status_code'] = statusCode;
      return attributes;
    },
  };
}
