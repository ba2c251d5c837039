// Tail sampling in the emulator with the built layer: which invocations reach the sink, why, what
// happens to their logs, the caller's decision, and the counts in the metrics and the SHUTDOWN
// summary.
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { onTestFinished, test } from 'vitest';
import { keptByTraceId } from '../../extension/src/sampling/decide.ts';
import { extensionLines, startHarness } from '../fixtures/extension/harness.ts';
import type { Harness } from '../fixtures/extension/harness.ts';

/** A distinct X-Ray header per invocation (as Lambda gives), deterministic across runs. */
function xrayHeader(seed: string, sampled: 0 | 1 = 1): { header: string; traceId: string } {
  const hex = createHash('sha256').update(seed).digest('hex');
  const traceId = `6352a70e${hex.slice(0, 24)}`;
  return { header: `Root=1-${traceId.slice(0, 8)}-${traceId.slice(8)};Parent=${hex.slice(24, 40)};Sampled=${sampled}`, traceId };
}

// The plugin continues the X-Ray context Lambda hands over, so root spans carry these trace ids.
const followXray = { OTEL_PROPAGATORS: 'tracecontext,baggage,xray-lambda' };

const rootOf = (harness: Harness, requestId: string) => harness.sink.spans().filter((span) => span.attributes['faas.invocation.id'] === requestId);
const logsOf = (harness: Harness, n: number) => harness.sink.logs().filter((log) => log.body === `handling ${n}`);

function summaryOf(harness: Harness): { line: string; sampling: { kept: Record<string, number>; dropped: Record<string, number> } } {
  const line = extensionLines(harness.env).find((entry) => typeof entry.summary === 'object');
  assert.ok(line, 'a SHUTDOWN summary line');
  return { line: String(line.message), sampling: (line.summary as { sampling: { kept: Record<string, number>; dropped: Record<string, number> } }).sampling };
}

function samplingMetric(harness: Harness): Record<string, number> {
  const totals: Record<string, number> = {};
  for (const point of harness.sink.metrics().filter((one) => one.name === 'lambda_otel.sampling.invocations')) {
    const key = `${point.attributes['lambda_otel.sampling.decision']}:${point.attributes['lambda_otel.sampling.reason']}`;
    totals[key] = (totals[key] ?? 0) + (point.value ?? 0);
  }
  return totals;
}

test('errors and slow invocations are kept with their reason, the rest dropped; logs stay; counts everywhere', async () => {
  const harness = await startHarness({ flush: 'end', env: { ...followXray, LAMBDA_OTEL_TAIL_SAMPLING: 'errors,slow>300ms' } });
  onTestFinished(() => harness.close());
  const cold = await harness.env.invoke({ n: 1 }, { traceHeader: xrayHeader('a1').header });
  const fast = await harness.env.invoke({ n: 2 }, { traceHeader: xrayHeader('a2').header });
  const failed = await harness.env.invoke({ n: 3, fail: true }, { traceHeader: xrayHeader('a3').header });
  const slow = await harness.env.invoke({ n: 4, sleepMs: 400 }, { traceHeader: xrayHeader('a4').header });
  assert.equal(failed.status, 'error');
  await harness.env.shutdown();

  assert.equal(rootOf(harness, cold.requestId).length, 0);
  assert.equal(rootOf(harness, fast.requestId).length, 0);
  const [failedRoot] = rootOf(harness, failed.requestId);
  const [slowRoot] = rootOf(harness, slow.requestId);
  assert.equal(failedRoot?.attributes['lambda_otel.sampling.reason'], 'error');
  assert.equal(slowRoot?.attributes['lambda_otel.sampling.reason'], 'slow');
  assert.equal(failedRoot?.traceId, xrayHeader('a3').traceId);
  // Logs are the record of last resort: kept by default, even for dropped invocations.
  for (const n of [1, 2, 3, 4]) assert.equal(logsOf(harness, n).length, 1, `log line of invocation ${n}`);

  const { line, sampling } = summaryOf(harness);
  assert.deepEqual(sampling.kept, { error: 1, slow: 1 });
  assert.deepEqual(sampling.dropped, { ratio: 2 });
  assert.match(line, /tail sampling kept 2 \((error 1, slow 1|slow 1, error 1)\), dropped 2 \(ratio 2\)/);
  assert.deepEqual(samplingMetric(harness), { 'kept:error': 1, 'kept:slow': 1, 'dropped:ratio': 2 });
});

