// The benchmark harness, run small: A, B, C, F and the peers D and T all answer, in both passes
// (unconstrained and --cpus 1, where the machine allows cgroups), delivery is counted where each
// variant sends (B and C every invocation at the sink, A and F nothing; D every invocation's trace in
// its log output, T every invocation's subsegment at the X-Ray listener), and the ingest phase counts
// what the receiver accepted and the sink decoded. No timing is asserted; speed lives in BENCHMARKS.md.
import assert from 'node:assert/strict';
import { test } from 'vitest';
import { runBench } from '../src/bench.ts';

test('bench harness: 2 cold starts of 3 invokes and 5 warm invokes per variant and pass, delivery counted from the sink', async () => {
  const lines: string[] = [];
  const result = await runBench({
    coldRuns: 2,
    peerColdRuns: 2,
    firstInvokes: 3,
    warmInvokes: 5,
    cpuPasses: [undefined, 1],
    ingest: { spans: 400, batchSpans: 100, connections: 2 },
    ingestPaced: { spans: 400, batchSpans: 100, connections: 2, rateSpansPerSec: 2000 },
    machineNote: 'test run',
    outFile: undefined,
    log: (line) => lines.push(line),
  });

  assert.deepEqual(
    result.passes.map((pass) => pass.cpus),
    [undefined, 1],
  );
  for (const pass of result.passes.filter((candidate) => !candidate.skipped)) {
    for (const id of ['A', 'B', 'C', 'F', 'D', 'T'] as const) {
      assert.equal(pass.cold[id].length, 2, `${id}: two cold starts`);
      assert.ok(
        pass.cold[id].every((sample) => sample.ok && sample.firstResponsesMs.length === 3),
        `${id}: every cold start answered its three invokes`,
      );
      assert.equal(pass.warm[id].failures, 0, `${id}: every warm invoke answered`);
      assert.equal(pass.warm[id].responseLatencyMs.length, 5, `${id}: five measured warm invokes`);
    }
    assert.ok(
      pass.cold.F.every((sample) => Number.isFinite(sample.readyAfterExecMs)),
      'the floor extension registers and waits',
    );
    assert.deepEqual(pass.coldDelivery.B, { invocations: 6, delivered: 6, spans: 6 });
    assert.deepEqual(pass.coldDelivery.C, { invocations: 6, delivered: 6, spans: 6 });
    assert.equal(pass.coldDelivery.A.delivered, 0, 'A exports nothing');
    assert.equal(pass.coldDelivery.F.delivered, 0, 'F exports nothing');
    assert.deepEqual(
      { ...pass.coldDelivery.D, spans: undefined },
      { invocations: 6, delivered: 6, spans: undefined },
      'every D invocation has its aws.lambda span in the log',
    );
    assert.deepEqual(pass.coldDelivery.T, { invocations: 6, delivered: 6, spans: 6 }, 'one subsegment per T invocation at the X-Ray listener');
    // 10 unmeasured invokes come first, and they count as invocations too.
    assert.deepEqual(pass.warmDelivery.B, { invocations: 15, delivered: 15, spans: 15 });
    assert.deepEqual(pass.warmDelivery.C, { invocations: 15, delivered: 15, spans: 15 });
    assert.equal(pass.warmDelivery.D.delivered, 15);
    assert.ok(pass.warmDelivery.D.spans >= 15, 'D: at least the aws.lambda span per invocation');
    assert.deepEqual(pass.warmDelivery.T, { invocations: 15, delivered: 15, spans: 15 });
  }

  for (const run of [result.ingest, result.ingestPaced]) {
    assert.equal(run.sent, 400);
    assert.equal(run.accepted + run.rejectedRequests * 100, 400);
    assert.equal(run.exported, run.accepted, 'every accepted span reaches the sink, counted per run');
  }
  assert.ok(result.sizes.layerBytes > 0 && result.sizes.upstreamPreloadBytes > 0);
  assert.ok(
    lines.some((line) => line.includes('Init Duration, unconstrained')),
    'the report is printed',
  );
  assert.ok(
    lines.some((line) => line.includes('cold starts') && line.includes('done in')),
    'each phase reports progress',
  );
});
