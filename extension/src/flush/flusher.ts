/**
 * Moves what the buffer holds to the exporter, within a deadline. `flush` exports everything
 * waiting once the exports in flight have settled; `exportBatch` starts one bounded export in the
 * background beside the others (relieving a filling buffer while an invocation runs). What the
 * backend may accept later (retryable) goes back to the front of the buffer; what it refused is
 * dropped and counted. Drops since the last export are reported as resource attributes on the next
 * one and in a log line.
 */
import type { Clock } from '../clock.ts';
import { systemClock } from '../clock.ts';
import { attr } from '../otlp/types.ts';
import type { LogItem, Resource, SpanItem } from '../otlp/types.ts';
import type { BufferedEntry, TelemetryBuffer } from '../buffer/telemetry-buffer.ts';
import type { MetricItem } from '../otlp/metrics-model.ts';
import type { ExportResult, TelemetryExporter } from '../export/exporter.ts';
import { errorMessage } from '../logger.ts';
import type { Logger } from '../logger.ts';
import { BREAKER_CLOSED, breakerAfter } from './export-breaker.ts';
import type { BreakerState } from './export-breaker.ts';

export const DROPPED_SPANS_KEY = 'lambda_otel.dropped_spans';
export const DROPPED_LOGS_KEY = 'lambda_otel.dropped_logs';

export interface ExportCounters {
  /** Items the backend accepted. */
  sent: number;
  /**
   * Items put back for another attempt after a retryable failure, counted once per failed
   * attempt: an item that failed twice and then went through counts 2 here and 1 in `sent`.
   */
  retried: number;
  /** Items the backend (or the way to it) refused for good; also counted in the buffer's drops. */
  rejected: number;
}

export interface FlushOutcome {
  readonly exported: number;
  /** True when something went back to the buffer for a later attempt. */
  readonly retryable: boolean;
}

export interface FlusherOptions {
  readonly buffer: TelemetryBuffer;
  readonly getExporter: () => Promise<TelemetryExporter>;
  /**
   * Turns the taken entries into what is exported (trace correlation, resources), same order;
   * changed records are copies. Default: as they are.
   */
  readonly prepare?: (entries: readonly BufferedEntry[]) => BufferedEntry[];
  readonly logger: Logger;
  readonly clock?: Clock;
  /** Called after each export settled and its items were released or requeued. */
  readonly onSettled?: () => void;
  // --- metrics and tail sampling (metrics/, sampling/) ---
  /** Sends metric entries; absent: metrics are off, and any buffered ones are dropped. */
  readonly exportMetrics?: (items: MetricItem[], deadlineMs: number) => Promise<ExportResult>;
  /** Runs after `prepare`: the entries actually exported (tail sampling leaves some out). */
  readonly select?: (entries: readonly BufferedEntry[]) => BufferedEntry[];
}

export class Flusher {
  readonly #options: FlusherOptions;
  readonly #clock: Clock;
  readonly counters: ExportCounters = { sent: 0, retried: 0, rejected: 0 };
  readonly #inFlight = new Set<Promise<FlushOutcome>>();
  #lastFlushAtMs = 0;
  #breaker: BreakerState = BREAKER_CLOSED;

  constructor(options: FlusherOptions) {
    this.#options = options;
    this.#clock = options.clock ?? systemClock;
  }

  /** The breaker's state after the exports settled so far (export-breaker.ts decides on it). */
  get breaker(): BreakerState {
    return this.#breaker;
  }

  /** Items taken by exports that have not settled. */
  get inFlightItems(): number {
    return this.#options.buffer.inFlightItems;
  }

  get lastFlushAtMs(): number {
    return this.#lastFlushAtMs;
  }

  get busy(): boolean {
    return this.#inFlight.size > 0;
  }

  /** Exports running now. */
  get inFlight(): number {
    return this.#inFlight.size;
  }

