// FaaS metrics from Telemetry API records shaped as Lambda sends them: values, units, temporality.
import assert from 'node:assert/strict';
import { describe, it } from 'vitest';
import { FaasMetrics } from '../src/metrics/faas-metrics.ts';
import { parseTemporality, readMetricsConfig } from '../src/metrics/metrics-config.ts';
import type { Metric } from '../src/otlp/metrics-model.ts';
import type { SpanItem } from '../src/otlp/types.ts';
import { parseTelemetryBatch } from '../src/receive/telemetry-records.ts';

const resource = { attributes: [{ key: 'service.name', value: { stringValue: 'orders' } }] };
const MIB = 1024 * 1024;
const startMs = Date.parse('2026-12-05T08:00:00.000Z');

/** One invocation's records as the Telemetry API delivers them (schema 2022-12-13). */
function invocationRecords(
  requestId: string,
  options: { status?: string; errorType?: string; runtimeMs: number; durationMs: number; init?: number; restore?: number },
) {
  const status = options.status ?? 'success';
  const error = options.errorType ? { errorType: options.errorType } : {};
  return parseTelemetryBatch(
    JSON.stringify([
      ...(options.init !== undefined
        ? [
            {
              time: '2026-12-05T08:00:00.100Z',
              type: 'platform.initReport',
              record: { initializationType: 'on-demand', phase: 'init', status: 'success', metrics: { durationMs: options.init } },
            },
          ]
        : []),
      { time: '2026-12-05T08:00:00.200Z', type: 'platform.start', record: { requestId, version: '$LATEST' } },
      {
        time: '2026-12-05T08:00:00.300Z',
        type: 'platform.runtimeDone',
        record: { requestId, status, ...error, metrics: { durationMs: options.runtimeMs, producedBytes: 12 } },
      },
      {
        time: '2026-12-05T08:00:00.310Z',
        type: 'platform.report',
        record: {
          requestId,
          status,
          ...error,
          metrics: {
            durationMs: options.durationMs,
            billedDurationMs: Math.ceil(options.durationMs),
            memorySizeMB: 128,
            maxMemoryUsedMB: 71,
            ...(options.init !== undefined ? { initDurationMs: options.init } : {}),
            ...(options.restore !== undefined ? { restoreDurationMs: options.restore } : {}),
          },
        },
      },
    ]),
  );
}

function rootSpan(requestId: string, trigger: string): SpanItem {
  return {
    resource,
    scope: { name: 'lambda-otel' },
    span: {
      traceId: '5759e988bd862e3fe1be46a994272793',
      spanId: '53995c3f42cd8ad8',
      name: 'orders',
      kind: 2,
      startTimeUnixNano: '1',
      endTimeUnixNano: '2',
      attributes: [
        { key: 'faas.invocation.id', value: { stringValue: requestId } },
        { key: 'faas.trigger', value: { stringValue: trigger } },
      ],
    },
  };
}

const byName = (metrics: readonly Metric[]): Map<string, Metric> => new Map(metrics.map((metric) => [metric.name, metric]));
const counter = (metric: Metric | undefined, trigger?: string): number =>
  Number(metric?.sum?.dataPoints.find((point) => (trigger ? point.attributes.some((kv) => kv.value.stringValue === trigger) : true))?.asInt ?? 0);

