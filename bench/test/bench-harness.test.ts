// The benchmark harness, run small: A, B and C all answer, delivery is counted from the sink (B and
// C deliver every invocation, A nothing, C without its ESM hook nothing), and the ingest phase counts
// what the receiver accepted and the sink decoded. No timing is asserted; speed lives in BENCHMARKS.md.
import assert from 'node:assert/strict';
import { test } from 'vitest';
import { runBench } from '../src/bench.ts';

test('bench harness: 2 cold starts and 5 warm invokes per variant, delivery counted from the sink', async () => {
  const lines: string[] = [];
  const result = await runBench({
    coldRuns: 2,
    warmInvokes: 5,
    ingest: { spans: 400, batchSpans: 100, connections: 2 },
    ingestPaced: { spans: 400, batchSpans: 100, connections: 2, rateSpansPerSec: 2000 },
    outFile: undefined,
    log: (line) => lines.push(line),
  });

  for (const id of ['A', 'B', 'C'] as const) {
    assert.equal(result.cold[id].length, 2, `${id}: two cold starts`);
    assert.ok(
      result.cold[id].every((sample) => sample.ok),
      `${id}: every cold start answered`,
    );
    assert.equal(result.warm[id].failures, 0, `${id}: every warm invoke answered`);
    assert.equal(result.warm[id].responseLatencyMs.length, 5, `${id}: five measured warm invokes`);
  }
  assert.deepEqual(result.coldDelivery.B, { invocations: 2, delivered: 2, spans: 2 });
  assert.deepEqual(result.coldDelivery.C, { invocations: 2, delivered: 2, spans: 2 });
  assert.equal(result.coldDelivery.A.delivered, 0, 'A exports nothing');
  // 10 unmeasured invokes come first, and they count as invocations too.
  assert.deepEqual(result.warmDelivery.B, { invocations: 15, delivered: 15, spans: 15 });
  assert.deepEqual(result.warmDelivery.C, { invocations: 15, delivered: 15, spans: 15 });
  assert.equal(result.warmDelivery.A.delivered, 0);
  assert.equal(result.noHookDelivery.invocations, 2);
  assert.equal(result.noHookDelivery.delivered, 0, 'without the ESM hook the recipe traces nothing under aws-lambda-ric');

  for (const run of [result.ingest, result.ingestPaced]) {
    assert.equal(run.sent, 400);
    assert.equal(run.accepted + run.rejectedRequests * 100, 400);
    assert.equal(run.exported, run.accepted, 'every accepted span reaches the sink, counted per run');
  }
  assert.ok(
    result.cold.extensionReadyAloneMs.every((ms) => Number.isFinite(ms)),
    'the extension alone initialises',
  );

  assert.ok(result.sizes.layerBytes > 0 && result.sizes.upstreamPreloadBytes > 0);
  assert.ok(
    lines.some((line) => line.includes('Cold start (')),
    'the report is printed',
  );
  assert.ok(
    lines.some((line) => line.includes('cold starts') && line.includes('done in')),
    'each phase reports progress',
  );
});
