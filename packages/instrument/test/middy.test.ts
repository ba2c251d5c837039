import { describe, it } from 'vitest';
import assert from 'node:assert/strict';
import middy from '@middy/core';
import { SpanKind, SpanStatusCode, trace } from '@opentelemetry/api';
import type { ReadableSpan } from '@opentelemetry/sdk-trace';
import { lambdaOtel } from '../src/adapters/middy.ts';
import { loadEvent } from './fixtures/load-event.ts';

const spans: ReadableSpan[] = [];
const writer = (batch: ReadableSpan[]) => void spans.push(...batch);
// The writer is loaded with import() on the first export; under vitest's module runner that takes a
// few event-loop turns more than under plain Node, so "after the response" is a short real wait.
const afterResponse = () => new Promise((resolve) => setTimeout(resolve, 50));
let n = 0;
const context = () => ({ awsRequestId: `middy-${++n}`, functionName: 'middy-fn', getRemainingTimeInMillis: () => 3000 });

describe('middy middleware', () => {
  it('same lifecycle as wrap(): root span from the trigger, children nested, status from the result', async () => {
    const handler = middy(async () => {
      await new Promise((resolve) => setTimeout(resolve, 5));
      trace.getTracer('t').startSpan('inside-middy').end();
      return { statusCode: 500 };
    }).use(lambdaOtel({ writer }));
    const ctx = context();
    await handler(loadEvent('api-gateway-rest'), ctx as any);
    await afterResponse();
    const root = spans.find((s) => s.attributes['faas.invocation.id'] === ctx.awsRequestId)!;
    assert.equal(root.kind, SpanKind.SERVER);
    assert.equal(root.name, 'GET /orders/{orderId}');
    assert.equal(root.status.code, SpanStatusCode.ERROR);
    assert.equal(spans.find((s) => s.name === 'inside-middy')!.parentSpanContext?.spanId, root.spanContext().spanId);
  });

  it('concurrent invokes keep their own root; errors are recorded and rethrown', async () => {
    const handler = middy(async (event: { n: number }) => {
      await new Promise((resolve) => setTimeout(resolve, 10 - event.n));
      trace.getTracer('t').startSpan(`child-${event.n}`).end();
      if (event.n === 3) throw new Error('three');
      return event.n;
    }).use(lambdaOtel({ writer }));
    const contexts = [0, 1, 2, 3, 4].map(() => context());
    const results = await Promise.allSettled(contexts.map((ctx, i) => handler({ n: i }, ctx as any)));
    assert.equal(results[3]!.status, 'rejected');
    await afterResponse();
    for (const [i, ctx] of contexts.entries()) {
      const root = spans.find((s) => s.attributes['faas.invocation.id'] === ctx.awsRequestId)!;
      assert.equal(spans.find((s) => s.name === `child-${i}`)!.parentSpanContext?.spanId, root.spanContext().spanId);
      assert.equal(root.status.code, i === 3 ? SpanStatusCode.ERROR : SpanStatusCode.UNSET);
    }
  });

  it('an error a later middleware turns into a 4xx response is not an ERROR span; a 5xx one is', async () => {
    class NotFound extends Error {
      statusCode = 404;
    }
    // What @middy/http-error-handler does: an error with a statusCode becomes that response.
    const httpErrorHandler = {
      onError(request: { error?: unknown; response?: unknown }) {
        const status = (request.error as { statusCode?: number }).statusCode ?? 500;
        request.response = { statusCode: status, body: String((request.error as Error).message) };
      },
    };
    const handler = middy(async (event: { missing: boolean }) => {
      throw event.missing ? new NotFound('no such order') : new Error('database down');
    })
      .use(lambdaOtel({ writer }))
      .use(httpErrorHandler);
    const missing = context();
    const failing = context();
    const notFound = await handler({ ...loadEvent('api-gateway-rest'), missing: true }, missing as any);
    const serverError = await handler({ ...loadEvent('api-gateway-rest'), missing: false }, failing as any);
    assert.deepEqual(notFound, { statusCode: 404, body: 'no such order' });
    assert.deepEqual(serverError, { statusCode: 500, body: 'database down' });
    await afterResponse();
    const clientRoot = spans.find((s) => s.attributes['faas.invocation.id'] === missing.awsRequestId)!;
    assert.equal(clientRoot.status.code, SpanStatusCode.UNSET);
    assert.equal(clientRoot.attributes['http.response.status_code'], 404);
    assert.equal(clientRoot.attributes['error.type'], undefined);
    const serverRoot = spans.find((s) => s.attributes['faas.invocation.id'] === failing.awsRequestId)!;
    assert.equal(serverRoot.status.code, SpanStatusCode.ERROR);
    assert.equal(serverRoot.attributes['http.response.status_code'], 500);
    assert.equal(serverRoot.attributes['error.type'], '500');
  });
});
