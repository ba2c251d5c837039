// A batch the backend takes in several requests, one of which fails with a retryable error: only
// that request and the ones after it are sent again; the backend never gets a part twice.
import assert from 'node:assert/strict';
import { describe, it } from 'vitest';
import { TelemetryBuffer } from '../src/buffer/telemetry-buffer.ts';
import { readExporterConfig } from '../src/export/config.ts';
import type { OtlpExporterConfig } from '../src/export/config.ts';
import type { TelemetryExporter } from '../src/export/exporter.ts';
import { createSignalClient } from '../src/export/otlp-signal-client.ts';
import { Flusher } from '../src/flush/flusher.ts';
import { createLogger } from '../src/logger.ts';
import { estimateWireBytes } from '../src/otlp/types.ts';
import { makeSpans } from './fixtures/items.ts';
import { sinkForSuite } from './fixtures/sink.ts';

describe('a split batch with a failed part', () => {
  const sink = sinkForSuite();
  const logger = createLogger('error', () => undefined);

  it('re-sends only the parts not delivered: every span reaches the backend exactly once', async () => {
    const config = readExporterConfig({ OTEL_EXPORTER_OTLP_ENDPOINT: sink().url, OTEL_EXPORTER_OTLP_PROTOCOL: 'http/json' }) as OtlpExporterConfig;
    // Ten spans per request: 30 spans go out as three requests.
    const traces = createSignalClient('traces', {
      config: config.traces,
      logger,
      limits: { maxItems: 10, maxBytes: 1024 * 1024 },
      retryPolicy: { maxAttempts: 1, initialBackoffMs: 1, maxBackoffMs: 1 },
    });
    const exporter: TelemetryExporter = {
      exportSpans: (items, deadlineMs) => traces.export(items, deadlineMs),
      exportLogs: async () => ({ kind: 'success' }),
      shutdown: async () => traces.close(),
    };
    const buffer = new TelemetryBuffer({ maxItems: 1000, maxBytes: 8 * 1024 * 1024 });
    const flusher = new Flusher({ buffer, getExporter: async () => exporter, logger });
    makeSpans(30).forEach((item, index) => buffer.push({ kind: 'span', item, bytes: estimateWireBytes(item), atMs: index }));

    // First export: the first request is accepted, the second gets 503 (the third is never sent).
    let seen = 0;
    sink().setResponder(() => (++seen === 2 ? { status: 503, body: 'busy' } : undefined));
    const first = await flusher.flush(Date.now() + 2000);
    assert.equal(first.retryable, true);
    assert.equal(first.exported, 10);
    assert.equal(buffer.size, 20, 'only the two requests not delivered go back');

    sink().setResponder(undefined);
    const second = await flusher.flush(Date.now() + 2000);
    assert.equal(second.retryable, false);
    const names = sink()
      .spans()
      .map((span) => span.name)
      .sort();
    assert.equal(names.length, 30, 'no duplicates at the backend');
    assert.equal(new Set(names).size, 30);
    assert.deepEqual({ sent: flusher.counters.sent, retried: flusher.counters.retried }, { sent: 30, retried: 20 });
  });

  it('a part refused for good is dropped and counted; the other parts are still delivered', async () => {
    const config = readExporterConfig({ OTEL_EXPORTER_OTLP_ENDPOINT: sink().url, OTEL_EXPORTER_OTLP_PROTOCOL: 'http/json' }) as OtlpExporterConfig;
    const traces = createSignalClient('traces', { config: config.traces, logger, limits: { maxItems: 10, maxBytes: 1024 * 1024 } });
    let seen = 0;
    const before = sink().spans().length;
    sink().setResponder(() => (++seen === 1 ? { status: 400, body: 'bad' } : undefined));
    const result = await traces.export(makeSpans(30), Date.now() + 2000);
    assert.deepEqual(result, { kind: 'success', dropped: 10 });
    assert.equal(sink().spans().length - before, 20);
  });
});
