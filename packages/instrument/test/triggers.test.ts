import { describe, it } from 'vitest';
import assert from 'node:assert/strict';
import { SpanKind } from '@opentelemetry/api';
import { resolveInstrumentConfig } from '../src/config.ts';
import { captureEventAttribute } from '../src/invocation/capture-event.ts';
import { detectTrigger, TRIGGER_EXTRACTORS } from '../src/triggers/registry.ts';
import { EVENT_NAMES, loadEvent } from './fixtures/load-event.ts';

const settings = resolveInstrumentConfig({}, {});

/** Which extractor must claim each fixture, and what it must record (semantic conventions 1.45). */
const EXPECTED: Record<
  string,
  { extractor?: string; trigger: string; kind: SpanKind; spanName: string | undefined; attributes: Record<string, unknown>; absent?: string[] }
> = {
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
    absent: ['http.request.method_original', 'aws.api_gateway.stage'],
  },
  'api-gateway-rest-proxy': {
    extractor: 'api-gateway-rest',
    trigger: 'http',
    kind: SpanKind.SERVER,
    spanName: 'POST /{proxy+}',
    attributes: {
      'http.request.method': 'POST',
      'http.route': '/{proxy+}',
      'url.path': '/path/to/resource',
      'url.query': 'foo=bar',
      'server.address': '1234567890.execute-api.us-east-1.amazonaws.com',
      'server.port': 443,
      'client.address': '127.0.0.1',
      'network.protocol.version': '1.1',
      'lambda_otel.api_gateway.stage': 'prod',
    },
  },
  'api-gateway-rest-authorized': {
    extractor: 'api-gateway-rest',
    trigger: 'http',
    kind: SpanKind.SERVER,
    spanName: 'GET /accounts/{accountId}',
    attributes: {
      'http.route': '/accounts/{accountId}',
      'url.query': 'X-Amz-Signature=REDACTED&AWSAccessKeyId=REDACTED&view=full',
      'client.address': '203.0.113.9',
      'server.port': 443,
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
    spanName: 'GET',
    attributes: {
      'http.request.method': 'GET',
      'url.path': '/my/path',
      'url.query': 'parameter1=value1&signature=REDACTED',
      'server.address': 'a1b2c3d4e5.lambda-url.us-east-1.on.aws',
      'client.address': '123.123.123.123',
      'network.protocol.version': '1.1',
    },
    absent: ['http.route'],
  },
  'api-gateway-websocket': {
    trigger: 'http',
    kind: SpanKind.SERVER,
    spanName: 'WebSocket $connect',
    attributes: { 'http.route': '$connect', 'lambda_otel.api_gateway.websocket.event_type': 'CONNECT', 'client.address': '192.0.2.1' },
  },
  alb: {
    trigger: 'http',
    kind: SpanKind.SERVER,
    spanName: 'GET',
    attributes: {
      'http.request.method': 'GET',
      'url.path': '/lambda',
      'url.scheme': 'http',
      'url.query': 'query=1234ABCD&password=REDACTED',
      'server.address': 'lambda-alb-123578498.us-east-1.elb.amazonaws.com',
      'server.port': 80,
      'client.address': '72.12.164.125',
    },
  },
  sqs: {
    trigger: 'pubsub',
    kind: SpanKind.CONSUMER,
    spanName: 'process orders-queue',
    attributes: {
      'messaging.system': 'aws_sqs',
      'messaging.operation.type': 'process',
      'messaging.destination.name': 'orders-queue',
      'messaging.batch.message_count': 3,
    },
    absent: ['messaging.message.id'],
  },
  'sqs-single': {
    extractor: 'sqs',
    trigger: 'pubsub',
    kind: SpanKind.CONSUMER,
    spanName: 'process MyQueue',
    attributes: { 'messaging.system': 'aws_sqs', 'messaging.destination.name': 'MyQueue', 'messaging.message.id': '19dd0b57-b21e-4ac1-bd88-01bbb068cb78' },
    absent: ['messaging.batch.message_count'],
  },
  sns: {
    trigger: 'pubsub',
    kind: SpanKind.CONSUMER,
    spanName: 'process order-events',
    attributes: {
      'messaging.system': 'aws.sns',
      'messaging.destination.name': 'order-events',
      'messaging.message.id': '95df01b4-ee98-5cb9-9903-4c221d41eb5e',
      'aws.sns.topic.arn': 'arn:aws:sns:us-east-1:123456789012:order-events',
    },
    absent: ['messaging.batch.message_count'],
  },
  eventbridge: {
    trigger: 'pubsub',
    kind: SpanKind.CONSUMER,
    spanName: 'process com.example.orders',
    attributes: { 'messaging.destination.name': 'com.example.orders', 'messaging.message.id': 'fe8d3c65-xmpl-c5c3-2c87-81584709a377' },
    absent: ['messaging.system', 'messaging.batch.message_count'],
  },
  schedule: {
    trigger: 'timer',
    kind: SpanKind.SERVER,
    spanName: undefined,
    attributes: { 'lambda_otel.eventbridge.rule_arn': 'arn:aws:events:us-east-2:123456789012:rule/my-schedule' },
    absent: ['faas.time'],
  },
  kinesis: {
    trigger: 'pubsub',
    kind: SpanKind.CONSUMER,
    spanName: 'process click-stream',
    attributes: { 'messaging.destination.name': 'click-stream', 'messaging.batch.message_count': 2, 'aws.kinesis.stream_name': 'click-stream' },
    absent: ['messaging.system'],
  },
  dynamodb: {
    trigger: 'datasource',
    kind: SpanKind.CONSUMER,
    spanName: 'process Orders',
    attributes: { 'faas.document.collection': 'Orders', 'faas.document.operation': 'insert' },
    absent: ['messaging.system', 'messaging.batch.message_count'],
  },
  'dynamodb-mixed': {
    extractor: 'dynamodb',
    trigger: 'datasource',
    kind: SpanKind.CONSUMER,
    spanName: 'process ExampleTableWithStream',
    attributes: { 'faas.document.collection': 'ExampleTableWithStream' },
    absent: ['faas.document.operation', 'faas.document.time', 'messaging.system'],
  },
  s3: {
    trigger: 'datasource',
    kind: SpanKind.CONSUMER,
    spanName: 'process uploads-bucket',
    attributes: {
      'faas.document.collection': 'uploads-bucket',
      'faas.document.operation': 'insert',
      'faas.document.name': 'photos/cat.jpg',
      'faas.document.time': '2019-09-03T19:37:27.192Z',
    },
    absent: ['messaging.system', 'messaging.destination.name', 'messaging.batch.message_count'],
  },
  's3-delete': {
    extractor: 's3',
    trigger: 'datasource',
    kind: SpanKind.CONSUMER,
    spanName: 'process DOC-EXAMPLE-BUCKET',
    attributes: {
      'faas.document.collection': 'DOC-EXAMPLE-BUCKET',
      'faas.document.operation': 'delete',
      'faas.document.name': 'b21b84d653bb07b05b1e6b33684dc11b',
    },
  },
  activemq: {
    trigger: 'pubsub',
    kind: SpanKind.CONSUMER,
    spanName: 'process testQueue',
    attributes: { 'messaging.system': 'activemq', 'messaging.destination.name': 'testQueue', 'messaging.batch.message_count': 2 },
    absent: ['messaging.message.id'],
  },
  rabbitmq: {
    trigger: 'pubsub',
    kind: SpanKind.CONSUMER,
    spanName: 'process pizzaQueue',
    attributes: { 'messaging.system': 'rabbitmq', 'messaging.destination.name': 'pizzaQueue' },
    absent: ['messaging.batch.message_count', 'messaging.message.id'],
  },
  msk: {
    trigger: 'pubsub',
    kind: SpanKind.CONSUMER,
    spanName: 'process payments',
    attributes: { 'messaging.system': 'kafka', 'messaging.destination.name': 'payments', 'messaging.batch.message_count': 2 },
  },
};

