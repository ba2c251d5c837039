// The metrics signal of the codec against OpenTelemetry's generated protobuf code
// (packages/otlp-reference-protos): what we encode it reads back, what it encodes we read back,
// including packed number runs, proto3 optional fields that hold 0, signed and zigzag integers.
import assert from 'node:assert/strict';
import { createRequire } from 'node:module';
import { describe, it } from 'vitest';
import { decodeExportResponse, decodeMetricsRequest } from '../src/otlp/decode.ts';
import { encodeMetricsRequest } from '../src/otlp/encode.ts';
import { flattenMetrics, groupMetrics } from '../src/otlp/metrics-model.ts';
import type { ExportMetricsServiceRequest } from '../src/otlp/metrics-model.ts';

const referenceRequire = createRequire(new URL('../../packages/otlp-reference-protos/package.json', import.meta.url));
const reference = referenceRequire('otlp-reference-protos/build/src/generated/root.js').opentelemetry.proto;
const RefMetricsRequest = reference.collector.metrics.v1.ExportMetricsServiceRequest;
const RefMetricsResponse = reference.collector.metrics.v1.ExportMetricsServiceResponse;

const resource = { attributes: [{ key: 'service.name', value: { stringValue: 'orders' } }] };
const scope = { name: 'lambda-otel', version: '0.1.0' };

function sampleRequest(): ExportMetricsServiceRequest {
  return {
    resourceMetrics: [
      {
        resource,
        scopeMetrics: [
          {
            scope,
            metrics: [
              {
                name: 'faas.invoke_duration',
                unit: 's',
                description: 'Duration of the function handler',
                histogram: {
                  aggregationTemporality: 1,
                  dataPoints: [
                    {
                      attributes: [{ key: 'faas.trigger', value: { stringValue: 'http' } }],
                      startTimeUnixNano: '1764921600000000000',
                      timeUnixNano: '1764921601500000000',
                      count: '3',
                      sum: 0.5125,
                      min: 0,
                      max: 0.5,
                      explicitBounds: [0.005, 0.01, 0.1, 1],
                      bucketCounts: ['1', '0', '1', '1', '0'],
                    },
                    // sum, min and max are present and 0: the reader must see them, not "unset".
                    { attributes: [], timeUnixNano: '1764921601500000000', count: '1', sum: 0, min: 0, max: 0, explicitBounds: [1], bucketCounts: ['1', '0'] },
                  ],
                },
              },
              {
                name: 'faas.errors',
                unit: '{error}',
                sum: { aggregationTemporality: 2, isMonotonic: true, dataPoints: [{ attributes: [], timeUnixNano: '1764921601500000000', asInt: '7' }] },
              },
              {
                name: 'temperature',
                gauge: { dataPoints: [{ attributes: [], timeUnixNano: '1764921601500000000', asInt: '-40' }] },
              },
              {
                name: 'latency.exp',
                exponentialHistogram: {
                  aggregationTemporality: 1,
                  dataPoints: [
                    {
                      attributes: [],
                      timeUnixNano: '1764921601500000000',
                      count: '4',
                      sum: 10.25,
                      scale: -2,
                      zeroCount: '1',
                      positive: { offset: -3, bucketCounts: ['1', '2'] },
                    },
                  ],
                },
              },
            ],
          },
        ],
      },
    ],
  };
}

function referenceDecode(bytes: Buffer) {
  return RefMetricsRequest.toObject(RefMetricsRequest.decode(bytes), { longs: String, enums: Number, defaults: false, arrays: true });
}

