// `lambda-emulator serve` speaks Lambda's Invoke API: AWS's own SDK client (@aws-sdk/client-lambda)
// pointed at it invokes the function buffered and streamed, success and failure, with Tail logs,
// asynchronously (Event) and as a dry run; unknown names and oversized payloads get the API's errors.
import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, test } from 'vitest';
import {
  InvokeCommand,
  InvokeWithResponseStreamCommand,
  LambdaClient,
  ResourceNotFoundException,
  type InvokeWithResponseStreamResponseEvent,
} from '@aws-sdk/client-lambda';
import { fixturesDir, node24, repoRoot } from '../support/paths.ts';

const cli = join(repoRoot, 'packages', 'emulator', 'src', 'cli.ts');
const functionDir = join(fixturesDir, 'emulator', 'invoke-api');

interface Served {
  process: ChildProcess;
  url: string;
  client: LambdaClient;
  output: () => string;
}

async function serve(handler: string, extra: string[] = []): Promise<Served> {
  const child = spawn(node24, [cli, 'serve', '--function', functionDir, '--handler', handler, '--port', '0', ...extra], { cwd: repoRoot });
  let output = '';
  child.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()));
  child.stderr.on('data', (chunk: Buffer) => (output += chunk.toString()));
  const url = await new Promise<string>((resolveUrl, reject) => {
    const timer = setTimeout(() => reject(new Error(`serve did not start:\n${output}`)), 30_000);
    const check = () => {
      const found = /listening on (http:\/\/127\.0\.0\.1:\d+)/.exec(output);
      if (found) {
        clearTimeout(timer);
        resolveUrl(found[1]!);
      }
    };
    child.stdout.on('data', check);
    child.once('exit', (code) => reject(new Error(`serve exited ${code}:\n${output}`)));
  });
  // Any credentials: the emulator does not check signatures.
  const client = new LambdaClient({ endpoint: url, region: 'us-east-1', credentials: { accessKeyId: 'AKIDEXAMPLE', secretAccessKey: 'secret' } });
  return { process: child, url, client, output: () => output };
}

async function stop(served: Served | undefined): Promise<number | null> {
  if (!served) return null;
  served.client.destroy();
  const exited = new Promise<number | null>((resolveExit) => served.process.once('exit', (code) => resolveExit(code)));
  served.process.kill('SIGTERM');
  return exited;
}

const json = (payload: Uint8Array | undefined) => JSON.parse(Buffer.from(payload ?? []).toString('utf8'));
const text = (payload: Uint8Array | undefined) => Buffer.from(payload ?? []).toString('utf8');

async function collect(stream: AsyncIterable<InvokeWithResponseStreamResponseEvent> | undefined) {
  const chunks: { bytes: Buffer; atMs: number }[] = [];
  let complete: { ErrorCode?: string; ErrorDetails?: string; LogResult?: string; atMs: number } | undefined;
  for await (const event of stream ?? []) {
    if (event.PayloadChunk) chunks.push({ bytes: Buffer.from(event.PayloadChunk.Payload ?? []), atMs: Date.now() });
    if (event.InvokeComplete) complete = { ...event.InvokeComplete, atMs: Date.now() };
  }
  return { chunks, complete };
}

