// The layer's exec wrapper in the emulator with aws-lambda-ric on Node 24 (and once on Node 22):
// CommonJS and ESM handlers, nested paths, HTTP parent, SQS links, errors, callback handlers.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { onTestFinished, test } from 'vitest';
import { instrumentFixtures, startInstrumentHarness, waitForSpans } from '../fixtures/instrument/harness.ts';
import { fixturesDir, node22 } from '../support/paths.ts';

const SPAN_KIND = { INTERNAL: 1, SERVER: 2, CONSUMER: 5 } as const;
const STATUS_ERROR = 2;
const eventsDir = join(fixturesDir, '..', '..', 'packages', 'instrument', 'test', 'fixtures', 'events');
const loadEvent = (name: string) => JSON.parse(readFileSync(join(eventsDir, `${name}.json`), 'utf8'));

test('CommonJS handler via the exec wrapper: HTTP API v2 traceparent, SQS batch, a throw, then a working invoke', async () => {
  const h = await startInstrumentHarness({ functionDir: join(instrumentFixtures, 'cjs'), handler: 'index.handler' });
  onTestFinished(() => h.close());

  // API Gateway v2 carrying a traceparent: the root continues that trace, kind SERVER, route name.
  const http = await h.env.invoke(loadEvent('api-gateway-http'));
  assert.equal(http.status, 'success', http.errorMessage);
  assert.deepEqual(http.response, { statusCode: 200, body: 'hello' });
  await waitForSpans(h.sink, () => h.roots().has(http.requestId));
  const root = h.roots().get(http.requestId)!;
  assert.equal(root.traceId, '4bf92f3577b34da6a3ce929d0e0e4736');
  assert.equal(root.parentSpanId, '00f067aa0ba902b7');
  assert.equal(root.kind, SPAN_KIND.SERVER);
  assert.equal(root.name, 'POST /carts/{cartId}/items');
  assert.equal(root.attributes['faas.coldstart'], true);
  assert.equal(root.attributes['faas.trigger'], 'http');
  assert.equal(root.attributes['http.response.status_code'], 200);
  assert.equal(root.attributes['url.query'], 'coupon=SPRING&access_token=REDACTED&x=1');
  assert.equal(root.resource['cloud.provider'], 'aws');
  assert.equal(root.resource['cloud.platform'], 'aws_lambda');
  assert.match(String(root.resource['cloud.account.id']), /^\d{12}$/);
  assert.equal(typeof root.resource['faas.name'], 'string');
  assert.equal(root.resource['service.name'], root.resource['faas.name']);
  const child = await waitForSpans(h.sink, (spans) => spans.some((s) => s.name === 'cjs-child' && s.traceId === root.traceId));
  assert.equal(child.find((s) => s.name === 'cjs-child' && s.traceId === root.traceId)!.parentSpanId, root.spanId);
  assert.ok(!JSON.stringify(h.sink.spans(), (_k, v) => (typeof v === 'bigint' ? String(v) : v)).includes('Bearer secret'), 'no Authorization value recorded');

  // SQS batch: CONSUMER, a new trace, one link per record that carries trace context.
  const sqs = await h.env.invoke(loadEvent('sqs'));
  assert.equal(sqs.status, 'success');
  await waitForSpans(h.sink, () => h.roots().has(sqs.requestId));
  const consumer = h.roots().get(sqs.requestId)!;
  assert.equal(consumer.kind, SPAN_KIND.CONSUMER);
  assert.equal(consumer.parentSpanId, '');
  assert.equal(consumer.attributes['faas.coldstart'], false);
  assert.equal(consumer.attributes['messaging.system'], 'aws_sqs');
  assert.equal(consumer.attributes['messaging.batch.message_count'], 3);
  assert.deepEqual(
    consumer.links.map((link) => link.traceId),
    ['5759e988bd862e3fe1be46a994272793', '11112222333344445555666677778888'],
  );

  // A throw: exactly one ERROR line from the plugin, an ERROR span with the exception, the error reaches Lambda.
  const failed = await h.env.invoke({ action: 'throw' });
  assert.equal(failed.status, 'error');
  assert.equal(failed.errorType, 'TypeError');
  assert.equal(failed.errorMessage, 'order 42 is invalid');
  await waitForSpans(h.sink, () => h.roots().has(failed.requestId));
  const errorRoot = h.roots().get(failed.requestId)!;
  assert.equal(errorRoot.status.code, STATUS_ERROR);
  assert.equal(errorRoot.events.filter((e) => e.name === 'exception').length, 1);
  assert.equal(errorRoot.events[0]!.attributes['exception.type'], 'TypeError');
  const errorLines = h.jsonLines().filter((line) => line.level === 'ERROR' && line.requestId === failed.requestId && 'trace_id' in line);
  assert.equal(errorLines.length, 1, JSON.stringify(errorLines));
  assert.equal(errorLines[0]!.errorType, 'TypeError');
  assert.equal(errorLines[0]!.errorMessage, 'order 42 is invalid');
  assert.equal(errorLines[0]!.trace_id, errorRoot.traceId);
  assert.ok(Array.isArray(errorLines[0]!.stackTrace));

  // The next invoke works.
  const after = await h.env.invoke({ hello: 'again' });
  assert.equal(after.status, 'success');
  assert.deepEqual(after.response, { ok: true });
  await waitForSpans(h.sink, () => h.roots().has(after.requestId));
  assert.equal(h.roots().get(after.requestId)!.attributes['faas.trigger'], 'other');
});

