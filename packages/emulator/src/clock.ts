// Epoch milliseconds with sub-millisecond precision, for durations that are often below 1 ms.
export function nowMs(): number {
  return performance.timeOrigin + performance.now();
}

export function sleep(ms: number): Promise<void> {
  return new Promise((wake) => setTimeout(wake, ms));
}
