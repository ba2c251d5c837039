// The one interface every backend implements. Results are a tagged union so the caller decides what
// to do (drop and count, or keep for the next flush) without parsing error strings.
import type { MetricItem } from '../otlp/metrics-model.ts';
import type { LogItem, SpanItem } from '../otlp/types.ts';

export type ExportResult =
  /** `dropped`: records the backend path could not take (too large, outside its time window, rejected in a partial success). */
  { kind: 'success'; dropped?: number } | { kind: 'failure'; error: string } | RetryableResult;

/**
 * Some or all records may be accepted by a later attempt. When a batch went out in several
 * requests and a later one failed, `pending` names the records still to send (the earlier
 * requests are delivered, and sending them again would duplicate them); absent means all.
 * `dropped` counts the records outside `pending` the backend path did not take.
 */
export interface RetryableResult {
  kind: 'retryable';
  error: string;
  retryAfterMs?: number;
  pending?: readonly (SpanItem | LogItem | MetricItem)[];
  dropped?: number;
}

export interface TelemetryExporter {
  /**
   * Sends spans. `deadlineMs` is an epoch-milliseconds bound: the call retries within it and returns
   * by then at the latest (`retryable` if it ran out of time on a retryable error). Never throws.
   */
  exportSpans(items: SpanItem[], deadlineMs: number): Promise<ExportResult>;
  /** Sends log records; same contract as {@link TelemetryExporter.exportSpans}. */
  exportLogs(items: LogItem[], deadlineMs: number): Promise<ExportResult>;
  /** Releases sockets. Idempotent; exports after shutdown return a failure. */
  shutdown(): Promise<void>;
}

export const success: ExportResult = Object.freeze({ kind: 'success' });
