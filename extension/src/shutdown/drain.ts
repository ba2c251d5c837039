/**
 * SHUTDOWN, in a fixed order, each step within its share of the time (drain-plan.ts), all before
 * the deadline less the safety margin, whatever the backend does:
 *   1. stop the OTLP receiver (the runtime is gone; requests already being read may finish);
 *   2. drain the Telemetry API stream: wait for the last platform records and log lines, until
 *      every invocation has its report and the stream is quiet;
 *   3. emit the root span of every invocation the runtime never finished (reason from the
 *      platform records or the shutdown reason) and the init span if still pending;
 *   4. final export, retrying what fails, until the plan's export end (a hung backend holds it no
 *      longer than that);
 *   5. write what is still unsent to stdout as OTLP-JSON lines (CloudWatch Logs keeps it), line
 *      by line until the end of the plan; what does not fit in time is counted as dropped;
 *   6. one summary line, always: sent + dropped + written = received;
 *   7. release the exporter. The caller then exits 0.
 */
import type { BufferedEntry, TelemetryBuffer } from '../buffer/telemetry-buffer.ts';
import type { Clock } from '../clock.ts';
import { systemClock } from '../clock.ts';
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
import { planDrain } from './drain-plan.ts';

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
  /** Where the fallback lines go (default: stdout); false means the output is backed up. */
  readonly write?: (line: string) => void | boolean;
  readonly clock?: Clock;
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
  const clock = deps.clock ?? systemClock;
  const startedAtMs = clock.now();
  const plan = planDrain(startedAtMs, event.deadlineMs, deps.deadlineMarginMs);
  const { logger } = deps;
  const step = async (name: string, action: () => Promise<void> | void): Promise<void> => {
    try {
      await action();
    } catch (error) {
      logger.error(`shutdown step failed: ${name}`, { error: errorMessage(error) });
    }
  };

  // 1. Stop receiving OTLP; a request already being read gets a short moment to land.
  await step('stop receiver', () => deps.receiver.close(plan.receiverCloseMs));

  // 2. Drain the telemetry stream, then stop listening.
  await step('drain telemetry', () => waitForTelemetry(deps, clock, plan.telemetryUntilMs));
  await step('stop telemetry listener', () => deps.listener.close());

  // 3. Root spans of invocations the runtime never finished.
  await step('synthesize root spans', () => deps.tracker.onShutdown(event.shutdownReason));
  await step('collect metrics', () => deps.collectMetrics?.());

  // 4. Final export with retries until the plan's export end; an export already running finishes first.
  await step('final export', async () => {
    await deps.flusher.waitIdle(plan.exportUntilMs);
    while (deps.buffer.size > 0 && clock.now() < plan.exportUntilMs - 5) {
      const outcome = await deps.flusher.flush(plan.exportUntilMs);
      if (!outcome.retryable) continue;
      await clock.sleep(Math.min(50, Math.max(0, plan.exportUntilMs - clock.now())));
    }
  });

  // 5. Whatever is left goes to stdout while time remains, so it is never lost silently.
  let written = 0;
  let notWritten = 0;
  await step('stdout fallback', async () => {
    // Loaded here, not at start-up: the encoder is only needed when something is left over.
    const { writeOtlpJsonLinesWithin } = await import('../export/stdout-fallback.ts');
    const rest = deps.buffer.takeAll();
    if (rest.length === 0) return;
    notWritten = rest.length;
    const prepared = deps.tracker.prepareForExport(rest);
    const chosen = deps.select ? deps.select(prepared) : prepared;
    // Metrics have no stdout form: what is left of them is dropped, and counted (droppedMetrics).
    const metricsLeft = chosen.filter((entry) => entry.kind === 'metric').length;
    deps.buffer.countDropped('metric', metricsLeft);
    notWritten -= metricsLeft;
    const spans = chosen.filter((entry) => entry.kind === 'span').map((entry) => entry.item as SpanItem);
    const logs = chosen.filter((entry) => entry.kind === 'log').map((entry) => entry.item as LogItem);
    const output = deps.write ? { write: (line: string) => deps.write!(line) !== false, waitForRoom: async () => true } : stdoutOutput(clock);
    const result = await writeOtlpJsonLinesWithin(spans, logs, {
      ...output,
      maxLineBytes: deps.stdoutMaxLineBytes,
      untilMs: plan.endMs,
      now: () => clock.now(),
    });
    written = spans.length + logs.length - result.dropped - result.unwritten;
    notWritten = result.dropped + result.unwritten;
    if (result.unwritten > 0) logger.warn('shutdown: no time left to write the rest to stdout; dropped', { dropped: result.unwritten });
  });

  // 6. One summary line. Exports still in flight (a hung backend) count as dropped: the process
  //    ends before they can finish.
  const received = deps.received();
  const dropped = deps.buffer.droppedTotal;
  const summary: DrainSummary = {
    reason: event.shutdownReason,
    received: received.spans + received.logs + (received.metrics ?? 0),
    sent: deps.flusher.counters.sent,
    retried: deps.flusher.counters.retried,
    dropped: dropped.spans + dropped.logs + deps.buffer.droppedMetrics + notWritten + deps.flusher.inFlightItems,
    written,
    durationMs: clock.now() - startedAtMs,
    ...(deps.sampling ? { sampling: deps.sampling() } : {}),
  };
  const sampled = summary.sampling ? `; tail sampling kept ${describeCounts(summary.sampling.kept)}, dropped ${describeCounts(summary.sampling.dropped)}` : '';
  logger.info(`shutdown: sent ${summary.sent}, retried ${summary.retried}, dropped ${summary.dropped}, written ${summary.written}${sampled}`, { summary });
  // The process exits right after: what stdout still holds would be lost.
  // Both waits below end within the first quarter of the margin, leaving the rest for the exit.
  const exitByMs = event.deadlineMs - (deps.deadlineMarginMs * 3) / 4;
  if (!deps.write) await stdoutOutput(clock).waitForRoom(exitByMs);

  // 7. Release the exporter, without waiting past the deadline.
  await step('exporter shutdown', () => deps.exporter.shutdown(Math.max(0, exitByMs - clock.now())));
  return summary;
}

