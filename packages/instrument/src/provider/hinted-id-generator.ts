import { RandomIdGenerator, type IdGenerator } from '@opentelemetry/sdk-trace';

/**
 * Random ids, except that the next trace id can be preset: a Root-only X-Ray header (Lambda's
 * PassThrough mode) names the trace without a parent, and the new trace keeps that id.
 * The hint is set and consumed within one synchronous startSpan call, so invocations cannot mix.
 */
export class HintedIdGenerator implements IdGenerator {
  readonly #random = new RandomIdGenerator();
  #nextTraceId: string | undefined;

  withTraceId<T>(traceId: string | undefined, fn: () => T): T {
    this.#nextTraceId = traceId;
    try {
      return fn();
    } finally {
      this.#nextTraceId = undefined;
    }
  }

  generateTraceId(): string {
    const hinted = this.#nextTraceId;
    this.#nextTraceId = undefined;
    return hinted ?? this.#random.generateTraceId();
  }

  generateSpanId(): string {
    return this.#random.generateSpanId();
  }
}
