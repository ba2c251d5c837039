/**
 * SHUTDOWN, in a fixed order, all before `deadlineMs` minus the safety margin:
 *   1. stop the OTLP receiver (the runtime is gone; requests already being read may finish);
 *   2. drain the Telemetry API stream: wait for the last platform records and log lines, until
 *      every invocation has its report and the stream is quiet, within a share of the time left;
 *   3. emit the root span of every invocation the runtime never finished (reason from the
 *      platform records or the shutdown reason) and the init span if still pending;
 *   4. final export, retrying what fails while time remains;
 *   5. write whatever is still unsent to stdout as OTLP-JSON lines (CloudWatch Logs keeps it);
 *   6. one summary line: sent / retried / dropped / written;
 *   7. release the exporter. The caller then exits 0.
 */
import type { BufferedEntry, TelemetryBuffer } from '../buffer/telemetry-buffer.ts';
import type { LazyExporter } from '../lazy-exporter.ts';
import type { Flusher } from '../flush/flusher.ts';
import type { InvocationTracker } from '../invocations/invocation-tracker.ts';
import type { ShutdownEvent } from '../lifecycle/extensions-client.ts';
import { errorMessage } from '../logger.ts';
import type { Logger } from '../logger.ts';
import type { LogItem, SpanItem } from '../otlp/types.ts';
import type { OtlpReceiver } from '../receive/otlp-http-receiver.ts';
import type { TelemetryListener } from '../receive/telemetry-listener.ts';
import type { SamplingCounts } from '../sampling/tail-sampler.ts';

export interface DrainDeps {
  readonly receiver: OtlpReceiver;
  readonly listener: TelemetryListener;
  readonly tracker: InvocationTracker;
  readonly flusher: Flusher;
  readonly buffer: TelemetryBuffer;
  readonly exporter: LazyExporter;
  readonly logger: Logger;
  readonly deadlineMarginMs: number;
  /** Longest OTLP-JSON line of the stdout fallback. */
  readonly stdoutMaxLineBytes?: number;
  /** Items received since start (for the summary). */
  readonly received: () => { spans: number; logs: number; metrics?: number };
  readonly write?: (line: string) => void;
  // --- metrics and tail sampling (metrics/, sampling/) ---
  /** Puts the last metrics into the buffer before the final export. */
  readonly collectMetrics?: () => void;
  /** Tail sampling of what the stdout fallback writes (the flusher applies it to exports). */
  readonly select?: (entries: readonly BufferedEntry[]) => BufferedEntry[];
  /** Tail sampling counts for the summary. */
  readonly sampling?: () => SamplingCounts;
}

export interface DrainSummary {
  readonly reason: string;
  readonly received: number;
  readonly sent: number;
  readonly retried: number;
  readonly dropped: number;
  readonly written: number;
  readonly durationMs: number;
  /** Tail sampling: invocations kept and dropped by reason, items left out (absent when sampling is off). */
  readonly sampling?: SamplingCounts;
}

/** Telemetry deliveries come every 25 ms while records flow; this much silence means the stream is drained. */
const QUIET_MS = 80;