describe('FaasMetrics', () => {
  it('a cold, then a warm, a failed and a timed-out invocation, in delta temporality', () => {
    const metrics = new FaasMetrics({ temporality: 'delta', resource, startMs });
    metrics.onSpans([rootSpan('req-1', 'http')]);
    assert.equal(metrics.onTelemetry(invocationRecords('req-1', { runtimeMs: 120.5, durationMs: 123.25, init: 210.75 })), true);
    const cold = byName(metrics.collect(startMs + 1000).map((item) => item.metric));
    assert.equal(counter(cold.get('faas.coldstarts'), 'http'), 1);
    assert.equal(counter(cold.get('faas.invocations'), 'http'), 1);
    assert.equal(cold.has('faas.errors'), false);
    const invoke = cold.get('faas.invoke_duration')!;
    assert.equal(invoke.unit, 's');
    assert.equal(invoke.histogram!.aggregationTemporality, 1);
    const point = invoke.histogram!.dataPoints[0]!;
    assert.equal(point.count, '1');
    assert.equal(point.sum, 0.1205);
    assert.deepEqual(point.attributes, [{ key: 'faas.trigger', value: { stringValue: 'http' } }]);
    assert.equal(cold.get('faas.init_duration')!.histogram!.dataPoints[0]!.sum, 0.21075);
    assert.equal(cold.get('faas.mem_usage')!.histogram!.dataPoints[0]!.sum, 71 * MIB);
    assert.equal(cold.get('faas.mem_usage')!.unit, 'By');
    assert.equal(cold.get('aws.lambda.billed_duration')!.histogram!.dataPoints[0]!.sum, 0.124);
    assert.equal(cold.get('aws.lambda.memory_size')!.gauge!.dataPoints[0]!.asInt, String(128 * MIB));
    // Post-runtime: the report's duration minus the runtime's (123.25 - 120.5 ms).
    assert.ok(Math.abs(cold.get('aws.lambda.post_runtime_duration')!.histogram!.dataPoints[0]!.sum! - 0.00275) < 1e-9);
    assert.equal(point.startTimeUnixNano, `${startMs}000000`);
    assert.equal(point.timeUnixNano, `${startMs + 1000}000000`);

    metrics.onTelemetry(invocationRecords('req-2', { runtimeMs: 10, durationMs: 11 }));
    metrics.onTelemetry(invocationRecords('req-3', { status: 'error', errorType: 'Runtime.Unknown', runtimeMs: 20, durationMs: 21 }));
    metrics.onTelemetry(invocationRecords('req-4', { status: 'timeout', errorType: 'Sandbox.Timedout', runtimeMs: 3000, durationMs: 3000 }));
    const warm = byName(metrics.collect(startMs + 2000).map((item) => item.metric));
    // Delta: only what happened since the last collection, starting where it ended.
    assert.equal(warm.has('faas.coldstarts'), false);
    assert.equal(warm.has('faas.init_duration'), false);
    assert.equal(counter(warm.get('faas.invocations')), 1);
    assert.equal(counter(warm.get('faas.errors')), 2);
    assert.equal(counter(warm.get('faas.timeouts')), 1);
    const durations = warm.get('faas.invoke_duration')!.histogram!.dataPoints[0]!;
    assert.equal(durations.count, '3');
    assert.equal(durations.min, 0.01);
    assert.equal(durations.max, 3);
    assert.equal(durations.startTimeUnixNano, `${startMs + 1000}000000`);
    // 0.01 s falls in the (0.005, 0.01] bucket, 0.02 s in (0.01, 0.025], 3 s in (2.5, 5].
    assert.deepEqual(durations.explicitBounds.slice(0, 3), [0.005, 0.01, 0.025]);
    assert.equal(durations.bucketCounts[1], '1');
    assert.equal(durations.bucketCounts[2], '1');
    assert.equal(durations.bucketCounts[durations.explicitBounds.indexOf(5)], '1');
    assert.equal(metrics.collect(startMs + 3000).length, 0, 'nothing new: nothing to send');
  });

  it('cumulative temporality: totals since the start, every collection', () => {
    const metrics = new FaasMetrics({ temporality: 'cumulative', resource, startMs });
    metrics.onTelemetry(invocationRecords('req-1', { runtimeMs: 100, durationMs: 101, init: 200 }));
    metrics.collect(startMs + 1000);
    metrics.onTelemetry(invocationRecords('req-2', { status: 'error', runtimeMs: 50, durationMs: 51 }));
    const second = byName(metrics.collect(startMs + 2000).map((item) => item.metric));
    assert.equal(second.get('faas.invocations')!.sum!.aggregationTemporality, 2);
    assert.equal(counter(second.get('faas.invocations')), 1);
    assert.equal(counter(second.get('faas.errors')), 1);
    assert.equal(counter(second.get('faas.coldstarts')), 1);
    const invoke = second.get('faas.invoke_duration')!.histogram!.dataPoints[0]!;
    assert.equal(invoke.count, '2');
    assert.equal(invoke.startTimeUnixNano, `${startMs}000000`);
  });

  it('SnapStart restore duration and sampling counts', () => {
    const metrics = new FaasMetrics({ temporality: 'delta', resource, startMs });
    metrics.onTelemetry(invocationRecords('req-1', { runtimeMs: 5, durationMs: 6, restore: 310 }));
    metrics.countSampling('kept', 'error');
    metrics.countSampling('dropped', 'ratio');
    metrics.countSampling('dropped', 'ratio');
    const collected = byName(metrics.collect(startMs + 1000).map((item) => item.metric));
    assert.equal(collected.get('aws.lambda.restore_duration')!.histogram!.dataPoints[0]!.sum, 0.31);
    const sampling = collected.get('lambda_otel.sampling.invocations')!.sum!.dataPoints;
    const count = (decision: string, reason: string): number =>
      Number(
        sampling.find(
          (point) =>
            point.attributes.some((kv) => kv.key === 'lambda_otel.sampling.decision' && kv.value.stringValue === decision) &&
            point.attributes.some((kv) => kv.key === 'lambda_otel.sampling.reason' && kv.value.stringValue === reason),
        )?.asInt,
      );
    assert.equal(count('kept', 'error'), 1);
    assert.equal(count('dropped', 'ratio'), 2);
  });

  it("reports under the function's own resource once a root span brought it", () => {
    const metrics = new FaasMetrics({ temporality: 'delta', resource: { attributes: [] }, startMs });
    metrics.onSpans([rootSpan('req-1', 'pubsub')]);
    metrics.onTelemetry(invocationRecords('req-1', { runtimeMs: 5, durationMs: 6 }));
    const [item] = metrics.collect(startMs + 1000);
    assert.equal(item!.resource, resource);
  });
});

