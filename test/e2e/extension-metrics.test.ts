// Lambda's platform numbers as OTLP metrics: the built layer in the emulator, the sink decoding
// /v1/metrics with OpenTelemetry's own generated protobuf code. Cold and warm, failed and
// timed-out invocations; delta and cumulative temporality; the function's own metrics forwarded.
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { onTestFinished, test } from 'vitest';
import { extensionLines, startHarness } from '../fixtures/extension/harness.ts';
import type { DecodedMetricPoint } from '../support/otlp-sink.ts';
import { fixturesDir } from '../support/paths.ts';

const traceHeader = 'Root=1-6352a70e-1e2c502e358361800241fd45;Parent=35465b3a9e2f7c6a;Sampled=1';
const MIB = 1024 * 1024;

const points = (all: DecodedMetricPoint[], name: string): DecodedMetricPoint[] => all.filter((point) => point.name === name);
/** Delta points add up to the total. */
const total = (all: DecodedMetricPoint[], name: string): number => points(all, name).reduce((sum, point) => sum + (point.value ?? 0), 0);
const histogramCount = (all: DecodedMetricPoint[], name: string): number => points(all, name).reduce((sum, point) => sum + point.count, 0);
const histogramSum = (all: DecodedMetricPoint[], name: string): number => points(all, name).reduce((sum, point) => sum + (point.sum ?? 0), 0);

test('cold, warm, failed and timed-out invocations: the FaaS metrics carry the platform values (delta)', async () => {
  const harness = await startHarness({ flush: 'end', timeoutSec: 1 });
  onTestFinished(() => harness.close());
  const cold = await harness.env.invoke({ n: 1, sleepMs: 60 }, { traceHeader });
  const warm = await harness.env.invoke({ n: 2 }, { traceHeader });
  const failed = await harness.env.invoke({ n: 3, fail: true }, { traceHeader });
  const timedOut = await harness.env.invoke({ n: 4, hang: true }, { traceHeader });
  assert.deepEqual([cold.status, warm.status, failed.status, timedOut.status], ['success', 'success', 'error', 'timeout']);
  assert.ok(cold.initDurationMs !== undefined);
  await harness.env.shutdown();

  const all = harness.sink.metrics();
  const results = [cold, warm, failed, timedOut];
  assert.equal(total(all, 'faas.coldstarts'), 1);
  assert.equal(total(all, 'faas.invocations'), 2);
  assert.equal(total(all, 'faas.errors'), 2, 'the failure and the timeout');
  assert.equal(total(all, 'faas.timeouts'), 1);
  assert.equal(histogramCount(all, 'faas.invoke_duration'), 4);
  // The function's part plus the extensions' part is the invoke phase the platform reported.
  const reportedSeconds = results.reduce((sum, result) => sum + result.durationMs, 0) / 1000;
  const measured = histogramSum(all, 'faas.invoke_duration') + histogramSum(all, 'aws.lambda.post_runtime_duration');
  assert.ok(Math.abs(measured - reportedSeconds) < 0.005, `runtime + post-runtime ${measured} s, reported ${reportedSeconds} s`);
  assert.ok(
    points(all, 'faas.invoke_duration').some((point) => (point.max ?? 0) >= 0.06),
    'the 60 ms handler is in there',
  );
  const timeoutMax = Math.max(...points(all, 'faas.invoke_duration').map((point) => point.max ?? 0));
  assert.ok(timeoutMax >= 0.9 && timeoutMax <= 1.5, `the timed-out invocation ran about 1 s (${timeoutMax})`);
  // Init: the value Lambda put in the cold start's report.
  assert.equal(histogramCount(all, 'faas.init_duration'), 1);
  assert.ok(Math.abs(histogramSum(all, 'faas.init_duration') - cold.initDurationMs! / 1000) < 0.0015);
  // Memory, billed duration and memory size: the values of the REPORT records the sink also received.
  const reports = harness.sink.logs().filter((log) => typeof log.body === 'string' && log.body.startsWith('REPORT RequestId:'));
  assert.equal(reports.length, 4);
  const reportSum = (key: string): number => reports.reduce((sum, log) => sum + Number(log.attributes[key]), 0);
  assert.equal(histogramCount(all, 'faas.mem_usage'), 4);
  assert.equal(histogramSum(all, 'faas.mem_usage'), reportSum('aws.lambda.max_memory_used_mb') * MIB);
  assert.ok(Math.abs(histogramSum(all, 'aws.lambda.billed_duration') - reportSum('aws.lambda.billed_duration_ms') / 1000) < 1e-9);
  assert.equal(points(all, 'aws.lambda.memory_size').at(-1)?.value, 128 * MIB);
  // Conventions: units, delta temporality, monotonic counters, the function's resource, the trigger.
  const invocations = points(all, 'faas.invocations');
  for (const point of invocations) {
    assert.equal(point.temporality, 1);
    assert.equal(point.isMonotonic, true);
    assert.equal(point.attributes['faas.trigger'], 'other');
    assert.equal(point.resource['cloud.provider'], 'aws');
    assert.ok(point.startTimeUnixNano < point.timeUnixNano);
  }
  assert.equal(points(all, 'faas.invoke_duration')[0]!.unit, 's');
  assert.equal(points(all, 'faas.mem_usage')[0]!.unit, 'By');
  // Delta intervals follow each other: no two points of one series cover the same time.
  const starts = points(all, 'faas.invoke_duration').map((point) => point.startTimeUnixNano);
  assert.equal(new Set(starts).size, starts.length);
});

