import type { ReadableSpan } from '@opentelemetry/sdk-trace';
import { warnOnce } from '../diagnostics.ts';
import { postBody } from './http-post.ts';
import { serializeSpans } from './otlp-serialize.ts';
import { PendingWrites, type SpanWriter } from './writer.ts';

export interface ExtensionWriterOptions {
  /** The extension's loopback receiver port (LAMBDA_OTEL_RECEIVER_PORT, default 4318). */
  readonly port: number;
  /** Bound on each request; the extension answers in microseconds when it is there. */
  readonly timeoutMs: number;
  /** Where a batch goes when the extension does not take it. */
  readonly fallback: () => SpanWriter;
}

/** Errors that mean nobody listens: switch to the fallback for good. */
const ABSENT = new Set(['ECONNREFUSED', 'ENOENT', 'EADDRNOTAVAIL']);

/**
 * OTLP/HTTP protobuf to the extension on 127.0.0.1. When the extension refuses the connection the
 * writer switches to the fallback (stdout) for the rest of the process and says so once; a batch the
 * extension did not take (timeout, error status) is re-sent through the fallback, never lost.
 */
export function createExtensionWriter(options: ExtensionWriterOptions): SpanWriter {
  const pending = new PendingWrites();
  const url = `http://127.0.0.1:${options.port}/v1/traces`;
  let absent = false;
  let fallbackWriter: SpanWriter | undefined;
  const fallback = () => (fallbackWriter ??= options.fallback());

  async function send(spans: ReadableSpan[]): Promise<void> {
    if (absent) return fallback().write(spans);
    let problem: string;
    try {
      const body = await serializeSpans(spans, 'protobuf');
      const result = await postBody(url, body, { 'content-type': 'application/x-protobuf' }, options.timeoutMs);
      if (result.status >= 200 && result.status < 300) return;
      problem = `HTTP ${result.status}`;
    } catch (error) {
      const code = (error as { code?: string }).code;
      if (code !== undefined && ABSENT.has(code)) {
        absent = true;
        warnOnce('extension-absent', `lambda-otel: no extension answers on ${url}; spans go to the ${fallback().name} writer from now on`);
        return fallback().write(spans);
      }
      problem = error instanceof Error ? error.message : String(error);
    }
    warnOnce('extension-failed', `lambda-otel: the extension did not take a span batch (${problem}); it went to the ${fallback().name} writer`);
    return fallback().write(spans);
  }

  return {
    name: 'extension',
    write: (spans) => pending.track(send(spans)),
    async flush() {
      await pending.drain();
      await fallbackWriter?.flush();
    },
    async shutdown() {
      await pending.drain();
      await fallbackWriter?.shutdown();
    },
  };
}