describe('metrics configuration', () => {
  it('temporality: delta by default, cumulative on request, an invalid value is one error line and delta', () => {
    assert.deepEqual(parseTemporality(undefined), { temporality: 'delta' });
    assert.deepEqual(parseTemporality('Cumulative'), { temporality: 'cumulative' });
    assert.deepEqual(parseTemporality('lowmemory'), { temporality: 'delta' });
    const bad = parseTemporality('sometimes');
    assert.equal(bad.temporality, 'delta');
    assert.equal(
      bad.error,
      'Configuration: OTEL_EXPORTER_OTLP_METRICS_TEMPORALITY_PREFERENCE is invalid, expected delta, cumulative or lowmemory, actual "sometimes"; using delta',
    );
  });

  it('metrics go to the OTLP endpoint with the same headers and protocol, in every mode', () => {
    const config = readMetricsConfig(
      { OTEL_EXPORTER_OTLP_ENDPOINT: 'https://collector.example:4318', OTEL_EXPORTER_OTLP_HEADERS: 'x-api-key=abc', LAMBDA_OTEL_EXPORTER: 'xray' },
      4318,
    );
    assert.equal(config.destination?.url, 'https://collector.example:4318/v1/metrics');
    assert.deepEqual(config.destination?.headers, { 'x-api-key': 'abc' });
    assert.equal(config.destination?.compression, 'gzip');
    assert.equal(
      readMetricsConfig({ OTEL_EXPORTER_OTLP_METRICS_ENDPOINT: 'http://m.example/ingest', OTEL_EXPORTER_OTLP_METRICS_PROTOCOL: 'http/json' }, 4318).destination
        ?.format,
      'json',
    );
  });

  it('off without an endpoint (said once), with OTEL_METRICS_EXPORTER=none, or when the endpoint is the receiver', () => {
    const xray = readMetricsConfig({ LAMBDA_OTEL_EXPORTER: 'xray' }, 4318);
    assert.equal(xray.destination, undefined);
    assert.equal(xray.notices.length, 1);
    assert.match(xray.notices[0]!, /Metrics are off: no OTLP endpoint is set \(in xray mode/);
    assert.equal(readMetricsConfig({ OTEL_EXPORTER_OTLP_ENDPOINT: 'https://c.example', OTEL_METRICS_EXPORTER: 'none' }, 4318).destination, undefined);
    const loop = readMetricsConfig({ OTEL_EXPORTER_OTLP_METRICS_ENDPOINT: 'http://127.0.0.1:4318/v1/metrics' }, 4318);
    assert.equal(loop.destination, undefined);
    assert.match(loop.errors[0]!, /OTEL_EXPORTER_OTLP_METRICS_ENDPOINT is invalid/);
    const bad = readMetricsConfig({ OTEL_EXPORTER_OTLP_ENDPOINT: 'https://c.example', OTEL_EXPORTER_OTLP_METRICS_PROTOCOL: 'grpc' }, 4318);
    assert.equal(bad.destination, undefined);
    assert.match(bad.errors[0]!, /OTEL_EXPORTER_OTLP_METRICS_PROTOCOL is invalid.*metrics are off/);
    // A bad shared variable has its ERROR line from the main configuration: here only a notice, no secret.
    const shared = readMetricsConfig(
      { OTEL_EXPORTER_OTLP_ENDPOINT: 'https://c.example', OTEL_EXPORTER_OTLP_HEADERS: 'authorization=Bearer%20sk-1,broken' },
      4318,
    );
    assert.equal(shared.destination, undefined);
    assert.deepEqual(shared.errors, []);
    assert.match(shared.notices[0]!, /^Metrics are off: OTEL_EXPORTER_OTLP_HEADERS is invalid/);
    assert.ok(!shared.notices.join('').includes('sk-1'));
  });
});
