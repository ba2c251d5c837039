// The buffer's byte bound is about memory: the estimate of what an item holds must follow what V8
// really keeps for it, for small and large spans and for log records alike.
import assert from 'node:assert/strict';
import { test } from 'vitest';
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { envelopeMemoryBytes, recordMemoryBytes } from '../src/buffer/memory-size.ts';
import { decodeTraceRequest } from '../src/otlp/decode.ts';
import { encodeTraceRequest } from '../src/otlp/encode.ts';
import { attr, flattenTraces, groupSpans } from '../src/otlp/types.ts';
import type { LogItem, SpanItem } from '../src/otlp/types.ts';
import { logLineToRecord } from '../src/invocations/log-records.ts';
import { makeSpans } from './fixtures/items.ts';

/** Decoding bound for test bodies (the receiver passes its request limit). */
const limit = { maxDecodedBytes: 64 * 1024 * 1024 };

setFlagsFromString('--expose-gc');
const gc = runInNewContext('gc') as () => void;

/** Heap bytes per item that `make` returns (kept until measured), and the estimate per item. */
function measure<T>(rounds: number, make: () => T[], estimate: (item: T) => number): { heap: number; estimated: number } {
  const kept: T[][] = [];
  // Compiled code and feedback of the first runs must not count as the items' memory.
  for (let round = 0; round < 3; round++) make();
  gc();
  gc();
  const before = process.memoryUsage().heapUsed;
  let estimated = 0;
  let count = 0;
  for (let round = 0; round < rounds; round++) {
    const items = make();
    for (const item of items) estimated += estimate(item);
    count += items.length;
    kept.push(items);
  }
  gc();
  gc();
  const heap = (process.memoryUsage().heapUsed - before) / count;
  assert.equal(kept.length, rounds);
  return { heap, estimated: estimated / count };
}

/** Spans as the receiver holds them: decoded from a protobuf request, all objects and strings new. */
function decoder(count: number, options: { payloadBytes?: number; attributes?: number }): () => SpanItem[] {
  const items = makeSpans(count, { payloadBytes: options.payloadBytes });
  for (const item of items) for (let a = 0; a < (options.attributes ?? 0); a++) item.span.attributes.push(attr(`extra.${a}`, a % 2 ? a : `value-${a}`));
  const body = encodeTraceRequest(groupSpans(items), 'protobuf');
  return () => flattenTraces(decodeTraceRequest(body, 'application/x-protobuf', undefined, limit));
}

test('the memory estimate follows the heap for small spans, spans with many attributes, large strings and log lines', () => {
  let line = 0;
  const logLines = (): LogItem[] =>
    Array.from({ length: 500 }, () => {
      line++;
      const text = JSON.stringify({ level: 'INFO', requestId: `req-${line}`, message: `order ${line} received`, orderId: line });
      return { resource: { attributes: [] }, scope: { name: 's' }, log: logLineToRecord('function', text, Date.now(), undefined)!.log };
    });
  const shapes: [string, () => { heap: number; estimated: number }][] = [
    ['small spans', () => measure(20, decoder(200, {}), recordMemoryBytes)],
    ['20 attributes', () => measure(10, decoder(200, { attributes: 20 }), recordMemoryBytes)],
    ['4 KiB string', () => measure(10, decoder(100, { payloadBytes: 4096 }), recordMemoryBytes)],
    ['JSON log lines', () => measure(8, logLines, recordMemoryBytes)],
  ];
  for (const [name, run] of shapes) {
    const { heap, estimated } = run();
    const ratio = estimated / heap;
    assert.ok(ratio > 0.7 && ratio < 1.5, `${name}: estimated ${estimated.toFixed(0)} bytes, heap ${heap.toFixed(0)} bytes`);
  }
});

test('a resource and scope shared by a request are counted on their own, not in every item', () => {
  const [item] = makeSpans(1);
  const withMore = { ...item!, resource: { attributes: [...item!.resource.attributes, attr('cloud.region', 'eu-west-1'), attr('faas.name', 'orders')] } };
  assert.equal(recordMemoryBytes(withMore), recordMemoryBytes(item!), 'the record alone');
  assert.ok(envelopeMemoryBytes(withMore) > envelopeMemoryBytes(item!));
});
