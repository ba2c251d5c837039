import assert from 'node:assert/strict';
import { describe, it } from 'vitest';
import { TraceFlags } from '@opentelemetry/api';
import { InMemorySpanExporter, SimpleSpanProcessor, TracerProvider, type ReadableSpan } from '@opentelemetry/sdk-trace';
import { SpanCollector } from '../src/invocation/span-collector.ts';
import type { SpanWriter } from '../src/writers/writer.ts';

function finishedSpans(names: string[], sampled = true): ReadableSpan[] {
  const exporter = new InMemorySpanExporter();
  const provider = new TracerProvider({ spanProcessors: [new SimpleSpanProcessor({ exporter })] });
  for (const name of names) provider.getTracer('t').startSpan(name).end();
  return exporter
    .getFinishedSpans()
    .map((span) => (sampled ? span : Object.assign(Object.create(span), { spanContext: () => ({ ...span.spanContext(), traceFlags: TraceFlags.NONE }) })));
}

function recordingWriter(write: (spans: ReadableSpan[]) => Promise<void> = async () => {}) {
  const batches: string[][] = [];
  const writer: SpanWriter = {
    name: 'recording',
    write: (spans) => {
      batches.push(spans.map((s) => s.name));
      return write(spans);
    },
    flush: async () => {},
    shutdown: async () => {},
  };
  return { writer, batches };
}

const turns = (n: number) =>
  new Promise<void>((resolve) => {
    const step = (left: number) => (left === 0 ? resolve() : setImmediate(() => step(left - 1)));
    step(n);
  });

describe('SpanCollector', () => {
  it('loads the writer only at the first export (after the first response), and only once', async () => {
    // Prepare
    let loads = 0;
    const { writer, batches } = recordingWriter();
    const collector = new SpanCollector({ maxQueuedSpans: 10, loadWriter: async () => (loads++, writer) });
    for (const span of finishedSpans(['a', 'b'])) collector.onEnd(span);
    // Assess: buffering alone loads nothing.
    assert.equal(loads, 0);
    // Act: the export is scheduled after the response, two event-loop turns later.
    collector.scheduleExport();
    collector.scheduleExport();
    await turns(1);
    assert.equal(loads, 0, 'not during the turn in which the runtime posts the response');
    await turns(3);
    assert.deepEqual(batches, [['a', 'b']]);
    for (const span of finishedSpans(['c'])) collector.onEnd(span);
    await collector.forceFlush();
    assert.deepEqual(batches, [['a', 'b'], ['c']]);
    assert.equal(loads, 1);
  });

  it('never rejects when the writer fails or cannot be loaded', async () => {
    const failing = recordingWriter(async () => {
      throw new Error('EPIPE');
    });
    const collector = new SpanCollector({ maxQueuedSpans: 10, loadWriter: async () => failing.writer });
    collector.onEnd(finishedSpans(['x'])[0]!);
    await assert.doesNotReject(collector.exportNow());
    assert.deepEqual(failing.batches, [['x']]);

    const unloadable = new SpanCollector({ maxQueuedSpans: 10, loadWriter: () => Promise.reject(new Error('chunk missing')) });
    unloadable.onEnd(finishedSpans(['y'])[0]!);
    await assert.doesNotReject(unloadable.exportNow());
    await assert.doesNotReject(unloadable.forceFlush());
  });

  it('keeps only sampled spans, bounds the buffer and counts what it drops', async () => {
    const { writer, batches } = recordingWriter();
    const collector = new SpanCollector({ maxQueuedSpans: 2, loadWriter: async () => writer });
    for (const span of finishedSpans(['unsampled'], false)) collector.onEnd(span);
    for (const span of finishedSpans(['1', '2', '3', '4'])) collector.onEnd(span);
    await collector.forceFlush();
    assert.deepEqual(batches, [['1', '2']]);
    assert.equal(collector.dropped(), 2);
  });

  it('after shutdown, new spans are ignored', async () => {
    const { writer, batches } = recordingWriter();
    const collector = new SpanCollector({ maxQueuedSpans: 10, loadWriter: async () => writer });
    collector.onEnd(finishedSpans(['before'])[0]!);
    await collector.shutdown();
    collector.onEnd(finishedSpans(['after'])[0]!);
    await collector.forceFlush();
    assert.deepEqual(batches, [['before']]);
  });
});