const extractorOf = (fixture: string) => EXPECTED[fixture]?.extractor ?? fixture;

describe('trigger detection on realistic events', () => {
  it('has an expectation for every fixture and a fixture for every extractor', () => {
    assert.deepEqual(EVENT_NAMES, Object.keys(EXPECTED).sort());
    assert.deepEqual(TRIGGER_EXTRACTORS.map((e) => e.source).sort(), [...new Set(EVENT_NAMES.map(extractorOf))].sort());
  });

  for (const [name, expected] of Object.entries(EXPECTED)) {
    it(`${name}: trigger, kind, name and attributes`, () => {
      const info = detectTrigger(loadEvent(name), settings);
      assert.equal(info.source, extractorOf(name));
      assert.equal(info.trigger, expected.trigger);
      assert.equal(info.kind, expected.kind);
      assert.equal(info.spanName, expected.spanName);
      for (const [key, value] of Object.entries(expected.attributes)) {
        assert.deepEqual(info.attributes[key], value, `${name}: ${key}`);
      }
      for (const key of expected.absent ?? []) assert.equal(info.attributes[key], undefined, `${name}: ${key} must be absent`);
    });

    it(`${name}: only its extractor claims it`, () => {
      for (const extractor of TRIGGER_EXTRACTORS) {
        assert.equal(extractor.matches(loadEvent(name)), extractor.source === extractorOf(name), `${extractor.source} on ${name}`);
      }
    });
  }

  it('no attribute name outside the semantic conventions, except the lambda_otel.* ones', async () => {
    const stable = await import('@opentelemetry/semantic-conventions');
    const incubating = await import('@opentelemetry/semantic-conventions/incubating');
    const values: unknown[] = [...Object.values(stable), ...Object.values(incubating)];
    const known = new Set(values.filter((v): v is string => typeof v === 'string'));
    const headerPrefix = 'http.request.header.';
    for (const name of EVENT_NAMES) {
      const info = detectTrigger(loadEvent(name), resolveInstrumentConfig({ captureHeaders: ['content-type'] }, {}));
      for (const key of Object.keys(info.attributes)) {
        assert.ok(known.has(key) || key.startsWith('lambda_otel.') || key.startsWith(headerPrefix), `${name}: ${key} is not a 1.45 attribute`);
      }
    }
  });

  it('Amazon MQ: a trace context in an ActiveMQ message property becomes a link carrier', () => {
    const info = detectTrigger(loadEvent('activemq'), settings);
    assert.deepEqual(info.linkCarriers, [{ traceparent: '00-aaaabbbbccccddddeeeeffff00001111-aaaabbbbccccdddd-01' }]);
    assert.deepEqual(detectTrigger(loadEvent('rabbitmq'), settings).linkCarriers, []);
  });

  it('anything else is faas.trigger other, kind SERVER', () => {
    for (const event of [{}, { hello: 'world' }, null, 'text', 42, [], { Records: [] }, { Records: [{ eventSource: 'aws:unknown' }] }]) {
      const info = detectTrigger(event, settings);
      assert.equal(info.trigger, 'other');
      assert.equal(info.kind, SpanKind.SERVER);
    }
  });
});

