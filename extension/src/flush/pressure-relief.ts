/**
 * Relieves a filling buffer while an invocation runs, whatever the flush policy: past the
 * high-water mark (flush-policy.ts) bounded exports start in the background at once, up to four at
 * a time, each bounded by the invocation's deadline. Checked whenever telemetry is buffered, when
 * an invocation starts and when a relieving export settles. Only while the environment cannot
 * freeze (an invocation in progress, or Managed Instances); the event loop waits for every export
 * in flight before it asks for the next event.
 *
 * When the buffer is nearly full anyway (a slow backend, a stalled moment), new OTLP requests wait
 * a little before they are read ({@link admit}): the sender sees a slower answer instead of its
 * oldest items being dropped. The wait ends as soon as an export frees room, and is short enough
 * for the plugin's own request timeout.
 */
import type { TelemetryBuffer } from '../buffer/telemetry-buffer.ts';
import type { ExtensionConfig } from '../config.ts';
import { Phase } from '../lifecycle/state.ts';
import type { LoopState } from '../lifecycle/state.ts';
import { errorMessage } from '../logger.ts';
import type { Logger } from '../logger.ts';
import { ADMISSION_WAIT_MS, DEFAULT_REQUEST_FILL, needsRelief, PRESSURE_BATCH_SHARE, shouldHoldAdmission } from './flush-policy.ts';
import type { Flusher } from './flusher.ts';

/** After a relieving export failed with a retryable error, the next one waits this long (the backend is struggling). */
const RETRY_PAUSE_MS = 1000;

export interface PressureReliefOptions {
  readonly buffer: TelemetryBuffer;
  readonly flusher: Flusher;
  readonly state: LoopState;
  readonly config: Pick<ExtensionConfig, 'managedInstances' | 'deadlineMarginMs' | 'exportTimeoutMs'>;
  readonly logger: Logger;
  readonly now?: () => number;
}

export class PressureRelief {
  readonly #options: PressureReliefOptions;
  readonly #now: () => number;
  #pausedUntilMs = 0;
  /** Requests waiting for room (see {@link admit}), oldest first. */
  readonly #waiting: (() => void)[] = [];
  /** Requests admitted and not yet buffered (or refused). */
  #admitted = 0;
  /** What one request adds to the fill, on average (moving average over recent requests). */
  #requestFill = DEFAULT_REQUEST_FILL;

  constructor(options: PressureReliefOptions) {
    this.#options = options;
    this.#now = options.now ?? Date.now;
  }

  /** Starts relieving exports if the buffer is past its high-water mark and the moment allows. */
  check(): void {
    const { buffer, flusher, state, config, logger } = this.#options;
    const active = config.managedInstances ? state.phase !== Phase.shuttingDown : state.phase === Phase.invoking;
    if (!active) return;
    const nowMs = this.#now();
    if (nowMs < this.#pausedUntilMs) return;
    const invocationBoundMs =
      !config.managedInstances && state.invocationDeadlineMs !== undefined ? state.invocationDeadlineMs - config.deadlineMarginMs : Infinity;
    const deadlineMs = Math.min(invocationBoundMs, nowMs + config.exportTimeoutMs);
    if (deadlineMs <= nowMs) return;
    const { maxItems, maxBytes } = buffer.limits;
    while (needsRelief({ waitingItems: buffer.size, heldFill: buffer.heldFill, exportsInFlight: flusher.inFlight })) {
      flusher
        .exportBatch(deadlineMs, Math.max(1, Math.floor(maxItems * PRESSURE_BATCH_SHARE)), maxBytes * PRESSURE_BATCH_SHARE)
        .then((outcome) => {
          // settled() (the flusher's hook) relieves again; a failing backend gets a pause first.
          if (outcome.retryable) this.#pausedUntilMs = this.#now() + RETRY_PAUSE_MS;
        })
        .catch((error: unknown) => logger.error('background export failed', { error: errorMessage(error) }));
    }
  }

  /**
   * Resolves when a new OTLP request may be read: at once (undefined) while it would fit or no
   * export in flight could make room, else when an export settles with room made, or after
   * {@link ADMISSION_WAIT_MS} at the latest (the request is then taken, and the oldest items go).
   * Every admitted request ends with {@link requestDone}.
   */
  admit(): Promise<void> | undefined {
    if (!this.#mustWait()) {
      this.#admitted++;
      return undefined;
    }
    return new Promise((resolve) => {
      const done = (): void => {
        clearTimeout(timer);
        const index = this.#waiting.indexOf(done);
        if (index >= 0) this.#waiting.splice(index, 1);
        this.#admitted++;
        resolve();
      };
      const timer = setTimeout(done, ADMISSION_WAIT_MS);
      this.#waiting.push(done);
    });
  }

  /** An admitted request was buffered, refused or failed. */
  requestDone(): void {
    this.#admitted = Math.max(0, this.#admitted - 1);
    this.#wake();
  }

  /** One request's items went into the buffer: learns what a request adds. */
  noteBuffered(items: number, bytes: number): void {
    const { maxItems, maxBytes } = this.#options.buffer.limits;
    const fill = Math.max(items / maxItems, bytes / maxBytes);
    this.#requestFill = 0.8 * this.#requestFill + 0.2 * fill;
  }

  /** An export settled (whoever started it): let waiting requests in while they fit, and relieve again. */
  settled(): void {
    this.#wake();
    this.check();
  }

  #wake(): void {
    while (this.#waiting.length > 0 && !this.#mustWait()) this.#waiting[0]!();
  }

  #mustWait(): boolean {
    const { buffer, flusher } = this.#options;
    return shouldHoldAdmission({ heldFill: buffer.heldFill, exportsInFlight: flusher.inFlight, incomingFill: (this.#admitted + 1) * this.#requestFill });
  }
}
