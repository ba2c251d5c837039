// OTLP/JSON lines on stdout: each line is one request that an OTLP/JSON reader (ours and the official
// generated code) decodes back, no line exceeds the limit, and the stdout exporter writes the same.
import assert from 'node:assert/strict';
import { createRequire } from 'node:module';
import { describe, it } from 'vitest';
import { readExporterConfig, type StdoutExporterConfig } from '../src/export/config.ts';
import { createExporter } from '../src/export/create-exporter.ts';
import { createStdoutExporter } from '../src/export/stdout-exporter.ts';
import { writeOtlpJsonLines } from '../src/export/stdout-fallback.ts';
import { createLogger, OWN_LOGGER_NAME } from '../src/logger.ts';
import { decodeLogsRequest, decodeTraceRequest } from '../src/otlp/decode.ts';
import { flattenLogs, flattenTraces } from '../src/otlp/types.ts';
import { makeLogs, makeSpans } from './fixtures/items.ts';

/** Decoding bound for test bodies (the receiver passes its request limit). */
const limit = { maxDecodedBytes: 64 * 1024 * 1024 };

const referenceRequire = createRequire(new URL('../../packages/otlp-reference-protos/package.json', import.meta.url));
const reference = referenceRequire('otlp-reference-protos/build/src/generated/root.js').opentelemetry.proto;

// A fixed start time: the decoded spans are compared with a second copy.
const spans = (count: number, payloadBytes = 0) => makeSpans(count, { startMs: 1763860800123, payloadBytes });
const logs = (count: number) => makeLogs(count);

describe('writeOtlpJsonLines', () => {
  it('writes spans then logs, one OTLP/JSON request per line, decodable back', () => {
    const lines: string[] = [];
    const result = writeOtlpJsonLines(spans(3), logs(2), (line) => lines.push(line));
    assert.deepEqual(result, { lines: 2, dropped: 0, unwritten: 0 });
    assert.ok(lines.every((line) => !line.includes('\n')));
    const traces = decodeTraceRequest(Buffer.from(lines[0]!), 'application/json', undefined, limit);
    // Decoding fills the repeated fields the sender left empty.
    assert.deepEqual(
      flattenTraces(traces).map((item) => item.span),
      spans(3).map((item) => ({ ...item.span, events: [], links: [] })),
    );
    const logRecords = decodeLogsRequest(Buffer.from(lines[1]!), 'application/json', undefined, limit);
    assert.deepEqual(
      flattenLogs(logRecords).map((item) => item.log.body),
      [{ stringValue: 'line 0' }, { stringValue: 'line 1' }],
    );
  });

  it('lines follow the OTLP/JSON rules: hex ids, string int64, numeric enums', () => {
    const lines: string[] = [];
    writeOtlpJsonLines(spans(1), [], (line) => lines.push(line));
    const parsed = JSON.parse(lines[0]!);
    assert.equal(parsed.logger, OWN_LOGGER_NAME, 'marked as the extension own line');
    const span = parsed.resourceSpans[0].scopeSpans[0].spans[0];
    assert.equal(span.traceId, '5759e988bd862e3fe1be46a994272793');
    assert.equal(span.startTimeUnixNano, '1763860800123000123');
    assert.equal(span.kind, 1);
    // The official generated code reads it too (its fromObject takes the JSON shape, ids aside).
    const message = reference.collector.trace.v1.ExportTraceServiceRequest.fromObject({
      ...parsed,
      resourceSpans: parsed.resourceSpans.map((rs: { scopeSpans: { spans: Record<string, unknown>[] }[] }) => ({
        ...rs,
        scopeSpans: rs.scopeSpans.map((ss) => ({
          ...ss,
          spans: ss.spans.map((s) => ({ ...s, traceId: Buffer.from(String(s.traceId), 'hex'), spanId: Buffer.from(String(s.spanId), 'hex') })),
        })),
      })),
    });
    assert.equal(message.resourceSpans[0].scopeSpans[0].spans[0].name, 'span-0');
  });

  it('splits into lines under the limit and drops (counts) a record too large for any line', () => {
    const lines: string[] = [];
    const batch = [...spans(40, 2000), ...spans(1, 20_000)];
    const result = writeOtlpJsonLines(batch, [], (line) => lines.push(line), { maxLineBytes: 16 * 1024 });
    assert.equal(result.dropped, 1);
    assert.ok(result.lines >= 5);
    for (const line of lines) assert.ok(Buffer.byteLength(line) <= 16 * 1024, `line of ${Buffer.byteLength(line)} bytes`);
    const total = lines.reduce((n, line) => n + flattenTraces(decodeTraceRequest(Buffer.from(line), 'application/json', undefined, limit)).length, 0);
    assert.equal(total, 40);
  });

  it('writes nothing for nothing', () => {
    const lines: string[] = [];
    assert.deepEqual(
      writeOtlpJsonLines([], [], (line) => lines.push(line)),
      { lines: 0, dropped: 0, unwritten: 0 },
    );
    assert.equal(lines.length, 0);
  });
});

describe('stdout exporter', () => {
  it('is what LAMBDA_OTEL_EXPORTER=stdout creates, and writes the same lines', async () => {
    const config = readExporterConfig({ LAMBDA_OTEL_EXPORTER: 'stdout' }) as StdoutExporterConfig;
    assert.equal(typeof createExporter(config).exportSpans, 'function');
    const out: string[] = [];
    const exporter = createStdoutExporter(
      config,
      createLogger('error', () => {}),
      (line) => out.push(line),
    );
    assert.deepEqual(await exporter.exportSpans(spans(2), Date.now() + 1000), { kind: 'success' });
    assert.deepEqual(await exporter.exportLogs(logs(1), Date.now() + 1000), { kind: 'success' });
    assert.equal(out.length, 2);
    assert.equal(flattenTraces(decodeTraceRequest(Buffer.from(out[0]!), 'application/json', undefined, limit)).length, 2);
    await exporter.shutdown();
    assert.equal((await exporter.exportSpans(spans(1), Date.now() + 1000)).kind, 'failure');
  });

  it('turns a failing write into a failure result instead of throwing', async () => {
    const exporter = createStdoutExporter(
      { kind: 'stdout', maxLineBytes: 200 * 1024 },
      createLogger('error', () => {}),
      () => {
        throw new Error('EPIPE');
      },
    );
    const result = await exporter.exportSpans(spans(1), Date.now() + 1000);
    assert.deepEqual(result, { kind: 'failure', error: 'stdout write failed: EPIPE' });
  });
});
