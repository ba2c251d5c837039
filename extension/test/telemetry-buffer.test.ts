import assert from 'node:assert/strict';
import { test } from 'vitest';
import { TelemetryBuffer } from '../src/buffer/telemetry-buffer.ts';
import type { BufferedEntry } from '../src/buffer/telemetry-buffer.ts';

const span = (name: string, bytes = 10, atMs = 0): BufferedEntry => ({
  kind: 'span',
  item: {
    resource: { attributes: [] },
    scope: { name: 's' },
    span: { traceId: 'a'.repeat(32), spanId: 'b'.repeat(16), name, kind: 1, startTimeUnixNano: '1', endTimeUnixNano: '2', attributes: [] },
  },
  bytes,
  atMs,
});
const log = (bytes = 10): BufferedEntry => ({
  kind: 'log',
  item: { resource: { attributes: [] }, scope: { name: 's' }, log: { timeUnixNano: '1', observedTimeUnixNano: '1', attributes: [] } },
  bytes,
  atMs: 0,
});
const names = (entries: BufferedEntry[]): string[] => entries.map((entry) => (entry.kind === 'span' ? entry.item.span.name : 'log'));

test('past the item bound the oldest entries go, counted', () => {
  const buffer = new TelemetryBuffer({ maxItems: 3, maxBytes: 1_000_000 });
  for (const name of ['a', 'b', 'c', 'd', 'e']) buffer.push(span(name));
  buffer.push(log());
  assert.equal(buffer.size, 3);
  assert.deepEqual(buffer.takeUnreportedDrops(), { spans: 3, logs: 0 });
  assert.deepEqual(buffer.takeUnreportedDrops(), { spans: 0, logs: 0 }, 'reported once');
  assert.deepEqual(names(buffer.takeAll()), ['d', 'e', 'log']);
  assert.deepEqual(buffer.droppedTotal, { spans: 3, logs: 0 });
});

test('past the byte bound the oldest entries go; one entry larger than the bound is dropped', () => {
  const buffer = new TelemetryBuffer({ maxItems: 100, maxBytes: 25 });
  buffer.push(span('a'));
  buffer.push(span('b'));
  buffer.push(span('c'));
  assert.deepEqual(names(buffer.takeAll()), ['b', 'c']);
  buffer.push(span('huge', 26));
  assert.equal(buffer.size, 0);
  assert.equal(buffer.bytes, 0);
  assert.deepEqual(buffer.droppedTotal, { spans: 2, logs: 0 });
});

test('requeued entries go back in front, still within the bounds', () => {
  const buffer = new TelemetryBuffer({ maxItems: 3, maxBytes: 1000 });
  buffer.push(span('a', 10, 1));
  buffer.push(span('b', 10, 2));
  const taken = buffer.takeAll();
  buffer.push(span('c', 10, 3));
  buffer.requeue(taken);
  assert.equal(buffer.oldestAtMs, 1);
  assert.equal(buffer.fill, 1);
  buffer.push(span('d'));
  assert.deepEqual(names(buffer.takeAll()), ['b', 'c', 'd']);
});

test('never grows without limit', () => {
  const buffer = new TelemetryBuffer({ maxItems: 1000, maxBytes: 1_000_000 });
  for (let i = 0; i < 100_000; i++) buffer.push(span(String(i)));
  assert.equal(buffer.size, 1000);
  assert.equal(buffer.droppedTotal.spans, 99_000);
});

test('entries taken for an export count against the bounds until released; only waiting entries are dropped', () => {
  const buffer = new TelemetryBuffer({ maxItems: 4, maxBytes: 1_000_000 });
  for (const name of ['a', 'b', 'c']) buffer.push(span(name));
  const batch = buffer.takeBatch(2);
  assert.deepEqual(names(batch), ['a', 'b']);
  assert.equal(buffer.size, 1);
  assert.equal(buffer.heldFill, 3 / 4, 'in flight still held');
  buffer.push(span('d'));
  buffer.push(span('e'));
  assert.deepEqual(buffer.droppedTotal, { spans: 1, logs: 0 }, 'c went: 2 in flight + d + e is the bound');
  buffer.release(batch);
  assert.equal(buffer.heldFill, 2 / 4);
  buffer.push(span('f'));
  buffer.push(span('g'));
  assert.deepEqual(names(buffer.takeAll()), ['d', 'e', 'f', 'g']);
});

test('a failed batch released and requeued goes back in front without being counted twice', () => {
  const buffer = new TelemetryBuffer({ maxItems: 3, maxBytes: 1_000_000 });
  for (const name of ['a', 'b']) buffer.push(span(name));
  const batch = buffer.takeBatch();
  buffer.push(span('c'));
  buffer.release(batch);
  buffer.requeue(batch);
  assert.equal(buffer.droppedTotal.spans, 0);
  assert.deepEqual(names(buffer.takeAll()), ['a', 'b', 'c']);
});

test('a batch stops at its byte limit but always takes at least one entry', () => {
  const buffer = new TelemetryBuffer({ maxItems: 100, maxBytes: 1_000_000 });
  buffer.push(span('big', 500));
  for (const name of ['x', 'y', 'z']) buffer.push(span(name, 100));
  assert.deepEqual(names(buffer.takeBatch(Infinity, 300)), ['big']);
  assert.deepEqual(names(buffer.takeBatch(Infinity, 250)), ['x', 'y']);
  assert.equal(buffer.bytes, 100);
  assert.equal(buffer.heldFill, 4 / 100, 'the fuller of items (4 of 100) and bytes (800 of 1 000 000)');
});