describe('a buffered handler behind the Invoke API', () => {
  let served: Served | undefined;
  beforeAll(async () => {
    served = await serve('buffered.handler');
  });
  afterAll(async () => {
    assert.equal(await stop(served), 0, 'SIGTERM shuts the environment down and serve exits 0');
    assert.match(served!.output(), /shutdown \(spindown\)/);
  });

  test('InvokeCommand: the payload back, $LATEST, the client context, and Tail logs from START to REPORT', async () => {
    const clientContext = Buffer.from(JSON.stringify({ custom: { tenant: 'a' } })).toString('base64');
    const out = await served!.client.send(
      new InvokeCommand({ FunctionName: 'invoke-api', Payload: JSON.stringify({ hello: 'sdk' }), LogType: 'Tail', ClientContext: clientContext }),
    );
    assert.equal(out.StatusCode, 200);
    assert.equal(out.FunctionError, undefined);
    assert.equal(out.ExecutedVersion, '$LATEST');
    const body = json(out.Payload);
    assert.deepEqual(body.echo, { hello: 'sdk' });
    assert.deepEqual(body.clientContext?.custom, { tenant: 'a' });
    const log = Buffer.from(out.LogResult ?? '', 'base64').toString('utf8');
    const lines = log.trimEnd().split('\n');
    assert.equal(lines[0], `START RequestId: ${body.requestId} Version: $LATEST`);
    assert.ok(
      lines.some((line) => line.includes(body.requestId) && line.endsWith('got event {"hello":"sdk"}')),
      log,
    );
    assert.equal(lines.at(-2), `END RequestId: ${body.requestId}`);
    assert.match(
      lines.at(-1)!,
      new RegExp(`^REPORT RequestId: ${body.requestId}\\tDuration: [\\d.]+ ms\\tBilled Duration: \\d+ ms\\tMemory Size: 128 MB\\tMax Memory Used: \\d+ MB`),
    );
    // The terminal shows the invocation live: its lines, its result and its waterfall (platform timings: no layer here).
    const deadline = Date.now() + 5000;
    while (!served!.output().includes(`== ${body.requestId} success`) && Date.now() < deadline) await new Promise((wake) => setTimeout(wake, 50));
    assert.match(served!.output(), new RegExp(`^\\[platform\\] START RequestId: ${body.requestId}`, 'm'));
    assert.match(served!.output(), new RegExp(`^== ${body.requestId} success [\\d.]+ms {2}platform timings only`, 'm'));
  });

  test('the RIE name `function` and the ARN reach the same function; an unknown name is ResourceNotFoundException', async () => {
    for (const name of ['function', 'arn:aws:lambda:us-east-1:000000000000:function:invoke-api', 'invoke-api:$LATEST']) {
      const out = await served!.client.send(new InvokeCommand({ FunctionName: name, Payload: '{"n":1}' }));
      assert.equal(out.StatusCode, 200, name);
      assert.deepEqual(json(out.Payload).echo, { n: 1 });
    }
    await assert.rejects(served!.client.send(new InvokeCommand({ FunctionName: 'no-such-function', Payload: '{}' })), (error: unknown) => {
      assert.ok(error instanceof ResourceNotFoundException, String(error));
      assert.equal(error.$metadata.httpStatusCode, 404);
      assert.match(error.message, /Function not found: arn:aws:lambda:us-east-1:000000000000:function:no-such-function/);
      return true;
    });
  });

  test('a function error: 200, X-Amz-Function-Error Unhandled and the error payload', async () => {
    const out = await served!.client.send(new InvokeCommand({ FunctionName: 'invoke-api', Payload: JSON.stringify({ fail: 'please' }), LogType: 'Tail' }));
    assert.equal(out.StatusCode, 200);
    assert.equal(out.FunctionError, 'Unhandled');
    const error = json(out.Payload);
    assert.equal(error.errorType, 'TypeError');
    assert.equal(error.errorMessage, 'failing on purpose: please');
    assert.ok(Array.isArray(error.trace));
    assert.match(Buffer.from(out.LogResult ?? '', 'base64').toString('utf8'), /ERROR\tInvoke Error/);
  });

  test('Event: 202 at once, then the invocations run in order; DryRun: 204 and nothing runs', async () => {
    const marks = ['async-1', 'async-2'];
    const started = Date.now();
    for (const mark of marks) {
      const out = await served!.client.send(
        new InvokeCommand({ FunctionName: 'invoke-api', InvocationType: 'Event', Payload: JSON.stringify({ mark, sleepMs: 300 }) }),
      );
      assert.equal(out.StatusCode, 202);
    }
    assert.ok(Date.now() - started < 300, 'the caller does not wait for the function');
    const dry = await served!.client.send(new InvokeCommand({ FunctionName: 'invoke-api', InvocationType: 'DryRun', Payload: '{"mark":"dry"}' }));
    assert.equal(dry.StatusCode, 204);
    const deadline = Date.now() + 10_000;
    while (!served!.output().includes('got event {"mark":"async-2"') && Date.now() < deadline) await new Promise((wake) => setTimeout(wake, 50));
    const output = served!.output();
    const first = output.indexOf('got event {"mark":"async-1"');
    const second = output.indexOf('got event {"mark":"async-2"');
    assert.ok(first >= 0 && second > first, `both ran, in order:\n${output}`);
    assert.ok(!output.includes('"mark":"dry"'), 'a dry run does not invoke');
  });

  test('InvokeWithResponseStream on a buffered handler: the whole response in one chunk, then InvokeComplete', async () => {
    const out = await served!.client.send(new InvokeWithResponseStreamCommand({ FunctionName: 'invoke-api', Payload: '{"whole":true}', LogType: 'Tail' }));
    assert.equal(out.StatusCode, 200);
    assert.equal(out.ExecutedVersion, '$LATEST');
    const { chunks, complete } = await collect(out.EventStream);
    assert.equal(chunks.length, 1);
    assert.deepEqual(json(chunks[0]!.bytes).echo, { whole: true });
    assert.ok(complete);
    assert.equal(complete.ErrorCode, undefined);
    assert.match(Buffer.from(complete.LogResult ?? '', 'base64').toString('utf8'), /^START RequestId: .*REPORT RequestId: /s);
  });

  test('a payload past 6 MB is RequestEntityTooLargeException (413)', async () => {
    const big = JSON.stringify({ data: 'x'.repeat(6 * 1024 * 1024) });
    await assert.rejects(
      served!.client.send(new InvokeCommand({ FunctionName: 'invoke-api', Payload: big })),
      (error: Error & { $metadata?: { httpStatusCode?: number } }) => {
        assert.equal(error.name, 'RequestEntityTooLargeException');
        assert.equal(error.$metadata?.httpStatusCode, 413);
        return true;
      },
    );
  });
});

