import { gzipSync } from 'node:zlib';
import type { ReadableSpan } from '@opentelemetry/sdk-trace';
import { INSTRUMENT_VERSION } from '../version.ts';
import { serializeSpans } from './otlp-serialize.ts';
import { PendingWrites, type SpanWriter } from './writer.ts';

export interface StdoutEnvelope {
  __otel_otlp_stdout: string;
  source: string;
  endpoint: string;
  method: 'POST';
  'content-type': 'application/x-protobuf';
  'content-encoding': 'gzip';
  payload: string;
  base64: true;
}

/** One envelope line (the otlp-stdout-span-exporter format): base64(gzip(OTLP protobuf)). */
export function toEnvelope(protobuf: Uint8Array, source: string): StdoutEnvelope {
  return {
    __otel_otlp_stdout: INSTRUMENT_VERSION,
    source,
    endpoint: 'http://localhost:4318/v1/traces',
    method: 'POST',
    'content-type': 'application/x-protobuf',
    'content-encoding': 'gzip',
    payload: gzipSync(protobuf).toString('base64'),
    base64: true,
  };
}

/**
 * Writes one JSON line per batch to stdout, for log-based pipelines (a log subscription filter on
 * `{ $.__otel_otlp_stdout = * }` forwards it to an OTLP backend).
 */
export function createStdoutWriter(options: { source: string; write?: (line: string) => void }): SpanWriter {
  const pending = new PendingWrites();
  const write = options.write ?? ((line: string) => process.stdout.write(line));
  return {
    name: 'stdout',
    write(spans: ReadableSpan[]) {
      return pending.track(
        serializeSpans(spans, 'protobuf').then((bytes) => {
          write(`${JSON.stringify(toEnvelope(bytes, options.source))}\n`);
        }),
      );
    },
    flush: () => pending.drain(),
    shutdown: () => pending.drain(),
  };
}
