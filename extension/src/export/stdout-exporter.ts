// LAMBDA_OTEL_EXPORTER=stdout: OTLP/JSON lines on stdout (the function's CloudWatch log group keeps
// them; a log subscription can forward them). Nothing to retry: a write either happens or not.
import type { Logger } from '../logger.ts';
import type { StdoutExporterConfig } from './config.ts';
import type { ExportResult, TelemetryExporter } from './exporter.ts';
import { writeOtlpJsonLines } from './stdout-fallback.ts';
import type { LogItem, SpanItem } from '../otlp/types.ts';

/**
 * @example
 * const exporter = createStdoutExporter({ kind: 'stdout', maxLineBytes: 200 * 1024 }, logger);
 */
export function createStdoutExporter(config: StdoutExporterConfig, logger: Logger, write?: (line: string) => void): TelemetryExporter {
  let closed = false;
  const run = (spans: SpanItem[], logs: LogItem[]): ExportResult => {
    if (closed) return { kind: 'failure', error: 'stdout exporter is shut down' };
    try {
      const { dropped } = writeOtlpJsonLines(spans, logs, write, { maxLineBytes: config.maxLineBytes });
      if (dropped > 0) logger.warn(`dropped ${dropped} records larger than one stdout line (${config.maxLineBytes} bytes)`, { dropped });
      return dropped > 0 ? { kind: 'success', dropped } : { kind: 'success' };
    } catch (error) {
      return { kind: 'failure', error: `stdout write failed: ${(error as Error).message}` };
    }
  };
  return {
    exportSpans: async (items) => run(items, []),
    exportLogs: async (items) => run([], items),
    async shutdown() {
      closed = true;
    },
  };
}