describe('metrics codec', () => {
  it('encodes protobuf the reference decoder reads with every value intact', () => {
    const decoded = referenceDecode(encodeMetricsRequest(sampleRequest(), 'protobuf'));
    const metrics = decoded.resourceMetrics[0].scopeMetrics[0].metrics;
    assert.equal(decoded.resourceMetrics[0].resource.attributes[0].value.stringValue, 'orders');
    const [histogram, errors, gauge, exponential] = metrics;
    assert.equal(histogram.name, 'faas.invoke_duration');
    assert.equal(histogram.unit, 's');
    assert.equal(histogram.histogram.aggregationTemporality, 1);
    const [first, zero] = histogram.histogram.dataPoints;
    assert.equal(first.count, '3');
    assert.equal(first.sum, 0.5125);
    assert.equal(first.min, 0);
    assert.equal(first.max, 0.5);
    assert.deepEqual(first.explicitBounds, [0.005, 0.01, 0.1, 1]);
    assert.deepEqual(first.bucketCounts, ['1', '0', '1', '1', '0']);
    assert.equal(first.startTimeUnixNano, '1764921600000000000');
    assert.equal(first.attributes[0].value.stringValue, 'http');
    assert.equal(zero.sum, 0);
    assert.equal(zero.min, 0);
    assert.equal(zero.max, 0);
    assert.equal(errors.sum.isMonotonic, true);
    assert.equal(errors.sum.aggregationTemporality, 2);
    assert.equal(errors.sum.dataPoints[0].asInt, '7');
    assert.equal(gauge.gauge.dataPoints[0].asInt, '-40');
    const point = exponential.exponentialHistogram.dataPoints[0];
    assert.equal(point.scale, -2);
    assert.equal(point.positive.offset, -3);
    assert.deepEqual(point.positive.bucketCounts, ['1', '2']);
  });

  it('decodes what the reference encoder writes (packed runs) back into the same model', () => {
    const model = sampleRequest();
    const referenceBytes = Buffer.from(RefMetricsRequest.encode(RefMetricsRequest.fromObject(model)).finish());
    const decoded = decodeMetricsRequest(referenceBytes, 'application/x-protobuf', undefined, { maxDecodedBytes: 4 << 20 });
    const point = decoded.resourceMetrics[0]!.scopeMetrics[0]!.metrics[0]!.histogram!.dataPoints[0]!;
    assert.deepEqual(point.bucketCounts, ['1', '0', '1', '1', '0']);
    assert.deepEqual(point.explicitBounds, [0.005, 0.01, 0.1, 1]);
    assert.equal(point.sum, 0.5125);
    assert.equal(point.min, 0);
    // And our own encoding of it is byte-for-byte readable again, the same values.
    assert.deepEqual(referenceDecode(encodeMetricsRequest(decoded, 'protobuf')), referenceDecode(referenceBytes));
  });

  it('reads OTLP/JSON metrics (strings for 64-bit numbers, enum names) into the model', () => {
    const json = JSON.stringify({
      resourceMetrics: [
        {
          resource,
          scopeMetrics: [
            {
              scope,
              metrics: [
                {
                  name: 'jobs',
                  sum: {
                    aggregationTemporality: 'AGGREGATION_TEMPORALITY_DELTA',
                    isMonotonic: true,
                    dataPoints: [{ timeUnixNano: '1764921601500000000', asInt: '12' }],
                  },
                },
              ],
            },
          ],
        },
      ],
    });
    const decoded = decodeMetricsRequest(Buffer.from(json), 'application/json', undefined, { maxDecodedBytes: 4 << 20 });
    const sum = decoded.resourceMetrics[0]!.scopeMetrics[0]!.metrics[0]!.sum!;
    assert.equal(sum.aggregationTemporality, 1);
    assert.equal(sum.dataPoints[0]!.asInt, '12');
    const again = JSON.parse(encodeMetricsRequest(decoded, 'json').toString('utf8'));
    assert.equal(again.resourceMetrics[0].scopeMetrics[0].metrics[0].sum.dataPoints[0].asInt, '12');
  });

  it('flattens into one item per metric and groups back under one resource and scope', () => {
    const items = flattenMetrics(sampleRequest());
    assert.equal(items.length, 4);
    const regrouped = groupMetrics(items);
    assert.equal(regrouped.resourceMetrics.length, 1);
    assert.equal(regrouped.resourceMetrics[0]!.scopeMetrics[0]!.metrics.length, 4);
  });

  it('reads rejected data points from a partial-success response', () => {
    const body = Buffer.from(
      RefMetricsResponse.encode(RefMetricsResponse.fromObject({ partialSuccess: { rejectedDataPoints: 2, errorMessage: 'too old' } })).finish(),
    );
    assert.deepEqual(decodeExportResponse('metrics', body, 'application/x-protobuf'), { rejected: 2, errorMessage: 'too old' });
  });
});