/** `12 (error 2, ratio 10)`: the total, then by reason. */
function describeCounts(byReason: Record<string, number>): string {
  const entries = Object.entries(byReason);
  const total = entries.reduce((sum, [, count]) => sum + count, 0);
  return entries.length === 0 ? '0' : `${total} (${entries.map(([reason, count]) => `${reason} ${count}`).join(', ')})`;
}

async function waitForTelemetry(deps: DrainDeps, clock: Clock, untilMs: number): Promise<void> {
  for (;;) {
    const nowMs = clock.now();
    if (nowMs >= untilMs) return;
    const quiet = nowMs - Math.max(deps.listener.lastDeliveryAtMs(), 0) >= QUIET_MS;
    if (quiet && !deps.tracker.hasUnreported()) return;
    await clock.sleep(10);
  }
}

/**
 * stdout as the fallback's output: a pipe read slowly makes writes queue in the process, and
 * queued writes are lost when it exits, so the writer waits for them to be taken (within the time).
 */
function stdoutOutput(clock: Clock): { write: (line: string) => boolean; waitForRoom: (untilMs: number) => Promise<boolean> } {
  const stdout = process.stdout;
  return {
    write: (line) => stdout.write(line + '\n'),
    waitForRoom: async (untilMs) => {
      if (stdout.writableLength === 0) return true;
      const drained = new Promise<boolean>((resolve) => stdout.once('drain', () => resolve(true)));
      return Promise.race([drained, clock.sleep(Math.max(0, untilMs - clock.now())).then(() => stdout.writableLength === 0)]);
    },
  };
}
