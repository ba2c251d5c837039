/**
 * The glue between the pipeline (main.ts) and the two features that sit beside it: FaaS metrics
 * and tail sampling. Reads their settings (logging what is wrong, never failing init), and offers
 * the pipeline one hook per place it already has: telemetry records, spans entering the buffer, the
 * INVOKE event, /v1/metrics from the function, the export (select, exportMetrics) and SHUTDOWN.
 */
import type { BufferedEntry } from '../buffer/telemetry-buffer.ts';
import type { ExportResult } from '../export/exporter.ts';
import type { InvokeEvent } from '../lifecycle/extensions-client.ts';
import type { Logger } from '../logger.ts';
import { estimateMetricBytes } from '../otlp/metrics-model.ts';
import type { MetricItem } from '../otlp/metrics-model.ts';
import type { Resource, SpanItem } from '../otlp/types.ts';
import type { TelemetryRecord } from '../receive/telemetry-records.ts';
import { readSamplingRules } from '../sampling/sampling-rules.ts';
import { TailSampler } from '../sampling/tail-sampler.ts';
import type { SamplingCounts } from '../sampling/tail-sampler.ts';
import { FaasMetrics } from './faas-metrics.ts';
import { readMetricsConfig } from './metrics-config.ts';
import { createMetricsExporter, metricMemoryBytes } from './metrics-exporter.ts';

export interface PipelineExtrasOptions {
  readonly env: Readonly<Record<string, string | undefined>>;
  readonly receiverPort: number;
  readonly resource: Resource;
  readonly logger: Logger;
  /** Puts an entry into the telemetry buffer. */
  readonly push: (entry: BufferedEntry) => void;
  readonly now?: () => number;
}

export interface PipelineExtras {
  onTelemetry(records: readonly TelemetryRecord[]): void;
  /** Spans as they enter the buffer, received or made by the extension. */
  onSpans(items: readonly SpanItem[]): void;
  onInvoke(event: InvokeEvent): void;
  /** /v1/metrics from the function's SDK. */
  onMetrics(items: MetricItem[]): void;
  /** For the flusher: tail sampling (undefined when off). */
  readonly select: ((entries: readonly BufferedEntry[]) => BufferedEntry[]) | undefined;
  /** For the flusher: the metrics endpoint (undefined when metrics are off). */
  readonly exportMetrics: ((items: MetricItem[], deadlineMs: number) => Promise<ExportResult>) | undefined;
  /** SHUTDOWN: the last metrics into the buffer. */
  collectMetrics(): void;
  readonly samplingCounts: (() => SamplingCounts) | undefined;
  shutdown(): Promise<void>;
}

/**
 * @example
 * const extras = createPipelineExtras({ env: process.env, receiverPort, resource, logger, push });
 * const flusher = new Flusher({ ..., select: extras.select, exportMetrics: extras.exportMetrics });
 */
export function createPipelineExtras(options: PipelineExtrasOptions): PipelineExtras {
  const { logger, push } = options;
  const now = options.now ?? Date.now;
  const metricsConfig = readMetricsConfig(options.env, options.receiverPort);
  for (const line of metricsConfig.errors) logger.error(line);
  for (const line of metricsConfig.notices) logger.info(line);
  const sampling = readSamplingRules(options.env);
  if (sampling.error) logger.error(sampling.error);

  const destination = metricsConfig.destination;
  const metrics = destination ? new FaasMetrics({ temporality: metricsConfig.temporality, resource: options.resource, startMs: now() }) : undefined;
  const exporter = destination ? createMetricsExporter(destination, logger) : undefined;
  const sampler = sampling.rules
    ? new TailSampler({ rules: sampling.rules, onDecision: (decision) => metrics?.countSampling(decision.keep ? 'kept' : 'dropped', decision.reason) })
    : undefined;
  let saidMetricsOff = false;

  const pushMetrics = (items: readonly MetricItem[]): void => {
    const atMs = now();
    for (const item of items) push({ kind: 'metric', item, bytes: metricMemoryBytes(estimateMetricBytes(item)), atMs });
  };
  const collect = (): void => {
    if (metrics?.hasNews) pushMetrics(metrics.collect(now()));
  };

  return {
    onTelemetry(records) {
      sampler?.onTelemetry(records);
      // A report closes an invocation: its metrics go into the buffer with the next export.
      if (metrics?.onTelemetry(records)) collect();
    },
    onSpans(items) {
      sampler?.onSpans(items);
      metrics?.onSpans(items);
    },
    onInvoke(event) {
      sampler?.startInvocation(event.requestId, event.traceHeader);
    },
    onMetrics(items) {
      if (destination) {
        pushMetrics(items);
      } else if (!saidMetricsOff) {
        saidMetricsOff = true;
        logger.warn('metrics from the function are not exported: metrics are off (see the line at start-up)', { metrics: items.length });
      }
    },
    select: sampler ? (entries) => sampler.select(entries) : undefined,
    exportMetrics: exporter ? (items, deadlineMs) => exporter.exportMetrics(items, deadlineMs) : undefined,
    collectMetrics: collect,
    samplingCounts: sampler ? () => sampler.counts : undefined,
    async shutdown() {
      await exporter?.shutdown();
    },
  };
}
