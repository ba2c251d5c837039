// Epoch milliseconds with sub-millisecond precision, for durations that are often below 1 ms.
export function nowMs(): number {
  return performance.timeOrigin + performance.now();
}

export function sleep(ms: number): Promise<void> {
  return new Promise((wake) => setTimeout(wake, ms));
}

/** Waits for `promise`, at most `ms`; the timer is cleared so it never holds the process open. */
export async function waitAtMost(promise: Promise<unknown>, ms: number): Promise<void> {
  let timer: NodeJS.Timeout | undefined;
  await Promise.race([promise, new Promise<void>((wake) => (timer = setTimeout(wake, Math.max(0, ms))))]);
  clearTimeout(timer);
}