  /**
   * Exports everything buffered now, returning by `deadlineMs` at the latest. If exports are
   * already running, waits for them and then exports what arrived meanwhile.
   */
  async flush(deadlineMs: number): Promise<FlushOutcome> {
    if (this.busy) {
      await this.waitIdle(deadlineMs);
      if (this.busy || this.#clock.now() >= deadlineMs) return { exported: 0, retryable: this.#options.buffer.size > 0 };
    }
    if (this.#options.buffer.size === 0) return { exported: 0, retryable: false };
    return this.#start(this.#options.buffer.takeBatch(), deadlineMs);
  }

  /**
   * Starts exporting the oldest waiting entries (at most `maxItems` and `maxBytes`) beside the
   * exports already running; resolves when this one settles. Nothing waiting: resolves at once.
   */
  exportBatch(deadlineMs: number, maxItems: number, maxBytes: number): Promise<FlushOutcome> {
    if (this.#options.buffer.size === 0) return Promise.resolve({ exported: 0, retryable: false });
    return this.#start(this.#options.buffer.takeBatch(maxItems, maxBytes), deadlineMs);
  }

  /** Resolves when no export is in flight (including any started meanwhile), or at `untilMs`. */
  async waitIdle(untilMs: number): Promise<void> {
    while (this.busy) {
      const remainingMs = untilMs - this.#clock.now();
      if (remainingMs <= 0) return;
      const settled = Promise.allSettled([...this.#inFlight]).then(() => true);
      if (!(await Promise.race([settled, this.#clock.sleep(remainingMs).then(() => false)]))) return;
    }
  }

  /** Moves the breaker; says so once when it opens and when the backend is back. */
  #noteOutcome(delivered: boolean): void {
    const before = this.#breaker;
    const nowMs = this.#clock.now();
    this.#breaker = breakerAfter(before, delivered, nowMs);
    const { logger } = this.#options;
    if (before.failures === 0 && !delivered) {
      logger.warn('backend unreachable: exports paused (telemetry keeps buffering, bounded); retrying later and at SHUTDOWN', {
        pausedMs: this.#breaker.openUntilMs - nowMs,
      });
    } else if (before.failures > 0 && delivered) {
      logger.info('backend reachable again: exports resumed');
    }
  }

  #start(entries: BufferedEntry[], deadlineMs: number): Promise<FlushOutcome> {
    const { buffer } = this.#options;
    // Released before the requeue, so that entries going back are not counted twice.
    const run: Promise<FlushOutcome> = this.#exportEntries(entries, deadlineMs)
      .then(
        ({ outcome, requeue }) => {
          buffer.release(entries);
          buffer.requeue(requeue);
          this.#noteOutcome(outcome.exported > 0 || !outcome.retryable);
          return outcome;
        },
        (error: unknown) => {
          buffer.release(entries);
          buffer.requeue(entries);
          this.#noteOutcome(false);
          throw error;
        },
      )
      .finally(() => {
        this.#inFlight.delete(run);
        try {
          this.#options.onSettled?.();
        } catch (error) {
          this.#options.logger.error('after-export hook failed', { error: errorMessage(error) });
        }
      });
    this.#inFlight.add(run);
    return run;
  }

  /** Exports entries taken from the buffer; says which of them go back for another attempt. */
  async #exportEntries(taken: BufferedEntry[], deadlineMs: number): Promise<{ outcome: FlushOutcome; requeue: BufferedEntry[] }> {
    const { buffer, logger } = this.#options;
    this.#lastFlushAtMs = this.#clock.now();
    let prepared: BufferedEntry[] = taken;
    try {
      prepared = this.#options.prepare?.(taken) ?? taken;
    } catch (error) {
      logger.warn('preparing telemetry for export failed', { error: errorMessage(error) });
    }
    const entries = withDropsReported(prepared, buffer.takeUnreportedDrops(), logger);
    // What goes back to the buffer is what was taken, not the prepared copies.
    const takenAs = new Map<BufferedEntry, BufferedEntry>(entries.map((entry, index) => [entry, taken[index]!]));
    // Tail sampling: what it leaves out is released with the rest, never requeued (metrics/, sampling/).
    let selected: readonly BufferedEntry[] = entries;
    try {
      if (this.#options.select) selected = this.#options.select(entries);
    } catch (error) {
      logger.warn('tail sampling failed; exporting everything', { error: errorMessage(error) });
    }
    const spans = selected.filter((entry) => entry.kind === 'span');
    const logs = selected.filter((entry) => entry.kind === 'log');
    const metrics = selected.filter((entry) => entry.kind === 'metric');
    let exporter: TelemetryExporter;
    try {
      exporter = await this.#options.getExporter();
    } catch (error) {
      logger.error('exporter unavailable', { error: errorMessage(error) });
      return { outcome: { exported: 0, retryable: true }, requeue: taken };
    }
    const { exportMetrics } = this.#options;
    const [spanResult, logResult, metricResult] = await Promise.all([
      spans.length > 0
        ? bounded(
            exporter.exportSpans(
              spans.map((entry) => entry.item as SpanItem),
              deadlineMs,
            ),
            deadlineMs,
            this.#clock,
          )
        : SUCCESS,
      logs.length > 0
        ? bounded(
            exporter.exportLogs(
              logs.map((entry) => entry.item as LogItem),
              deadlineMs,
            ),
            deadlineMs,
            this.#clock,
          )
        : SUCCESS,
      metrics.length === 0
        ? SUCCESS
        : exportMetrics
          ? bounded(
              exportMetrics(
                metrics.map((entry) => entry.item as MetricItem),
                deadlineMs,
              ),
              deadlineMs,
              this.#clock,
            )
          : METRICS_OFF,
    ]);
    const requeue: BufferedEntry[] = [];
    let exported = 0;
    for (const [result, part, kind] of [
      [spanResult, spans, 'span'],
      [logResult, logs, 'log'],
      [metricResult, metrics, 'metric'],
    ] as const) {
      if (part.length === 0) continue;
      if (result.kind === 'success') {
        // What the exporter could not take (too large, partial success) counts as dropped, not sent.
        const dropped = Math.min(result.dropped ?? 0, part.length);
        exported += part.length - dropped;
        this.counters.sent += part.length - dropped;
        this.counters.rejected += dropped;
        buffer.countDropped(kind, dropped);
      } else if (result.kind === 'retryable') {
        // Only what was not delivered goes back (a split batch may be partly delivered).
        const pending = result.pending ? new Set<object>(result.pending) : undefined;
        const again = pending ? part.filter((entry) => pending.has(entry.item)) : part;
        const delivered = part.length - again.length;
        const dropped = Math.min(result.dropped ?? 0, delivered);
        requeue.push(...again);
        this.counters.retried += again.length;
        this.counters.sent += delivered - dropped;
        this.counters.rejected += dropped;
        exported += delivered - dropped;
        buffer.countDropped(kind, dropped);
        logger.debug('export will be retried', { kind, items: again.length, delivered, error: result.error });
      } else {
        this.counters.rejected += part.length;
        buffer.countDropped(kind, part.length);
        logger.warn('backend refused telemetry; dropped', { kind, items: part.length, error: result.error });
      }
    }
    // Put back in arrival order: spans and logs interleaved as they came.
    requeue.sort((a, b) => a.atMs - b.atMs);
    return { outcome: { exported, retryable: requeue.length > 0 }, requeue: requeue.map((entry) => takenAs.get(entry) ?? entry) };
  }
}

const SUCCESS: Promise<ExportResult> = Promise.resolve({ kind: 'success' });
const METRICS_OFF: Promise<ExportResult> = Promise.resolve({ kind: 'failure', error: 'metrics are off' });

/** An exporter that overruns its deadline counts as retryable rather than holding the loop. */
function bounded(result: Promise<ExportResult>, deadlineMs: number, clock: Clock): Promise<ExportResult> {
  const late: Promise<ExportResult> = clock.sleep(Math.max(0, deadlineMs - clock.now())).then(() => ({
    kind: 'retryable',
    error: 'export did not finish before the deadline',
  }));
  const guarded = result.catch((error: unknown): ExportResult => ({ kind: 'retryable', error: errorMessage(error) }));
  return Promise.race([guarded, late]);
}

/**
 * Drops since the last export become resource attributes on this export's items (copies with a
 * copied resource; the buffered items stay as they are), and one log line.
 */
function withDropsReported(entries: BufferedEntry[], drops: { spans: number; logs: number }, logger: Logger): BufferedEntry[] {
  if (drops.spans === 0 && drops.logs === 0) return entries;
  logger.warn('telemetry dropped since the last export (full buffer or refused by the backend)', { droppedSpans: drops.spans, droppedLogs: drops.logs });
  const copies = new Map<Resource, Resource>();
  const reported = (original: Resource): Resource => {
    let copy = copies.get(original);
    if (!copy) {
      copy = {
        ...original,
        attributes: [
          ...original.attributes.filter((kv) => kv.key !== DROPPED_SPANS_KEY && kv.key !== DROPPED_LOGS_KEY),
          attr(DROPPED_SPANS_KEY, drops.spans),
          attr(DROPPED_LOGS_KEY, drops.logs),
        ],
      };
      copies.set(original, copy);
    }
    return copy;
  };
  return entries.map((entry): BufferedEntry => {
    if (entry.kind === 'span') return { ...entry, item: { ...entry.item, resource: reported(entry.item.resource) } };
    if (entry.kind === 'log') return { ...entry, item: { ...entry.item, resource: reported(entry.item.resource) } };
    return { ...entry, item: { ...entry.item, resource: reported(entry.item.resource) } };
  });
}
