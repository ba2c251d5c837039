// The Runtime, Extensions and Telemetry APIs on a real HTTP server with no sandbox processes: the test
// plays the runtime (runtimeCommand: []) and an internal extension. Every bad call gets the documented
// status and error body, and the server keeps serving.
import { test } from 'vitest';
import assert from 'node:assert/strict';
import { createServer, type IncomingMessage } from 'node:http';
import type { AddressInfo } from 'node:net';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { LambdaEnvironment } from '../src/index.ts';

const functionDir = join(dirname(fileURLToPath(import.meta.url)), '..', 'src');

interface Answer {
  status: number;
  headers: Headers;
  body: any;
}

async function call(base: string, method: string, path: string, headers: Record<string, string> = {}, body?: string): Promise<Answer> {
  const res = await fetch(`${base}${path}`, { method, headers, body });
  const text = await res.text();
  let parsed: unknown = text;
  try {
    parsed = JSON.parse(text);
  } catch {
    // text body
  }
  return { status: res.status, headers: res.headers, body: parsed };
}

function expectError(answer: Answer, status: number, errorType: string): void {
  assert.equal(answer.status, status, JSON.stringify(answer.body));
  assert.equal(answer.body.errorType, errorType);
  assert.equal(typeof answer.body.errorMessage, 'string');
}

/** A telemetry destination that records every batch. */
async function telemetrySink(failFirst = 0) {
  const batches: { type: string; record: any }[][] = [];
  let failures = failFirst;
  const server = createServer((req: IncomingMessage, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      if (failures > 0) {
        failures -= 1;
        res.writeHead(500).end();
        return;
      }
      batches.push(JSON.parse(Buffer.concat(chunks).toString('utf8')));
      res.writeHead(200).end();
    });
  });
  await new Promise<void>((ready) => server.listen(0, '127.0.0.1', ready));
  return { batches, port: (server.address() as AddressInfo).port, close: () => server.close() };
}