test('ESM handler in a nested directory with a nested export path (src/handlers/orders.api.get); xray-lambda parent', async () => {
  const h = await startInstrumentHarness({
    functionDir: join(instrumentFixtures, 'esm'),
    handler: 'src/handlers/orders.api.get',
    env: { OTEL_PROPAGATORS: 'tracecontext,baggage,xray-lambda' },
  });
  onTestFinished(() => h.close());
  const event = loadEvent('function-url');
  const result = await h.env.invoke(event);
  assert.equal(result.status, 'success', result.errorMessage);
  assert.deepEqual(result.response, { statusCode: 200, body: JSON.stringify({ path: '/my/path' }) });
  await waitForSpans(h.sink, (spans) => h.roots().has(result.requestId) && spans.some((s) => s.name === 'esm-child'));
  const root = h.roots().get(result.requestId)!;
  assert.equal(root.kind, SPAN_KIND.SERVER);
  assert.equal(root.attributes['faas.trigger'], 'http');
  assert.equal(root.attributes['url.query'], 'parameter1=value1&signature=REDACTED');
  assert.equal(h.sink.spans().find((s) => s.name === 'esm-child')!.parentSpanId, root.spanId);

  // No HTTP parent: with xray-lambda the root continues the X-Ray context Lambda hands the runtime.
  const traceHeader = 'Root=1-5759e988-bd862e3fe1be46a994272793;Parent=53995c3f42cd8ad8;Sampled=1';
  const fromLambda = await h.env.invoke({ job: 'nightly' }, { traceHeader });
  assert.equal(fromLambda.status, 'success', fromLambda.errorMessage);
  await waitForSpans(h.sink, () => h.roots().has(fromLambda.requestId));
  const xrayRoot = h.roots().get(fromLambda.requestId)!;
  assert.deepEqual([xrayRoot.traceId, xrayRoot.parentSpanId], ['5759e988bd862e3fe1be46a994272793', '53995c3f42cd8ad8']);
});

test('callback handler: aws-lambda-ric 4 refuses it the same way with and without the wrapper', async () => {
  const outcomes: string[] = [];
  for (const wrapper of [false, true]) {
    const h = await startInstrumentHarness({ functionDir: join(instrumentFixtures, 'callback'), handler: 'index.handler', wrapper });
    onTestFinished(() => h.close());
    const result = await h.env.invoke({});
    assert.notEqual(result.status, 'success');
    outcomes.push(`${result.errorType}: ${result.errorMessage}`);
  }
  assert.match(outcomes[0]!, /callback-based function handlers/);
  assert.equal(outcomes[1], outcomes[0]);
});

test('Node 22 (minimum supported): CommonJS and nested ESM handlers through the exec wrapper', async () => {
  const cjs = await startInstrumentHarness({ functionDir: join(instrumentFixtures, 'cjs'), handler: 'index.handler', nodePath: node22 });
  onTestFinished(() => cjs.close());
  const result = await cjs.env.invoke(loadEvent('api-gateway-rest'));
  assert.equal(result.status, 'success', result.errorMessage);
  await waitForSpans(cjs.sink, () => cjs.roots().has(result.requestId));
  const root = cjs.roots().get(result.requestId)!;
  assert.equal(root.name, 'GET /orders/{orderId}');
  assert.equal(root.traceId, '0af7651916cd43dd8448eb211c80319c');
  assert.equal(root.attributes['faas.coldstart'], true);

  const esm = await startInstrumentHarness({ functionDir: join(instrumentFixtures, 'esm'), handler: 'src/handlers/orders.api.get', nodePath: node22 });
  onTestFinished(() => esm.close());
  const nested = await esm.env.invoke(loadEvent('function-url'));
  assert.equal(nested.status, 'success', nested.errorMessage);
  await waitForSpans(esm.sink, (spans) => esm.roots().has(nested.requestId) && spans.some((s) => s.name === 'esm-child'));
  assert.equal(esm.sink.spans().find((s) => s.name === 'esm-child')!.parentSpanId, esm.roots().get(nested.requestId)!.spanId);
});
