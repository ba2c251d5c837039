// Picks the exporter for LAMBDA_OTEL_EXPORTER. The only place that knows all backends.
import { createLogger, type Logger } from '../logger.ts';
import type { ExporterConfig } from './config.ts';
import type { TelemetryExporter } from './exporter.ts';
import { createOtlpHttpExporter } from './otlp-http-exporter.ts';
import { createStdoutExporter } from './stdout-exporter.ts';
import { createXrayExporter } from './xray-exporter.ts';

/**
 * @example
 * const exporter = createExporter(readExporterConfig(process.env), logger);
 */
export function createExporter(config: ExporterConfig, logger: Logger = createLogger()): TelemetryExporter {
  switch (config.kind) {
    case 'otlp':
      return createOtlpHttpExporter(config, logger);
    case 'xray':
      return createXrayExporter(config, logger);
    case 'stdout':
      return createStdoutExporter(config, logger);
  }
}