test('every API answers bad input with its documented error and keeps serving', async () => {
  const env = new LambdaEnvironment({ functionDir, handler: 'index.handler', runtimeCommand: [], timeoutSec: 5 });
  const base = `http://${await env.runtimeApi()}`;
  const sink = await telemetrySink(1);
  try {
    // No environment yet: runtime calls are out of state, extension calls unknown.
    expectError(await call(base, 'GET', '/2018-06-01/runtime/invocation/next'), 403, 'InvalidStateTransition');
    expectError(
      await call(base, 'GET', '/2020-01-01/extension/event/next', { 'Lambda-Extension-Identifier': crypto.randomUUID() }),
      403,
      'Extension.UnknownExtensionIdentifier',
    );
    expectError(await call(base, 'GET', '/2018-06-01/nowhere'), 404, 'NotFound');
    expectError(await call(base, 'DELETE', '/2018-06-01/runtime/invocation/next'), 405, 'MethodNotAllowed');

    const initDone = env.init();
    // An internal extension registers during init (its name is no file in a layer's extensions/).
    const registered = await call(base, 'POST', '/2020-01-01/extension/register', { 'Lambda-Extension-Name': 'inside' }, '{"events":["INVOKE"]}');
    assert.equal(registered.status, 200);
    assert.deepEqual(registered.body, { functionName: 'src', functionVersion: '$LATEST', handler: 'index.handler' });
    const id = registered.headers.get('lambda-extension-identifier')!;
    const withId = { 'Lambda-Extension-Identifier': id };
    assert.equal(env.registrations[0]?.kind, 'internal');
    expectError(
      await call(base, 'POST', '/2020-01-01/extension/register', { 'Lambda-Extension-Name': 'inside-2' }, '{"events":["SHUTDOWN"]}'),
      403,
      'Extension.InvalidEventType',
    );
    expectError(await call(base, 'POST', '/2020-01-01/extension/register', {}, '{"events":[]}'), 403, 'Extension.InvalidExtensionName');
    expectError(await call(base, 'POST', '/2020-01-01/extension/register', { 'Lambda-Extension-Name': 'x' }, '[1'), 403, 'InvalidRequestFormat');
    expectError(await call(base, 'POST', '/2020-01-01/extension/init/error', withId, '{}'), 403, 'Extension.MissingHeader');
    expectError(
      await call(
        base,
        'POST',
        '/2020-01-01/extension/exit/error',
        { 'Lambda-Extension-Identifier': 'nope', 'Lambda-Extension-Function-Error-Type': 'Extension.X' },
        '{}',
      ),
      403,
      'Extension.InvalidExtensionIdentifier',
    );
    const exitErrorAck = await call(
      base,
      'POST',
      '/2020-01-01/extension/exit/error',
      { ...withId, 'Lambda-Extension-Function-Error-Type': 'Extension.Noted' },
      '{"errorMessage":"noted"}',
    );
    assert.deepEqual([exitErrorAck.status, exitErrorAck.body], [202, { status: 'OK' }]);

    // At most 10 extensions: nine more (not subscribed to any event) fill the sandbox, the eleventh is refused.
    const fillers: Promise<Answer>[] = [];
    for (let index = 1; index <= 9; index += 1) {
      const filler = await call(base, 'POST', '/2020-01-01/extension/register', { 'Lambda-Extension-Name': `filler-${index}` }, '{"events":[]}');
      assert.equal(filler.status, 200);
      // Each waits on /event/next, as init requires; none gets an event before the server closes.
      fillers.push(
        call(base, 'GET', '/2020-01-01/extension/event/next', { 'Lambda-Extension-Identifier': filler.headers.get('lambda-extension-identifier')! }),
      );
    }
    for (const filler of fillers) filler.catch(() => undefined);
    expectError(
      await call(base, 'POST', '/2020-01-01/extension/register', { 'Lambda-Extension-Name': 'eleventh' }, '{"events":[]}'),
      403,
      'Extension.TooManyExtensions',
    );

    // Telemetry: bad bodies are 400 ValidationError; a good one is 200 "OK".
    const subscribe = (body: unknown) => call(base, 'PUT', '/2022-07-01/telemetry', { ...withId, 'Content-Type': 'application/json' }, JSON.stringify(body));
    const destination = { protocol: 'HTTP', URI: `http://sandbox.localdomain:${sink.port}/in` };
    expectError(await subscribe({ schemaVersion: '2019-01-01', types: ['platform'], destination }), 400, 'ValidationError');
    expectError(await subscribe({ schemaVersion: '2022-12-13', types: ['logs'], destination }), 400, 'ValidationError');
    expectError(await subscribe({ schemaVersion: '2022-12-13', types: ['platform'], buffering: { timeoutMs: 10 }, destination }), 400, 'ValidationError');
    expectError(await subscribe({ schemaVersion: '2022-12-13', types: ['platform'], buffering: { maxBytes: 2_000_000 }, destination }), 400, 'ValidationError');
    expectError(
      await subscribe({ schemaVersion: '2022-12-13', types: ['platform'], destination: { protocol: 'HTTPS', URI: 'https://x' } }),
      400,
      'ValidationError',
    );
    expectError(await call(base, 'PUT', '/2022-07-01/telemetry', {}, '{}'), 403, 'Extension.MissingExtensionIdentifier');
    const ok = await subscribe({ schemaVersion: '2022-12-13', types: ['platform', 'function'], buffering: { timeoutMs: 25 }, destination });
    assert.deepEqual([ok.status, ok.body], [200, 'OK']);

    // The extension and the runtime wait; init completes.
    const extensionNext = call(base, 'GET', '/2020-01-01/extension/event/next', withId);
    let runtimeNext = call(base, 'GET', '/2018-06-01/runtime/invocation/next');
    assert.equal((await initDone).ok, true);
    expectError(await call(base, 'GET', '/2018-06-01/runtime/invocation/next'), 403, 'InvalidStateTransition');
    expectError(
      await call(base, 'POST', '/2018-06-01/runtime/init/error', { 'Lambda-Runtime-Function-Error-Type': 'Runtime.X' }, '{}'),
      403,
      'InvalidStateTransition',
    );
    expectError(await subscribe({ schemaVersion: '2022-12-13', types: ['platform'], destination }), 403, 'Telemetry.SubscriptionClosed');
    expectError(await call(base, 'POST', '/2020-01-01/extension/register', { 'Lambda-Extension-Name': 'late' }, '{}'), 403, 'Extension.RegistrationClosed');

    // Invoke 1: headers; an error with a malformed body; a second answer is out of state.
    const trace = 'Root=1-5759e988-bd862e3fe1be46a994272793;Parent=53995c3f42cd8ad8;Sampled=1';
    const cognitoIdentity = { cognitoIdentityId: 'us-east-1:id', cognitoIdentityPoolId: 'us-east-1:pool' };
    let invoked = env.invoke({ hello: 1 }, { traceHeader: trace, clientContext: { custom: { a: 1 } }, cognitoIdentity, tenantId: 't-1' });
    let event = await runtimeNext;
    const requestId = event.headers.get('lambda-runtime-aws-request-id')!;
    assert.deepEqual(event.body, { hello: 1 });
    assert.equal(event.headers.get('lambda-runtime-trace-id'), trace);
    assert.equal(event.headers.get('lambda-runtime-invoked-function-arn'), 'arn:aws:lambda:us-east-1:000000000000:function:src');
    assert.equal(event.headers.get('lambda-runtime-client-context'), '{"custom":{"a":1}}');
    assert.equal(event.headers.get('lambda-runtime-aws-tenant-id'), 't-1');
    assert.deepEqual(JSON.parse(event.headers.get('lambda-runtime-cognito-identity')!), cognitoIdentity);
    assert.equal(event.headers.get('content-type'), 'application/json');
    assert.ok(Number(event.headers.get('lambda-runtime-deadline-ms')) > Date.now());
    const invokeEvent = (await extensionNext).body;
    assert.deepEqual(invokeEvent, {
      eventType: 'INVOKE',
      deadlineMs: Number(event.headers.get('lambda-runtime-deadline-ms')),
      requestId,
      invokedFunctionArn: 'arn:aws:lambda:us-east-1:000000000000:function:src',
      tracing: { type: 'X-Amzn-Trace-Id', value: trace },
    });

    expectError(await call(base, 'GET', '/2018-06-01/runtime/invocation/next'), 403, 'InvalidStateTransition');
    expectError(await call(base, 'POST', `/2018-06-01/runtime/invocation/${crypto.randomUUID()}/response`, {}, '{}'), 400, 'InvalidRequestID');
    const errorAck = await call(
      base,
      'POST',
      `/2018-06-01/runtime/invocation/${requestId}/error`,
      { 'Lambda-Runtime-Function-Error-Type': 'Runtime.Custom' },
      'not json{',
    );
    assert.deepEqual([errorAck.status, errorAck.body], [202, { status: 'OK' }]);
    expectError(await call(base, 'POST', `/2018-06-01/runtime/invocation/${requestId}/response`, {}, '{}'), 403, 'InvalidStateTransition');
    runtimeNext = call(base, 'GET', '/2018-06-01/runtime/invocation/next');
    let extensionWaits = call(base, 'GET', '/2020-01-01/extension/event/next', withId);
    let result = await invoked;
    assert.deepEqual([result.status, result.errorType, result.errorMessage], ['error', 'Runtime.Custom', 'not json{']);
    expectError(await call(base, 'POST', `/2018-06-01/runtime/invocation/${requestId}/response`, {}, '{}'), 403, 'InvalidStateTransition');

    // Invoke 2: an unknown response mode is 400 and fails the invoke.
    invoked = env.invoke('text event', { traceHeader: null });
    event = await runtimeNext;
    assert.equal(event.headers.get('lambda-runtime-trace-id'), null, 'no trace header when the caller passes null');
    assert.equal(event.body, 'text event');
    const untraced = (await extensionWaits).body;
    assert.equal(untraced.eventType, 'INVOKE');
    assert.equal('tracing' in untraced, false, 'no tracing in the INVOKE event without a trace');
    const modeId = event.headers.get('lambda-runtime-aws-request-id')!;
    expectError(
      await call(base, 'POST', `/2018-06-01/runtime/invocation/${modeId}/response`, { 'Lambda-Runtime-Function-Response-Mode': 'bogus' }, 'x'),
      400,
      'InvalidFunctionResponseMode',
    );
    runtimeNext = call(base, 'GET', '/2018-06-01/runtime/invocation/next');
    extensionWaits = call(base, 'GET', '/2020-01-01/extension/event/next', withId);
    result = await invoked;
    assert.deepEqual([result.status, result.errorType], ['error', 'Runtime.InvalidResponseModeHeader']);

    // Invoke 3: the error-cause body shape; invoke 4: a text response.
    invoked = env.invoke({});
    event = await runtimeNext;
    await extensionWaits;
    const causeId = event.headers.get('lambda-runtime-aws-request-id')!;
    await call(
      base,
      'POST',
      `/2018-06-01/runtime/invocation/${causeId}/error`,
      { 'Content-Type': 'application/vnd.aws.lambda.error.cause+json' },
      JSON.stringify({ errorMessage: 'caused', errorType: 'Function.Bad', stackTrace: [], errorCause: { paths: [] } }),
    );
    runtimeNext = call(base, 'GET', '/2018-06-01/runtime/invocation/next');
    extensionWaits = call(base, 'GET', '/2020-01-01/extension/event/next', withId);
    result = await invoked;
    assert.deepEqual([result.status, result.errorType, result.errorMessage], ['error', 'Function.Bad', 'caused']);

    invoked = env.invoke({});
    event = await runtimeNext;
    await extensionWaits;
    const responseAck = await call(
      base,
      'POST',
      `/2018-06-01/runtime/invocation/${event.headers.get('lambda-runtime-aws-request-id')}/response`,
      {},
      'plain text',
    );
    assert.deepEqual([responseAck.status, responseAck.body], [202, { status: 'OK' }]);
    runtimeNext = call(base, 'GET', '/2018-06-01/runtime/invocation/next');
    extensionWaits = call(base, 'GET', '/2020-01-01/extension/event/next', withId);
    result = await invoked;
    assert.deepEqual([result.status, result.response], ['success', 'plain text']);
    // The test's own pending /next calls end with the server.
    runtimeNext.catch(() => undefined);
    extensionWaits.catch(() => undefined);
    // Telemetry reaches the destination through sandbox.localdomain, after one failed POST was retried.
    const reports = () => sink.batches.flat().filter((item) => item.type === 'platform.report').length;
    for (let waitedMs = 0; reports() < 4 && waitedMs < 5000; waitedMs += 25) await new Promise((wake) => setTimeout(wake, 25));
  } finally {
    const down = await env.shutdown();
    assert.equal(down.reason, 'spindown');
    sink.close();
  }
  const delivered = sink.batches.flat().map((item) => item.type);
  for (const type of [
    'platform.initStart',
    'platform.extension',
    'platform.telemetrySubscription',
    'platform.start',
    'platform.runtimeDone',
    'platform.report',
  ]) {
    assert.ok(delivered.includes(type), type);
  }
  assert.equal(delivered.filter((type) => type === 'platform.report').length, 4);
});
