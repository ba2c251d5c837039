// Lambda's behaviour where the emulator used to differ: timeouts under Managed Instances and after the
// response, the platform records' runtimeOverhead span, runtimeVersion and initialization type,
// NODE_PATH, a handler without a dot, and the 6 MB event limit. AWS's runtime client runs the fixtures.
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { createRequire } from 'node:module';
import { onTestFinished, test } from 'vitest';
import { ApiError, LambdaEnvironment, type EmulatorOptions, type TelemetryEvent } from '../../packages/emulator/src/index.ts';
import { fixturesDir, node24 } from '../support/paths.ts';

const functionDir = join(fixturesDir, 'emulator', 'functions');
const extLayer = join(fixturesDir, 'emulator', 'ext-layer');
const require = createRequire(import.meta.url);

function environment(options: Partial<EmulatorOptions> = {}): LambdaEnvironment {
  const env = new LambdaEnvironment({ functionDir, handler: 'basic.handler', nodePath: node24, timeoutSec: 3, ...options });
  onTestFinished(() => env.shutdown().then(() => undefined));
  return env;
}

const records = (env: LambdaEnvironment, type: string) => env.events.filter((event: TelemetryEvent) => event.type === type).map((event) => event.record as any);

test('Managed Instances: a timeout fails only its own invocation; the others in flight finish and nothing resets', async () => {
  const env = environment({ maxConcurrency: 2, timeoutSec: 1 });
  const [slow, quick] = await Promise.all([env.invoke({ action: 'sleep', ms: 2500 }), env.invoke({ action: 'sleep', ms: 300 })]);
  assert.deepEqual([slow.status, slow.errorType], ['timeout', 'Sandbox.Timedout']);
  assert.equal(slow.errorMessage, 'Task timed out after 1.00 seconds');
  assert.deepEqual([quick.status, quick.response], ['success', { slept: 300 }]);
  assert.equal(env.resets.length, 0, 'the environment is not reset under Managed Instances');
  const after = await env.invoke({ n: 1 });
  assert.equal(after.status, 'success');
  assert.equal(after.initDurationMs, undefined, 'the same environment serves the next invoke (no re-init)');
  const reports = records(env, 'platform.report');
  assert.equal(reports.find((report) => report.requestId === slow.requestId)?.status, 'timeout');
  assert.equal(reports.find((report) => report.requestId === quick.requestId)?.status, 'success');
});

test('a slow INVOKE extension past the timeout: the invocation is a timeout (the response stays what the caller got) and the reset says timeout', async () => {
  const env = environment({ layers: [extLayer], timeoutSec: 1, env: { TEST_EXT_EVENTS: 'INVOKE,SHUTDOWN', TEST_EXT_INVOKE_DELAY_MS: '2000' } });
  const result = await env.invoke({ hello: 'slow extension' });
  assert.deepEqual([result.status, result.errorType], ['timeout', 'Sandbox.Timedout']);
  assert.deepEqual(result.response, { echo: { hello: 'slow extension' } }, 'the function answered in time');
  assert.ok(result.responseLatencyMs < 1000);
  const report = records(env, 'platform.report').find((record) => record.requestId === result.requestId);
  assert.deepEqual([report.status, report.errorType], ['timeout', 'Sandbox.Timedout']);
  const next = await env.invoke({ n: 2 });
  assert.equal(env.resets[0]?.reason, 'timeout');
  assert.equal(typeof next.initDurationMs, 'number', 'the next invoke inits a new environment');
});

