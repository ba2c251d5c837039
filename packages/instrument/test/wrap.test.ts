import { afterAll, beforeAll, describe, it } from 'vitest';
import assert from 'node:assert/strict';
import { Writable } from 'node:stream';
import { SpanKind, SpanStatusCode, trace } from '@opentelemetry/api';
import type { ReadableSpan } from '@opentelemetry/sdk-trace';
import { flush, wrap } from '../src/index.ts';
import type { LambdaContext } from '../src/types.ts';
import { loadEvent } from './fixtures/load-event.ts';

process.env.AWS_LAMBDA_FUNCTION_NAME = 'orders-fn';
process.env.AWS_LAMBDA_FUNCTION_VERSION = '$LATEST';
process.env.AWS_LAMBDA_FUNCTION_MEMORY_SIZE = '256';
process.env.AWS_REGION = 'eu-west-1';

const batches: ReadableSpan[][] = [];
const writer = (spans: ReadableSpan[]) => {
  batches.push(spans);
};
const allSpans = () => batches.flat();
const rootOf = (requestId: string) => allSpans().find((s) => s.attributes['faas.invocation.id'] === requestId)!;

let counter = 0;
function lambdaContext(overrides: Partial<LambdaContext> = {}): LambdaContext {
  counter += 1;
  const deadline = Date.now() + 3000;
  return {
    awsRequestId: `req-${counter}`,
    invokedFunctionArn: 'arn:aws:lambda:eu-west-1:123456789012:function:orders-fn',
    functionName: 'orders-fn',
    logStreamName: '2024/01/01/[$LATEST]abc',
    getRemainingTimeInMillis: () => deadline - Date.now(),
    ...overrides,
  };
}

/** Captures the JSON lines the logger writes to stdout. */
const logLines: Record<string, any>[] = [];
const originalWrite = process.stdout.write.bind(process.stdout);
beforeAll(() => {
  process.stdout.write = ((chunk: any, ...rest: any[]) => {
    for (const line of String(chunk).split('\n')) {
      if (line.startsWith('{')) {
        try {
          logLines.push(JSON.parse(line));
          continue;
        } catch {
          // not ours
        }
      }
    }
    return originalWrite(chunk, ...rest);
  }) as typeof process.stdout.write;
});
afterAll(() => {
  process.stdout.write = originalWrite;
});

const tracer = () => trace.getTracer('test');
// The writer is loaded with import() on the first export; under vitest's module runner that takes a
// few event-loop turns more than under plain Node, so "after the response" is a short real wait, then
// a flush so a loaded machine cannot make the check race the export.
const afterResponse = async () => {
  await new Promise((resolve) => setTimeout(resolve, 50));
  await flush();
};

