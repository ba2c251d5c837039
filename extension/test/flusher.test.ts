// The flusher between the buffer and a real OTLP/HTTP exporter talking to the test sink: what is
// sent, put back, dropped and counted for each kind of backend answer, and that an export never
// holds the caller past its deadline.
import assert from 'node:assert/strict';
import { beforeEach, describe, it } from 'vitest';
import { TelemetryBuffer } from '../src/buffer/telemetry-buffer.ts';
import type { BufferedEntry } from '../src/buffer/telemetry-buffer.ts';
import { readExporterConfig } from '../src/export/config.ts';
import type { OtlpExporterConfig } from '../src/export/config.ts';
import { createOtlpHttpExporter } from '../src/export/otlp-http-exporter.ts';
import { DROPPED_LOGS_KEY, DROPPED_SPANS_KEY, Flusher } from '../src/flush/flusher.ts';
import { createLogger } from '../src/logger.ts';
import { estimateWireBytes } from '../src/otlp/types.ts';
import { makeLogs, makeSpans } from './fixtures/items.ts';
import { sinkForSuite } from './fixtures/sink.ts';

describe('Flusher', () => {
  const sink = sinkForSuite();
  let lines: Record<string, unknown>[];
  const logger = createLogger('debug', (line) => lines.push(JSON.parse(line) as Record<string, unknown>));

  function setup(limits = { maxItems: 1000, maxBytes: 1024 * 1024 }) {
    const buffer = new TelemetryBuffer(limits);
    // One attempt per export: retries across exports are the flusher's business here.
    const exporter = createOtlpHttpExporter(
      readExporterConfig({ OTEL_EXPORTER_OTLP_ENDPOINT: sink().url, OTEL_EXPORTER_OTLP_PROTOCOL: 'http/json' }) as OtlpExporterConfig,
      logger,
      {
        retryPolicy: { maxAttempts: 1, initialBackoffMs: 1, maxBackoffMs: 1 },
      },
    );
    const flusher = new Flusher({ buffer, getExporter: async () => exporter, logger });
    let atMs = 0;
    const push = (spans: number, logs: number): void => {
      for (const item of makeSpans(spans)) buffer.push({ kind: 'span', item, bytes: estimateWireBytes(item), atMs: ++atMs });
      for (const item of makeLogs(logs)) buffer.push({ kind: 'log', item, bytes: estimateWireBytes(item), atMs: ++atMs });
    };
    return { buffer, flusher, push, exporter };
  }

  beforeEach(() => {
    lines = [];
  });

  it('exports everything buffered and counts it as sent', async () => {
    const { buffer, flusher, push, exporter } = setup();
    push(3, 2);
    const outcome = await flusher.flush(Date.now() + 2000);
    assert.deepEqual(outcome, { exported: 5, retryable: false });
    assert.equal(buffer.size, 0);
    assert.deepEqual(flusher.counters, { sent: 5, retried: 0, rejected: 0 });
    assert.deepEqual(
      sink()
        .requests.map((request) => request.path)
        .sort(),
      ['/v1/logs', '/v1/traces'],
    );
    await exporter.shutdown();
  });

  it('a retryable answer puts the items back in arrival order and counts each attempt in retried', async () => {
    const { buffer, flusher, push, exporter } = setup();
    push(2, 1);
    const order = (entries: readonly BufferedEntry[]) => entries.map((entry) => entry.atMs);
    sink().setResponder(() => ({ status: 503 }));
    assert.deepEqual(await flusher.flush(Date.now() + 2000), { exported: 0, retryable: true });
    assert.deepEqual(await flusher.flush(Date.now() + 2000), { exported: 0, retryable: true });
    assert.equal(flusher.counters.retried, 6, '3 items × 2 failed attempts');
    sink().setResponder(undefined);
    const taken = buffer.takeAll();
    assert.deepEqual(order(taken), [1, 2, 3]);
    buffer.requeue(taken);
    await flusher.flush(Date.now() + 2000);
    assert.deepEqual(flusher.counters, { sent: 3, retried: 6, rejected: 0 });
    await exporter.shutdown();
  });

  it('a refusal drops and counts the items, and reports the drops on the next export and in a log line', async () => {
    const { buffer, flusher, push, exporter } = setup();
    push(2, 0);
    sink().setResponder(() => ({ status: 400, body: 'bad' }));
    assert.deepEqual(await flusher.flush(Date.now() + 2000), { exported: 0, retryable: false });
    assert.deepEqual(flusher.counters, { sent: 0, retried: 0, rejected: 2 });
    assert.deepEqual(buffer.droppedTotal, { spans: 2, logs: 0 });
    assert.ok(lines.some((line) => line.message === 'backend refused telemetry; dropped'));
    sink().setResponder(undefined);
    push(1, 1);
    await flusher.flush(Date.now() + 2000);
    const span = sink().spans().at(-1);
    assert.equal(span?.resource[DROPPED_SPANS_KEY], 2);
    assert.equal(span?.resource[DROPPED_LOGS_KEY], 0);
    assert.equal(sink().logs().at(-1)?.resource[DROPPED_SPANS_KEY], 2);
    assert.ok(
      lines.some((line) => line.message === 'telemetry dropped since the last export (full buffer or refused by the backend)' && line.droppedSpans === 2),
    );
    await exporter.shutdown();
  });

  it('a partial success counts the rejected records as dropped, the rest as sent', async () => {
    const { buffer, flusher, push, exporter } = setup();
    push(4, 0);
    sink().setResponder(() => ({
      status: 200,
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ partialSuccess: { rejectedSpans: '1' } }),
    }));
    assert.deepEqual(await flusher.flush(Date.now() + 2000), { exported: 3, retryable: false });
    assert.deepEqual(flusher.counters, { sent: 3, retried: 0, rejected: 1 });
    assert.deepEqual(buffer.droppedTotal, { spans: 1, logs: 0 });
    await exporter.shutdown();
  });

  it('a backend slower than the deadline does not hold the caller: the items go back for later', async () => {
    const { buffer, flusher, push, exporter } = setup();
    push(2, 0);
    sink().setResponder(() => ({ status: 200, delayMs: 5000 }));
    const deadlineMs = Date.now() + 200;
    const outcome = await flusher.flush(deadlineMs);
    assert.ok(Date.now() < deadlineMs + 1000, 'returned near its deadline, not when the backend answered');
    assert.equal(outcome.retryable, true);
    assert.equal(buffer.size, 2);
    assert.equal(flusher.counters.sent, 0);
    await exporter.shutdown();
  });

  it('runs bounded exports side by side; waitIdle waits for all of them, flush for them and then the rest', async () => {
    const { buffer, flusher, push, exporter } = setup();
    sink().setResponder(() => ({ status: 200, delayMs: 50 }));
    push(10, 0);
    const first = flusher.exportBatch(Date.now() + 2000, 4, Infinity);
    const second = flusher.exportBatch(Date.now() + 2000, 4, Infinity);
    assert.equal(flusher.inFlight, 2);
    assert.equal(buffer.size, 2);
    assert.equal(buffer.heldFill, 10 / 1000, 'in flight still held');
    push(3, 0);
    assert.deepEqual(await flusher.flush(Date.now() + 2000), { exported: 5, retryable: false }, 'the rest, after the two');
    assert.deepEqual(
      [await first, await second],
      [
        { exported: 4, retryable: false },
        { exported: 4, retryable: false },
      ],
    );
    assert.equal(buffer.heldFill, 0, 'released once settled');
    assert.equal(flusher.counters.sent, 13);
    await flusher.waitIdle(Date.now() + 2000);
    await exporter.shutdown();
  });

  it('every item pushed ends up sent, dropped or still buffered', async () => {
    const { buffer, flusher, push, exporter } = setup({ maxItems: 10, maxBytes: 1024 * 1024 });
    let answer = 0;
    sink().setResponder(() => [{ status: 503 }, { status: 400 }, undefined][answer++ % 3]);
    for (let round = 0; round < 6; round++) {
      push(4, 3);
      await flusher.flush(Date.now() + 2000);
    }
    const dropped = buffer.droppedTotal.spans + buffer.droppedTotal.logs;
    assert.equal(flusher.counters.sent + dropped + buffer.size, 6 * 7);
    await exporter.shutdown();
  });
});
