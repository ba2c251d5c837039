import { describe, it } from 'vitest';
import assert from 'node:assert/strict';
import { SpanKind } from '@opentelemetry/api';
import { resolveInstrumentConfig } from '../src/config.ts';
import { captureEventAttribute } from '../src/invocation/capture-event.ts';
import { detectTrigger, TRIGGER_EXTRACTORS } from '../src/triggers/registry.ts';
import { EVENT_NAMES, loadEvent } from './fixtures/load-event.ts';

const settings = resolveInstrumentConfig({}, {});

/** Which extractor must claim each fixture (fixture name = extractor source). */
const EXPECTED: Record<string, { trigger: string; kind: SpanKind; spanName: string | undefined; attributes: Record<string, unknown> }> = {
  'api-gateway-rest': {
    trigger: 'http',
    kind: SpanKind.SERVER,
    spanName: 'GET /orders/{orderId}',
    attributes: {
      'http.request.method': 'GET',
      'http.route': '/orders/{orderId}',
      'url.path': '/orders/42',
      'url.scheme': 'https',
      'url.query': 'expand=items&token=REDACTED',
      'server.address': 'abcdef1234.execute-api.us-east-1.amazonaws.com',
      'user_agent.original': 'curl/8.4.0',
      'client.address': '198.51.100.7',
    },
  },
  'api-gateway-http': {
    trigger: 'http',
    kind: SpanKind.SERVER,
    spanName: 'POST /carts/{cartId}/items',
    attributes: {
      'http.request.method': 'POST',
      'http.route': '/carts/{cartId}/items',
      'url.path': '/carts/7/items',
      'url.scheme': 'https',
      'url.query': 'coupon=SPRING&access_token=REDACTED&x=1',
      'server.address': 'r3pmxmplak.execute-api.us-east-2.amazonaws.com',
      'user_agent.original': 'Mozilla/5.0',
      'client.address': '205.255.255.176',
    },
  },
  'function-url': {
    trigger: 'http',
    kind: SpanKind.SERVER,
    spanName: undefined,
    attributes: {
      'http.request.method': 'GET',
      'url.path': '/my/path',
      'url.query': 'parameter1=value1&signature=REDACTED',
      'server.address': 'a1b2c3d4e5.lambda-url.us-east-1.on.aws',
      'client.address': '123.123.123.123',
    },
  },
  'api-gateway-websocket': {
    trigger: 'http',
    kind: SpanKind.SERVER,
    spanName: 'WebSocket $connect',
    attributes: { 'http.route': '$connect', 'aws.api_gateway.websocket.event_type': 'CONNECT', 'client.address': '192.0.2.1' },
  },
  alb: {
    trigger: 'http',
    kind: SpanKind.SERVER,
    spanName: undefined,
    attributes: {
      'http.request.method': 'GET',
      'url.path': '/lambda',
      'url.scheme': 'http',
      'url.query': 'query=1234ABCD&password=REDACTED',
      'server.address': 'lambda-alb-123578498.us-east-1.elb.amazonaws.com',
      'client.address': '72.12.164.125',
    },
  },
  sqs: {
    trigger: 'pubsub',
    kind: SpanKind.CONSUMER,
    spanName: 'process orders-queue',
    attributes: { 'messaging.system': 'aws_sqs', 'messaging.destination.name': 'orders-queue', 'messaging.batch.message_count': 3 },
  },
  sns: {
    trigger: 'pubsub',
    kind: SpanKind.CONSUMER,
    spanName: 'process order-events',
    attributes: { 'messaging.system': 'aws_sns', 'messaging.destination.name': 'order-events', 'messaging.batch.message_count': 1 },
  },
  eventbridge: {
    trigger: 'pubsub',
    kind: SpanKind.CONSUMER,
    spanName: 'process com.example.orders',
    attributes: { 'messaging.system': 'aws_eventbridge', 'messaging.destination.name': 'com.example.orders', 'messaging.batch.message_count': 1 },
  },
  schedule: {
    trigger: 'timer',
    kind: SpanKind.SERVER,
    spanName: undefined,
    attributes: { 'faas.time': '2019-03-01T01:23:45Z', 'aws.eventbridge.rule_arn': 'arn:aws:events:us-east-2:123456789012:rule/my-schedule' },
  },
  kinesis: {
    trigger: 'pubsub',
    kind: SpanKind.CONSUMER,
    spanName: 'process click-stream',
    attributes: { 'messaging.system': 'aws_kinesis', 'messaging.destination.name': 'click-stream', 'messaging.batch.message_count': 2 },
  },
  dynamodb: {
    trigger: 'datasource',
    kind: SpanKind.CONSUMER,
    spanName: 'process Orders',
    attributes: { 'messaging.system': 'aws_dynamodb_streams', 'messaging.destination.name': 'Orders', 'faas.document.collection': 'Orders' },
  },
  s3: {
    trigger: 'datasource',
    kind: SpanKind.CONSUMER,
    spanName: 'process uploads-bucket',
    attributes: {
      'messaging.destination.name': 'uploads-bucket',
      'faas.document.operation': 'ObjectCreated:Put',
      'faas.document.name': 'photos/cat.jpg',
    },
  },
  msk: {
    trigger: 'pubsub',
    kind: SpanKind.CONSUMER,
    spanName: 'process payments',
    attributes: { 'messaging.system': 'kafka', 'messaging.destination.name': 'payments', 'messaging.batch.message_count': 2 },
  },
};