describe('wrap(): buffered handlers', () => {
  it('one root span per invoke, decided at start; cold start only on the first; export after the result', async () => {
    const handler = wrap(
      async (_event: unknown) => {
        tracer().startActiveSpan('load-cart', (span) => span.end());
        return { statusCode: 201, body: 'ok' };
      },
      { writer },
    );
    const event = loadEvent('api-gateway-http');
    const first = lambdaContext();
    const result = await handler(event, first);
    const exportedBeforeReturn = allSpans().some((s) => s.attributes['faas.invocation.id'] === first.awsRequestId);
    assert.deepEqual(result, { statusCode: 201, body: 'ok' });
    assert.equal(exportedBeforeReturn, false, 'spans must not be written before the response is handed over');
    await afterResponse();

    const root = rootOf(first.awsRequestId);
    assert.equal(root.kind, SpanKind.SERVER);
    assert.equal(root.name, 'POST /carts/{cartId}/items');
    assert.equal(root.attributes['faas.coldstart'], true);
    assert.equal(root.attributes['faas.trigger'], 'http');
    assert.equal(root.attributes['cloud.resource_id'], first.invokedFunctionArn);
    assert.equal(root.attributes['http.response.status_code'], 201);
    assert.equal(root.spanContext().traceId, '4bf92f3577b34da6a3ce929d0e0e4736');
    assert.equal(root.parentSpanContext?.spanId, '00f067aa0ba902b7');
    assert.deepEqual(
      {
        service: root.resource.attributes['service.name'],
        account: root.resource.attributes['cloud.account.id'],
        region: root.resource.attributes['cloud.region'],
        memory: root.resource.attributes['faas.max_memory'],
        instance: root.resource.attributes['faas.instance'],
      },
      { service: 'orders-fn', account: '123456789012', region: 'eu-west-1', memory: 256 * 1024 * 1024, instance: '2024/01/01/[$LATEST]abc' },
    );
    const child = allSpans().find((s) => s.name === 'load-cart')!;
    assert.equal(child.parentSpanContext?.spanId, root.spanContext().spanId);

    const second = lambdaContext();
    await handler({ hello: 1 }, second);
    await afterResponse();
    const secondRoot = rootOf(second.awsRequestId);
    assert.equal(secondRoot.attributes['faas.coldstart'], false);
    assert.equal(secondRoot.attributes['faas.trigger'], 'other');
    assert.equal(secondRoot.name, 'orders-fn');
  });

  it('kind, name and attributes can be overridden', async () => {
    const handler = wrap(async () => 'done', {
      writer,
      kind: SpanKind.INTERNAL,
      name: (event: any) => `job ${event.job}`,
      attributes: (event: any) => ({ 'job.id': event.job }),
    });
    const context = lambdaContext();
    await handler({ job: 'j1' }, context);
    await afterResponse();
    const root = rootOf(context.awsRequestId);
    assert.deepEqual([root.kind, root.name, root.attributes['job.id']], [SpanKind.INTERNAL, 'job j1', 'j1']);
  });

  it('kind as a function, name as a string; a throwing hook falls back to the default and is reported once', async () => {
    const handler = wrap(async () => 'done', { writer, kind: (event: any) => (event.internal ? SpanKind.INTERNAL : SpanKind.SERVER), name: 'nightly-job' });
    const context = lambdaContext();
    await handler({ internal: true }, context);
    const failing = wrap(async () => 'still done', {
      writer,
      name: () => {
        throw new Error('bad name hook');
      },
      attributes: () => {
        throw new Error('bad attributes hook');
      },
    });
    const failingContexts = [lambdaContext(), lambdaContext()];
    for (const ctx of failingContexts) assert.equal(await failing(loadEvent('sqs'), ctx), 'still done');
    await afterResponse();
    const root = rootOf(context.awsRequestId);
    assert.deepEqual([root.kind, root.name], [SpanKind.INTERNAL, 'nightly-job']);
    assert.equal(rootOf(failingContexts[0]!.awsRequestId).name, 'process orders-queue', 'the trigger name is the default');
    for (const hook of ['option name', 'option attributes']) {
      assert.equal(logLines.filter((l) => l.level === 'WARN' && String(l.message).includes(`${hook} failed`)).length, 1, hook);
    }
  });

  it("parent from Lambda's X-Ray context only with xray-lambda: context.xRayTraceId, else _X_AMZN_TRACE_ID when invokes are not concurrent", async () => {
    const header = 'Root=1-5759e988-bd862e3fe1be46a994272793;Parent=53995c3f42cd8ad8;Sampled=1';
    const withXray = wrap(async () => 'ok', { writer, propagators: ['tracecontext', 'xray-lambda'] });
    const withoutXray = wrap(async () => 'ok', { writer });
    const fromContext = lambdaContext({ xRayTraceId: header });
    await withXray({}, fromContext);
    const ignored = lambdaContext({ xRayTraceId: header });
    await withoutXray({}, ignored);
    process.env._X_AMZN_TRACE_ID = header.replace('53995c3f42cd8ad8', '1111222233334444');
    const fromEnv = lambdaContext();
    await withXray({}, fromEnv);
    process.env.AWS_LAMBDA_MAX_CONCURRENCY = '4';
    const concurrent = lambdaContext();
    await withXray({}, concurrent);
    delete process.env._X_AMZN_TRACE_ID;
    delete process.env.AWS_LAMBDA_MAX_CONCURRENCY;
    await afterResponse();
    assert.deepEqual(
      [rootOf(fromContext.awsRequestId).spanContext().traceId, rootOf(fromContext.awsRequestId).parentSpanContext?.spanId],
      ['5759e988bd862e3fe1be46a994272793', '53995c3f42cd8ad8'],
    );
    assert.equal(rootOf(ignored.awsRequestId).parentSpanContext, undefined, 'off by default');
    assert.equal(rootOf(fromEnv.awsRequestId).parentSpanContext?.spanId, '1111222233334444');
    assert.equal(rootOf(concurrent.awsRequestId).parentSpanContext, undefined, 'the process-wide variable is not used under concurrency');
  });

  it('a later wrap() with another writer shares the first pipeline and says so once', async () => {
    const otherBatches: ReadableSpan[][] = [];
    const other = wrap(async () => 'ok', { writer: (spans) => void otherBatches.push(spans), serviceName: 'other' });
    const contexts = [lambdaContext(), lambdaContext()];
    for (const ctx of contexts) await other({}, ctx);
    await afterResponse();
    assert.ok(rootOf(contexts[1]!.awsRequestId), 'spans still go to the first writer');
    assert.equal(otherBatches.length, 0);
    assert.equal(logLines.filter((l) => l.level === 'WARN' && String(l.message).includes('already set up')).length, 1);
  });

  it('a thrown non-Error value: one ERROR line, the same value rethrown', async () => {
    const handler = wrap(
      async () => {
        throw 'plain string failure';
      },
      { writer },
    );
    const context = lambdaContext();
    await assert.rejects(Promise.resolve(handler({}, context)), (thrown: unknown) => thrown === 'plain string failure');
    await afterResponse();
    const lines = logLines.filter((l) => l.requestId === context.awsRequestId && l.level === 'ERROR');
    assert.deepEqual(
      lines.map((l) => [l.errorMessage, l.stackTrace]),
      [['plain string failure', []]],
    );
    assert.equal(rootOf(context.awsRequestId).status.code, SpanStatusCode.ERROR);
  });

  it('a throw: one ERROR log line, exception event + ERROR status, same error rethrown, next invoke works', async () => {
    class PaymentDeclined extends Error {
      override name = 'PaymentDeclined';
    }
    let fail = true;
    const handler = wrap(
      async () => {
        if (fail) throw new PaymentDeclined('card declined');
        return 'ok';
      },
      { writer },
    );
    const context = lambdaContext();
    const error = await handler({}, context).then(
      () => assert.fail('the handler must reject'),
      (reason: unknown) => reason as Error,
    );
    assert.ok(error instanceof PaymentDeclined);
    await afterResponse();
    const root = rootOf(context.awsRequestId);
    assert.equal(root.status.code, SpanStatusCode.ERROR);
    assert.equal(root.status.message, 'card declined');
    assert.equal(root.events.filter((e) => e.name === 'exception').length, 1);
    assert.equal(root.events[0]!.attributes!['exception.type'], 'PaymentDeclined');
    const lines = logLines.filter((l) => l.requestId === context.awsRequestId && l.level === 'ERROR');
    assert.equal(lines.length, 1);
    assert.equal(lines[0]!.errorType, 'PaymentDeclined');
    assert.equal(lines[0]!.errorMessage, 'card declined');
    assert.ok(Array.isArray(lines[0]!.stackTrace) && lines[0]!.stackTrace.length > 0);
    assert.equal(lines[0]!.trace_id, root.spanContext().traceId);

    fail = false;
    assert.equal(await handler({}, lambdaContext()), 'ok');
  });

  it('a 5xx result sets status ERROR without an exception', async () => {
    const handler = wrap(async () => ({ statusCode: 502 }), { writer });
    const context = lambdaContext();
    await handler(loadEvent('api-gateway-rest'), context);
    await afterResponse();
    const root = rootOf(context.awsRequestId);
    assert.equal(root.status.code, SpanStatusCode.ERROR);
    assert.equal(root.events.length, 0);
  });

  it('SQS batch: CONSUMER, new trace, one link per record with context', async () => {
    const handler = wrap(async () => ({ batchItemFailures: [] }), { writer });
    const context = lambdaContext();
    await handler(loadEvent('sqs'), context);
    await afterResponse();
    const root = rootOf(context.awsRequestId);
    assert.equal(root.kind, SpanKind.CONSUMER);
    assert.equal(root.parentSpanContext, undefined);
    assert.equal(root.links.length, 2);
  });

  it('callback handlers (used directly: aws-lambda-ric 4 refuses them at init on Node 22 and 24): arity kept, callback result returned', async () => {
    const callbackHandler = (event: any, _context: unknown, callback: (error: unknown, result?: unknown) => void) => {
      setTimeout(() => (event.fail ? callback(new Error('callback failed')) : callback(null, { got: event.value })), 5);
    };
    const handler = wrap(callbackHandler, { writer });
    assert.equal(handler.length, 3, 'the runtime must see the same arity');
    // The runtime awaits what the wrapped handler returns: a promise, whatever the original returned.
    assert.deepEqual(await (handler({ value: 7 }, lambdaContext(), () => {}) as unknown as Promise<unknown>), { got: 7 });
    const context = lambdaContext();
    await assert.rejects(Promise.resolve(handler({ fail: true }, context, () => {})), /callback failed/);
    await afterResponse();
    assert.equal(rootOf(context.awsRequestId).status.code, SpanStatusCode.ERROR);
  });

  it('a wrapped handler is not wrapped twice', () => {
    const handler = wrap(async () => 1, { writer });
    assert.equal(wrap(handler, { writer }), handler);
  });

  it('concurrent invokes: separate root spans, children under their own root, one cold start at most', async () => {
    const handler = wrap(
      async (event: any) => {
        await new Promise((resolve) => setTimeout(resolve, 5 + (event.n % 5) * 3));
        await tracer().startActiveSpan(`child-${event.n}`, async (span) => {
          await new Promise((resolve) => setTimeout(resolve, 2));
          span.end();
        });
        return event.n;
      },
      { writer },
    );
    const contexts = Array.from({ length: 20 }, () => lambdaContext());
    const events = contexts.map((_, n) => {
      const event = loadEvent('api-gateway-http');
      const traceId = n.toString(16).padStart(32, 'a');
      event.headers.traceparent = `00-${traceId}-${n.toString(16).padStart(16, 'b')}-01`;
      event.n = n;
      return event;
    });
    const results = await Promise.all(events.map((event, n) => handler(event, contexts[n]!)));
    assert.deepEqual(
      results,
      events.map((_, n) => n),
    );
    await afterResponse();
    for (const [n, context] of contexts.entries()) {
      const root = rootOf(context.awsRequestId);
      assert.equal(root.spanContext().traceId, n.toString(16).padStart(32, 'a'));
      assert.equal(root.attributes['faas.coldstart'], false);
      const child = allSpans().find((s) => s.name === `child-${n}`)!;
      assert.equal(child.parentSpanContext?.spanId, root.spanContext().spanId);
      assert.equal(child.spanContext().traceId, root.spanContext().traceId);
    }
  });

  it('timeout guard: open spans and the root end as ERROR with lambda_otel.timeout before the deadline', async () => {
    const handler = wrap(
      async () => {
        const span = tracer().startSpan('slow-call');
        await new Promise((resolve) => setTimeout(resolve, 400));
        span.end();
        return 'late';
      },
      { writer, timeoutMarginMs: 100 },
    );
    const deadline = Date.now() + 250;
    const context = lambdaContext({ getRemainingTimeInMillis: () => deadline - Date.now() });
    const running = handler({}, context);
    await new Promise((resolve) => setTimeout(resolve, 250));
    const root = rootOf(context.awsRequestId);
    assert.ok(root, 'the root span is written when the guard fires, not at the end');
    assert.equal(root.attributes['lambda_otel.timeout'], true);
    assert.equal(root.status.code, SpanStatusCode.ERROR);
    const slow = allSpans().find((s) => s.name === 'slow-call')!;
    assert.equal(slow.attributes['lambda_otel.timeout'], true);
    assert.equal(await running, 'late');
    assert.equal(logLines.filter((l) => l.requestId === context.awsRequestId && l.level === 'ERROR').length, 1);
  });
});