export async function drain(event: ShutdownEvent, deps: DrainDeps): Promise<DrainSummary> {
  const startedAtMs = Date.now();
  const endMs = event.deadlineMs - deps.deadlineMarginMs;
  const { logger } = deps;
  const step = async (name: string, action: () => Promise<void> | void): Promise<void> => {
    try {
      await action();
    } catch (error) {
      logger.error(`shutdown step failed: ${name}`, { error: errorMessage(error) });
    }
  };

  // 1. Stop receiving OTLP; a request already being read gets a short moment to land.
  await step('stop receiver', () => deps.receiver.close(Math.min(50, share(endMs, 0.1))));

  // 2. Drain the telemetry stream, then stop listening.
  await step('drain telemetry', () => waitForTelemetry(deps, Date.now() + share(endMs, 0.3)));
  await step('stop telemetry listener', () => deps.listener.close());

  // 3. Root spans of invocations the runtime never finished.
  await step('synthesize root spans', () => deps.tracker.onShutdown(event.shutdownReason));
  await step('collect metrics', () => deps.collectMetrics?.());

  // 4. Final export with retries while time remains; an export already running finishes first.
  await step('final export', async () => {
    await deps.flusher.waitIdle(endMs);
    while (deps.buffer.size > 0 && Date.now() < endMs - 5) {
      const outcome = await deps.flusher.flush(endMs);
      if (!outcome.retryable) continue;
      await new Promise((resolve) => setTimeout(resolve, Math.min(50, Math.max(0, endMs - Date.now()))));
    }
  });

  // 5. Whatever is left goes to stdout, so it is never lost silently.
  let written = 0;
  let tooLargeForStdout = 0;
  await step('stdout fallback', async () => {
    // Loaded here, not at start-up: the encoder is only needed when something is left over.
    const { writeOtlpJsonLines } = await import('../export/stdout-fallback.ts');
    const rest = deps.buffer.takeAll();
    if (rest.length === 0) return;
    deps.tracker.prepareForExport(rest);
    const chosen = deps.select ? deps.select(rest) : rest;
    // Metrics have no stdout form: what is left of them is dropped, and counted.
    deps.buffer.countDropped('metric', chosen.filter((entry) => entry.kind === 'metric').length);
    const spans = chosen.filter((entry) => entry.kind === 'span').map((entry) => entry.item as SpanItem);
    const logs = chosen.filter((entry) => entry.kind === 'log').map((entry) => entry.item as LogItem);
    const result = writeOtlpJsonLines(spans, logs, deps.write, { maxLineBytes: deps.stdoutMaxLineBytes });
    tooLargeForStdout = result.dropped;
    written = spans.length + logs.length - result.dropped;
  });

  // 6. One summary line.
  const received = deps.received();
  const dropped = deps.buffer.droppedTotal;
  const summary: DrainSummary = {
    reason: event.shutdownReason,
    received: received.spans + received.logs + (received.metrics ?? 0),
    sent: deps.flusher.counters.sent,
    retried: deps.flusher.counters.retried,
    dropped: dropped.spans + dropped.logs + deps.buffer.droppedMetrics + tooLargeForStdout,
    written,
    durationMs: Date.now() - startedAtMs,
    ...(deps.sampling ? { sampling: deps.sampling() } : {}),
  };
  const sampled = summary.sampling ? `; tail sampling kept ${describeCounts(summary.sampling.kept)}, dropped ${describeCounts(summary.sampling.dropped)}` : '';
  logger.info(`shutdown: sent ${summary.sent}, retried ${summary.retried}, dropped ${summary.dropped}, written ${summary.written}${sampled}`, { summary });

  // 7. Release the exporter, without waiting past the deadline.
  await step('exporter shutdown', () => deps.exporter.shutdown(Math.max(0, event.deadlineMs - Date.now() - 20)));
  return summary;
}

/** `12 (error 2, ratio 10)`: the total, then by reason. */
function describeCounts(byReason: Record<string, number>): string {
  const entries = Object.entries(byReason);
  const total = entries.reduce((sum, [, count]) => sum + count, 0);
  return entries.length === 0 ? '0' : `${total} (${entries.map(([reason, count]) => `${reason} ${count}`).join(', ')})`;
}

/** Milliseconds that are `fraction` of the time left before `endMs`. */
function share(endMs: number, fraction: number): number {
  return Math.max(0, Math.floor((endMs - Date.now()) * fraction));
}

async function waitForTelemetry(deps: DrainDeps, untilMs: number): Promise<void> {
  for (;;) {
    const nowMs = Date.now();
    if (nowMs >= untilMs) return;
    const quiet = nowMs - Math.max(deps.listener.lastDeliveryAtMs(), 0) >= QUIET_MS;
    if (quiet && !deps.tracker.hasUnreported()) return;
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}
