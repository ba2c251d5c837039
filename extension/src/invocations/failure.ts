/**
 * How an invocation failed, as pure functions of the platform's records: the first failure status
 * wins (runtimeDone says how the runtime ended, the report repeats it), and a reason a person can
 * act on.
 */
import { isFailureStatus } from '../receive/telemetry-records.ts';

/** How an invocation ended, from platform.runtimeDone / platform.report or the SHUTDOWN reason. */
export interface Failure {
  /** Platform status (timeout | failure | error) or, at SHUTDOWN, the shutdown reason. */
  readonly status: string;
  readonly errorType: string | undefined;
  readonly reason: string;
  /** When the invocation ended (epoch ms). */
  readonly endMs: number;
}

/**
 * A reason a person can act on, from the platform status and error type. The platform classifies
 * error types itself: a Node handler that threw reports `Runtime.Unknown` (the Node runtime client
 * sends no error type), a runtime process that exited `Runtime.ExitError`.
 * @example failureReason('timeout', 'Sandbox.Timedout') // 'invocation timed out (Sandbox.Timedout)'
 */
export function failureReason(status: string, errorType: string | undefined): string {
  const lower = status.toLowerCase();
  let what: string;
  if (lower === 'timeout' || errorType === 'Sandbox.Timedout') what = 'invocation timed out';
  else if (errorType === 'Runtime.OutOfMemory') what = 'the runtime ran out of memory';
  else if (errorType === 'Runtime.ExitError') what = 'the runtime process exited during the invocation';
  else if (lower === 'failure') what = 'the runtime failed';
  else if (lower === 'error') what = 'the function returned an error';
  else what = `invocation ended with status ${status}`;
  return errorType ? `${what} (${errorType})` : what;
}

/** The failure to keep after a platform record with `status`: the one already known, else this one if it is a failure. */
export function firstFailure(known: Failure | undefined, status: string, errorType: string | undefined, timeMs: number): Failure | undefined {
  if (known || !isFailureStatus(status)) return known;
  return { status, errorType, reason: failureReason(status, errorType), endMs: timeMs };
}