/** A stand-in for the runtime's response stream: a real Writable with the runtime's extra members. */
function fakeResponseStream() {
  const chunks: Buffer[] = [];
  const inner = new Writable({
    write(chunk, _encoding, callback) {
      chunks.push(Buffer.from(chunk));
      callback();
    },
  }) as Writable & { setContentType(type: string): void; _onBeforeFirstWrite?: (write: (c: unknown) => void) => void; contentType?: string };
  inner.setContentType = (type) => {
    inner.contentType = type;
  };
  const originalWrite = inner.write.bind(inner);
  let first = true;
  (inner as any).write = (chunk: any, ...rest: any[]) => {
    if (first && typeof inner._onBeforeFirstWrite === 'function') inner._onBeforeFirstWrite((c) => originalWrite(c as any));
    first = false;
    return originalWrite(chunk, ...rest);
  };
  return { inner, body: () => Buffer.concat(chunks) };
}

describe('wrap(): streaming handlers', () => {
  const STREAMING = Symbol.for('aws.lambda.runtime.handler.streaming');

  it('keeps the marker; span ends when the stream ends; bytes and time to first byte recorded', async () => {
    const original = async (_event: unknown, stream: any) => {
      stream.write('a'.repeat(10));
      setTimeout(() => stream.write('b'.repeat(20)), 30);
      setTimeout(() => stream.end('c'.repeat(5)), 80);
    };
    (original as any)[STREAMING] = 'response';
    const handler = wrap(original, { writer });
    assert.equal((handler as any)[STREAMING], 'response');
    assert.equal(handler.length, original.length);
    const { inner, body } = fakeResponseStream();
    const context = lambdaContext();
    await handler({}, inner, context);
    await afterResponse();
    const root = rootOf(context.awsRequestId);
    const durationMs = root.duration[0] * 1e3 + root.duration[1] / 1e6;
    assert.ok(durationMs >= 75, `span lasted ${durationMs} ms, the stream 80 ms`);
    assert.equal(root.attributes['lambda_otel.response.bytes'], 35);
    assert.equal(typeof root.attributes['lambda_otel.response.time_to_first_byte_ms'], 'number');
    assert.equal(body().toString(), `${'a'.repeat(10)}${'b'.repeat(20)}${'c'.repeat(5)}`);
  });

  const preludeHandler = (statusCode: number) => {
    const original = async (_event: unknown, stream: any) => {
      stream.setContentType('application/vnd.awslambda.http-integration-response');
      stream._onBeforeFirstWrite = (write: (c: unknown) => void) => {
        write(JSON.stringify({ statusCode, headers: {} }));
        write(new Uint8Array(8));
      };
      stream.write('teapot');
      stream.end();
    };
    (original as any)[STREAMING] = 'response';
    return wrap(original, { writer });
  };

  it('Function URL event, HttpResponseStream prelude 418: the status is recorded, the prelude is not body', async () => {
    const { inner, body } = fakeResponseStream();
    const context = lambdaContext();
    await preludeHandler(418)(loadEvent('function-url'), inner, context);
    await afterResponse();
    const root = rootOf(context.awsRequestId);
    assert.equal(root.attributes['faas.trigger'], 'http');
    assert.equal(root.attributes['http.response.status_code'], 418);
    assert.equal(root.attributes['lambda_otel.response.bytes'], 6);
    assert.equal(root.status.code, SpanStatusCode.UNSET);
    assert.ok(body().toString().startsWith('{"statusCode":418'));
  });

  it('Function URL event, prelude 503: ERROR span with error.type 503; without a prelude the URL answers 200', async () => {
    const failing = lambdaContext();
    await preludeHandler(503)(loadEvent('function-url'), fakeResponseStream().inner, failing);
    const plain = async (_event: unknown, stream: any) => {
      stream.end('ok');
    };
    (plain as any)[STREAMING] = 'response';
    const ok = lambdaContext();
    await wrap(plain, { writer })(loadEvent('function-url'), fakeResponseStream().inner, ok);
    await afterResponse();
    const failed = rootOf(failing.awsRequestId);
    assert.equal(failed.attributes['http.response.status_code'], 503);
    assert.equal(failed.attributes['error.type'], '503');
    assert.equal(failed.status.code, SpanStatusCode.ERROR);
    assert.equal(rootOf(ok.awsRequestId).attributes['http.response.status_code'], 200);
  });

  it('a stream destroyed with an error after the handler returned: ERROR span, one log line', async () => {
    const original = async (_event: unknown, stream: any) => {
      stream.write('partial');
      setTimeout(() => stream.destroy(new Error('upstream reset')), 20);
    };
    (original as any)[STREAMING] = 'response';
    const handler = wrap(original, { writer });
    const { inner } = fakeResponseStream();
    inner.on('error', () => {});
    const context = lambdaContext();
    await handler({}, inner, context);
    await afterResponse();
    const root = rootOf(context.awsRequestId);
    assert.equal(root.status.code, SpanStatusCode.ERROR);
    assert.equal(root.status.message, 'upstream reset');
    assert.equal(logLines.filter((l) => l.requestId === context.awsRequestId && l.level === 'ERROR').length, 1);
  });

  it('a mid-stream throw is recorded, logged once and rethrown', async () => {
    const original = async (_event: unknown, stream: any) => {
      stream.write('partial');
      await new Promise((resolve) => setTimeout(resolve, 10));
      throw new TypeError('stream broke');
    };
    (original as any)[STREAMING] = 'response';
    const handler = wrap(original, { writer });
    const { inner } = fakeResponseStream();
    const context = lambdaContext();
    await assert.rejects(handler({}, inner, context), /stream broke/);
    await afterResponse();
    const root = rootOf(context.awsRequestId);
    assert.equal(root.status.code, SpanStatusCode.ERROR);
    assert.equal(root.attributes['lambda_otel.response.bytes'], 7);
    assert.equal(logLines.filter((l) => l.requestId === context.awsRequestId && l.level === 'ERROR').length, 1);
  });
});

describe('flush()', () => {
  it('hands buffered spans to the writer at once', async () => {
    const before = batches.length;
    tracer().startSpan('outside-any-invocation').end();
    await flush();
    assert.equal(batches.length, before + 1);
    assert.equal(batches.at(-1)![0]!.name, 'outside-any-invocation');
  });
});