test('LAMBDA_OTEL_TAIL_SAMPLING_LOGS=drop: the logs of dropped invocations go too', async () => {
  const harness = await startHarness({ flush: 'end', env: { ...followXray, LAMBDA_OTEL_TAIL_SAMPLING: 'errors', LAMBDA_OTEL_TAIL_SAMPLING_LOGS: 'drop' } });
  onTestFinished(() => harness.close());
  await harness.env.invoke({ n: 1 }, { traceHeader: xrayHeader('b1').header });
  await harness.env.invoke({ n: 2, fail: true }, { traceHeader: xrayHeader('b2').header });
  await harness.env.shutdown();
  assert.equal(logsOf(harness, 1).length, 0);
  assert.equal(logsOf(harness, 2).length, 1);
});

test("the caller's Sampled=0 is respected: not exported, unless it failed and errors are kept (a partial trace)", async () => {
  const harness = await startHarness({ flush: 'end', env: { ...followXray, LAMBDA_OTEL_TAIL_SAMPLING: 'errors,ratio=1' } });
  onTestFinished(() => harness.close());
  const sampled = await harness.env.invoke({ n: 1 }, { traceHeader: xrayHeader('c1', 1).header });
  const unsampled = await harness.env.invoke({ n: 2 }, { traceHeader: xrayHeader('c2', 0).header });
  const unsampledFailure = await harness.env.invoke({ n: 3, fail: true }, { traceHeader: xrayHeader('c3', 0).header });
  await harness.env.shutdown();
  assert.equal(rootOf(harness, sampled.requestId)[0]?.attributes['lambda_otel.sampling.reason'], 'ratio');
  assert.equal(rootOf(harness, unsampled.requestId).length, 0);
  assert.equal(harness.sink.spans().filter((span) => span.traceId === xrayHeader('c2').traceId).length, 0, 'nothing of that trace');
  // The runtime sent nothing for the unsampled failure: the extension's root for it says partial.
  const [partial] = rootOf(harness, unsampledFailure.requestId);
  assert.ok(partial);
  assert.equal(partial.attributes['lambda_otel.synthesized'], true);
  assert.equal(partial.attributes['lambda_otel.sampling.partial'], true);
  assert.equal(partial.traceId, xrayHeader('c3').traceId);
  const { sampling } = summaryOf(harness);
  assert.deepEqual(sampling.kept, { ratio: 1, error: 1 });
  assert.deepEqual(sampling.dropped, { upstream: 1 });
});

test('a 30 % ratio with errors: every error kept, and exactly the invocations whose trace id the ratio picks', async () => {
  const harness = await startHarness({ flush: 'end', env: { ...followXray, LAMBDA_OTEL_TAIL_SAMPLING: 'errors,ratio=0.3' } });
  onTestFinished(() => harness.close());
  const expectedKept = new Set<string>();
  const all: string[] = [];
  for (let n = 0; n < 20; n++) {
    const { header, traceId } = xrayHeader(`ratio-${n}`);
    const fail = n % 10 === 5;
    const result = await harness.env.invoke({ n, fail }, { traceHeader: header });
    all.push(result.requestId);
    if (fail || keptByTraceId(traceId, 0.3)) expectedKept.add(result.requestId);
  }
  await harness.env.shutdown();
  const kept = new Set(all.filter((requestId) => rootOf(harness, requestId).length > 0));
  assert.deepEqual([...kept].sort(), [...expectedKept].sort());
  assert.ok(kept.size > 2 && kept.size < 20, `kept ${kept.size} of 20`);
  const { sampling } = summaryOf(harness);
  const keptCount = Object.values(sampling.kept).reduce((sum, count) => sum + count, 0);
  assert.equal(keptCount, expectedKept.size);
  assert.equal(sampling.kept.error, 2);
  assert.equal(keptCount + (sampling.dropped.ratio ?? 0), 20);
});

test('an invalid LAMBDA_OTEL_TAIL_SAMPLING is one ERROR line naming it; init goes on and everything is kept', async () => {
  const harness = await startHarness({ flush: 'end', env: { ...followXray, LAMBDA_OTEL_TAIL_SAMPLING: 'errors,sometimes' } });
  onTestFinished(() => harness.close());
  const result = await harness.env.invoke({ n: 1 }, { traceHeader: xrayHeader('d1').header });
  assert.equal(result.status, 'success');
  await harness.env.shutdown();
  const errors = extensionLines(harness.env).filter((line) => line.level === 'ERROR');
  assert.equal(errors.length, 1);
  assert.match(String(errors[0]!.message), /^Configuration: LAMBDA_OTEL_TAIL_SAMPLING is invalid, expected .*cannot read "sometimes".*tail sampling is off/);
  assert.equal(rootOf(harness, result.requestId).length, 1);
  assert.equal(summaryOf(harness).sampling, undefined);
});