describe('trigger detection on realistic events', () => {
  it('has a fixture for every extractor and an expectation for every fixture', () => {
    assert.deepEqual(EVENT_NAMES, Object.keys(EXPECTED).sort());
    assert.deepEqual(TRIGGER_EXTRACTORS.map((e) => e.source).sort(), EVENT_NAMES);
  });

  for (const [name, expected] of Object.entries(EXPECTED)) {
    it(`${name}: trigger, kind, name and attributes`, () => {
      const info = detectTrigger(loadEvent(name), settings);
      assert.equal(info.source, name);
      assert.equal(info.trigger, expected.trigger);
      assert.equal(info.kind, expected.kind);
      assert.equal(info.spanName, expected.spanName);
      for (const [key, value] of Object.entries(expected.attributes)) {
        assert.deepEqual(info.attributes[key], value, `${name}: ${key}`);
      }
    });

    it(`${name}: its extractor rejects every other trigger's event`, () => {
      const extractor = TRIGGER_EXTRACTORS.find((e) => e.source === name)!;
      for (const other of EVENT_NAMES.filter((n) => n !== name)) {
        assert.equal(extractor.matches(loadEvent(other)), false, `${name} must not match ${other}`);
      }
    });
  }

  it('anything else is faas.trigger other, kind SERVER', () => {
    for (const event of [{}, { hello: 'world' }, null, 'text', 42, [], { Records: [] }, { Records: [{ eventSource: 'aws:unknown' }] }]) {
      const info = detectTrigger(event, settings);
      assert.equal(info.trigger, 'other');
      assert.equal(info.kind, SpanKind.SERVER);
    }
  });
});

describe('HTTP response attributes', () => {
  it('takes the status code from the result and flags 5xx as errors', () => {
    const info = detectTrigger(loadEvent('api-gateway-rest'), settings);
    assert.deepEqual(info.onResult!({ statusCode: 503, body: '' }), { attributes: { 'http.response.status_code': 503 }, isError: true });
    assert.deepEqual(info.onResult!({ statusCode: 404 }), { attributes: { 'http.response.status_code': 404 }, isError: false });
    assert.deepEqual(info.onResult!('plain'), { attributes: {}, isError: false });
  });

  it('HTTP API answers 200 for a result without statusCode', () => {
    const info = detectTrigger(loadEvent('api-gateway-http'), settings);
    assert.deepEqual(info.onResult!({ items: [] }), { attributes: { 'http.response.status_code': 200 }, isError: false });
  });
});