describe('HTTP conventions', () => {
  it('REST: the route and the span name come from the event resource, even when resourcePath differs', () => {
    const event = loadEvent('api-gateway-rest-proxy');
    event.requestContext.resourcePath = '/path/{id}';
    const info = detectTrigger(event, settings);
    assert.equal(info.attributes['http.route'], '/{proxy+}');
    assert.equal(info.spanName, 'POST /{proxy+}');
  });

  it('a method outside the known set is _OTHER with http.request.method_original; the span is named HTTP', () => {
    const event = loadEvent('function-url');
    event.requestContext.http.method = 'PURGE';
    const info = detectTrigger(event, settings);
    assert.equal(info.attributes['http.request.method'], '_OTHER');
    assert.equal(info.attributes['http.request.method_original'], 'PURGE');
    assert.equal(info.spanName, 'HTTP');
  });

  it('a lower-case known method is recorded canonical, with the original', () => {
    const event = loadEvent('alb');
    event.httpMethod = 'get';
    const info = detectTrigger(event, settings);
    assert.equal(info.attributes['http.request.method'], 'GET');
    assert.equal(info.attributes['http.request.method_original'], 'get');
    assert.equal(info.spanName, 'GET');
  });

  it('server.address and server.port from a Host header with a port', () => {
    const event = loadEvent('alb');
    event.headers.host = 'internal.example.com:8443';
    const info = detectTrigger(event, settings);
    assert.equal(info.attributes['server.address'], 'internal.example.com');
    assert.equal(info.attributes['server.port'], 8443);
  });
});

