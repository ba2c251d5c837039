/**
 * Runs one shutdown step with a time bound. Never rejects: a throw, a rejection and a timeout are
 * all reported as outcomes, so one bad step cannot stop the next.
 */

export type BoundedOutcome =
  { status: 'ok'; durationMs: number } | { status: 'failed'; durationMs: number; error: unknown } | { status: 'timedOut'; durationMs: number };

const TIMED_OUT = Symbol('timedOut');

export async function runBounded(step: () => Promise<void> | void, timeoutMs: number): Promise<BoundedOutcome> {
  const startedMs = performance.now();
  const elapsed = () => Math.round(performance.now() - startedMs);
  let timer: NodeJS.Timeout | undefined;
  // This timer stays ref'd on purpose: during shutdown it keeps the process alive until the bound,
  // so a hook waiting on nothing cannot let the event loop drain and skip the remaining steps.
  const timedOut = new Promise<typeof TIMED_OUT>((resolve) => {
    timer = setTimeout(resolve, Math.max(0, timeoutMs), TIMED_OUT);
  });
  try {
    const result = await Promise.race([Promise.resolve().then(step), timedOut]);
    if (result === TIMED_OUT) return { status: 'timedOut', durationMs: elapsed() };
    return { status: 'ok', durationMs: elapsed() };
  } catch (error) {
    return { status: 'failed', durationMs: elapsed(), error };
  } finally {
    clearTimeout(timer);
  }
}
