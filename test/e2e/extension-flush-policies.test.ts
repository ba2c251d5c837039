// Each flush policy decides which invocation's data reaches the backend before which /event/next.
// `env.invoke()` resolves once every party called /next again (the environment is frozen), so what
// the sink holds at that moment was exported before the extension's /next.
import assert from 'node:assert/strict';
import { setTimeout as sleep } from 'node:timers/promises';
import { onTestFinished, test } from 'vitest';
import { startHarness } from '../fixtures/extension/harness.ts';
import type { Harness } from '../fixtures/extension/harness.ts';

function exportedRoots(harness: Harness): string[] {
  return harness.sink
    .spans()
    .flatMap((span) => (typeof span.attributes['faas.invocation.id'] === 'string' ? [span.attributes['faas.invocation.id'] as string] : []));
}

test('end: every invocation is exported before the next /event/next', async () => {
  const harness = await startHarness({ flush: 'end' });
  onTestFinished(() => harness.close());
  for (let n = 0; n < 3; n++) {
    const { requestId } = await harness.env.invoke({ n });
    assert.ok(exportedRoots(harness).includes(requestId), `invoke ${n} exported before /next`);
  }
});

test('periodic: exports at an invocation end only once the interval has passed', async () => {
  const harness = await startHarness({ flush: 'periodic,400' });
  onTestFinished(() => harness.close());
  const first = await harness.env.invoke({ n: 1 });
  assert.deepEqual(exportedRoots(harness), [first.requestId], 'the first invocation starts the period');
  const second = await harness.env.invoke({ n: 2 });
  assert.deepEqual(exportedRoots(harness), [first.requestId], 'within the interval nothing is exported');
  await sleep(450);
  const third = await harness.env.invoke({ n: 3 });
  assert.deepEqual(
    exportedRoots(harness).sort(),
    [first.requestId, second.requestId, third.requestId].sort(),
    'past the interval the batch goes out before /next',
  );
});

test('continuous: exports in the background while an invocation runs', async () => {
  const harness = await startHarness({ flush: 'continuous,50' });
  onTestFinished(() => harness.close());
  const first = await harness.env.invoke({ n: 1, sleepMs: 300 });
  // The handler's log line (Telemetry API, every 25 ms) went out while the handler still slept.
  const line = harness.sink.logs().find((log) => log.body === 'handling 1');
  assert.ok(line, 'the log line of a running invocation was exported during it');
  const second = await harness.env.invoke({ n: 2, sleepMs: 300 });
  assert.ok(exportedRoots(harness).includes(first.requestId), "the first invocation's root span went out while the second ran");
  await harness.env.shutdown();
  assert.ok(exportedRoots(harness).includes(second.requestId), 'the rest goes out at SHUTDOWN');
});

test('adaptive: like end for sparse traffic, batches frequent traffic up to a maximum age', async () => {
  const harness = await startHarness({ flush: 'adaptive,500' });
  onTestFinished(() => harness.close());
  const first = await harness.env.invoke({ n: 1 });
  assert.deepEqual(exportedRoots(harness), [first.requestId], 'a lone invocation is exported before /next');
  const second = await harness.env.invoke({ n: 2 });
  const third = await harness.env.invoke({ n: 3 });
  assert.deepEqual(exportedRoots(harness), [first.requestId], 'frequent invocations are batched');
  await sleep(550);
  const fourth = await harness.env.invoke({ n: 4 });
  assert.deepEqual(
    exportedRoots(harness).sort(),
    [first, second, third, fourth].map((r) => r.requestId).sort(),
    'the batch goes out once its oldest item is past the maximum age',
  );
});

test('every export is bounded by the invocation deadline: a backend slower than the timeout never holds the environment', async () => {
  const harness = await startHarness({ flush: 'end', timeoutSec: 1 });
  onTestFinished(() => harness.close());
  harness.sink.setResponder(() => ({ status: 200, delayMs: 10_000 }));
  for (let n = 0; n < 3; n++) assert.equal((await harness.env.invoke({ n })).status, 'success');
  // An extension still exporting at the deadline would have timed the environment out and reset it.
  assert.equal(harness.env.events.filter((event) => event.type === 'platform.initStart').length, 1, 'no reset between invocations');
  const down = await harness.env.shutdown();
  assert.equal(down.reason, 'spindown');
  assert.equal(down.processes.find((p) => p.name === 'lambda-otel')?.exitCode, 0);
});
