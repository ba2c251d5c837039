// LAMBDA_OTEL_EXPORTER=otlp: spans and logs to an OTLP/HTTP backend (protobuf or JSON, gzip,
// configured headers, retries within the deadline). A signal listed in `stdoutSignals` goes to
// stdout as OTLP/JSON lines instead.
import type { Logger } from '../logger.ts';
import type { OtlpExporterConfig } from './config.ts';
import type { TelemetryExporter } from './exporter.ts';
import type { RetryPolicy } from './retrying-transport.ts';
import { createSignalClient } from './otlp-signal-client.ts';
import { createStdoutExporter } from './stdout-exporter.ts';
import { DEFAULT_MAX_LINE_BYTES } from './stdout-fallback.ts';

/**
 * @example
 * const exporter = createOtlpHttpExporter(config, logger);
 * await exporter.exportSpans(items, Date.now() + 2000);
 */
export function createOtlpHttpExporter(
  config: OtlpExporterConfig,
  logger: Logger,
  options: { retryPolicy?: RetryPolicy; writeStdout?: (line: string) => void } = {},
): TelemetryExporter {
  const toStdout = new Set(config.stdoutSignals ?? []);
  const stdout =
    toStdout.size > 0
      ? createStdoutExporter({ kind: 'stdout', maxLineBytes: config.stdoutMaxLineBytes ?? DEFAULT_MAX_LINE_BYTES }, logger, options.writeStdout)
      : undefined;
  const traces = toStdout.has('traces') ? undefined : createSignalClient('traces', { config: config.traces, logger, retryPolicy: options.retryPolicy });
  const logs = toStdout.has('logs') ? undefined : createSignalClient('logs', { config: config.logs, logger, retryPolicy: options.retryPolicy });
  return {
    exportSpans: (items, deadlineMs) => (traces ? traces.export(items, deadlineMs) : stdout!.exportSpans(items, deadlineMs)),
    exportLogs: (items, deadlineMs) => (logs ? logs.export(items, deadlineMs) : stdout!.exportLogs(items, deadlineMs)),
    async shutdown() {
      traces?.close();
      logs?.close();
      await stdout?.shutdown();
    },
  };
}
