/**
 * How long the runtime may spend between SIGTERM and exit. Lambda gives the runtime about 300 ms
 * when an external extension is registered (the extension gets the rest of the 2000 ms SHUTDOWN
 * phase) and about 500 ms when only an internal one is; then it sends SIGKILL. Each step is bounded
 * so that hooks + flush + logging + exit stay inside that, with room to spare.
 */
export type ShutdownBudget = Readonly<{
  /** What Lambda grants the runtime after SIGTERM. */
  totalMs: number;
  /** Each hook's bound; hooks run in parallel, so this is also the bound of the whole step. */
  hooksTimeoutMs: number;
  /** Bound of the final telemetry flush, which starts after the hooks. */
  flushTimeoutMs: number;
}>;

const WITH_EXTERNAL_EXTENSION: ShutdownBudget = Object.freeze({ totalMs: 300, hooksTimeoutMs: 120, flushTimeoutMs: 100 });
const INTERNAL_ONLY: ShutdownBudget = Object.freeze({ totalMs: 500, hooksTimeoutMs: 200, flushTimeoutMs: 200 });

/**
 * @example
 * shutdownBudget(true); // { totalMs: 300, hooksTimeoutMs: 120, flushTimeoutMs: 100 }
 */
export function shutdownBudget(externalExtensionPresent: boolean): ShutdownBudget {
  return externalExtensionPresent ? WITH_EXTERNAL_EXTENSION : INTERNAL_ONLY;
}
