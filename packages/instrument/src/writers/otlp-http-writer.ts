import { gzipSync } from 'node:zlib';
import type { ReadableSpan } from '@opentelemetry/sdk-trace';
import { warnOnce } from '../diagnostics.ts';
import { INSTRUMENT_VERSION } from '../version.ts';
import { postBody } from './http-post.ts';
import { serializeSpans } from './otlp-serialize.ts';
import { PendingWrites, type SpanWriter } from './writer.ts';

export interface OtlpHttpWriterOptions {
  readonly url: string;
  readonly headers: Readonly<Record<string, string>>;
  readonly timeoutMs: number;
  readonly protocol: 'http/protobuf' | 'http/json';
  readonly compression: 'gzip' | 'none';
}

const RETRYABLE = new Set([429, 502, 503, 504]);
const MAX_RETRY_DELAY_MS = 1000;

function retryDelayMs(retryAfter: string | undefined): number {
  const seconds = Number(retryAfter);
  return Number.isFinite(seconds) && seconds >= 0 ? Math.min(seconds * 1000, MAX_RETRY_DELAY_MS) : 200;
}

/**
 * OTLP/HTTP straight to a backend (OTEL_EXPORTER_OTLP_ENDPOINT), for functions without the layer.
 * One retry on 429/502/503/504 and on connection failure (Retry-After honoured up to 1 s); batches
 * that still fail are counted and reported once.
 */
export function createOtlpHttpWriter(options: OtlpHttpWriterOptions): SpanWriter & { dropped(): number } {
  const pending = new PendingWrites();
  let droppedSpans = 0;
  const headers: Record<string, string> = {
    ...options.headers,
    'content-type': options.protocol === 'http/json' ? 'application/json' : 'application/x-protobuf',
    'user-agent': `lambda-otel-instrument/${INSTRUMENT_VERSION}`,
  };
  if (options.compression === 'gzip') headers['content-encoding'] = 'gzip';

  async function send(spans: ReadableSpan[]): Promise<void> {
    const raw = await serializeSpans(spans, options.protocol === 'http/json' ? 'json' : 'protobuf');
    const body = options.compression === 'gzip' ? gzipSync(raw) : raw;
    let lastProblem = '';
    for (let attempt = 0; attempt < 2; attempt += 1) {
      try {
        const result = await postBody(options.url, body, headers, options.timeoutMs);
        if (result.status >= 200 && result.status < 300) return;
        lastProblem = `HTTP ${result.status}`;
        if (!RETRYABLE.has(result.status)) break;
        await new Promise((resolve) => setTimeout(resolve, retryDelayMs(result.retryAfter)).unref());
      } catch (error) {
        lastProblem = error instanceof Error ? error.message : String(error);
        if (attempt === 0) await new Promise((resolve) => setTimeout(resolve, 100).unref());
      }
    }
    droppedSpans += spans.length;
    warnOnce('otlp-writer-failed', `lambda-otel: OTLP export to ${options.url} failed (${lastProblem}); spans dropped`, {
      droppedSpans,
    });
  }

  return {
    name: 'otlp',
    write: (spans) => pending.track(send(spans)),
    flush: () => pending.drain(),
    shutdown: () => pending.drain(),
    dropped: () => droppedSpans,
  };
}
