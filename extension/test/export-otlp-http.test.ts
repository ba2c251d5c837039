// The OTLP/HTTP exporter against a real local backend (test/support/otlp-sink().ts, which decodes with
// the official generated protos): formats, compression, headers, retry rules, deadline, partial success.
import assert from 'node:assert/strict';
import { createServer } from 'node:net';
import { beforeEach, describe, it } from 'vitest';
import { readExporterConfig, type OtlpExporterConfig } from '../src/export/config.ts';
import { USER_AGENT } from '../src/export/http-sender.ts';
import { createOtlpHttpExporter } from '../src/export/otlp-http-exporter.ts';
import { createLogger } from '../src/logger.ts';
import { makeLogs, makeSpans } from './fixtures/items.ts';
import { sinkForSuite } from './fixtures/sink.ts';

const fastRetries = { maxAttempts: 4, initialBackoffMs: 10, maxBackoffMs: 50 };

describe('OTLP/HTTP exporter', () => {
  const sink = sinkForSuite();
  let lines: string[];
  const logger = createLogger('debug', (line) => lines.push(line));

  function exporterFor(env: Record<string, string>) {
    const config = readExporterConfig({ OTEL_EXPORTER_OTLP_ENDPOINT: sink().url, ...env }) as OtlpExporterConfig;
    return createOtlpHttpExporter(config, logger, { retryPolicy: fastRetries });
  }

  beforeEach(() => {
    lines = [];
  });

  it('sends gzip protobuf with the configured headers and a User-Agent', async () => {
    const exporter = exporterFor({ OTEL_EXPORTER_OTLP_HEADERS: 'x-api-key=abc%20def' });
    const before = sink().spans().length;
    assert.deepEqual(await exporter.exportSpans(makeSpans(3), Date.now() + 5000), { kind: 'success' });
    const request = sink().requests.at(-1)!;
    assert.equal(request.path, '/v1/traces');
    assert.equal(request.headers['content-type'], 'application/x-protobuf');
    assert.equal(request.headers['content-encoding'], 'gzip');
    assert.equal(request.headers['x-api-key'], 'abc def');
    assert.equal(request.headers['user-agent'], USER_AGENT);
    assert.match(USER_AGENT, /^lambda-otel-extension\/\d+\.\d+\.\d+/);
    const spans = sink().spans().slice(before);
    assert.deepEqual(
      spans.map((s) => s.name),
      ['span-0', 'span-1', 'span-2'],
    );
    assert.equal(spans[1]!.spanId, '0000000000000002');
    assert.equal(spans[1]!.attributes.index, 1);
    assert.equal(spans[1]!.resource['service.name'], 'orders');
    await exporter.shutdown();
  });

  it('sends uncompressed OTLP/JSON when configured', async () => {
    const exporter = exporterFor({ OTEL_EXPORTER_OTLP_PROTOCOL: 'http/json', OTEL_EXPORTER_OTLP_COMPRESSION: 'none' });
    const before = sink().spans().length;
    assert.deepEqual(await exporter.exportSpans(makeSpans(2), Date.now() + 5000), { kind: 'success' });
    const request = sink().requests.at(-1)!;
    assert.equal(request.headers['content-type'], 'application/json');
    assert.equal(request.headers['content-encoding'], undefined);
    assert.equal(JSON.parse(request.body.toString()).resourceSpans[0].scopeSpans[0].spans[0].traceId, '5759e988bd862e3fe1be46a994272793');
    assert.equal(sink().spans().length - before, 2);
    await exporter.shutdown();
  });

  it('sends logs to /v1/logs', async () => {
    const exporter = exporterFor({});
    const before = sink().logs().length;
    assert.deepEqual(await exporter.exportLogs(makeLogs(2), Date.now() + 5000), { kind: 'success' });
    assert.equal(sink().requests.at(-1)!.path, '/v1/logs');
    const logs = sink().logs().slice(before);
    assert.deepEqual(
      logs.map((l) => l.body),
      ['line 0', 'line 1'],
    );
    assert.equal(logs[0]!.traceId, '5759e988bd862e3fe1be46a994272793');
    await exporter.shutdown();
  });

  it('retries a 503 after the Retry-After delay', async () => {
    const exporter = exporterFor({});
    let calls = 0;
    sink().setResponder(() => (++calls === 1 ? { status: 503, headers: { 'retry-after': '1' }, body: 'busy' } : undefined));
    assert.deepEqual(await exporter.exportSpans(makeSpans(1), Date.now() + 5000), { kind: 'success' });
    assert.equal(sink().requests.length, 2);
    const gapMs = sink().requests[1]!.receivedAtMs - sink().requests[0]!.receivedAtMs;
    assert.ok(gapMs >= 950, `Retry-After: 1 honoured (gap ${gapMs} ms)`);
    await exporter.shutdown();
  });

  it('retries 429, 502 and 504 with backoff', async () => {
    const exporter = exporterFor({});
    const statuses = [429, 502, 504];
    sink().setResponder(() => {
      const status = statuses.shift();
      return status ? { status } : undefined;
    });
    assert.deepEqual(await exporter.exportSpans(makeSpans(1), Date.now() + 5000), { kind: 'success' });
    assert.equal(sink().requests.length, 4);
    await exporter.shutdown();
  });

  it('does not retry 400 or 413, and reports the backend message', async () => {
    const exporter = exporterFor({});
    for (const status of [400, 413]) {
      sink().requests.length = 0;
      sink().setResponder(() => ({ status, headers: { 'content-type': 'text/plain' }, body: `rejected with ${status}` }));
      const result = await exporter.exportSpans(makeSpans(1), Date.now() + 5000);
      assert.equal(result.kind, 'failure');
      assert.match(result.kind === 'failure' ? result.error : '', new RegExp(`HTTP ${status} from 127\\.0\\.0\\.1:\\d+/v1/traces: rejected with ${status}`));
      assert.equal(sink().requests.length, 1);
    }
    await exporter.shutdown();
  });

  it('returns retryable when the retries run out', async () => {
    const exporter = exporterFor({});
    sink().setResponder(() => ({ status: 503 }));
    const result = await exporter.exportLogs(makeLogs(1), Date.now() + 5000);
    assert.equal(result.kind, 'retryable');
    assert.equal(sink().requests.length, fastRetries.maxAttempts);
    await exporter.shutdown();
  });

  it('never runs past the deadline with a slow backend', async () => {
    const exporter = exporterFor({});
    sink().setResponder(() => ({ status: 200, delayMs: 1500 }));
    const startedMs = Date.now();
    const deadlineMs = startedMs + 300;
    const result = await exporter.exportSpans(makeSpans(1), deadlineMs);
    const returnedMs = Date.now();
    assert.equal(result.kind, 'retryable');
    assert.match(result.kind === 'retryable' ? result.error : '', /no answer within/);
    assert.ok(returnedMs < deadlineMs + 1000, `returned ${returnedMs - deadlineMs} ms after the deadline`);
    // An attempt the deadline makes impossible is not made.
    const late = await exporter.exportSpans(makeSpans(1), Date.now() - 1);
    assert.equal(late.kind, 'retryable');
    await exporter.shutdown();
  });

  it('does not wait for a Retry-After that ends past the deadline', async () => {
    const exporter = exporterFor({});
    sink().setResponder(() => ({ status: 429, headers: { 'retry-after': '30' } }));
    const result = await exporter.exportSpans(makeSpans(1), Date.now() + 2000);
    assert.equal(result.kind, 'retryable');
    assert.equal(result.kind === 'retryable' ? result.retryAfterMs : undefined, 30_000);
    assert.equal(sink().requests.length, 1);
    await exporter.shutdown();
  });

  it('treats partial success as success with the rejected count as dropped, logs it and does not retry', async () => {
    const exporter = exporterFor({ OTEL_EXPORTER_OTLP_PROTOCOL: 'http/json' });
    sink().setResponder(() => ({
      status: 200,
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ partialSuccess: { rejectedSpans: '2', errorMessage: 'spans too old' } }),
    }));
    assert.deepEqual(await exporter.exportSpans(makeSpans(3), Date.now() + 5000), { kind: 'success', dropped: 2 });
    assert.equal(sink().requests.length, 1);
    const warning = lines.map((l) => JSON.parse(l)).find((l) => l.level === 'WARN');
    assert.equal(warning?.rejected, 2);
    assert.equal(warning?.backendMessage, 'spans too old');
    assert.match(warning?.message ?? '', /rejected 2 of 3 spans/);
    await exporter.shutdown();
  });

  it('retries connection failures and reports them', async () => {
    const closedPort = await new Promise<number>((resolve) => {
      const server = createServer().listen(0, '127.0.0.1', () => {
        const { port } = server.address() as { port: number };
        server.close(() => resolve(port));
      });
    });
    const config = readExporterConfig({ OTEL_EXPORTER_OTLP_ENDPOINT: `http://127.0.0.1:${closedPort}` }) as OtlpExporterConfig;
    const exporter = createOtlpHttpExporter(config, logger, { retryPolicy: fastRetries });
    const result = await exporter.exportSpans(makeSpans(1), Date.now() + 2000);
    assert.equal(result.kind, 'retryable');
    assert.match(result.kind === 'retryable' ? result.error : '', /ECONNREFUSED/);
    await exporter.shutdown();
  });

  it('refuses work after shutdown', async () => {
    const exporter = exporterFor({});
    await exporter.shutdown();
    await exporter.shutdown();
    const result = await exporter.exportSpans(makeSpans(1), Date.now() + 1000);
    assert.equal(result.kind, 'failure');
    assert.equal(sink().requests.length, 0);
  });

  it('writes a signal listed in stdoutSignals as OTLP/JSON lines and sends the other one', async () => {
    const config = { ...(readExporterConfig({ OTEL_EXPORTER_OTLP_ENDPOINT: sink().url }) as OtlpExporterConfig), stdoutSignals: ['logs'] as const };
    const written: string[] = [];
    const exporter = createOtlpHttpExporter(config, logger, { retryPolicy: fastRetries, writeStdout: (line) => written.push(line) });
    assert.deepEqual(await exporter.exportSpans(makeSpans(2), Date.now() + 2000), { kind: 'success' });
    assert.deepEqual(await exporter.exportLogs(makeLogs(3), Date.now() + 2000), { kind: 'success' });
    assert.deepEqual(
      sink().requests.map((request) => request.path),
      ['/v1/traces'],
    );
    assert.equal(written.length, 1);
    const line = JSON.parse(written[0]!) as { resourceLogs: { scopeLogs: { logRecords: unknown[] }[] }[] };
    assert.equal(line.resourceLogs[0]!.scopeLogs[0]!.logRecords.length, 3);
    await exporter.shutdown();
  });
});
