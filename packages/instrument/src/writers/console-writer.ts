import { SpanKind, SpanStatusCode } from '@opentelemetry/api';
import type { ReadableSpan } from '@opentelemetry/sdk-trace';
import type { SpanWriter } from './writer.ts';

const KIND_NAMES = ['INTERNAL', 'SERVER', 'CLIENT', 'PRODUCER', 'CONSUMER'] as const;

/** One readable line per span: for local runs, not for machines. */
export function formatSpanLine(span: ReadableSpan): string {
  const { traceId, spanId } = span.spanContext();
  const durationMs = span.duration[0] * 1e3 + span.duration[1] / 1e6;
  const parent = span.parentSpanContext?.spanId ?? '-';
  const status = span.status.code === SpanStatusCode.ERROR ? `ERROR${span.status.message ? ` (${span.status.message})` : ''}` : 'OK';
  const kind = KIND_NAMES[span.kind] ?? String(SpanKind[span.kind]);
  return `[lambda-otel] ${span.name} kind=${kind} ${durationMs.toFixed(1)}ms status=${status} trace=${traceId} span=${spanId} parent=${parent} ${JSON.stringify(span.attributes)}`;
}

export function createConsoleWriter(options: { write?: (line: string) => void } = {}): SpanWriter {
  const write = options.write ?? ((line: string) => process.stdout.write(line));
  return {
    name: 'console',
    async write(spans) {
      for (const span of spans) write(`${formatSpanLine(span)}\n`);
    },
    flush: async () => {},
    shutdown: async () => {},
  };
}
