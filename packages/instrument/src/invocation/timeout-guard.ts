/**
 * Fires shortly before Lambda's deadline so the invocation can end its span as a timeout and hand
 * it over while the runtime is still alive (at the deadline Lambda kills or resets the runtime).
 */
import { logger } from '../logger/logger.ts';

export type TimeoutGuardOptions = {
  /** context.getRemainingTimeInMillis() at arming time. */
  remainingTimeMs: number;
  /** How long before the deadline onTimeout runs. */
  marginMs: number;
  onTimeout: () => void;
};

/** Largest delay setTimeout honours; a longer one would fire at once. */
const MAX_TIMER_DELAY_MS = 2_147_483_647;

function disarmNothing(): void {}

function fire(onTimeout: () => void): void {
  try {
    onTimeout();
  } catch (error) {
    logger.error('timeout guard: onTimeout failed', { error });
  }
}

/**
 * Arms one unref'd timer that calls `onTimeout` once, `marginMs` before the deadline, and returns
 * the function that disarms it (safe to call any number of times).
 *
 * Not armed (a no-op disarm is returned) when `remainingTimeMs - marginMs` is ≤ 0 or not a finite
 * number: the invocation is already inside the margin, and ending its span now would cut a handler
 * that may still finish in time; the extension reports a real timeout from the platform records.
 * Never throws; an error from `onTimeout` is caught and logged.
 *
 * @example
 * const disarm = armTimeoutGuard({ remainingTimeMs: context.getRemainingTimeInMillis(), marginMs: 100,
 *   onTimeout: () => endSpanAsTimeout() });
 * try { return await handler(event, context); } finally { disarm(); }
 */
export function armTimeoutGuard(options: TimeoutGuardOptions): () => void {
  try {
    const delayMs = options.remainingTimeMs - options.marginMs;
    if (!(delayMs > 0) || delayMs > MAX_TIMER_DELAY_MS || typeof options.onTimeout !== 'function') {
      return disarmNothing;
    }
    // The callback and its argument are passed to setTimeout, so the only allocations are the timer
    // and the disarm closure; unref() keeps the timer from holding the process open.
    const timer = setTimeout(fire, delayMs, options.onTimeout);
    timer.unref();
    return () => clearTimeout(timer);
  } catch {
    return disarmNothing;
  }
}
