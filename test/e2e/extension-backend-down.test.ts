// A backend that accepts connections and never answers must not hold every invocation: after the
// first export runs out of time the breaker opens, later invocations end without waiting, telemetry
// keeps buffering, and SHUTDOWN writes what is left to stdout within its budget. Nothing is lost
// unaccounted and the function's results do not change.
import assert from 'node:assert/strict';
import { onTestFinished, test } from 'vitest';
import { extensionLines, startHarness } from '../fixtures/extension/harness.ts';

test('hung backend: only the first invocation waits for the export; the rest end at once; SHUTDOWN stays within its budget', async () => {
  const harness = await startHarness({ flush: 'end', timeoutSec: 10, env: { LAMBDA_OTEL_EXPORT_TIMEOUT_MS: '1500' } });
  onTestFinished(() => harness.close());
  // Accepts the request, never answers.
  harness.sink.setResponder(() => ({ status: 200, delayMs: 600_000 }));
  const results = [];
  for (let n = 1; n <= 5; n++) results.push(await harness.env.invoke({ n }));
  for (const [index, result] of results.entries()) assert.deepEqual(result.response, { ok: true, n: index + 1 });
  assert.ok(results[0]!.postRuntimeMs >= 1000, `the first invocation waited for the export (${results[0]!.postRuntimeMs} ms)`);
  for (const result of results.slice(1)) assert.ok(result.postRuntimeMs < 300, `later invocations do not wait (${result.postRuntimeMs} ms)`);

  const down = await harness.env.shutdown();
  const extension = down.processes.find((p) => p.name === 'lambda-otel');
  assert.equal(extension?.exitCode, 0);
  assert.equal(extension?.killed, false, 'the drain ended before the deadline');
  const lines = extensionLines(harness.env);
  assert.ok(
    lines.some((line) => String(line.message).startsWith('backend unreachable: exports paused')),
    'said once',
  );
  const summary = lines.find((line) => typeof line.summary === 'object')?.summary as {
    received: number;
    sent: number;
    dropped: number;
    written: number;
    durationMs: number;
  };
  assert.ok(summary, 'one summary line');
  assert.equal(summary.sent + summary.dropped + summary.written, summary.received);
  assert.ok(summary.written > 0, 'what the backend never took went to stdout');
  assert.ok(summary.durationMs < 1800, `SHUTDOWN took ${summary.durationMs} ms of its 2000`);
});
