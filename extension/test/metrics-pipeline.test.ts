// Metrics and tail sampling where they meet the pipeline: the receiver's /v1/metrics, the flusher's
// third signal to a real sink (decoded by the reference protobuf code), and what sampling leaves
// out of an export.
import assert from 'node:assert/strict';
import { createRequire } from 'node:module';
import { request } from 'node:http';
import { gzipSync } from 'node:zlib';
import { describe, it, onTestFinished } from 'vitest';
import { TelemetryBuffer } from '../src/buffer/telemetry-buffer.ts';
import type { BufferedEntry } from '../src/buffer/telemetry-buffer.ts';
import { readExporterConfig } from '../src/export/config.ts';
import type { OtlpExporterConfig } from '../src/export/config.ts';
import { createOtlpHttpExporter } from '../src/export/otlp-http-exporter.ts';
import { Flusher } from '../src/flush/flusher.ts';
import { createLogger } from '../src/logger.ts';
import { FaasMetrics } from '../src/metrics/faas-metrics.ts';
import { readMetricsConfig } from '../src/metrics/metrics-config.ts';
import { createMetricsExporter } from '../src/metrics/metrics-exporter.ts';
import type { MetricItem } from '../src/otlp/metrics-model.ts';
import { estimateWireBytes } from '../src/otlp/types.ts';
import { parseTelemetryBatch } from '../src/receive/telemetry-records.ts';
import { startOtlpReceiver } from '../src/receive/otlp-http-receiver.ts';
import { makeSpans } from './fixtures/items.ts';
import { sinkForSuite } from './fixtures/sink.ts';

const referenceRequire = createRequire(new URL('../../packages/otlp-reference-protos/package.json', import.meta.url));
const reference = referenceRequire('otlp-reference-protos/build/src/generated/root.js').opentelemetry.proto;
const RefMetricsRequest = reference.collector.metrics.v1.ExportMetricsServiceRequest;

const logger = createLogger('error');
const resource = { attributes: [{ key: 'service.name', value: { stringValue: 'orders' } }] };

function post(port: number, path: string, body: Buffer, headers: Record<string, string>): Promise<number> {
  return new Promise((resolve, reject) => {
    const req = request({ host: '127.0.0.1', port, path, method: 'POST', headers }, (res) => {
      res.resume();
      res.on('end', () => resolve(res.statusCode ?? 0));
    });
    req.on('error', reject);
    req.end(body);
  });
}

/** The metrics of one warm invocation, as FaasMetrics collects them. */
function oneInvocationMetrics(): MetricItem[] {
  const metrics = new FaasMetrics({ temporality: 'delta', resource, startMs: Date.now() - 1000 });
  metrics.onTelemetry(
    parseTelemetryBatch(
      JSON.stringify([
        { time: '2026-12-05T08:00:00.300Z', type: 'platform.runtimeDone', record: { requestId: 'r1', status: 'success', metrics: { durationMs: 12.5 } } },
        {
          time: '2026-12-05T08:00:00.310Z',
          type: 'platform.report',
          record: { requestId: 'r1', status: 'success', metrics: { durationMs: 14, billedDurationMs: 14, memorySizeMB: 128, maxMemoryUsedMB: 70 } },
        },
      ]),
    ),
  );
  return metrics.collect(Date.now());
}

