import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { BufferedEntry } from '../src/buffer/telemetry-buffer.ts';
import { InvocationTracker } from '../src/invocations/invocation-tracker.ts';
import { createLogger } from '../src/logger.ts';
import { attr, estimateBytes, getAttr } from '../src/otlp/types.ts';
import type { SpanItem } from '../src/otlp/types.ts';
import type { TelemetryRecord } from '../src/receive/telemetry-records.ts';

const traceHeader = 'Root=1-6352a70e-1e2c502e358361800241fd45;Parent=35465b3a9e2f7c6a;Sampled=1';
const resource = { attributes: [attr('service.name', 'ext')] };

function setup(graceMs = 20) {
  const emitted: BufferedEntry[] = [];
  const tracker = new InvocationTracker({ completionGraceMs: graceMs, resource, functionName: 'fn', emit: (entry) => emitted.push(entry), estimateBytes, logger: createLogger('error', () => undefined) });
  return { tracker, emitted };
}

const span = (name: string, spanId: string, parentSpanId: string, requestId?: string): SpanItem => ({
  resource: { attributes: [attr('service.name', 'fn-svc')] },
  scope: { name: 'plugin' },
  span: { traceId: '6352a70e1e2c502e358361800241fd45', spanId, parentSpanId, name, kind: 2, startTimeUnixNano: '1', endTimeUnixNano: '2', attributes: requestId ? [attr('faas.invocation_id', requestId)] : [] },
});

test('the root span with faas.invocation_id completes its invocation', async () => {
  const { tracker } = setup();
  tracker.startInvocation({ eventType: 'INVOKE', requestId: 'r1', deadlineMs: Date.now() + 5000, traceHeader });
  assert.equal(tracker.isComplete('r1'), false);
  const waiting = tracker.waitForCompletion('r1', Date.now() + 5000);
  tracker.onSpans([span('root', '1111111111111111', '35465b3a9e2f7c6a', 'r1')]);
  assert.equal(await waiting, true);
});

test('without a root span: platform.runtimeDone plus the grace completes it, and nothing is synthesized on success', async () => {
  const { tracker, emitted } = setup();
  tracker.startInvocation({ eventType: 'INVOKE', requestId: 'r1', deadlineMs: Date.now() + 5000 });
  tracker.onTelemetry([{ type: 'platform.runtimeDone', timeMs: Date.now(), requestId: 'r1', status: 'success' }]);
  assert.equal(tracker.isComplete('r1'), false, 'not before the grace');
  assert.equal(await tracker.waitForCompletion('r1', Date.now() + 1000), true);
  assert.equal(emitted.filter((entry) => entry.kind === 'span').length, 0);
});

test('a failed runtime without root span gets one: ERROR, the reason, the X-Ray trace, the id its children point at', async () => {
  const { tracker, emitted } = setup();
  tracker.startInvocation({ eventType: 'INVOKE', requestId: 'r1', deadlineMs: Date.now() + 5000, traceHeader, invokedFunctionArn: 'arn:aws:lambda:x' });
  tracker.onSpans([span('child', '2222222222222222', 'aaaaaaaaaaaaaaaa')]);
  tracker.onTelemetry([{ type: 'platform.runtimeDone', timeMs: Date.now(), requestId: 'r1', status: 'timeout', errorType: 'Sandbox.Timedout' }]);
  await tracker.waitForCompletion('r1', Date.now() + 1000);
  const spans = emitted.filter((entry) => entry.kind === 'span');
  assert.equal(spans.length, 1);
  const root = (spans[0]!.item as SpanItem).span;
  assert.equal(root.status?.code, 2);
  assert.equal(root.status?.message, 'invocation timed out (Sandbox.Timedout)');
  assert.equal(root.traceId, '6352a70e1e2c502e358361800241fd45');
  assert.equal(root.parentSpanId, '35465b3a9e2f7c6a');
  assert.equal(root.spanId, 'aaaaaaaaaaaaaaaa', 'children already received stay attached');
  assert.equal(getAttr(root.attributes, 'faas.invocation_id'), 'r1');
  assert.equal(getAttr(root.attributes, 'cloud.resource_id'), 'arn:aws:lambda:x');
  // A report afterwards does not synthesize a second one.
  tracker.onTelemetry([{ type: 'platform.report', timeMs: Date.now(), requestId: 'r1', status: 'timeout', metrics: { durationMs: 3000 } }]);
  assert.equal(emitted.filter((entry) => entry.kind === 'span').length, 1);
});

test('SHUTDOWN with an unfinished invocation synthesizes its root span with the shutdown reason', () => {
  const { tracker, emitted } = setup();
  tracker.startInvocation({ eventType: 'INVOKE', requestId: 'r1', deadlineMs: Date.now() + 5000 });
  tracker.onShutdown('failure');
  const root = (emitted.find((entry) => entry.kind === 'span')!.item as SpanItem).span;
  assert.equal(root.status?.code, 2);
  assert.match(root.status?.message ?? '', /shut down \(failure\)/);
});

test('init span in the first trace, report values on the root span and a correlated report record, log lines correlated at export', () => {
  const { tracker, emitted } = setup();
  const t0 = Date.now();
  const records: TelemetryRecord[] = [
    { type: 'platform.initStart', timeMs: t0, initializationType: 'on-demand' },
    { type: 'platform.initRuntimeDone', timeMs: t0 + 100, status: 'success' },
    { type: 'platform.initReport', timeMs: t0 + 101, durationMs: 100.5 },
  ];
  tracker.onTelemetry(records);
  tracker.startInvocation({ eventType: 'INVOKE', requestId: 'r1', deadlineMs: t0 + 5000, traceHeader });
  tracker.onTelemetry([{ type: 'function', timeMs: t0 + 120, record: `${new Date(t0).toISOString()}\tr1\tINFO\thi` }]);
  const root = span('root', '1111111111111111', '35465b3a9e2f7c6a', 'r1');
  tracker.onSpans([root]);
  tracker.onTelemetry([{ type: 'platform.report', timeMs: t0 + 200, requestId: 'r1', status: 'success', metrics: { durationMs: 12, billedDurationMs: 13, maxMemoryUsedMB: 70 } }]);
  const init = emitted.find((entry) => entry.kind === 'span' && entry.item.span.name === 'Initialization')!.item as SpanItem;
  assert.equal(init.span.parentSpanId, '1111111111111111');
  assert.equal(init.span.endTimeUnixNano, String((t0 + 100.5) * 1_000_000));
  assert.equal(getAttr(root.span.attributes, 'aws.lambda.billed_duration_ms'), 13);
  const logs = emitted.filter((entry) => entry.kind === 'log');
  assert.equal(logs.length, 2);
  tracker.prepareForExport(emitted);
  for (const entry of logs) {
    assert.ok(entry.kind === 'log');
    assert.equal(entry.item.log.traceId, root.span.traceId);
    assert.equal(entry.item.log.spanId, root.span.spanId);
    assert.equal(entry.item.resource, root.resource, "the function's resource replaces the extension's");
  }
});
