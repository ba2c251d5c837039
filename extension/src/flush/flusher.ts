/**
 * Moves what the buffer holds to the exporter, one export at a time, within a deadline. What the
 * backend may accept later (retryable) goes back to the front of the buffer; what it refused is
 * dropped and counted. Drops since the last export are reported as resource attributes on the next
 * one and in a log line.
 */
import { attr } from '../otlp/types.ts';
import type { LogItem, Resource, SpanItem } from '../otlp/types.ts';
import type { BufferedEntry, TelemetryBuffer } from '../buffer/telemetry-buffer.ts';
import type { ExportResult, TelemetryExporter } from '../export/exporter.ts';
import { errorMessage } from '../logger.ts';
import type { Logger } from '../logger.ts';

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
  /** Runs on the taken entries before export (trace correlation, resources). */
  readonly prepare: (entries: readonly BufferedEntry[]) => void;
  readonly logger: Logger;
  readonly now?: () => number;
}

export class Flusher {
  readonly #options: FlusherOptions;
  readonly #now: () => number;
  readonly counters: ExportCounters = { sent: 0, retried: 0, rejected: 0 };
  #inFlight: Promise<FlushOutcome> | undefined;
  #lastFlushAtMs = 0;

  constructor(options: FlusherOptions) {
    this.#options = options;
    this.#now = options.now ?? Date.now;
  }

  get lastFlushAtMs(): number {
    return this.#lastFlushAtMs;
  }

  get busy(): boolean {
    return this.#inFlight !== undefined;
  }

  /**
   * Exports everything buffered now, returning by `deadlineMs` at the latest. If an export is
   * already running, waits for it and then exports what arrived meanwhile.
   */
  async flush(deadlineMs: number): Promise<FlushOutcome> {
    if (this.#inFlight) {
      await this.waitIdle(deadlineMs);
      if (this.busy || this.#now() >= deadlineMs) return { exported: 0, retryable: this.#options.buffer.size > 0 };
    }
    if (this.#options.buffer.size === 0) return { exported: 0, retryable: false };
    const run = this.#flushOnce(deadlineMs).finally(() => {
      this.#inFlight = undefined;
    });
    this.#inFlight = run;
    return run;
  }

  /** Resolves when no export is in flight, or at `untilMs`. */
  async waitIdle(untilMs: number): Promise<void> {
    const running = this.#inFlight;
    if (!running) return;
    await Promise.race([running.then(() => undefined, () => undefined), delay(Math.max(0, untilMs - this.#now()))]);
  }

  async #flushOnce(deadlineMs: number): Promise<FlushOutcome> {
    const { buffer, logger } = this.#options;
    this.#lastFlushAtMs = this.#now();
    const entries = buffer.takeAll();
    try {
      this.#options.prepare(entries);
    } catch (error) {
      logger.warn('preparing telemetry for export failed', { error: errorMessage(error) });
    }
    reportDrops(entries, buffer.takeUnreportedDrops(), logger);
    const spans = entries.filter((entry) => entry.kind === 'span');
    const logs = entries.filter((entry) => entry.kind === 'log');
    let exporter: TelemetryExporter;
    try {
      exporter = await this.#options.getExporter();
    } catch (error) {
      logger.error('exporter unavailable', { error: errorMessage(error) });
      buffer.requeue(entries);
      return { exported: 0, retryable: true };
    }
    const [spanResult, logResult] = await Promise.all([
      spans.length > 0 ? bounded(exporter.exportSpans(spans.map((entry) => entry.item as SpanItem), deadlineMs), deadlineMs, this.#now) : SUCCESS,
      logs.length > 0 ? bounded(exporter.exportLogs(logs.map((entry) => entry.item as LogItem), deadlineMs), deadlineMs, this.#now) : SUCCESS,
    ]);
    const requeue: BufferedEntry[] = [];
    let exported = 0;
    for (const [result, part, kind] of [[spanResult, spans, 'span'], [logResult, logs, 'log']] as const) {
      if (part.length === 0) continue;
      if (result.kind === 'success') {
        // What the exporter could not take (too large, partial success) counts as dropped, not sent.
        const dropped = Math.min(result.dropped ?? 0, part.length);
        exported += part.length - dropped;
        this.counters.sent += part.length - dropped;
        this.counters.rejected += dropped;
        buffer.countDropped(kind, dropped);
      } else if (result.kind === 'retryable') {
        requeue.push(...part);
        this.counters.retried += part.length;
        logger.debug('export will be retried', { kind, items: part.length, error: result.error });
      } else {
        this.counters.rejected += part.length;
        buffer.countDropped(kind, part.length);
        logger.warn('backend refused telemetry; dropped', { kind, items: part.length, error: result.error });
      }
    }
    // Put back in arrival order: spans and logs interleaved as they came.
    requeue.sort((a, b) => a.atMs - b.atMs);
    buffer.requeue(requeue);
    return { exported, retryable: requeue.length > 0 };
  }
}

const SUCCESS: Promise<ExportResult> = Promise.resolve({ kind: 'success' });

/** An exporter that overruns its deadline counts as retryable rather than holding the loop. */
function bounded(result: Promise<ExportResult>, deadlineMs: number, now: () => number): Promise<ExportResult> {
  const late: Promise<ExportResult> = delay(Math.max(0, deadlineMs - now()) + 25).then(() => ({ kind: 'retryable', error: 'export did not finish before the deadline' }));
  const guarded = result.catch((error: unknown): ExportResult => ({ kind: 'retryable', error: errorMessage(error) }));
  return Promise.race([guarded, late]);
}

function delay(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms).unref());
}

/** Drops since the last export become resource attributes on this export's items, and one log line. */
function reportDrops(entries: readonly BufferedEntry[], drops: { spans: number; logs: number }, logger: Logger): void {
  if (drops.spans === 0 && drops.logs === 0) return;
  logger.warn('telemetry dropped since the last export (full buffer or refused by the backend)', { droppedSpans: drops.spans, droppedLogs: drops.logs });
  const copies = new Map<Resource, Resource>();
  for (const entry of entries) {
    const original = entry.item.resource;
    let copy = copies.get(original);
    if (!copy) {
      copy = { ...original, attributes: [...original.attributes.filter((kv) => kv.key !== DROPPED_SPANS_KEY && kv.key !== DROPPED_LOGS_KEY), attr(DROPPED_SPANS_KEY, drops.spans), attr(DROPPED_LOGS_KEY, drops.logs)] };
      copies.set(original, copy);
    }
    entry.item.resource = copy;
  }
}