describe('metrics in the pipeline', () => {
  const sink = sinkForSuite();

  it('the receiver takes /v1/metrics from an SDK (gzip protobuf) and hands over one item per metric', async () => {
    const received: MetricItem[] = [];
    const receiver = await startOtlpReceiver({
      port: 0,
      maxRequestBytes: 1 << 20,
      logger,
      onSpans: () => undefined,
      onLogs: () => undefined,
      onMetrics: (items) => received.push(...items),
    });
    onTestFinished(() => receiver.close());
    const body = Buffer.from(
      RefMetricsRequest.encode(
        RefMetricsRequest.fromObject({
          resourceMetrics: [
            {
              resource,
              scopeMetrics: [
                {
                  scope: { name: 'orders' },
                  metrics: [
                    {
                      name: 'orders.placed',
                      sum: { aggregationTemporality: 1, isMonotonic: true, dataPoints: [{ timeUnixNano: '1764921601500000000', asInt: 3 }] },
                    },
                    { name: 'queue.depth', gauge: { dataPoints: [{ timeUnixNano: '1764921601500000000', asDouble: 4.5 }] } },
                  ],
                },
              ],
            },
          ],
        }),
      ).finish(),
    );
    assert.equal(await post(receiver.port, '/v1/metrics', gzipSync(body), { 'content-type': 'application/x-protobuf', 'content-encoding': 'gzip' }), 200);
    assert.deepEqual(
      received.map((item) => item.metric.name),
      ['orders.placed', 'queue.depth'],
    );
    assert.equal(received[0]!.metric.sum!.dataPoints[0]!.asInt, '3');
    assert.equal(received[1]!.metric.gauge!.dataPoints[0]!.asDouble, 4.5);
    assert.equal(await post(receiver.port, '/v1/metrics', Buffer.from('{"resourceMetrics":7}'), { 'content-type': 'application/json' }), 400);
  });

  it('the flusher sends metrics as a third signal to /v1/metrics, counted as sent', async () => {
    const buffer = new TelemetryBuffer({ maxItems: 100, maxBytes: 1 << 20 });
    const env = { OTEL_EXPORTER_OTLP_ENDPOINT: sink().url };
    const exporter = createOtlpHttpExporter(readExporterConfig(env) as OtlpExporterConfig, logger);
    const metricsExporter = createMetricsExporter(readMetricsConfig(env, 4318).destination!, logger);
    onTestFinished(async () => {
      await exporter.shutdown();
      await metricsExporter.shutdown();
    });
    const flusher = new Flusher({
      buffer,
      getExporter: async () => exporter,
      logger,
      exportMetrics: (items, deadlineMs) => metricsExporter.exportMetrics(items, deadlineMs),
    });
    const [span] = makeSpans(1);
    buffer.push({ kind: 'span', item: span!, bytes: estimateWireBytes(span!), atMs: 1 });
    const metrics = oneInvocationMetrics();
    for (const item of metrics) buffer.push({ kind: 'metric', item, bytes: 100, atMs: 2 });
    const outcome = await flusher.flush(Date.now() + 2000);
    assert.deepEqual(outcome, { exported: 1 + metrics.length, retryable: false });
    assert.equal(flusher.counters.sent, 1 + metrics.length);
    const decoded = (sink() as unknown as { metrics(): { name: string; sum?: number; value?: number; resource: Record<string, unknown> }[] }).metrics();
    assert.equal(decoded.find((point) => point.name === 'faas.invoke_duration')?.sum, 0.0125);
    assert.equal(decoded.find((point) => point.name === 'faas.invocations')?.value, 1);
    assert.equal(decoded[0]!.resource['service.name'], 'orders');
    assert.deepEqual(
      sink()
        .requests.map((one) => one.path)
        .sort(),
      ['/v1/metrics', '/v1/traces'],
    );
  });

  it('with metrics off, metric entries are dropped and counted; what tail sampling leaves out is released, not requeued', async () => {
    const buffer = new TelemetryBuffer({ maxItems: 100, maxBytes: 1 << 20 });
    const exporter = createOtlpHttpExporter(readExporterConfig({ OTEL_EXPORTER_OTLP_ENDPOINT: sink().url }) as OtlpExporterConfig, logger);
    onTestFinished(() => exporter.shutdown());
    const spans = makeSpans(3);
    const flusher = new Flusher({
      buffer,
      getExporter: async () => exporter,
      logger,
      select: (entries) => entries.filter((entry: BufferedEntry) => entry.kind !== 'span' || entry.item !== spans[1]),
    });
    for (const item of spans) buffer.push({ kind: 'span', item, bytes: estimateWireBytes(item), atMs: 1 });
    const [metric] = oneInvocationMetrics();
    buffer.push({ kind: 'metric', item: metric!, bytes: 100, atMs: 2 });
    const spansBefore = sink().spans().length;
    await flusher.flush(Date.now() + 2000);
    assert.equal(flusher.counters.sent, 2);
    assert.equal(buffer.droppedMetrics, 1);
    assert.equal(buffer.size, 0, 'nothing requeued');
    assert.equal(buffer.heldFill, 0, 'nothing held');
    // The sink keeps decoded spans across tests: look at what this export added.
    const arrived = sink().spans().slice(spansBefore);
    assert.deepEqual(
      arrived.map((span) => span.name),
      ['span-0', 'span-2'],
    );
  });
});
