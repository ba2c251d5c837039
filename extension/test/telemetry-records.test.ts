import assert from 'node:assert/strict';
import { test } from 'vitest';
import { logLineToRecord } from '../src/invocations/log-records.ts';
import { getAttr } from '../src/otlp/types.ts';
import { parseTelemetryBatch } from '../src/receive/telemetry-records.ts';

test('Telemetry API records parse into the union, table-style; unknown types are kept as other', () => {
  const batch = [
    { time: '2024-01-01T00:00:00.000Z', type: 'platform.initStart', record: { initializationType: 'on-demand', phase: 'init', runtimeVersion: 'nodejs:24' } },
    {
      time: '2024-01-01T00:00:00.100Z',
      type: 'platform.start',
      record: { requestId: 'r1', tracing: { type: 'X-Amzn-Trace-Id', value: 'Root=1-6352a70e-1e2c502e358361800241fd45;Parent=35465b3a9e2f7c6a;Sampled=1' } },
    },
    {
      time: '2024-01-01T00:00:00.200Z',
      type: 'platform.runtimeDone',
      record: { requestId: 'r1', status: 'timeout', errorType: 'Sandbox.Timedout', metrics: { durationMs: 3000 } },
    },
    {
      time: '2024-01-01T00:00:00.300Z',
      type: 'platform.report',
      record: {
        requestId: 'r1',
        status: 'success',
        metrics: { durationMs: 1.5, billedDurationMs: 2, memorySizeMB: 128, maxMemoryUsedMB: 60, initDurationMs: 150 },
      },
    },
    { time: '2024-01-01T00:00:00.400Z', type: 'function', record: 'hello' },
    { time: '2024-01-01T00:00:00.500Z', type: 'function', record: { timestamp: '2024-01-01T00:00:00.500Z', level: 'INFO', message: 'parsed' } },
    { time: '2024-01-01T00:00:00.600Z', type: 'platform.somethingNew', record: {} },
    'garbage',
  ];
  const records = parseTelemetryBatch(JSON.stringify(batch));
  assert.deepEqual(
    records.map((r) => r.type),
    ['platform.initStart', 'platform.start', 'platform.runtimeDone', 'platform.report', 'function', 'function', 'other'],
  );
  const done = records[2]!;
  assert.ok(done.type === 'platform.runtimeDone');
  assert.equal(done.status, 'timeout');
  assert.equal(done.errorType, 'Sandbox.Timedout');
  assert.equal(done.timeMs, Date.parse('2024-01-01T00:00:00.200Z'));
  const report = records[3]!;
  assert.ok(report.type === 'platform.report');
  assert.equal(report.metrics.billedDurationMs, 2);
  assert.equal(report.metrics.initDurationMs, 150);
  assert.throws(() => parseTelemetryBatch('{}'), /not a JSON array/);
});

test('a JSON log line: level → severity, message → body, other fields → attributes, ids → trace context', () => {
  const line = JSON.stringify({
    timestamp: '2024-01-01T00:00:01.000Z',
    level: 'warn',
    requestId: 'r1',
    message: 'careful',
    trace_id: 'AB'.repeat(16),
    span_id: 'cd'.repeat(8),
    orderId: 42,
    nested: { a: true },
  });
  const parsed = logLineToRecord('function', line, 0, undefined)!;
  assert.equal(parsed.requestId, 'r1');
  assert.equal(parsed.log.severityNumber, 13);
  assert.equal(parsed.log.severityText, 'WARN');
  assert.deepEqual(parsed.log.body, { stringValue: 'careful' });
  assert.equal(parsed.log.traceId, 'ab'.repeat(16));
  assert.equal(parsed.log.spanId, 'cd'.repeat(8));
  assert.equal(parsed.log.timeUnixNano, String(Date.parse('2024-01-01T00:00:01.000Z') * 1_000_000));
  assert.equal(getAttr(parsed.log.attributes, 'orderId'), 42);
  assert.equal(getAttr(parsed.log.attributes, 'faas.invocation.id'), 'r1');
  assert.ok(parsed.log.attributes.some((kv) => kv.key === 'nested' && kv.value.kvlistValue));
  assert.equal(getAttr(parsed.log.attributes, 'message'), undefined, 'lifted fields are not repeated');
});

test('runtime text lines, parsed objects, plain lines and the extension’s own lines', () => {
  const text = logLineToRecord('function', '2024-01-01T00:00:02.000Z\tr2\tERROR\tboom\n  at x', 5, undefined)!;
  assert.equal(text.requestId, 'r2');
  assert.equal(text.log.severityNumber, 17);
  assert.deepEqual(text.log.body, { stringValue: 'boom\n  at x' });
  const object = logLineToRecord('function', { level: 'DEBUG', message: 'obj', requestId: 'r3' }, 5, undefined)!;
  assert.equal(object.requestId, 'r3');
  assert.equal(object.log.severityNumber, 5);
  const plain = logLineToRecord('function', 'just text', 7, 'r4')!;
  assert.equal(plain.requestId, 'r4', 'a line without a request id belongs to the open invocation');
  assert.equal(plain.log.severityNumber, undefined);
  assert.equal(plain.log.timeUnixNano, '7000000');
  assert.equal(logLineToRecord('extension', JSON.stringify({ logger: 'lambda-otel', message: 'mine' }), 0, undefined), undefined);
});
