import type { ReadableSpan } from '@opentelemetry/sdk-trace';
import type { SpanWriterFunction } from '../types.ts';
import { warnOnce } from '../diagnostics.ts';
import { PendingWrites, type SpanWriter } from './writer.ts';

/** Hands each batch to a user function; what it throws or rejects is reported once and dropped. */
export function createFunctionWriter(fn: SpanWriterFunction): SpanWriter {
  const pending = new PendingWrites();
  let failures = 0;
  const report = (error: unknown) => {
    failures += 1;
    warnOnce('function-writer', 'lambda-otel: the span writer function failed; its batches are dropped', { error, failures });
  };
  return {
    name: 'function',
    write(spans: ReadableSpan[]) {
      let result: Promise<void>;
      try {
        result = Promise.resolve(fn(spans)).catch(report);
      } catch (error) {
        report(error);
        result = Promise.resolve();
      }
      return pending.track(result);
    },
    flush: () => pending.drain(),
    shutdown: () => pending.drain(),
  };
}
