// The Runtime API's answers to a runtime, on the real server with the test playing the runtime
// (runtimeCommand: []): the buffered size limit at its exact bound, both error body shapes and the
// error-cause content type, how the platform classifies error types, a streamed response with error
// trailers, and a truncated body. After each, the environment keeps serving.
import { test } from 'vitest';
import assert from 'node:assert/strict';
import { request } from 'node:http';
import { connect } from 'node:net';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { LambdaEnvironment, type InvocationResult } from '../src/index.ts';

const functionDir = join(dirname(fileURLToPath(import.meta.url)), '..', 'src');
const limitBytes = 6 * 1024 * 1024 + 100;

interface Answer {
  status: number;
  body: any;
}

async function call(base: string, method: string, path: string, headers: Record<string, string> = {}, body?: string | Buffer): Promise<Answer> {
  const res = await fetch(`${base}${path}`, { method, headers, body });
  const text = await res.text();
  try {
    return { status: res.status, body: JSON.parse(text) };
  } catch {
    return { status: res.status, body: text };
  }
}

/** Plays the runtime: holds a /next open, answers each invocation, then asks for the next again. */
async function callerRuntime() {
  const env = new LambdaEnvironment({ functionDir, handler: 'index.handler', runtimeCommand: [], timeoutSec: 5 });
  const base = `http://${await env.runtimeApi()}`;
  const initDone = env.init();
  let next = fetch(`${base}/2018-06-01/runtime/invocation/next`);
  assert.equal((await initDone).ok, true);
  return {
    env,
    base,
    async invoke(answer: (requestId: string) => Promise<void>): Promise<InvocationResult> {
      const invoked = env.invoke({ n: 1 });
      const event = await next;
      await event.arrayBuffer();
      await answer(event.headers.get('lambda-runtime-aws-request-id')!);
      next = fetch(`${base}/2018-06-01/runtime/invocation/next`);
      return invoked;
    },
    async close() {
      next.catch(() => undefined);
      await env.shutdown();
    },
  };
}

function platformRecord(env: LambdaEnvironment, type: string, requestId: string): any {
  return env.events.find((event) => event.type === type && (event.record as { requestId?: string }).requestId === requestId)?.record;
}

test('a buffered response of exactly 6 MiB + 100 B is accepted; one byte more is 413 and Function.ResponseSizeTooLarge', async () => {
  const runtime = await callerRuntime();
  try {
    const atLimit = await runtime.invoke(async (id) => {
      const ack = await call(runtime.base, 'POST', `/2018-06-01/runtime/invocation/${id}/response`, {}, Buffer.alloc(limitBytes, 'a'));
      assert.deepEqual([ack.status, ack.body], [202, { status: 'OK' }]);
    });
    assert.equal(atLimit.status, 'success');
    assert.equal((atLimit.response as string).length, limitBytes);

    let requestId = '';
    const over = await runtime.invoke(async (id) => {
      requestId = id;
      const refused = await call(runtime.base, 'POST', `/2018-06-01/runtime/invocation/${id}/response`, {}, Buffer.alloc(limitBytes + 1, 'a'));
      assert.equal(refused.status, 413);
      assert.equal(refused.body.errorType, 'RequestEntityTooLarge');
      // The runtime may still report an error for it; the platform's verdict stands.
      const late = await call(
        runtime.base,
        'POST',
        `/2018-06-01/runtime/invocation/${id}/error`,
        {},
        JSON.stringify({ errorType: 'Error', errorMessage: 'x' }),
      );
      assert.equal(late.status, 202);
    });
    assert.deepEqual([over.status, over.errorType], ['error', 'Function.ResponseSizeTooLarge']);
    assert.equal(platformRecord(runtime.env, 'platform.runtimeDone', requestId).errorType, 'Function.ResponseSizeTooLarge');

    const after = await runtime.invoke(async (id) => {
      await call(runtime.base, 'POST', `/2018-06-01/runtime/invocation/${id}/response`, {}, '{"ok":true}');
    });
    assert.deepEqual(after.response, { ok: true });
  } finally {
    await runtime.close();
  }
});

