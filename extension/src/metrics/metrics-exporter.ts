/**
 * Sends metric items to the OTLP metrics endpoint: the same signal client as traces and logs (split,
 * encode, gzip, headers, retries inside the deadline, partial success), loaded on first use so that
 * start-up does not pay for it.
 */
import type { OtlpSignalConfig } from '../export/config.ts';
import type { ExportResult } from '../export/exporter.ts';
import type { SignalClient } from '../export/otlp-signal-client.ts';
import type { Logger } from '../logger.ts';
import type { MetricItem } from '../otlp/metrics-model.ts';

export interface MetricsExporter {
  /** Same contract as TelemetryExporter.exportSpans: retries within `deadlineMs`, never throws. */
  exportMetrics(items: MetricItem[], deadlineMs: number): Promise<ExportResult>;
  shutdown(): Promise<void>;
}

/**
 * @example
 * const exporter = createMetricsExporter(metricsConfig.destination, logger);
 * await exporter.exportMetrics(faasMetrics.collect(Date.now()), Date.now() + 2000);
 */
export function createMetricsExporter(destination: OtlpSignalConfig, logger: Logger): MetricsExporter {
  let client: Promise<SignalClient<'metrics'>> | undefined;
  let closed = false;
  const load = (): Promise<SignalClient<'metrics'>> => {
    client ??= import('../export/otlp-signal-client.ts').then((module) => module.createSignalClient('metrics', { config: destination, logger }));
    client.catch(() => {
      client = undefined;
    });
    return client;
  };
  return {
    async exportMetrics(items, deadlineMs) {
      if (closed) return { kind: 'failure', error: 'metrics exporter is shut down' };
      try {
        return await (await load()).export(items, deadlineMs);
      } catch (error) {
        return { kind: 'retryable', error: `metrics exporter unavailable: ${(error as Error).message}` };
      }
    },
    async shutdown() {
      closed = true;
      if (client) (await client).close();
    },
  };
}

/** Heap bytes of one buffered metric item: a small tree of objects, a few times its wire size. */
export function metricMemoryBytes(encodedEstimate: number): number {
  return 600 + 3 * encodedEstimate;
}
