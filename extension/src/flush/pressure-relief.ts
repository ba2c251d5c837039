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
import type { Clock } from '../clock.ts';
import { systemClock } from '../clock.ts';
import type { ExtensionConfig } from '../config.ts';
import type { LoopState } from '../lifecycle/state.ts';
import { errorMessage } from '../logger.ts';
import type { Logger } from '../logger.ts';
import { ADMISSION_WAIT_MS, DEFAULT_REQUEST_FILL, needsRelief, PRESSURE_BATCH_SHARE, shouldHoldAdmission } from './flush-policy.ts';
import { Gate, gateOf, gatedDeadline } from './export-breaker.ts';
import { backgroundExportDeadline } from './export-window.ts';
import type { Flusher } from './flusher.ts';

export interface PressureReliefOptions {
  readonly buffer: TelemetryBuffer;
  readonly flusher: Flusher;
  readonly state: LoopState;
  readonly config: Pick<ExtensionConfig, 'managedInstances' | 'deadlineMarginMs' | 'exportTimeoutMs'>;
  readonly logger: Logger;
  readonly clock?: Clock;
}

export class PressureRelief {
  readonly #options: PressureReliefOptions;
  readonly #clock: Clock;
  /** Requests waiting for room (see {@link admit}), oldest first. */
  readonly #waiting: (() => void)[] = [];
  /** Requests admitted and not yet buffered (or refused). */
  #admitted = 0;
  /** What one request adds to the fill, on average (moving average over recent requests). */
  #requestFill = DEFAULT_REQUEST_FILL;

  constructor(options: PressureReliefOptions) {
    this.#options = options;
    this.#clock = options.clock ?? systemClock;
  }

  /**
   * Starts relieving exports if the buffer is past its high-water mark and the moment allows. While
   * the breaker is open none starts (the buffer drops its oldest instead); when it allows a probe,
   * one at a time.
   */
  check(): void {
    const { buffer, flusher, state, config, logger } = this.#options;
    const nowMs = this.#clock.now();
    const windowMs = backgroundExportDeadline(state, config, nowMs);
    if (windowMs === undefined) return;
    const gate = gateOf(flusher.breaker, nowMs);
    const deadlineMs = gatedDeadline(gate, windowMs, nowMs);
    if (deadlineMs === undefined) return;
    const { maxItems, maxBytes } = buffer.limits;
    while (needsRelief({ waitingItems: buffer.size, heldFill: buffer.heldFill, exportsInFlight: flusher.inFlight })) {
      if (gate === Gate.probe && flusher.busy) return;
      // settled() (the flusher's hook) relieves again once this export is done.
      flusher
        .exportBatch(deadlineMs, Math.max(1, Math.floor(maxItems * PRESSURE_BATCH_SHARE)), maxBytes * PRESSURE_BATCH_SHARE)
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
        cancel();
        const index = this.#waiting.indexOf(done);
        if (index >= 0) this.#waiting.splice(index, 1);
        this.#admitted++;
        resolve();
      };
      const cancel = this.#clock.setTimer(done, ADMISSION_WAIT_MS);
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
