import assert from 'node:assert/strict';
import { test } from 'vitest';
import type { BufferedEntry } from '../src/buffer/telemetry-buffer.ts';
import { InvocationRegistry } from '../src/invocations/invocation-registry.ts';
import { InvocationTracker } from '../src/invocations/invocation-tracker.ts';
import { failureReason } from '../src/invocations/failure.ts';
import { createLogger } from '../src/logger.ts';
import { attr, estimateWireBytes, getAttr } from '../src/otlp/types.ts';
import type { LogItem, SpanItem } from '../src/otlp/types.ts';
import type { TelemetryRecord } from '../src/receive/telemetry-records.ts';

const traceHeader = 'Root=1-6352a70e-1e2c502e358361800241fd45;Parent=35465b3a9e2f7c6a;Sampled=1';
const resource = { attributes: [attr('service.name', 'ext')] };

function setup(graceMs = 20) {
  const emitted: BufferedEntry[] = [];
  const tracker = new InvocationTracker({
    completionGraceMs: graceMs,
    resource,
    functionName: 'fn',
    emit: (entry) => emitted.push(entry),
    memoryBytesOf: estimateWireBytes,
    logger: createLogger('error', () => undefined),
  });
  return { tracker, emitted };
}

const span = (name: string, spanId: string, parentSpanId: string, requestId?: string): SpanItem => ({
  resource: { attributes: [attr('service.name', 'fn-svc')] },
  scope: { name: 'plugin' },
  span: {
    traceId: '6352a70e1e2c502e358361800241fd45',
    spanId,
    parentSpanId,
    name,
    kind: 2,
    startTimeUnixNano: '1',
    endTimeUnixNano: '2',
    attributes: requestId ? [attr('faas.invocation.id', requestId)] : [],
  },
});