test('cumulative temporality on request: each point holds the total since the extension started', async () => {
  const harness = await startHarness({ flush: 'end', env: { OTEL_EXPORTER_OTLP_METRICS_TEMPORALITY_PREFERENCE: 'cumulative' } });
  onTestFinished(() => harness.close());
  for (let n = 1; n <= 3; n++) assert.equal((await harness.env.invoke({ n }, { traceHeader })).status, 'success');
  await harness.env.shutdown();
  const invocations = points(harness.sink.metrics(), 'faas.invocations');
  assert.ok(invocations.length >= 2);
  for (const point of invocations) assert.equal(point.temporality, 2);
  assert.equal(invocations.at(-1)!.value, 3);
  assert.equal(new Set(invocations.map((point) => point.startTimeUnixNano)).size, 1, 'one start for the whole series');
});

test('an invalid temporality is one ERROR line naming the variable, then delta; init does not fail', async () => {
  const harness = await startHarness({ flush: 'end', env: { OTEL_EXPORTER_OTLP_METRICS_TEMPORALITY_PREFERENCE: 'weekly' } });
  onTestFinished(() => harness.close());
  assert.equal((await harness.env.invoke({ n: 1 }, { traceHeader })).status, 'success');
  await harness.env.shutdown();
  const errors = extensionLines(harness.env).filter((line) => line.level === 'ERROR');
  assert.equal(errors.length, 1);
  assert.match(
    String(errors[0]!.message),
    /OTEL_EXPORTER_OTLP_METRICS_TEMPORALITY_PREFERENCE is invalid, expected delta, cumulative or lowmemory, actual "weekly"; using delta/,
  );
  assert.ok(points(harness.sink.metrics(), 'faas.invocations').every((point) => point.temporality === 1));
});

test("the function's own /v1/metrics are forwarded with its resource", async () => {
  const harness = await startHarness({ flush: 'end', functionDir: join(fixturesDir, 'extension', 'metrics-sdk') });
  onTestFinished(() => harness.close());
  const first = await harness.env.invoke({ count: 2 }, { traceHeader });
  const second = await harness.env.invoke({ count: 5 }, { traceHeader });
  assert.deepEqual([first.response, second.response], [{ status: 200 }, { status: 200 }]);
  await harness.env.shutdown();
  const placed = points(harness.sink.metrics(), 'orders.placed');
  assert.deepEqual(
    placed.map((point) => point.value),
    [2, 5],
  );
  assert.equal(placed[0]!.resource['service.name'], 'orders-sdk');
  assert.equal(placed[0]!.scope, 'orders');
});

test('X-Ray mode without an OTLP endpoint: metrics are off, said once', async () => {
  const harness = await startHarness({
    flush: 'end',
    env: {
      LAMBDA_OTEL_EXPORTER: 'xray',
      OTEL_EXPORTER_OTLP_ENDPOINT: '',
      AWS_REGION: 'us-east-1',
      AWS_ACCESS_KEY_ID: 'AKIDEXAMPLE',
      AWS_SECRET_ACCESS_KEY: 'example-secret',
      LAMBDA_OTEL_XRAY_ENDPOINT: 'http://127.0.0.1:9/v1/traces',
      LAMBDA_OTEL_LOG_GROUP: 'off',
    },
  });
  onTestFinished(() => harness.close());
  assert.equal((await harness.env.invoke({ n: 1 }, { traceHeader })).status, 'success');
  await harness.env.shutdown();
  const said = extensionLines(harness.env).filter((line) => String(line.message).startsWith('Metrics are off'));
  assert.equal(said.length, 1);
  assert.match(String(said[0]!.message), /in xray mode metrics go only to an OTLP endpoint/);
  assert.equal(harness.sink.metrics().length, 0);
});
