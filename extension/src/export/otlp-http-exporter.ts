// LAMBDA_OTEL_EXPORTER=otlp: spans and logs to an OTLP/HTTP backend (protobuf or JSON, gzip,
// configured headers, retries within the deadline).
import type { Logger } from '../logger.ts';
import type { OtlpExporterConfig } from './config.ts';
import type { TelemetryExporter } from './exporter.ts';
import type { RetryPolicy } from './retrying-transport.ts';
import { createSignalClient } from './otlp-signal-client.ts';

/**
 * @example
 * const exporter = createOtlpHttpExporter(config, logger);
 * await exporter.exportSpans(items, Date.now() + 2000);
 */
export function createOtlpHttpExporter(
  config: OtlpExporterConfig,
  logger: Logger,
  options: { retryPolicy?: RetryPolicy } = {},
): TelemetryExporter {
  const traces = createSignalClient('traces', { config: config.traces, logger, ...options });
  const logs = createSignalClient('logs', { config: config.logs, logger, ...options });
  return {
    exportSpans: (items, deadlineMs) => traces.export(items, deadlineMs),
    exportLogs: (items, deadlineMs) => logs.export(items, deadlineMs),
    async shutdown() {
      traces.close();
      logs.close();
    },
  };
}
