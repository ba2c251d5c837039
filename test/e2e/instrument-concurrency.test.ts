// Managed Instances (AWS_LAMBDA_MAX_CONCURRENCY > 1): 20 invokes at once, each with its own
// traceparent, give 20 root spans, each child under its own root, each console line (correlated by
// LAMBDA_OTEL_CORRELATE_CONSOLE) with its own invocation's ids, one cold start for the process.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { onTestFinished, test } from 'vitest';
import { instrumentFixtures, startInstrumentHarness, waitForSpans } from '../fixtures/instrument/harness.ts';
import { repoRoot } from '../support/paths.ts';

const template = JSON.parse(readFileSync(join(repoRoot, 'packages/instrument/test/fixtures/events/api-gateway-http.json'), 'utf8'));

test('20 concurrent invokes in Managed Instances mode: 20 root spans, children and log lines under the right invocation', async () => {
  const h = await startInstrumentHarness({
    functionDir: join(instrumentFixtures, 'cjs'),
    handler: 'index.handler',
    maxConcurrency: 20,
    env: { LAMBDA_OTEL_CORRELATE_CONSOLE: 'true' },
  });
  onTestFinished(() => h.close());
  const events = Array.from({ length: 20 }, (_, n) => {
    const event = structuredClone(template);
    event.headers.traceparent = `00-${(n + 1).toString(16).padStart(32, 'c')}-${(n + 1).toString(16).padStart(16, 'd')}-01`;
    event.delayMs = 20 + (n % 4) * 15;
    return event;
  });
  const results = await Promise.all(events.map((event) => h.env.invoke(event)));
  for (const result of results) assert.equal(result.status, 'success', result.errorMessage);
  assert.equal(new Set(results.map((r) => r.requestId)).size, 20);

  await waitForSpans(h.sink, (spans) => h.roots().size === 20 && spans.filter((s) => s.name === 'cjs-child').length === 20, 10_000);
  const roots = h.roots();
  let coldStarts = 0;
  for (const [n, result] of results.entries()) {
    const root = roots.get(result.requestId);
    assert.ok(root, `a root span for ${result.requestId}`);
    assert.equal(root.traceId, (n + 1).toString(16).padStart(32, 'c'), 'the root continues its own traceparent');
    assert.equal(root.parentSpanId, (n + 1).toString(16).padStart(16, 'd'));
    if (root.attributes['faas.coldstart'] === true) coldStarts += 1;
    const children = h.sink.spans().filter((s) => s.name === 'cjs-child' && s.traceId === root.traceId);
    assert.equal(children.length, 1, `one child in trace ${root.traceId}`);
    assert.equal(children[0]!.parentSpanId, root.spanId);
    // The console line written inside the child span: this invocation's request id, trace and span.
    const lines = h.jsonLines().filter((line) => line.requestId === result.requestId && String(line.message).startsWith('cjs child done'));
    assert.equal(lines.length, 1, JSON.stringify(lines));
    assert.deepEqual([lines[0]!.level, lines[0]!.trace_id, lines[0]!.span_id], ['INFO', root.traceId, children[0]!.spanId]);
    assert.equal(lines[0]!.message, `cjs child done after ${events[n]!.delayMs} ms`);
  }
  const childLines = h.jsonLines().filter((line) => String(line.message).startsWith('cjs child done'));
  assert.equal(childLines.length, 20, 'no line lost or duplicated');
  assert.equal(coldStarts, 1, 'exactly one cold start for the process');
});
