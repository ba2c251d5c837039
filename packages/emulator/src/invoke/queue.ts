// Admission of invokes: one at a time on demand, up to maxConcurrency at once under Managed Instances.

export class InvokeQueue {
  private active = 0;
  private readonly waiting: (() => void)[] = [];
  private idleWaiters: (() => void)[] = [];
  private readonly limit: number;

  constructor(limit: number) {
    this.limit = Math.max(1, limit);
  }

  async run<T>(task: () => Promise<T>): Promise<T> {
    if (this.active >= this.limit) await new Promise<void>((admit) => this.waiting.push(admit));
    this.active += 1;
    try {
      return await task();
    } finally {
      this.active -= 1;
      const next = this.waiting.shift();
      if (next) next();
      else if (this.active === 0) for (const wake of this.idleWaiters.splice(0)) wake();
    }
  }

  idle(): Promise<void> {
    if (this.active === 0 && this.waiting.length === 0) return Promise.resolve();
    return new Promise((wake) => this.idleWaiters.push(wake));
  }
}

/** Holds the event loop open while the emulator is busy; when idle, the sandbox keeps nothing alive. */
export class KeepAlive {
  private count = 0;
  private timer: NodeJS.Timeout | undefined;

  async during<T>(task: () => Promise<T>): Promise<T> {
    this.count += 1;
    this.timer ??= setInterval(() => undefined, 1 << 30);
    try {
      return await task();
    } finally {
      this.count -= 1;
      if (this.count === 0 && this.timer) {
        clearInterval(this.timer);
        this.timer = undefined;
      }
    }
  }
}
