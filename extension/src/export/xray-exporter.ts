// LAMBDA_OTEL_EXPORTER=xray: spans as OTLP to the X-Ray endpoint (https://xray.<region>.amazonaws.com/v1/traces,
// SigV4 service `xray`; needs CloudWatch Transaction Search), logs to CloudWatch Logs. X-Ray takes
// W3C trace ids as they are. Its limits are enforced here rather than letting it reject a whole
// call: at most 10,000 spans and 5 MB uncompressed per request, 200 KB per span, and span times no
// more than 2 h ahead of or 14 days behind now (spans outside are dropped, counted and reported).
import type { Logger } from '../logger.ts';
import type { SpanItem } from '../otlp/types.ts';
import type { BatchLimits } from './batch-split.ts';
import { createCloudWatchLogsClient } from './cloudwatch-logs-exporter.ts';
import type { XrayExporterConfig } from './config.ts';
import type { TelemetryExporter } from './exporter.ts';
import { createSignalClient } from './otlp-signal-client.ts';
import type { RetryPolicy } from './retrying-transport.ts';
import { createSigV4Signer } from './sigv4.ts';

export const xrayLimits: BatchLimits = Object.freeze({ maxItems: 10_000, maxBytes: 5_000_000, maxItemBytes: 200_000 });

const msToNs = 1_000_000n;
export const xrayMaxFutureMs = 2 * 60 * 60 * 1000;
export const xrayMaxPastMs = 14 * 24 * 60 * 60 * 1000;

/** Splits spans into those X-Ray accepts by time and those it would reject. Pure: `nowMs` is given. */
export function partitionByXrayTimeWindow(items: readonly SpanItem[], nowMs: number): { accepted: SpanItem[]; outside: SpanItem[] } {
  const earliestNs = BigInt(Math.floor(nowMs - xrayMaxPastMs)) * msToNs;
  const latestNs = BigInt(Math.floor(nowMs + xrayMaxFutureMs)) * msToNs;
  const accepted: SpanItem[] = [];
  const outside: SpanItem[] = [];
  for (const item of items) {
    let inside: boolean;
    try {
      const start = BigInt(item.span.startTimeUnixNano);
      const end = BigInt(item.span.endTimeUnixNano);
      inside = start >= earliestNs && start <= latestNs && end >= earliestNs && end <= latestNs;
    } catch {
      inside = false; // not a number: X-Ray would reject it as well
    }
    (inside ? accepted : outside).push(item);
  }
  return { accepted, outside };
}

/**
 * @example
 * const exporter = createXrayExporter(config, logger); // config.kind === 'xray'
 */
export function createXrayExporter(
  config: XrayExporterConfig,
  logger: Logger,
  options: { retryPolicy?: RetryPolicy; now?: () => number } = {},
): TelemetryExporter {
  const now = options.now ?? Date.now;
  const traces = createSignalClient('traces', {
    config: config.traces,
    logger,
    limits: xrayLimits,
    signer: createSigV4Signer({ service: 'xray', region: config.region, credentials: config.credentials }),
    ...options,
  });
  const logs = config.logs
    ? createCloudWatchLogsClient({ config: config.logs, region: config.region, credentials: config.credentials }, logger, options)
    : undefined;
  let warnedNoLogs = false;

  return {
    async exportSpans(items, deadlineMs) {
      const { accepted, outside } = partitionByXrayTimeWindow(items, now());
      if (outside.length > 0) {
        logger.warn(`dropped ${outside.length} spans with timestamps X-Ray rejects (more than 2 h ahead or 14 days behind now)`, {
          dropped: outside.length,
          example: outside[0]?.span.name,
        });
        if (accepted.length === 0) return { kind: 'failure', error: `all ${outside.length} spans are outside the X-Ray time window` };
      }
      const result = await traces.export(accepted, deadlineMs);
      if (outside.length === 0 || result.kind === 'failure') return result;
      if (result.kind === 'success') return { kind: 'success', dropped: outside.length + (result.dropped ?? 0) };
      // Only what X-Ray may still take is retried; the spans outside its window are dropped.
      return { ...result, pending: result.pending ?? accepted, dropped: outside.length + (result.dropped ?? 0) };
    },
    async exportLogs(items, deadlineMs) {
      if (logs) return logs.exportLogs(items, deadlineMs);
      const reason = config.logsDisabledReason ?? 'no log group';
      if (!warnedNoLogs && items.length > 0) {
        warnedNoLogs = true;
        logger.warn(`logs are not exported in xray mode: ${reason}`);
      }
      return items.length === 0 ? { kind: 'success' } : { kind: 'failure', error: `logs not exported: ${reason}` };
    },
    async shutdown() {
      traces.close();
      logs?.close();
    },
  };
}