test('platform records: runtimeDone has runtimeOverhead after responseDuration, initStart has runtimeVersion, the initialization type can be provisioned-concurrency', async () => {
  const env = environment({ initializationType: 'provisioned-concurrency' });
  const result = await env.invoke({ action: 'env', names: ['AWS_LAMBDA_INITIALIZATION_TYPE', 'NODE_PATH'] });
  assert.equal(result.status, 'success');
  const [initStart] = records(env, 'platform.initStart');
  assert.equal(initStart.initializationType, 'provisioned-concurrency');
  assert.match(initStart.runtimeVersion, /^nodejs:24\.v\d+$/);
  assert.match(initStart.runtimeVersionArn, /^arn:aws:lambda:us-east-1::runtime:[0-9a-f]{64}$/);
  assert.equal(records(env, 'platform.initReport')[0].initializationType, 'provisioned-concurrency');
  const [runtimeDone] = records(env, 'platform.runtimeDone');
  const [latency, duration, overhead] = runtimeDone.spans;
  assert.deepEqual(
    runtimeDone.spans.map((span: { name: string }) => span.name),
    ['responseLatency', 'responseDuration', 'runtimeOverhead'],
  );
  assert.ok(overhead.durationMs >= 0);
  const end = (span: { start: string; durationMs: number }) => Date.parse(span.start) + span.durationMs;
  assert.ok(Math.abs(Date.parse(overhead.start) - end(duration)) <= 1, 'runtimeOverhead starts when the response ends');
  assert.ok(Date.parse(duration.start) >= Date.parse(latency.start));
  const seen = result.response as Record<string, string>;
  assert.equal(seen.AWS_LAMBDA_INITIALIZATION_TYPE, 'provisioned-concurrency');
  // Lambda's nodejs runtimes: /opt/nodejs/node24/node_modules:/opt/nodejs/node_modules:/var/runtime/node_modules:/var/runtime:/var/task
  const runtimeDir = dirname(require.resolve('aws-lambda-ric/package.json'));
  assert.equal(seen.NODE_PATH, [join(runtimeDir, 'node_modules'), runtimeDir, functionDir].join(':'));
});

test('NODE_PATH with layers: every layer nodejs/node24/node_modules, then every nodejs/node_modules, then the runtime, then the task', async () => {
  const layers = [mkdtempSync(join(tmpdir(), 'layer-a-')), mkdtempSync(join(tmpdir(), 'layer-b-'))];
  onTestFinished(() => layers.forEach((layer) => rmSync(layer, { recursive: true, force: true })));
  for (const layer of layers) {
    mkdirSync(join(layer, 'nodejs', 'node24', 'node_modules'), { recursive: true });
    mkdirSync(join(layer, 'nodejs', 'node_modules'), { recursive: true });
  }
  const env = environment({ layers });
  const result = await env.invoke({ action: 'env', names: ['NODE_PATH'] });
  const runtimeDir = dirname(require.resolve('aws-lambda-ric/package.json'));
  assert.deepEqual((result.response as { NODE_PATH: string }).NODE_PATH.split(':'), [
    ...layers.map((layer) => join(layer, 'nodejs', 'node24', 'node_modules')),
    ...layers.map((layer) => join(layer, 'nodejs', 'node_modules')),
    join(runtimeDir, 'node_modules'),
    runtimeDir,
    functionDir,
  ]);
});

test('a handler without a dot goes to the runtime, which fails init with Runtime.MalformedHandlerName', async () => {
  const env = environment({ handler: 'basic' });
  const init = await env.init();
  assert.equal(init.ok, false);
  assert.equal(init.errorType, 'Runtime.MalformedHandlerName');
  const result = await env.invoke({});
  assert.equal(result.errorType, 'Runtime.MalformedHandlerName');
});

test('an event past 6 MB is refused with RequestEntityTooLargeException before anything runs', async () => {
  const env = environment();
  await assert.rejects(env.invoke({ data: 'x'.repeat(6 * 1024 * 1024) }), (error: unknown) => {
    assert.ok(error instanceof ApiError);
    assert.equal(error.status, 413);
    assert.equal(error.errorType, 'RequestEntityTooLargeException');
    return true;
  });
  assert.equal(env.invocations.length, 0);
  const justUnder = await env.invoke({ data: 'x'.repeat(6 * 1024 * 1024 - 20) });
  assert.equal(justUnder.status, 'success');
});

test('a binary streamed body is kept byte for byte (base64), valid UTF-8 stays text', async () => {
  const env = environment({ functionDir: join(fixturesDir, 'emulator', 'invoke-api'), handler: 'streaming.handler' });
  const binary = await env.invoke({ mode: 'binary' });
  assert.equal(binary.streamed?.encoding, 'base64');
  assert.deepEqual(
    [...Buffer.from(binary.response as string, 'base64')],
    Array.from({ length: 256 }, (_, byte) => byte),
  );
  const text = await env.invoke({ pauseMs: 1 });
  assert.deepEqual([text.response, text.streamed?.encoding], ['piece-1;piece-2;piece-3', 'utf8']);
});
