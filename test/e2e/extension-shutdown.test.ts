// SHUTDOWN with the backend slow or down: everything is exported or written to stdout as OTLP-JSON
// before the deadline, the extension exits 0 on its own, and its summary counts add up.
import assert from 'node:assert/strict';
import { onTestFinished, test } from 'vitest';
import { extensionLines, freePort, startHarness } from '../fixtures/extension/harness.ts';
import type { Harness } from '../fixtures/extension/harness.ts';

interface Summary {
  received: number;
  sent: number;
  retried: number;
  dropped: number;
  written: number;
}

async function runThenShutdown(harness: Harness, invocations: number): Promise<{ summary: Summary; stdoutItems: number }> {
  for (let n = 0; n < invocations; n++) {
    const result = await harness.env.invoke({ n });
    assert.equal(result.status, 'success');
  }
  const down = await harness.env.shutdown();
  const extension = down.processes.find((p) => p.name === 'lambda-otel');
  assert.ok(extension);
  assert.equal(extension.exitedOnItsOwn, true, 'the extension exits before the deadline');
  assert.equal(extension.exitCode, 0);
  const lines = extensionLines(harness.env);
  const summaryLine = lines.find((line) => typeof line.summary === 'object');
  assert.ok(summaryLine, 'one summary line');
  // OTLP-JSON lines on stdout: count the records they hold.
  let stdoutItems = 0;
  for (const line of lines) {
    for (const rs of (line.resourceSpans as { scopeSpans: { spans: unknown[] }[] }[] | undefined) ?? [])
      for (const ss of rs.scopeSpans) stdoutItems += ss.spans.length;
    for (const rl of (line.resourceLogs as { scopeLogs: { logRecords: unknown[] }[] }[] | undefined) ?? [])
      for (const sl of rl.scopeLogs) stdoutItems += sl.logRecords.length;
  }
  return { summary: summaryLine.summary as Summary, stdoutItems };
}

test('backend down: what cannot be sent is written to stdout before the deadline, exit 0, counts add up', async () => {
  const closedPort = await freePort();
  const harness = await startHarness({
    flush: 'end',
    env: { OTEL_EXPORTER_OTLP_ENDPOINT: `http://127.0.0.1:${closedPort}`, LAMBDA_OTEL_EXPORT_TIMEOUT_MS: '100' },
  });
  onTestFinished(() => harness.close());
  const { summary, stdoutItems } = await runThenShutdown(harness, 3);
  assert.equal(summary.sent, 0);
  assert.ok(summary.retried > 0, 'failed exports were retried');
  assert.ok(summary.written > 0);
  assert.equal(stdoutItems, summary.written, 'the summary counts what stdout holds');
  assert.equal(summary.written + summary.dropped, summary.received);
});

test('backend slow: exported or written to stdout before the deadline, exit 0, counts add up', async () => {
  const harness = await startHarness({ flush: 'periodic,60000', env: { LAMBDA_OTEL_EXPORT_TIMEOUT_MS: '100' } });
  onTestFinished(() => harness.close());
  // Fast for the first export, then slower than any deadline.
  let answered = 0;
  harness.sink.setResponder(() => (answered++ === 0 ? undefined : { status: 200, delayMs: 10_000 }));
  const { summary, stdoutItems } = await runThenShutdown(harness, 3);
  assert.ok(summary.sent > 0, 'the first export went through');
  assert.ok(summary.written > 0, 'the rest went to stdout');
  assert.equal(stdoutItems, summary.written);
  assert.equal(summary.sent + summary.written + summary.dropped, summary.received);
  // A request the backend never answered counts as not sent (it also went to stdout).
  const delivered = harness.sink.spans().length + harness.sink.logs().length;
  assert.ok(delivered >= summary.sent);
});

test('backend answering 503: retried with its Retry-After, then delivered at SHUTDOWN', async () => {
  const harness = await startHarness({ flush: 'end', env: { LAMBDA_OTEL_EXPORT_TIMEOUT_MS: '100' } });
  onTestFinished(() => harness.close());
  let failing = true;
  harness.sink.setResponder(() => (failing ? { status: 503, headers: { 'Retry-After': '0' } } : undefined));
  for (let n = 0; n < 2; n++) await harness.env.invoke({ n });
  failing = false;
  const { summary } = await runThenShutdown(harness, 0);
  assert.ok(summary.retried > 0);
  assert.equal(summary.written, 0);
  assert.equal(summary.sent + summary.dropped, summary.received);
  assert.equal(harness.sink.spans().filter((span) => span.attributes['faas.invocation.id']).length, 2);
});
