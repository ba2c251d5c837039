// 50 invocations with a freeze between each, then SHUTDOWN: every root span and every log line
// reaches the backend once, each log line in its invocation's trace. Under `end` the log lines of an
// invocation arrive (Telemetry API batches) after its export and go out with the next one: the
// SHUTDOWN drain must carry the last of them. Under the default `adaptive` the batches are larger.
import assert from 'node:assert/strict';
import { onTestFinished, test } from 'vitest';
import { extensionLines, startHarness } from '../fixtures/extension/harness.ts';

for (const flush of ['end', 'adaptive']) {
  test(`${flush}: 50 frozen invocations then SHUTDOWN: every root span and log line arrives once, trace-correlated`, async () => {
    await fiftyInvocations(flush);
  });
}

async function fiftyInvocations(flush: string): Promise<void> {
  const harness = await startHarness({ flush });
  onTestFinished(() => harness.close());
  const requestIds: string[] = [];
  for (let n = 0; n < 50; n++) {
    const result = await harness.env.invoke({ n });
    assert.equal(result.status, 'success', `invoke ${n}: ${result.errorMessage ?? ''}`);
    requestIds.push(result.requestId);
  }
  // Registered for INVOKE and SHUTDOWN under its file name, subscribed to all three streams during init.
  assert.deepEqual(
    harness.env.registrations.filter((r) => r.name === 'lambda-otel').map((r) => [r.kind, r.events]),
    [['external', ['INVOKE', 'SHUTDOWN']]],
  );
  const subscription = harness.env.events.find((event) => event.type === 'platform.telemetrySubscription')?.record as
    { name: string; types: string[] } | undefined;
  assert.deepEqual(subscription && [subscription.name, [...subscription.types].sort()], ['lambda-otel', ['extension', 'function', 'platform']]);
  const down = await harness.env.shutdown();
  const extension = down.processes.find((p) => p.name === 'lambda-otel');
  assert.ok(extension, 'the extension ran');
  assert.equal(extension.exitedOnItsOwn, true);
  assert.equal(extension.exitCode, 0);

  const roots = harness.sink.spans().filter((span) => typeof span.attributes['faas.invocation.id'] === 'string');
  const rootByRequest = new Map(roots.map((span) => [span.attributes['faas.invocation.id'] as string, span]));
  assert.equal(roots.length, 50, 'one root span per invocation, none twice');
  assert.deepEqual([...rootByRequest.keys()].sort(), [...requestIds].sort());

  const lines = harness.sink.logs().filter((log) => typeof log.body === 'string' && log.body.startsWith('handling '));
  assert.equal(lines.length, 50, 'one log record per handler line, none twice');
  for (const log of lines) {
    const requestId = log.attributes['faas.invocation.id'] as string;
    const root = rootByRequest.get(requestId);
    assert.ok(root, `log ${String(log.body)} names a known invocation`);
    assert.equal(log.traceId, root.traceId, `log ${String(log.body)} is in its invocation's trace`);
    assert.equal(log.spanId, root.spanId);
  }
  assert.deepEqual(
    lines.map((log) => Number(String(log.body).slice('handling '.length))).sort((a, b) => a - b),
    [...Array(50).keys()],
  );

  // platform.report values arrive as attributes, the init span sits in the first invocation's trace.
  const reports = harness.sink.logs().filter((log) => typeof log.body === 'string' && log.body.startsWith('REPORT '));
  assert.equal(reports.length, 50);
  assert.ok(reports.every((log) => typeof log.attributes['aws.lambda.billed_duration_ms'] === 'number'));
  const init = harness.sink.spans().filter((span) => span.name === 'Initialization');
  assert.equal(init.length, 1);
  const firstRoot = rootByRequest.get(requestIds[0]!)!;
  assert.equal(init[0]!.traceId, firstRoot.traceId);
  assert.equal(init[0]!.parentSpanId, firstRoot.spanId);

  const summary = extensionLines(harness.env).find((line) => typeof line.summary === 'object');
  assert.ok(summary, 'the extension printed its shutdown summary');
  const counts = summary.summary as Record<string, number>;
  assert.equal(counts.dropped, 0);
  assert.equal(counts.written, 0);
  assert.equal(counts.sent, counts.received);
}