describe('HTTP response attributes', () => {
  it('takes the status code from the result and flags 5xx as errors with error.type', () => {
    const info = detectTrigger(loadEvent('api-gateway-rest'), settings);
    assert.deepEqual(info.onResult!({ statusCode: 503, body: '' }), { attributes: { 'http.response.status_code': 503, 'error.type': '503' }, isError: true });
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
    const bodies = ['"sku"', 'Hello from client', 'order 1', 'order 2', 'Hello from SQS', 'eyJ0ZXN0IjoiYm9keSJ9', 'New item!'];
    for (const name of EVENT_NAMES) {
      const text = JSON.stringify(detectTrigger(loadEvent(name), settings).attributes);
      for (const body of bodies) assert.ok(!text.includes(body), `${name} recorded a body: ${text}`);
      assert.equal(text.includes('"lambda_otel.event"'), false);
    }
  });

  it('captureEvent: the event is recorded with header values, cookie values and sensitive query values REDACTED', () => {
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
    assert.deepEqual([http.headers.authorization, http.headers['content-type']], ['REDACTED', 'application/json']);
    assert.ok(
      (http.cookies as string[]).every((cookie) => cookie.endsWith('=REDACTED') || cookie === 'REDACTED'),
      JSON.stringify(http.cookies),
    );
  });

  it('captureEvent: authorizer output, caller identity (but sourceIp), client certificates and presigned-URL parameters are REDACTED', () => {
    const captured = String(captureEventAttribute(loadEvent('api-gateway-rest-authorized'), settings)['lambda_otel.event']);
    for (const secret of [
      'jane@example.com',
      'user-42',
      'ASIAZ7EXAMPLEKEY1234',
      'AIDAJQABLZS4A3QDU576Q',
      'd41d8cd98f00b204e9800998ecf8427e',
      'arn:aws:iam::123456789012:user/jane',
      'BEGIN CERTIFICATE',
      'client.example.com',
      'AKIAIOSFODNN7EXAMPLE',
      '4f1c0de5ad',
      'eyJraWQi',
      '9f8e7d6c',
    ]) {
      assert.ok(!captured.includes(secret), `captured ${secret}`);
    }
    const event = JSON.parse(captured);
    assert.equal(event.requestContext.authorizer, 'REDACTED');
    assert.deepEqual(event.requestContext.identity, { sourceIp: '203.0.113.9' });
    assert.deepEqual(event.queryStringParameters, { 'X-Amz-Signature': 'REDACTED', AWSAccessKeyId: 'REDACTED', view: 'full' });
    assert.equal(event.requestContext.resourcePath, '/accounts/{accountId}', 'the rest of the request context is kept');

    const tokenAuthorizer = {
      type: 'TOKEN',
      authorizationToken: 'Bearer allow-me',
      methodArn: 'arn:aws:execute-api:eu-west-1:123456789012:x1y2z3/prod/GET/accounts',
    };
    const authorizerEvent = JSON.parse(String(captureEventAttribute(tokenAuthorizer, settings)['lambda_otel.event']));
    assert.deepEqual(authorizerEvent, { ...tokenAuthorizer, authorizationToken: 'REDACTED' });
  });

  it('captureEvent cuts the event at 8 KiB of UTF-8, never inside a character', () => {
    const ascii = String(captureEventAttribute({ big: 'x'.repeat(20_000) }, settings)['lambda_otel.event']);
    assert.equal(Buffer.byteLength(ascii, 'utf8'), 8192);
    assert.ok(ascii.endsWith('…'));
    const multiByte = String(captureEventAttribute({ big: 'ü€😀'.repeat(3000) }, settings)['lambda_otel.event']);
    assert.ok(Buffer.byteLength(multiByte, 'utf8') <= 8192);
    assert.ok(Buffer.byteLength(multiByte, 'utf8') > 8192 - 4);
    assert.ok(!multiByte.includes('\uFFFD'), 'no broken character');
    assert.ok(multiByte.endsWith('…'));
    const small = String(captureEventAttribute({ note: 'ü'.repeat(100) }, settings)['lambda_otel.event']);
    assert.equal(small, JSON.stringify({ note: 'ü'.repeat(100) }));
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
