/**
 * How the SHUTDOWN drain spends the time it has, as a pure function of the time and the deadline:
 * every step ends by a point of this plan, and the last one (the stdout fallback) by `endMs`,
 * which keeps the safety margin before Lambda's deadline free for the summary line and the exit.
 */

export interface DrainPlan {
  /** Everything, the fallback included, ends here: the deadline less the margin. */
  readonly endMs: number;
  /** How long requests already being read by the OTLP receiver may take to land. */
  readonly receiverCloseMs: number;
  /** The Telemetry API stream is drained until here at the latest. */
  readonly telemetryUntilMs: number;
  /** The final export ends here; what is left is written to stdout until `endMs`. */
  readonly exportUntilMs: number;
}

/** Shares of the time left: draining the telemetry stream, and what is kept for the stdout fallback. */
export const TELEMETRY_SHARE = 0.25;
export const FALLBACK_SHARE = 0.3;
/** The fallback gets at least this much (when there is that much at all). */
export const FALLBACK_MIN_MS = 100;

export function planDrain(nowMs: number, deadlineMs: number, marginMs: number): DrainPlan {
  const endMs = deadlineMs - marginMs;
  const leftMs = Math.max(0, endMs - nowMs);
  const fallbackMs = Math.min(leftMs, Math.max(FALLBACK_MIN_MS, leftMs * FALLBACK_SHARE));
  return {
    endMs,
    receiverCloseMs: Math.min(50, Math.floor(leftMs * 0.1)),
    telemetryUntilMs: nowMs + Math.floor(leftMs * TELEMETRY_SHARE),
    exportUntilMs: endMs - fallbackMs,
  };
}
