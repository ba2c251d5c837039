import type { ReadableSpan, SpanExporter } from '@opentelemetry/sdk-trace';
import { ExportResultCode, type ExportResult } from '@opentelemetry/core';
import { OTLPTraceExporter as OtlpJsonTraceExporter } from '@opentelemetry/exporter-trace-otlp-http';
import { OTLPTraceExporter as OtlpProtobufTraceExporter } from '@opentelemetry/exporter-trace-otlp-proto';
import { warnOnce } from '../diagnostics.ts';
import { describeError } from '../secrets.ts';
import { PendingWrites, type SpanWriter } from './writer.ts';

export type OtlpProtocol = 'http/protobuf' | 'http/json';

/**
 * OTLP/HTTP straight to a backend, for functions without the layer: OpenTelemetry's own trace
 * exporters (protobuf by default, JSON on request). They read OTEL_EXPORTER_OTLP_(TRACES_)ENDPOINT,
 * _HEADERS, _TIMEOUT, _COMPRESSION and the certificate variables themselves, and retry what the
 * OTLP specification calls retryable (429, 502, 503, 504, honouring Retry-After) within the timeout.
 * Batches that still fail are counted and reported once, with no URL or header value in the line.
 */
export interface OtlpWriterOptions {
  readonly protocol: OtlpProtocol;
  /** Only when the configured endpoint is unusable: the default URL, passed explicitly. */
  readonly url?: string | undefined;
}

export function createOtlpWriter(options: OtlpWriterOptions, exporter: SpanExporter = newExporter(options)): SpanWriter {
  const pending = new PendingWrites();
  let droppedSpans = 0;

  function send(spans: ReadableSpan[]): Promise<void> {
    return new Promise<void>((resolve) => {
      exporter.export(spans, (result: ExportResult) => {
        if (result.code !== ExportResultCode.SUCCESS) {
          droppedSpans += spans.length;
          warnOnce('otlp-writer-failed', `lambda-otel: OTLP export failed (${describeError(result.error)}); spans dropped`, { droppedSpans });
        }
        resolve();
      });
    });
  }

  return {
    name: 'otlp',
    write: (spans) => pending.track(send(spans)),
    async flush() {
      await pending.drain();
      await exporter.forceFlush?.();
    },
    async shutdown() {
      await pending.drain();
      await exporter.shutdown();
    },
  };
}

function newExporter({ protocol, url }: OtlpWriterOptions): SpanExporter {
  const config = url === undefined ? {} : { url };
  return protocol === 'http/json' ? new OtlpJsonTraceExporter(config) : new OtlpProtobufTraceExporter(config);
}