test('error reports: both body shapes, the error-cause content type, and the platform classification of the type header', async () => {
  const runtime = await callerRuntime();
  try {
    const ids: string[] = [];
    const post = (headers: Record<string, string>, body: unknown) => (id: string) => {
      ids.push(id);
      return call(runtime.base, 'POST', `/2018-06-01/runtime/invocation/${id}/error`, headers, JSON.stringify(body)).then((ack) => {
        assert.deepEqual([ack.status, ack.body], [202, { status: 'OK' }]);
      });
    };
    // The Node runtime client's shape: `trace`, and no type header.
    const nodeShape = await runtime.invoke(post({}, { errorType: 'TypeError', errorMessage: 'bad', trace: ['TypeError: bad', '    at x'] }));
    // The documented shape: `stackTrace`, with a valid Function.* header.
    const documented = await runtime.invoke(
      post({ 'Lambda-Runtime-Function-Error-Type': 'Function.Failed' }, { errorType: 'Function.Failed', errorMessage: 'failed', stackTrace: ['at y'] }),
    );
    // A Function.* header that is not well formed.
    const malformed = await runtime.invoke(post({ 'Lambda-Runtime-Function-Error-Type': 'Function.not-valid' }, { errorType: 'Oops', errorMessage: 'oops' }));
    // The error-cause content type: errorCause is for X-Ray, not for the caller.
    const caused = await runtime.invoke(
      post(
        { 'Content-Type': 'application/vnd.aws.lambda.error.cause+json', 'Lambda-Runtime-Function-Error-Type': 'Runtime.Caused' },
        { errorMessage: 'caused', errorType: 'Runtime.Caused', stackTrace: [], errorCause: { working_directory: '/var/task', exceptions: [], paths: [] } },
      ),
    );

    // The caller sees the function's own error; the platform records carry the classified type.
    assert.deepEqual([nodeShape.status, nodeShape.errorType, nodeShape.errorMessage], ['error', 'TypeError', 'bad']);
    assert.deepEqual(nodeShape.response, { errorType: 'TypeError', errorMessage: 'bad', trace: ['TypeError: bad', '    at x'] });
    assert.deepEqual([documented.errorType, (documented.response as { stackTrace: string[] }).stackTrace], ['Function.Failed', ['at y']]);
    assert.equal(malformed.errorType, 'Oops');
    assert.deepEqual(caused.response, { errorMessage: 'caused', errorType: 'Runtime.Caused', stackTrace: [] });
    const recorded = ids.map((id) => [
      platformRecord(runtime.env, 'platform.runtimeDone', id).errorType,
      platformRecord(runtime.env, 'platform.report', id).errorType,
    ]);
    assert.deepEqual(recorded, [
      ['Runtime.Unknown', 'Runtime.Unknown'],
      ['Function.Failed', 'Function.Failed'],
      ['Function.Unknown', 'Function.Unknown'],
      ['Runtime.Caused', 'Runtime.Caused'],
    ]);
  } finally {
    await runtime.close();
  }
});

test('a streamed response: chunked, octet-stream by default, a mid-stream error in base64 trailers', async () => {
  const runtime = await callerRuntime();
  try {
    const { port } = new URL(runtime.base);
    let requestId = '';
    const streamed = await runtime.invoke(
      (id) =>
        new Promise<void>((done, failed) => {
          requestId = id;
          const req = request(
            {
              host: '127.0.0.1',
              port,
              method: 'POST',
              path: `/2018-06-01/runtime/invocation/${id}/response`,
              headers: {
                'Lambda-Runtime-Function-Response-Mode': 'streaming',
                'Transfer-Encoding': 'chunked',
                Trailer: 'Lambda-Runtime-Function-Error-Type, Lambda-Runtime-Function-Error-Body',
              },
            },
            (res) => {
              res.resume();
              res.on('end', () => {
                assert.equal(res.statusCode, 202);
                done();
              });
            },
          );
          req.on('error', failed);
          req.write('part one, ');
          req.write('part two');
          const errorBody = { errorType: 'Function.StreamBroke', errorMessage: 'the stream broke', trace: ['at z'] };
          req.addTrailers({
            'Lambda-Runtime-Function-Error-Type': 'Function.StreamBroke',
            'Lambda-Runtime-Function-Error-Body': Buffer.from(JSON.stringify(errorBody)).toString('base64'),
          });
          req.end();
        }),
    );
    assert.deepEqual([streamed.status, streamed.errorType, streamed.errorMessage], ['error', 'Function.StreamBroke', 'the stream broke']);
    assert.equal(streamed.response, 'part one, part two', 'the bytes sent before the error are kept');
    assert.equal(streamed.streamed?.encoding, 'utf8', 'valid UTF-8 is text, whatever the content type');
    assert.equal(streamed.streamed?.contentType, 'application/octet-stream');
    const done = platformRecord(runtime.env, 'platform.runtimeDone', requestId);
    assert.deepEqual([done.status, done.errorType, done.metrics.producedBytes], ['error', 'Function.StreamBroke', 'part one, part two'.length]);
  } finally {
    await runtime.close();
  }
});

test('a truncated response body is 400 TruncatedHTTPRequest and answers nothing: the runtime can still respond', async () => {
  const runtime = await callerRuntime();
  try {
    const { port } = new URL(runtime.base);
    const result = await runtime.invoke(async (id) => {
      const answer = await new Promise<string>((resolveAnswer) => {
        const socket = connect(Number(port), '127.0.0.1', () => {
          socket.write(`POST /2018-06-01/runtime/invocation/${id}/response HTTP/1.1\r\nHost: x\r\nContent-Length: 100\r\n\r\n0123456789`);
          // The body ends 90 bytes short.
          socket.end();
        });
        let text = '';
        socket.setEncoding('utf8');
        socket.on('data', (chunk: string) => (text += chunk));
        socket.on('close', () => resolveAnswer(text));
      });
      assert.match(answer, /^HTTP\/1\.1 400 /);
      assert.match(answer, /"errorType":"TruncatedHTTPRequest"/);
      const ack = await call(runtime.base, 'POST', `/2018-06-01/runtime/invocation/${id}/response`, {}, '"whole"');
      assert.equal(ack.status, 202);
    });
    assert.deepEqual([result.status, result.response], ['success', 'whole']);
  } finally {
    await runtime.close();
  }
});
