/**
 * A breaker between the extension and a backend that does not answer (hung, down, refusing
 * connections, overloaded): pure functions of its state and the time. After an export that
 * delivered nothing and may succeed later, the breaker opens: for a back-off period no export waits
 * at the end of an invocation (the function's environment is not held, nor billed, for a backend
 * that is not there) and no background export starts, while telemetry keeps buffering within the
 * buffer's bounds. When the period is over, one short probe export may go; if it delivers, the
 * breaker closes, else it opens again for twice as long (at most {@link MAX_BACKOFF_MS}). The
 * SHUTDOWN drain always tries, within its own budget.
 */

export interface BreakerState {
  /** Exports in a row that delivered nothing and may succeed later; 0 = closed. */
  readonly failures: number;
  /** Until when no export waits or starts (epoch ms). */
  readonly openUntilMs: number;
}

export const BREAKER_CLOSED: BreakerState = Object.freeze({ failures: 0, openUntilMs: 0 });

/** The first back-off: a few invocations of a busy function, a fraction of a minute. */
export const FIRST_BACKOFF_MS = 5_000;
export const MAX_BACKOFF_MS = 60_000;
/** Longest wait of a probe export at the end of an invocation (the normal bound is the export timeout). */
export const PROBE_TIMEOUT_MS = 1_000;

export const Gate = {
  /** Export as the policy says. */
  closed: 'closed',
  /** Do not export; keep buffering. */
  open: 'open',
  /** One short export may go to see whether the backend is back. */
  probe: 'probe',
} as const;
export type Gate = (typeof Gate)[keyof typeof Gate];

export function gateOf(state: BreakerState, nowMs: number): Gate {
  if (state.failures === 0) return Gate.closed;
  return nowMs < state.openUntilMs ? Gate.open : Gate.probe;
}

/**
 * The state after an export settled. `delivered`: the backend took something, or answered with a
 * final refusal (it is there); otherwise nothing went through and a later attempt may succeed.
 * `retryAfterMs` (a backend's Retry-After) lengthens the back-off, never shortens it.
 */
export function breakerAfter(state: BreakerState, delivered: boolean, nowMs: number, retryAfterMs?: number): BreakerState {
  if (delivered) return BREAKER_CLOSED;
  const failures = state.failures + 1;
  const backoffMs = Math.min(MAX_BACKOFF_MS, FIRST_BACKOFF_MS * 2 ** (failures - 1));
  return { failures, openUntilMs: nowMs + Math.max(backoffMs, Math.min(retryAfterMs ?? 0, MAX_BACKOFF_MS)) };
}

/** How long an export started now may take under the gate; undefined when none may start. */
export function gatedDeadline(gate: Gate, deadlineMs: number, nowMs: number): number | undefined {
  if (gate === Gate.open) return undefined;
  const boundMs = gate === Gate.probe ? Math.min(deadlineMs, nowMs + PROBE_TIMEOUT_MS) : deadlineMs;
  return boundMs > nowMs ? boundMs : undefined;
}
