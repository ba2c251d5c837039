/**
 * platform.report as telemetry: its values as attributes (for the invocation's root span) and a
 * trace-correlated `REPORT RequestId: …` log record, like the line Lambda writes to CloudWatch.
 */
import { attr } from '../otlp/types.ts';
import type { KeyValue, LogRecord, Span } from '../otlp/types.ts';
import { isFailureStatus } from '../receive/telemetry-records.ts';
import type { PlatformReportMetrics } from '../receive/telemetry-records.ts';
import { INVOCATION_ID_KEY } from './log-records.ts';
import { msToUnixNano } from './trace-context.ts';

export const REPORT_EVENT_NAME = 'aws.lambda.report';

export interface PlatformReport {
  readonly requestId: string;
  readonly status: string;
  readonly errorType?: string;
  readonly metrics: PlatformReportMetrics;
  readonly timeMs: number;
}

/** `aws.lambda.report.status`, `aws.lambda.duration_ms`, `…billed_duration_ms`, … (only those present). */
export function reportAttributes(report: PlatformReport): KeyValue[] {
  const attributes: KeyValue[] = [attr('aws.lambda.report.status', report.status)];
  if (report.errorType) attributes.push(attr('aws.lambda.report.error_type', report.errorType));
  const add = (key: string, value: number | undefined): void => {
    if (value !== undefined) attributes.push({ key, value: { doubleValue: value } });
  };
  const { metrics } = report;
  add('aws.lambda.duration_ms', metrics.durationMs);
  add('aws.lambda.billed_duration_ms', metrics.billedDurationMs);
  add('aws.lambda.memory_size_mb', metrics.memorySizeMB);
  add('aws.lambda.max_memory_used_mb', metrics.maxMemoryUsedMB);
  add('aws.lambda.init_duration_ms', metrics.initDurationMs);
  return attributes;
}

/** The REPORT log record, in `root`'s trace when the root span is known (otherwise at export). */
export function reportLogRecord(report: PlatformReport, attributes: readonly KeyValue[], root: Span | undefined): LogRecord {
  const { metrics } = report;
  const body =
    `REPORT RequestId: ${report.requestId}` +
    (metrics.durationMs !== undefined ? `\tDuration: ${metrics.durationMs} ms` : '') +
    (metrics.billedDurationMs !== undefined ? `\tBilled Duration: ${metrics.billedDurationMs} ms` : '') +
    (metrics.memorySizeMB !== undefined ? `\tMemory Size: ${metrics.memorySizeMB} MB` : '') +
    (metrics.maxMemoryUsedMB !== undefined ? `\tMax Memory Used: ${metrics.maxMemoryUsedMB} MB` : '') +
    (metrics.initDurationMs !== undefined ? `\tInit Duration: ${metrics.initDurationMs} ms` : '');
  const failed = isFailureStatus(report.status);
  return {
    timeUnixNano: msToUnixNano(report.timeMs),
    observedTimeUnixNano: msToUnixNano(report.timeMs),
    severityNumber: failed ? 17 : 9,
    severityText: failed ? 'ERROR' : 'INFO',
    eventName: REPORT_EVENT_NAME,
    body: { stringValue: body },
    attributes: [...attributes, attr('log.source', 'platform'), attr(INVOCATION_ID_KEY, report.requestId)],
    ...(root ? { traceId: root.traceId, spanId: root.spanId } : {}),
  };
}