describe('redaction', () => {
  const secrets = ['secret-token', 'session=abc', 'key-123', 's3cr3t', 'Bearer secret', 'abc%20def', 'hunter2', 'signature=abcd'];

  for (const name of ['api-gateway-rest', 'api-gateway-http', 'api-gateway-websocket', 'function-url', 'alb']) {
    it(`${name}: no secret header or sensitive query value reaches the attributes`, () => {
      const info = detectTrigger(loadEvent(name), resolveInstrumentConfig({ captureHeaders: ['authorization', 'cookie', 'x-api-key', 'user-agent'] }, {}));
      const text = JSON.stringify(info.attributes);
      for (const secret of secrets) assert.ok(!text.includes(secret), `${name} leaked ${secret}: ${text}`);
      assert.equal(info.attributes['http.request.header.authorization'], undefined);
      assert.equal(info.attributes['http.request.header.cookie'], undefined);
    });
  }

  it('no event body reaches the attributes of any trigger unless captureEvent is set', () => {
    const bodies = ['"sku"', 'Hello from client', 'order 1', 'order 2'];
    for (const name of EVENT_NAMES) {
      const text = JSON.stringify(detectTrigger(loadEvent(name), settings).attributes);
      for (const body of bodies) assert.ok(!text.includes(body), `${name} recorded a body: ${text}`);
      assert.equal(text.includes('lambda_otel.event'), false);
    }
  });

  it('captureEvent: the event is recorded with header values and sensitive query values REDACTED', () => {
    for (const name of ['api-gateway-rest', 'api-gateway-http', 'alb', 'function-url']) {
      const config = resolveInstrumentConfig({ captureEvent: true, redactQueryParams: ['parameter1'] }, {});
      const captured = String(captureEventAttribute(loadEvent(name), config)['lambda_otel.event']);
      for (const secret of [...secrets, 'parameter1=value1', 'abc def', 'theme=dark'])
        assert.ok(!captured.includes(secret), `${name} captured ${secret}: ${captured}`);
      assert.ok(captured.includes('REDACTED'));
    }
    const http = JSON.parse(String(captureEventAttribute(loadEvent('api-gateway-http'), settings)['lambda_otel.event']));
    assert.equal(http.body, '{"sku":"A-1","qty":2}', 'the body is what was asked for');
    assert.equal(http.rawQueryString, 'coupon=SPRING&access_token=REDACTED&x=1');
    assert.deepEqual(http.queryStringParameters, { coupon: 'SPRING', access_token: 'REDACTED', x: '1' });
    assert.deepEqual([http.headers.authorization, http.cookies, http.headers['content-type']], ['REDACTED', 'REDACTED', 'application/json']);
  });

  it('captureEvent cuts the event at 8 KiB', () => {
    const captured = String(captureEventAttribute({ big: 'x'.repeat(20_000) }, settings)['lambda_otel.event']);
    assert.equal(captured.length, 8192 + 1);
    assert.ok(captured.endsWith('…'));
  });

  it('records an opted-in header that is not sensitive', () => {
    const info = detectTrigger(loadEvent('api-gateway-http'), resolveInstrumentConfig({ captureHeaders: ['content-type'] }, {}));
    assert.deepEqual(info.attributes['http.request.header.content-type'], ['application/json']);
  });

  it('configured query parameters and headers are redacted too', () => {
    const config = resolveInstrumentConfig(
      {},
      { LAMBDA_OTEL_REDACT_QUERY_PARAMS: 'coupon', LAMBDA_OTEL_REDACT_HEADERS: 'content-type', LAMBDA_OTEL_CAPTURE_HEADERS: 'content-type' },
    );
    const info = detectTrigger(loadEvent('api-gateway-http'), config);
    assert.equal(info.attributes['url.query'], 'coupon=REDACTED&access_token=REDACTED&x=1');
    assert.equal(info.attributes['http.request.header.content-type'], undefined);
  });
});
