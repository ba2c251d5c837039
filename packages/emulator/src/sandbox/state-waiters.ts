// Waiting on the sandbox's own state. Each wait is a predicate; every change to that state (an API
// call, a process exit) re-checks the pending predicates, so no phase polls.

interface Waiter {
  check: () => boolean;
  wake: () => void;
}

export class StateWaiters {
  private waiters: Waiter[] = [];

  /** Resolves true once `check()` holds, false after `timeoutMs`. */
  until(check: () => boolean, timeoutMs: number): Promise<boolean> {
    if (check()) return Promise.resolve(true);
    if (timeoutMs <= 0) return Promise.resolve(false);
    return new Promise((resolveWait) => {
      const waiter: Waiter = {
        check,
        wake: () => {
          clearTimeout(timer);
          resolveWait(true);
        },
      };
      const timer = setTimeout(() => {
        this.waiters = this.waiters.filter((candidate) => candidate !== waiter);
        resolveWait(check());
      }, timeoutMs);
      this.waiters.push(waiter);
    });
  }

  /** The state changed: wakes every wait whose predicate now holds. */
  changed(): void {
    for (const waiter of [...this.waiters]) {
      if (waiter.check()) {
        this.waiters = this.waiters.filter((candidate) => candidate !== waiter);
        waiter.wake();
      }
    }
  }
}