test('the root span with faas.invocation.id completes its invocation', async () => {
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
  assert.equal(getAttr(root.attributes, 'faas.invocation.id'), 'r1');
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

test('init span in the first trace, report values in a correlated report record (the root span handed over is never changed), log lines correlated at export', () => {
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
  const [handedOver] = tracker.onSpans([root]);
  assert.equal(handedOver, root, 'no report yet: the span itself');
  // The root span may be in an export by now: what the report adds must not change it.
  const asExported = structuredClone(root);
  tracker.onTelemetry([
    { type: 'platform.report', timeMs: t0 + 200, requestId: 'r1', status: 'success', metrics: { durationMs: 12, billedDurationMs: 13, maxMemoryUsedMB: 70 } },
  ]);
  assert.deepEqual(root, asExported, 'the root span is not mutated by a later report');
  const init = emitted.find((entry) => entry.kind === 'span' && entry.item.span.name === 'Initialization')!.item as SpanItem;
  assert.equal(init.span.parentSpanId, '1111111111111111');
  assert.equal(init.span.endTimeUnixNano, String((t0 + 100.5) * 1_000_000));
  const logs = emitted.filter((entry) => entry.kind === 'log');
  const report = logs.find((entry) => entry.kind === 'log' && entry.item.log.eventName === 'aws.lambda.report')!.item as LogItem;
  assert.equal(getAttr(report.log.attributes, 'aws.lambda.billed_duration_ms'), 13, 'the report values reach the next export');
  assert.equal(report.log.traceId, root.span.traceId);
  assert.equal(logs.length, 2);
  const before = structuredClone(logs);
  const prepared = tracker.prepareForExport(emitted).filter((entry) => entry.kind === 'log');
  assert.deepEqual(logs, before, 'the buffered records stay as they were');
  for (const entry of prepared) {
    assert.ok(entry.kind === 'log');
    assert.equal(entry.item.log.traceId, root.span.traceId);
    assert.equal(entry.item.log.spanId, root.span.spanId);
    assert.equal(entry.item.resource, root.resource, "the function's resource replaces the extension's");
  }
});

test('failure reasons follow the platform status and error type, table-style', () => {
  const cases: [string, string | undefined, string][] = [
    ['timeout', 'Sandbox.Timedout', 'invocation timed out (Sandbox.Timedout)'],
    ['timeout', undefined, 'invocation timed out'],
    // A Node handler that threw: the runtime client sends no error type, the platform says Runtime.Unknown.
    ['error', 'Runtime.Unknown', 'the function returned an error (Runtime.Unknown)'],
    ['error', 'Runtime.ExitError', 'the runtime process exited during the invocation (Runtime.ExitError)'],
    ['failure', 'Runtime.ExitError', 'the runtime process exited during the invocation (Runtime.ExitError)'],
    ['error', 'Runtime.OutOfMemory', 'the runtime ran out of memory (Runtime.OutOfMemory)'],
    ['failure', 'Sandbox.Failure', 'the runtime failed (Sandbox.Failure)'],
    ['odd', undefined, 'invocation ended with status odd'],
  ];
  for (const [status, errorType, reason] of cases) assert.equal(failureReason(status, errorType), reason, `${status} ${errorType}`);
});

test('a handler error whose report comes before the root span (Managed Instances order): the late root span is kept, no second one', async () => {
  const { tracker, emitted } = setup(50);
  const t0 = Date.now();
  tracker.onTelemetry([
    { type: 'platform.start', timeMs: t0, requestId: 'r1', tracing: { type: 'X-Amzn-Trace-Id', value: traceHeader } },
    { type: 'platform.runtimeDone', timeMs: t0 + 5, requestId: 'r1', status: 'error', errorType: 'Runtime.Unknown' },
    {
      type: 'platform.report',
      timeMs: t0 + 6,
      requestId: 'r1',
      status: 'error',
      errorType: 'Runtime.Unknown',
      metrics: { durationMs: 5, billedDurationMs: 6 },
    },
  ]);
  const received = span('root', '1111111111111111', '35465b3a9e2f7c6a', 'r1');
  const [root] = tracker.onSpans([received]);
  await tracker.waitForCompletion('r1', Date.now() + 1000);
  await new Promise((resolve) => setTimeout(resolve, 80));
  assert.equal(emitted.filter((entry) => entry.kind === 'span').length, 0, 'nothing synthesized');
  assert.equal(getAttr(root!.span.attributes, 'aws.lambda.billed_duration_ms'), 6, 'the report values reach the late root span');
  assert.equal(getAttr(root!.span.attributes, 'aws.lambda.report.error_type'), 'Runtime.Unknown');
  assert.equal(getAttr(received.span.attributes, 'aws.lambda.billed_duration_ms'), undefined, 'as a copy: the received item is not changed');
});

test('a handler error with no root span at all: synthesized after the grace, with the reason and the report values', async () => {
  const { tracker, emitted } = setup(20);
  tracker.startInvocation({ eventType: 'INVOKE', requestId: 'r1', deadlineMs: Date.now() + 5000, traceHeader });
  tracker.onTelemetry([
    {
      type: 'platform.report',
      timeMs: Date.now(),
      requestId: 'r1',
      status: 'error',
      errorType: 'Runtime.Unknown',
      metrics: { durationMs: 5, maxMemoryUsedMB: 70 },
    },
  ]);
  assert.equal(emitted.filter((entry) => entry.kind === 'span').length, 0, 'not before the grace');
  await tracker.waitForCompletion('r1', Date.now() + 1000);
  const roots = emitted.filter((entry) => entry.kind === 'span').map((entry) => (entry.item as SpanItem).span);
  assert.equal(roots.length, 1);
  assert.equal(roots[0]!.status?.message, 'the function returned an error (Runtime.Unknown)');
  assert.equal(getAttr(roots[0]!.attributes, 'lambda_otel.synthesized'), true);
  assert.equal(getAttr(roots[0]!.attributes, 'aws.lambda.max_memory_used_mb'), 70);
  assert.equal(roots[0]!.events?.[0]?.name, 'exception');
});

test('under Managed Instances a line without a request id is not pinned on whichever invocation started last', () => {
  const emitted: BufferedEntry[] = [];
  const options = {
    completionGraceMs: 20,
    resource,
    functionName: 'fn',
    emit: (entry: BufferedEntry) => emitted.push(entry),
    memoryBytesOf: estimateWireBytes,
    logger: createLogger('error', () => undefined),
  };
  for (const attributeUnnamedLines of [true, false]) {
    emitted.length = 0;
    const tracker = new InvocationTracker({ ...options, attributeUnnamedLines });
    tracker.onTelemetry([
      { type: 'platform.start', timeMs: Date.now(), requestId: 'r1' },
      { type: 'function', timeMs: Date.now(), record: 'plain line' },
    ]);
    const log = emitted.find((entry) => entry.kind === 'log')!;
    assert.ok(log.kind === 'log');
    assert.equal(getAttr(log.item.log.attributes, 'faas.invocation.id'), attributeUnnamedLines ? 'r1' : undefined);
  }
});

test('the registry stays bounded and keeps the first invocation until its init span is out', () => {
  const registry = new InvocationRegistry();
  for (let n = 0; n < 500; n++) {
    const invocation = registry.getOrCreate(`r${n}`, n);
    invocation.complete = true;
    invocation.reportAttributes = [];
    registry.forgetOld((candidate) => candidate.requestId === 'r0');
  }
  assert.ok(registry.get('r0'), 'kept while asked to');
  assert.equal(registry.first?.requestId, 'r0');
  assert.equal(registry.get('r1'), undefined, 'old finished ones are forgotten');
  assert.ok(registry.get('r499'));
  assert.ok([...registry.all()].length <= 64);
  // Unfinished invocations are bounded too, at four times the bound.
  const unfinished = new InvocationRegistry();
  for (let n = 0; n < 1000; n++) {
    unfinished.getOrCreate(`u${n}`, n);
    unfinished.forgetOld(() => false);
  }
  assert.ok([...unfinished.all()].length <= 256);
});
