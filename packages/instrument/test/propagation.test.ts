import { describe, it } from 'vitest';
import assert from 'node:assert/strict';
import { TraceFlags, propagation, trace } from '@opentelemetry/api';
import { resolveInstrumentConfig } from '../src/config.ts';
import { extractParent } from '../src/propagation/extract-parent.ts';
import { parseXRayHeader } from '../src/propagation/xray-header.ts';
import { detectTrigger } from '../src/triggers/registry.ts';
import { loadEvent } from './fixtures/load-event.ts';

const settings = resolveInstrumentConfig({}, {});
const ACTIVE = 'Root=1-5759e988-bd862e3fe1be46a994272793;Parent=53995c3f42cd8ad8;Sampled=1;Lineage=061379e8:0';
const ROOT_ONLY = 'Root=1-665a0c0c-2420a39e4fca953752e2e9f4;Lineage=061379e8:0';

function parentOf(eventName: string | object, propagators: string[], lambdaTraceHeader?: string) {
  const event = typeof eventName === 'string' ? loadEvent(eventName) : eventName;
  return extractParent({ trigger: detectTrigger(event, settings), propagators: propagators as any, lambdaTraceHeader });
}

describe('X-Ray header parsing', () => {
  it('reads Root, Parent and Sampled in any order, ignoring Lineage', () => {
    assert.deepEqual(parseXRayHeader(ACTIVE), { traceId: '5759e988bd862e3fe1be46a994272793', parentSpanId: '53995c3f42cd8ad8', sampled: true });
    assert.deepEqual(parseXRayHeader('Sampled=0;Parent=53995c3f42cd8ad8;Root=1-5759e988-bd862e3fe1be46a994272793'), {
      traceId: '5759e988bd862e3fe1be46a994272793',
      parentSpanId: '53995c3f42cd8ad8',
      sampled: false,
    });
  });

  it('accepts the Root-only PassThrough header and rejects garbage', () => {
    assert.deepEqual(parseXRayHeader(ROOT_ONLY), { traceId: '665a0c0c2420a39e4fca953752e2e9f4' });
    for (const bad of [undefined, '', 'Root=2-5759e988-bd862e3fe1be46a994272793', 'Root=1-xyz', 'Parent=53995c3f42cd8ad8;Sampled=1']) {
      assert.equal(parseXRayHeader(bad), undefined, String(bad));
    }
  });
});

describe('parent extraction', () => {
  it('HTTP API v2: continues the W3C traceparent and keeps baggage', () => {
    const parent = parentOf('api-gateway-http', ['tracecontext', 'baggage'], ACTIVE);
    const span = trace.getSpanContext(parent.context)!;
    assert.equal(span.traceId, '4bf92f3577b34da6a3ce929d0e0e4736');
    assert.equal(span.spanId, '00f067aa0ba902b7');
    assert.equal(span.isRemote, true);
    assert.equal(propagation.getBaggage(parent.context)?.getEntry('tenant')?.value, 'acme');
  });

  it('REST v1 header names are case-insensitive', () => {
    const span = trace.getSpanContext(parentOf('api-gateway-rest', ['tracecontext']).context)!;
    assert.equal(span.traceId, '0af7651916cd43dd8448eb211c80319c');
  });

  it('ignores the traceparent header when tracecontext is not enabled', () => {
    assert.equal(trace.getSpanContext(parentOf('api-gateway-http', ['baggage']).context), undefined);
  });

  it('uses Lambda X-Ray context only with xray-lambda, and only without an HTTP parent', () => {
    const event = { hello: 'world' };
    assert.equal(trace.getSpanContext(parentOf(event, ['tracecontext', 'baggage'], ACTIVE).context), undefined);
    const parent = parentOf(event, ['tracecontext', 'xray-lambda'], ACTIVE);
    const span = trace.getSpanContext(parent.context)!;
    assert.deepEqual([span.traceId, span.spanId, span.traceFlags], ['5759e988bd862e3fe1be46a994272793', '53995c3f42cd8ad8', TraceFlags.SAMPLED]);
    // The HTTP traceparent wins over Lambda's header.
    const http = trace.getSpanContext(parentOf('api-gateway-http', ['tracecontext', 'xray-lambda'], ACTIVE).context)!;
    assert.equal(http.traceId, '4bf92f3577b34da6a3ce929d0e0e4736');
  });

  it('a Root-only header gives no parent but names the new trace', () => {
    const parent = parentOf({}, ['xray-lambda'], ROOT_ONLY);
    assert.equal(trace.getSpanContext(parent.context), undefined);
    assert.equal(parent.traceIdHint, '665a0c0c2420a39e4fca953752e2e9f4');
  });

  it('Sampled=0 from Lambda gives an unsampled parent', () => {
    const span = trace.getSpanContext(parentOf({}, ['xray-lambda'], ACTIVE.replace('Sampled=1', 'Sampled=0')).context)!;
    assert.equal(span.traceFlags, TraceFlags.NONE);
  });

  it('X-Amzn-Trace-Id on an HTTP request is used with the xray propagator', () => {
    const event = loadEvent('api-gateway-rest');
    delete event.headers.traceparent;
    event.headers['X-Amzn-Trace-Id'] = ACTIVE;
    assert.equal(trace.getSpanContext(parentOf(event, ['tracecontext']).context), undefined);
    assert.equal(trace.getSpanContext(parentOf(event, ['tracecontext', 'xray']).context)?.traceId, '5759e988bd862e3fe1be46a994272793');
  });

  it('SQS: a new trace with one link per record carrying context (AWSTraceHeader or traceparent)', () => {
    const parent = parentOf('sqs', ['tracecontext', 'xray-lambda'], ACTIVE);
    assert.equal(trace.getSpanContext(parent.context), undefined);
    assert.deepEqual(
      parent.links.map((l) => [l.context.traceId, l.context.spanId]),
      [
        ['5759e988bd862e3fe1be46a994272793', '53995c3f42cd8ad8'],
        ['11112222333344445555666677778888', '1111222233334444'],
      ],
    );
  });

  it('SNS, EventBridge and MSK records become links', () => {
    assert.deepEqual(
      parentOf('sns', []).links.map((l) => l.context.traceId),
      ['aaaabbbbccccddddeeeeffff00001111'],
    );
    assert.deepEqual(
      parentOf('eventbridge', []).links.map((l) => l.context.traceId),
      ['9999aaaabbbbccccddddeeeeffff0000'],
    );
    assert.deepEqual(
      parentOf('msk', []).links.map((l) => l.context.spanId),
      ['1234567890abcdef'],
    );
    assert.deepEqual(parentOf('kinesis', []).links, []);
  });
});
