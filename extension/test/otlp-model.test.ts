// The model helpers: flatten/group round trips, attribute builders and the size estimate.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { describe, it } from 'vitest';
import { encodeLogsRequest, encodeTraceRequest } from '../src/otlp/encode.ts';
import {
  attr,
  estimateWireBytes,
  flattenLogs,
  flattenTraces,
  getAttr,
  groupLogs,
  groupSpans,
  toAnyValue,
  type ExportLogsServiceRequest,
  type ExportTraceServiceRequest,
  type SpanItem,
} from '../src/otlp/types.ts';

const fixture = <T>(name: string): T => JSON.parse(readFileSync(new URL(`./fixtures/otlp/${name}`, import.meta.url), 'utf8')) as T;

function span(name: string, spanId: string): SpanItem['span'] {
  return {
    traceId: '5759e988bd862e3fe1be46a994272793',
    spanId,
    name,
    kind: 1,
    startTimeUnixNano: '1',
    endTimeUnixNano: '2',
    attributes: [],
  };
}

describe('flatten and group', () => {
  it('groupSpans(flattenTraces(x)) gives x back, schema URLs included', () => {
    const request = fixture<ExportTraceServiceRequest>('trace-request.json');
    const items = flattenTraces(request);
    assert.equal(items.length, 2);
    assert.equal(items[0]!.resource, items[1]!.resource, 'items of one request share the resource object');
    assert.deepEqual(groupSpans(items), request);
    const logs = fixture<ExportLogsServiceRequest>('logs-request.json');
    assert.deepEqual(groupLogs(flattenLogs(logs)), logs);
  });

  it('groups items from different requests with equal resource and scope content', () => {
    const a = flattenTraces({
      resourceSpans: [
        { resource: { attributes: [attr('service.name', 'a')] }, scopeSpans: [{ scope: { name: 's' }, spans: [span('one', '0000000000000001')] }] },
      ],
    });
    const b = flattenTraces({
      resourceSpans: [
        { resource: { attributes: [attr('service.name', 'a')] }, scopeSpans: [{ scope: { name: 's' }, spans: [span('two', '0000000000000002')] }] },
      ],
    });
    const c = flattenTraces({
      resourceSpans: [
        { resource: { attributes: [attr('service.name', 'other')] }, scopeSpans: [{ scope: { name: 's' }, spans: [span('three', '0000000000000003')] }] },
      ],
    });
    const grouped = groupSpans([...a, ...c, ...b]);
    assert.equal(grouped.resourceSpans.length, 2);
    assert.deepEqual(
      grouped.resourceSpans[0]!.scopeSpans[0]!.spans.map((s) => s.name),
      ['one', 'two'],
    );
    assert.deepEqual(
      grouped.resourceSpans[1]!.scopeSpans[0]!.spans.map((s) => s.name),
      ['three'],
    );
  });

  it('gives records without resource or scope empty ones', () => {
    const items = flattenTraces({ resourceSpans: [{ scopeSpans: [{ spans: [span('bare', '0000000000000001')] }] }] });
    assert.deepEqual(items[0]!.resource, { attributes: [] });
    assert.deepEqual(items[0]!.scope, { name: '' });
  });
});

describe('attributes', () => {
  it('attr picks the AnyValue member from the JS type', () => {
    assert.deepEqual(attr('s', 'x'), { key: 's', value: { stringValue: 'x' } });
    assert.deepEqual(attr('i', 42), { key: 'i', value: { intValue: '42' } });
    assert.deepEqual(attr('d', 0.5), { key: 'd', value: { doubleValue: 0.5 } });
    assert.deepEqual(attr('b', false), { key: 'b', value: { boolValue: false } });
    assert.deepEqual(attr('a', ['x', 'y']), { key: 'a', value: { arrayValue: { values: [{ stringValue: 'x' }, { stringValue: 'y' }] } } });
  });

  it('toAnyValue turns objects into kvlists and survives cycles', () => {
    assert.deepEqual(toAnyValue({ a: 1, b: { c: null } }), {
      kvlistValue: {
        values: [
          { key: 'a', value: { intValue: '1' } },
          { key: 'b', value: { kvlistValue: { values: [{ key: 'c', value: {} }] } } },
        ],
      },
    });
    assert.deepEqual(toAnyValue(Buffer.from([1, 2])), { bytesValue: 'AQI=' });
    assert.deepEqual(toAnyValue(10n ** 30n), { intValue: BigInt.asIntN(64, 10n ** 30n).toString() });
    const cyclic: Record<string, unknown> = {};
    cyclic.self = cyclic;
    assert.doesNotThrow(() =>
      encodeTraceRequest({ resourceSpans: [{ resource: { attributes: [{ key: 'c', value: toAnyValue(cyclic) }] }, scopeSpans: [] }] }, 'protobuf'),
    );
  });

  it('getAttr reads scalars', () => {
    const attributes = [attr('s', 'x'), attr('i', 7), attr('d', 1.5), attr('b', true), attr('a', ['x'])];
    assert.equal(getAttr(attributes, 's'), 'x');
    assert.equal(getAttr(attributes, 'i'), 7);
    assert.equal(getAttr(attributes, 'd'), 1.5);
    assert.equal(getAttr(attributes, 'b'), true);
    assert.equal(getAttr(attributes, 'a'), undefined);
    assert.equal(getAttr(attributes, 'missing'), undefined);
  });
});

describe('estimateWireBytes', () => {
  it('stays within a factor of two of the real protobuf size, on the high side for small items', () => {
    const traces = flattenTraces(fixture<ExportTraceServiceRequest>('trace-request.json'));
    const logs = flattenLogs(fixture<ExportLogsServiceRequest>('logs-request.json'));
    for (const item of traces) {
      const real = encodeTraceRequest(groupSpans([item]), 'protobuf').length;
      const estimate = estimateWireBytes(item);
      assert.ok(estimate >= real * 0.5 && estimate <= real * 2, `span ${item.span.name}: estimate ${estimate}, real ${real}`);
    }
    for (const item of logs) {
      const real = encodeLogsRequest(groupLogs([item]), 'protobuf').length;
      const estimate = estimateWireBytes(item);
      assert.ok(estimate >= real * 0.5 && estimate <= real * 2, `log: estimate ${estimate}, real ${real}`);
    }
  });

  it('grows with attribute payloads', () => {
    const base = flattenTraces(fixture<ExportTraceServiceRequest>('trace-request.json'))[1]!;
    const big = { ...base, span: { ...base.span, attributes: [attr('payload', 'x'.repeat(10_000))] } };
    assert.ok(estimateWireBytes(big) - estimateWireBytes(base) >= 10_000);
  });
});