describe('a streaming handler behind InvokeWithResponseStream', () => {
  let served: Served | undefined;
  beforeAll(async () => {
    served = await serve('streaming.handler');
  });
  afterAll(async () => {
    await stop(served);
  });

  test('PayloadChunk events arrive as the handler writes them, then InvokeComplete', async () => {
    const out = await served!.client.send(new InvokeWithResponseStreamCommand({ FunctionName: 'invoke-api', Payload: JSON.stringify({ pauseMs: 300 }) }));
    const { chunks, complete } = await collect(out.EventStream);
    assert.equal(Buffer.concat(chunks.map((chunk) => chunk.bytes)).toString('utf8'), 'piece-1;piece-2;piece-3');
    assert.ok(chunks.length >= 3, `one chunk per write (${chunks.length})`);
    assert.ok(complete && complete.ErrorCode === undefined);
    // Two 300 ms pauses in the handler: the first piece reached the client well before the end.
    assert.ok(complete.atMs - chunks[0]!.atMs >= 450, `the first chunk came ${complete.atMs - chunks[0]!.atMs} ms before the end`);
  });

  test('a mid-stream error: what was streamed, then InvokeComplete with ErrorCode and ErrorDetails', async () => {
    const out = await served!.client.send(
      new InvokeWithResponseStreamCommand({ FunctionName: 'invoke-api', Payload: '{"mode":"error","pauseMs":20}', LogType: 'Tail' }),
    );
    const { chunks, complete } = await collect(out.EventStream);
    assert.equal(Buffer.concat(chunks.map((chunk) => chunk.bytes)).toString('utf8'), 'piece-1;');
    assert.equal(complete?.ErrorCode, 'RangeError');
    assert.equal(complete?.ErrorDetails, 'mid-stream failure');
    assert.match(Buffer.from(complete?.LogResult ?? '', 'base64').toString('utf8'), /streaming error/);
  });

  test('a binary stream arrives byte for byte; InvokeCommand on a streaming function gets the whole body', async () => {
    const out = await served!.client.send(new InvokeWithResponseStreamCommand({ FunctionName: 'function', Payload: '{"mode":"binary"}' }));
    const { chunks } = await collect(out.EventStream);
    assert.deepEqual(
      [...Buffer.concat(chunks.map((chunk) => chunk.bytes))],
      Array.from({ length: 256 }, (_, byte) => byte),
    );
    const buffered = await served!.client.send(new InvokeCommand({ FunctionName: 'function', Payload: '{"pauseMs":1}' }));
    assert.equal(text(buffered.Payload), 'piece-1;piece-2;piece-3');
  });
});

describe('a slow INVOKE extension behind the Invoke API', () => {
  let served: Served | undefined;
  beforeAll(async () => {
    const extLayer = join(fixturesDir, 'emulator', 'ext-layer');
    served = await serve('buffered.handler', ['--layer', extLayer, '--env', 'TEST_EXT_EVENTS=INVOKE,SHUTDOWN', '--env', 'TEST_EXT_INVOKE_DELAY_MS=1500']);
  });
  afterAll(async () => {
    await stop(served);
  });

  test('the caller gets the response when the runtime answers, not after the extension post-invoke work', async () => {
    await served!.client.send(new InvokeCommand({ FunctionName: 'invoke-api', Payload: '{"warm":true}' }));
    // The environment is busy until the extension is done (the next invoke would queue): let it finish.
    await new Promise((wake) => setTimeout(wake, 1800));
    const startedMs = Date.now();
    const out = await served!.client.send(new InvokeCommand({ FunctionName: 'invoke-api', Payload: '{"fast":true}' }));
    const tookMs = Date.now() - startedMs;
    assert.deepEqual(json(out.Payload).echo, { fast: true });
    assert.ok(tookMs < 1000, `answered in ${tookMs} ms while the extension works for 1500 ms`);
    // With Tail the answer waits for the REPORT line, which comes after the extension is done.
    const tailStartedMs = Date.now();
    const tailed = await served!.client.send(new InvokeCommand({ FunctionName: 'invoke-api', Payload: '{"tail":true}', LogType: 'Tail' }));
    assert.ok(Date.now() - tailStartedMs >= 1000, 'Tail waits for the invocation to end');
    assert.match(Buffer.from(tailed.LogResult ?? '', 'base64').toString('utf8'), /REPORT RequestId: /);
  });
});
