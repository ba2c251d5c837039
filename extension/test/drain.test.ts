// The SHUTDOWN drain against a backend that accepts connections and never answers, with a full
// buffer and Lambda's 2000 ms budget for external extensions: it ends before the deadline with its
// margin, writes what fits to stdout, counts the rest, and prints its one summary line.
import assert from 'node:assert/strict';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { describe, it, onTestFinished } from 'vitest';
import { recordMemoryBytes } from '../src/buffer/memory-size.ts';
import { TelemetryBuffer } from '../src/buffer/telemetry-buffer.ts';
import { readExporterConfig } from '../src/export/config.ts';
import { Flusher } from '../src/flush/flusher.ts';
import { InvocationTracker } from '../src/invocations/invocation-tracker.ts';
import { LazyExporter } from '../src/lazy-exporter.ts';
import { createLogger } from '../src/logger.ts';
import { startOtlpReceiver } from '../src/receive/otlp-http-receiver.ts';
import { startTelemetryListener } from '../src/receive/telemetry-listener.ts';
import { drain } from '../src/shutdown/drain.ts';
import { makeLogs, makeSpans } from './fixtures/items.ts';

async function hungBackend(): Promise<string> {
  // Reads every request and never answers.
  const server = createServer((request) => request.resume());
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  onTestFinished(
    () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  );
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
}

describe('SHUTDOWN drain', () => {
  it('with a full buffer and a hung backend ends before the 2000 ms deadline with its margin; sent + dropped + written = received', async () => {
    const lines: Record<string, unknown>[] = [];
    const logger = createLogger('info', (line) => lines.push(JSON.parse(line) as Record<string, unknown>));
    const stdout: string[] = [];
    const buffer = new TelemetryBuffer({ maxItems: 10_000, maxBytes: 8 * 1024 * 1024 });
    const received = { spans: 0, logs: 0 };
    const push = (entry: Parameters<TelemetryBuffer['push']>[0]): void => {
      received[entry.kind === 'span' ? 'spans' : 'logs']++;
      buffer.push(entry);
    };
    // Fill the buffer: spans and logs of about 600 bytes each, up to its item bound.
    let atMs = 0;
    for (const item of makeSpans(5000, { payloadBytes: 400 })) push({ kind: 'span', item, bytes: recordMemoryBytes(item), atMs: atMs++ });
    for (const item of makeLogs(5000, { payloadBytes: 400 })) push({ kind: 'log', item, bytes: recordMemoryBytes(item), atMs: atMs++ });
    assert.ok(buffer.fill > 0.99, 'the buffer is full');

    const config = readExporterConfig({ OTEL_EXPORTER_OTLP_ENDPOINT: await hungBackend() });
    const exporter = new LazyExporter(config, logger);
    const tracker = new InvocationTracker({
      completionGraceMs: 100,
      resource: { attributes: [] },
      functionName: 'fn',
      emit: push,
      memoryBytesOf: recordMemoryBytes,
      logger,
    });
    const flusher = new Flusher({ buffer, getExporter: () => exporter.get(), prepare: (entries) => tracker.prepareForExport(entries), logger });
    const receiver = await startOtlpReceiver({ port: 0, maxRequestBytes: 1024 * 1024, onSpans: () => undefined, onLogs: () => undefined, logger });
    const listener = await startTelemetryListener(() => undefined, logger);

    const startedAtMs = Date.now();
    const deadlineMs = startedAtMs + 2000;
    const summary = await drain(
      { eventType: 'SHUTDOWN', shutdownReason: 'spindown', deadlineMs },
      {
        receiver,
        listener,
        tracker,
        flusher,
        buffer,
        exporter,
        logger,
        deadlineMarginMs: 200,
        received: () => ({ ...received }),
        write: (line) => {
          stdout.push(line);
        },
      },
    );
    const endedAtMs = Date.now();
    assert.ok(endedAtMs <= deadlineMs - 100, `the drain ended ${deadlineMs - endedAtMs} ms before the deadline (at least 100 expected)`);
    assert.equal(summary.sent, 0);
    assert.ok(summary.written > 0, 'part of the buffer went to stdout');
    assert.equal(summary.sent + summary.dropped + summary.written, summary.received);
    assert.equal(summary.received, 10_000);
    const summaries = lines.filter((line) => String(line.message).startsWith('shutdown: sent'));
    assert.equal(summaries.length, 1, 'one summary line');
    const writtenItems = stdout.reduce((count, line) => {
      const parsed = JSON.parse(line) as {
        resourceSpans?: { scopeSpans: { spans: unknown[] }[] }[];
        resourceLogs?: { scopeLogs: { logRecords: unknown[] }[] }[];
      };
      const spans = (parsed.resourceSpans ?? []).flatMap((rs) => rs.scopeSpans.flatMap((ss) => ss.spans)).length;
      const logs = (parsed.resourceLogs ?? []).flatMap((rl) => rl.scopeLogs.flatMap((sl) => sl.logRecords)).length;
      return count + spans + logs;
    }, 0);
    assert.equal(writtenItems, summary.written, 'what the summary says was written is on stdout');
  });
});
