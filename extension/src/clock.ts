/**
 * The one clock a component reads and waits on, passed in at construction: production uses
 * {@link systemClock}; tests pass their own. Decisions take the time as a value (`nowMs`) and never
 * read a clock themselves.
 */
export interface Clock {
  /** Epoch milliseconds. */
  now(): number;
  /** Resolves after `ms`; never keeps the process alive on its own. */
  sleep(ms: number): Promise<void>;
  /** Calls `fn` after `ms` (without keeping the process alive); returns a function that cancels it. */
  setTimer(fn: () => void, ms: number): () => void;
}

export const systemClock: Clock = Object.freeze({
  now: () => Date.now(),
  sleep: (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, Math.max(0, ms)).unref()),
  setTimer: (fn: () => void, ms: number) => {
    const timer = setTimeout(fn, Math.max(0, ms));
    timer.unref();
    return () => clearTimeout(timer);
  },
});
