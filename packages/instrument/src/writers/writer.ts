import type { ReadableSpan } from '@opentelemetry/sdk-trace';

/**
 * Where finished spans go. `write` is called once per batch after the response was handed to the
 * runtime; it must not throw synchronously and its promise settles when the batch is delivered (or
 * given up). `flush` waits for every pending write; `shutdown` flushes and releases resources.
 */
export interface SpanWriter {
  readonly name: string;
  write(spans: ReadableSpan[]): Promise<void>;
  flush(): Promise<void>;
  shutdown(): Promise<void>;
}

/** Tracks in-flight writes so flush() can wait for them. */
export class PendingWrites {
  readonly #pending = new Set<Promise<void>>();

  /** Returns `promise` itself, so a failure still reaches the caller (which reports it once). */
  track(promise: Promise<void>): Promise<void> {
    const settled = promise.then(
      () => undefined,
      () => undefined,
    );
    this.#pending.add(settled);
    void settled.then(() => this.#pending.delete(settled));
    return promise;
  }

  async drain(): Promise<void> {
    while (this.#pending.size > 0) await Promise.all([...this.#pending]);
  }
}
