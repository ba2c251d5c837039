// When the runtime dies without sending its root span (timeout, killed process), the extension
// emits that root span itself, status ERROR with the reason, in the invocation's X-Ray trace.
import assert from 'node:assert/strict';
import { onTestFinished, test } from 'vitest';
import { startHarness } from '../fixtures/extension/harness.ts';

const traceHeader = 'Root=1-6352a70e-1e2c502e358361800241fd45;Parent=35465b3a9e2f7c6a;Sampled=1';

test('a handler that times out gets a synthesized root span with status ERROR and the reason', async () => {
  // No exec wrapper: no plugin, so nothing but the extension can report this invocation.
  const harness = await startHarness({ wrapper: false, timeoutSec: 1 });
  onTestFinished(() => harness.close());
  const result = await harness.env.invoke({ n: 1, hang: true }, { traceHeader });
  assert.equal(result.status, 'timeout');
  const [root] = await harness.sink.waitForSpans(1, 5000);
  assert.ok(root);
  assert.equal(root.attributes['faas.invocation.id'], result.requestId);
  assert.equal(root.attributes['lambda_otel.synthesized'], true);
  assert.equal(root.status.code, 2);
  assert.equal(root.status.message, 'invocation timed out (Sandbox.Timedout)');
  assert.equal(root.traceId, '6352a70e1e2c502e358361800241fd45');
  assert.equal(root.parentSpanId, '35465b3a9e2f7c6a');
  // The log line the handler wrote before hanging is in that trace too.
  const line = harness.sink.logs().find((log) => log.body === 'handling 1');
  assert.ok(line);
  assert.equal(line.traceId, root.traceId);
});

test('a killed runtime process gets a synthesized root span with status ERROR and the reason', async () => {
  const harness = await startHarness({ timeoutSec: 2 });
  onTestFinished(() => harness.close());
  const ok = await harness.env.invoke({ n: 1 }, { traceHeader });
  assert.equal(ok.status, 'success');
  const killed = await harness.env.invoke({ n: 2, kill: true }, { traceHeader });
  assert.notEqual(killed.status, 'success');
  await harness.env.shutdown();
  const roots = harness.sink.spans().filter((span) => span.attributes['faas.invocation.id'] === killed.requestId);
  assert.equal(roots.length, 1, 'exactly one root span for the killed invocation');
  const root = roots[0]!;
  assert.equal(root.attributes['lambda_otel.synthesized'], true);
  assert.equal(root.status.code, 2);
  assert.equal(root.status.message, 'the runtime process exited during the invocation (Runtime.ExitError)');
  assert.equal(root.traceId, '6352a70e1e2c502e358361800241fd45');
  const healthy = harness.sink.spans().filter((span) => span.attributes['faas.invocation.id'] === ok.requestId);
  assert.equal(healthy.length, 1);
  assert.notEqual(healthy[0]!.attributes['lambda_otel.synthesized'], true);
});

test('a handler that throws with no SDK to report it: the synthesized root span says the function returned an error', async () => {
  // Without the plugin nothing sends a root span; the platform classifies the Node error as Runtime.Unknown.
  const harness = await startHarness({ wrapper: false, flush: 'end' });
  onTestFinished(() => harness.close());
  const result = await harness.env.invoke({ n: 1, fail: true }, { traceHeader });
  assert.equal(result.status, 'error');
  await harness.env.shutdown();
  const roots = harness.sink.spans().filter((span) => span.attributes['faas.invocation.id'] === result.requestId);
  assert.equal(roots.length, 1);
  const root = roots[0]!;
  assert.equal(root.attributes['lambda_otel.synthesized'], true);
  assert.equal(root.status.code, 2);
  assert.equal(root.status.message, 'the function returned an error (Runtime.Unknown)');
  assert.equal(root.attributes['error.type'], 'Runtime.Unknown');
  assert.equal(root.traceId, '6352a70e1e2c502e358361800241fd45');
});
