import { ROOT_CONTEXT, TraceFlags, context as contextApi, type Context } from '@opentelemetry/api';
import { suppressTracing } from '@opentelemetry/core';
import type { ReadableSpan, Span, SpanProcessor } from '@opentelemetry/sdk-trace';
import { warnOnce } from '../diagnostics.ts';
import type { SpanWriter } from '../writers/writer.ts';
import { currentInvocation, type InvocationState } from './invocation-state.ts';

/**
 * Buffers finished spans in-process and hands them to the writer only when asked: after the response
 * (scheduleExport), on timeout (exportNow) or on flush. It also tracks which spans each invocation
 * still has open, so a timeout can end them.
 */
export class SpanCollector implements SpanProcessor {
  readonly #queue: ReadableSpan[] = [];
  readonly #owner = new WeakMap<Span, InvocationState>();
  readonly #pending = new Set<Promise<void>>();
  readonly #maxQueued: number;
  readonly #loadWriter: () => Promise<SpanWriter>;
  #writer: Promise<SpanWriter> | undefined;
  #dropped = 0;
  #scheduled = false;
  #shutDown = false;

  constructor(options: { maxQueuedSpans: number; loadWriter: () => Promise<SpanWriter> }) {
    this.#maxQueued = options.maxQueuedSpans;
    this.#loadWriter = options.loadWriter;
  }

  onStart(span: Span, _parentContext: Context): void {
    const invocation = currentInvocation();
    if (invocation === undefined || invocation.ended) return;
    invocation.openSpans.add(span);
    this.#owner.set(span, invocation);
  }

  onEnd(span: ReadableSpan): void {
    const owner = this.#owner.get(span as Span);
    owner?.openSpans.delete(span as Span);
    if (this.#shutDown || (span.spanContext().traceFlags & TraceFlags.SAMPLED) === 0) return;
    if (this.#queue.length >= this.#maxQueued) {
      this.#dropped += 1;
      warnOnce('queue-full', `lambda-otel: span buffer full (${this.#maxQueued} spans); spans dropped`, { droppedSpans: this.#dropped });
      return;
    }
    this.#queue.push(span);
  }

  /** Spans dropped because the buffer was full. */
  dropped(): number {
    return this.#dropped;
  }

  /**
   * Exports after the runtime has posted the response: the runtime client posts it (synchronously)
   * in a setImmediate callback queued after the handler settles, so the export waits one more turn.
   */
  scheduleExport(): void {
    if (this.#scheduled) return;
    this.#scheduled = true;
    setImmediate(() =>
      setImmediate(() => {
        this.#scheduled = false;
        void this.exportNow();
      }),
    );
  }

  /**
   * Hands everything buffered to the writer now (loading it on first use). Never rejects. The export
   * runs in a context with tracing suppressed, so an instrumented HTTP client (instrumentation-http)
   * never records a span per export, and never under the invocation's root span.
   */
  exportNow(): Promise<void> {
    if (this.#queue.length === 0) return Promise.resolve();
    return contextApi.with(suppressTracing(ROOT_CONTEXT), () => this.#exportQueued());
  }

  #exportQueued(): Promise<void> {
    const batch = this.#queue.splice(0, this.#queue.length);
    this.#writer ??= this.#loadWriter();
    const settled = this.#writer
      .then((writer) => writer.write(batch))
      .catch((error: unknown) => {
        warnOnce('writer-failed', 'lambda-otel: the span writer failed; its batch is dropped', { error, droppedSpans: batch.length });
      });
    this.#pending.add(settled);
    void settled.then(() => this.#pending.delete(settled));
    return settled;
  }

  async forceFlush(): Promise<void> {
    await this.exportNow();
    while (this.#pending.size > 0) await Promise.all([...this.#pending]);
    await this.#writer?.then((writer) => writer.flush()).catch(() => undefined);
  }

  async shutdown(): Promise<void> {
    await this.forceFlush();
    this.#shutDown = true;
    await this.#writer?.then((writer) => writer.shutdown()).catch(() => undefined);
  }
}
