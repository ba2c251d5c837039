// External extensions in the emulator: registration before the runtime starts, INVOKE and SHUTDOWN
// events, Telemetry API delivery and buffering, freeze between invokes, the SHUTDOWN budget, the API's
// 403 answers, init/exit errors, crashes, an init that hangs and disabled extensions, all observed by
// a real extension process (test/fixtures/emulator/ext-layer).
import { test } from 'vitest';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { LambdaEnvironment, type EmulatorOptions, type ShutdownResult } from '../../packages/emulator/src/index.ts';
import { fixturesDir, node24 } from '../support/paths.ts';

const functionDir = join(fixturesDir, 'emulator', 'functions');
const extLayer = join(fixturesDir, 'emulator', 'ext-layer');
const secondLayer = join(fixturesDir, 'emulator', 'second-layer');
const hangLayer = join(fixturesDir, 'emulator', 'hang-layer');
const disabledLayer = join(fixturesDir, 'emulator', 'disabled-layer');
const traceHeader = 'Root=1-5759e988-bd862e3fe1be46a994272793;Parent=53995c3f42cd8ad8;Sampled=1';

type Observation = Record<string, any>;

/** What an extension printed (`EXT {json}` lines), in order. */
function observed(env: LambdaEnvironment, name = 'test-ext', kind?: string): Observation[] {
  return env.logs
    .filter((log) => log.source === name && log.line.startsWith('EXT '))
    .map((log) => JSON.parse(log.line.slice(4)) as Observation)
    .filter((item) => kind === undefined || item.kind === kind);
}

function environment(options: Partial<EmulatorOptions>): LambdaEnvironment {
  return new LambdaEnvironment({ functionDir, handler: 'basic.handler', nodePath: node24, layers: [extLayer], timeoutSec: 3, ...options });
}

async function api(env: LambdaEnvironment, method: string, path: string, headers: Record<string, string>, body?: string) {
  const res = await fetch(`http://${await env.runtimeApi()}${path}`, { method, headers, body });
  return { status: res.status, body: (await res.json()) as { errorType?: string } };
}

test('extensions register before the runtime starts, get INVOKE and SHUTDOWN, telemetry, and are frozen between invokes', async () => {
  const env = environment({
    layers: [extLayer, secondLayer],
    env: { TEST_EXT_PROBE: 'test-ext', TEST_EXT_TELEMETRY: JSON.stringify({ types: ['platform', 'function'], buffering: { timeoutMs: 25 } }) },
  });
  let shutdown: ShutdownResult | undefined;
  try {
    const first = await env.invoke({ action: 'log' }, { traceHeader });
    assert.equal(first.status, 'success');

    // Registration: both external, both before the runtime's init was done.
    assert.deepEqual(env.registrations.map((reg) => [reg.name, reg.kind, reg.events]).sort(), [
      ['second-ext', 'external', ['INVOKE', 'SHUTDOWN']],
      ['test-ext', 'external', ['INVOKE', 'SHUTDOWN']],
    ]);
    // Each external extension was exec'd, then registered, then declared itself ready with /event/next.
    for (const reg of env.registrations) {
      assert.ok(reg.spawnedAtMs !== undefined && reg.readyAtMs !== undefined, `${reg.name}: spawn and ready times`);
      assert.ok(reg.spawnedAtMs <= reg.atMs && reg.atMs <= reg.readyAtMs, `${reg.name}: spawned ≤ registered ≤ ready`);
    }
    const types = env.events.map((event) => event.type);
    assert.ok(types.lastIndexOf('platform.extension') < types.indexOf('platform.initRuntimeDone'));
    const registered = observed(env, 'test-ext', 'registered')[0]!;
    assert.deepEqual(registered.body, { functionName: 'functions', functionVersion: '$LATEST', handler: 'basic.handler', accountId: '000000000000' });
    assert.equal(registered.env._HANDLER, null, 'extensions do not see _HANDLER');
    assert.equal(registered.env.LAMBDA_TASK_ROOT, null, 'nor LAMBDA_TASK_ROOT');
    assert.equal(registered.env.AWS_LAMBDA_FUNCTION_NAME, 'functions');
    assert.equal(registered.env.AWS_REGION, 'us-east-1');
    assert.equal(registered.env.AWS_LAMBDA_INITIALIZATION_TYPE, 'on-demand');
    for (const runtimeOnly of ['AWS_EXECUTION_ENV', 'AWS_LAMBDA_LOG_GROUP_NAME', '_LAMBDA_TELEMETRY_LOG_FD']) {
      assert.equal(registered.env[runtimeOnly], null, `extensions do not see ${runtimeOnly}`);
    }
    // Only regular files directly in extensions/ run (second-layer also holds a subdirectory).
    assert.deepEqual(
      env
        .processes()
        .map((proc) => proc.name)
        .sort(),
      ['runtime', 'second-ext', 'test-ext'],
    );

    // Every bad call during init got its documented answer.
    assert.deepEqual(observed(env, 'test-ext', 'probe')[0]!.results, {
      nextWithoutId: { status: 403, errorType: 'Extension.MissingExtensionIdentifier' },
      nextBadId: { status: 403, errorType: 'Extension.InvalidExtensionIdentifier' },
      nextUnknownId: { status: 403, errorType: 'Extension.UnknownExtensionIdentifier' },
      exitErrorWithoutType: { status: 403, errorType: 'Extension.MissingHeader' },
      registerEmptyName: { status: 403, errorType: 'Extension.InvalidExtensionName' },
      registerInternalShutdown: { status: 403, errorType: 'Extension.InvalidEventType' },
      registerMalformed: { status: 403, errorType: 'InvalidRequestFormat' },
      registerUnknownEvent: { status: 403, errorType: 'Extension.InvalidEventType' },
      registerConfigurationKeys: { status: 403, errorType: 'InvalidRequestFormat' },
      registerTwice: { status: 403, errorType: 'Extension.InvalidExtensionState' },
      telemetryMalformed: { status: 400, errorType: 'ValidationError' },
      telemetryBadBuffering: { status: 400, errorType: 'ValidationError' },
    });
    assert.deepEqual(observed(env, 'test-ext', 'subscribed')[0], { kind: 'subscribed', status: 200, body: 'OK' });

    // After init: registration and subscription are closed.
    const id = registered.id as string;
    const lateRegister = await api(env, 'POST', '/2020-01-01/extension/register', { 'Lambda-Extension-Name': 'late' }, '{"events":["INVOKE"]}');
    assert.deepEqual([lateRegister.status, lateRegister.body.errorType], [403, 'Extension.RegistrationClosed']);
    const lateSubscribe = await api(
      env,
      'PUT',
      '/2022-07-01/telemetry',
      { 'Lambda-Extension-Identifier': id },
      JSON.stringify({ schemaVersion: '2022-12-13', types: ['platform'], destination: { protocol: 'HTTP', URI: 'http://sandbox.localdomain:1234' } }),
    );
    assert.deepEqual([lateSubscribe.status, lateSubscribe.body.errorType], [403, 'Telemetry.SubscriptionClosed']);

    // Frozen for 600 ms: the extension's 20 ms interval timer does not tick meanwhile.
    await new Promise((wake) => setTimeout(wake, 600));
    const second = await env.invoke({ action: 'loaded-at' }, { traceHeader });
    const latestRegistrationMs = Math.max(...env.registrations.map((reg) => reg.atMs));
    assert.ok(latestRegistrationMs <= (second.response as number), 'the runtime started only after every extension registered');
    const invokes = observed(env, 'test-ext', 'event').filter((item) => item.eventType === 'INVOKE');
    assert.equal(invokes.length, 2);
    assert.deepEqual(invokes[0]!.event, {
      eventType: 'INVOKE',
      deadlineMs: invokes[0]!.event.deadlineMs,
      requestId: first.requestId,
      invokedFunctionArn: 'arn:aws:lambda:us-east-1:000000000000:function:functions',
      tracing: { type: 'X-Amzn-Trace-Id', value: traceHeader },
    });
    assert.ok(Number.isInteger(invokes[0]!.event.deadlineMs));
    assert.equal(invokes[1]!.event.requestId, second.requestId);
    assert.ok(invokes[1]!.wallMs >= 550, 'the gap between the invokes spans the frozen time');
    assert.ok(invokes[1]!.ticks <= 5, `a frozen timer does not tick (ticked ${invokes[1]!.ticks} times in ${invokes[1]!.wallMs} ms)`);
    assert.ok(invokes[1]!.maxGapMs >= 500, 'one long gap: the freeze');
  } finally {
    shutdown = await env.shutdown();
  }
  // SHUTDOWN: reason spindown, a deadline within the 2 s budget, both extensions exit on their own.
  const down = observed(env, 'test-ext', 'event').find((item) => item.eventType === 'SHUTDOWN')!;
  assert.equal(down.event.shutdownReason, 'spindown');
  assert.ok(down.event.deadlineMs - down.receivedAtMs <= 2000 && down.event.deadlineMs - down.receivedAtMs > 1000);
  const finished: ShutdownResult = shutdown!;
  assert.equal(finished.reason, 'spindown');
  for (const name of ['test-ext', 'second-ext']) {
    const proc = finished.processes.find((candidate) => candidate.name === name)!;
    assert.deepEqual([proc.exitedOnItsOwn, proc.exitCode, proc.killed], [true, 0, false], name);
  }

  // Telemetry: JSON arrays of {time,type,record}, init records replayed to the subscriber, the
  // runtime's output as function records, every invoke's platform records.
  const batches = observed(env, 'test-ext', 'batch');
  assert.ok(batches.length > 0 && batches.every((batch) => batch.shapeOk && batch.path === '/telemetry'));
  const delivered = batches.flatMap((batch) => batch.types as string[]);
  for (const type of [
    'platform.initStart',
    'platform.initRuntimeDone',
    'platform.initReport',
    'platform.start',
    'platform.runtimeDone',
    'platform.report',
    'platform.extension',
    'platform.telemetrySubscription',
  ]) {
    assert.ok(delivered.includes(type), `${type} delivered`);
  }
  assert.equal(delivered.filter((type) => type === 'platform.report').length, 2);
  assert.ok(batches.reduce((sum, batch) => sum + batch.functionLines, 0) >= 3, 'function records delivered');
  assert.ok(!delivered.includes('extension'), 'extension records were not subscribed to');
});

test('telemetry buffering: a batch waits for maxItems; the remainder is delivered at SHUTDOWN', async () => {
  const env = environment({ env: { TEST_EXT_TELEMETRY: JSON.stringify({ types: ['function'], buffering: { maxItems: 1000, timeoutMs: 30000 } }) } });
  try {
    const result = await env.invoke({ action: 'many-logs', count: 1500 });
    assert.equal(result.status, 'success');
  } finally {
    await env.shutdown();
  }
  const sizes = observed(env, 'test-ext', 'batch').map((batch) => batch.size);
  assert.deepEqual(sizes, [1000, 500]);
});

test('a timeout sends SHUTDOWN with reason timeout; an extension that ignores it is SIGKILLed at the deadline', async () => {
  const env = environment({ timeoutSec: 1, env: { TEST_EXT_SHUTDOWN: 'hang' } });
  try {
    const result = await env.invoke({ action: 'sleep', ms: 4000 });
    assert.equal(result.status, 'timeout');
    const reset = env.resets[0]!;
    assert.equal(reset.reason, 'timeout');
    const ext = reset.processes.find((proc) => proc.name === 'test-ext')!;
    assert.equal(ext.killed, true, 'killed at the deadline');
    assert.ok(reset.durationMs >= 1900, 'the extension had the whole 2 s budget');
    const down = observed(env, 'test-ext', 'event').find((item) => item.eventType === 'SHUTDOWN')!;
    assert.equal(down.event.shutdownReason, 'timeout');
    assert.equal(observed(env, 'test-ext', 'sigterm').length, 0, 'extensions get SHUTDOWN, not SIGTERM');
  } finally {
    await env.shutdown();
  }
});

test('an extension that exits during an invoke fails it with Extension.Crash; the reset sends SHUTDOWN (failure)', async () => {
  const env = environment({ layers: [extLayer, secondLayer], env: { TEST_EXT_CRASH_ON: 'test-ext:INVOKE' } });
  try {
    const result = await env.invoke({ action: 'echo' });
    assert.equal(result.status, 'failure');
    assert.equal(result.errorType, 'Extension.Crash');
    assert.equal(env.resets[0]?.reason, 'failure');
    const down = observed(env, 'second-ext', 'event').find((item) => item.eventType === 'SHUTDOWN')!;
    assert.equal(down.event.shutdownReason, 'failure');
    const again = await env.invoke({ action: 'echo' });
    assert.equal(again.status, 'failure', 'the next invoke re-inits, and the extension crashes again');
    assert.equal(typeof again.initDurationMs, 'number');
  } finally {
    await env.shutdown();
  }
});

test('an extension that reports exit/error and exits fails the invoke with Extension.ExitError', async () => {
  const env = environment({ env: { TEST_EXT_EXIT_ERROR_ON: 'INVOKE' } });
  try {
    const result = await env.invoke({ action: 'echo' });
    assert.deepEqual([result.status, result.errorType], ['failure', 'Extension.ExitError']);
    assert.match(result.errorMessage ?? '', /test-ext exited after exit\/error Extension\.TestGaveUp: giving up/);
  } finally {
    await env.shutdown();
  }
});

test('an extension that reports init/error fails init with Extension.InitError', async () => {
  const env = environment({ env: { TEST_EXT_INIT_ERROR: 'Extension.ConfigInvalid' } });
  try {
    const result = await env.invoke({ action: 'echo' });
    assert.deepEqual([result.status, result.errorType], ['error', 'Extension.InitError']);
    assert.match(result.errorMessage ?? '', /test-ext: Extension\.ConfigInvalid: cannot start/);
    assert.deepEqual(observed(env, 'test-ext', 'init-error')[0], { kind: 'init-error', status: 202, body: { status: 'OK' } });
    const initReport = env.events.find((event) => event.type === 'platform.initReport')!.record as { status: string; errorType: string };
    assert.deepEqual([initReport.status, initReport.errorType], ['error', 'Extension.InitError']);
  } finally {
    await env.shutdown();
  }
});

test('an extension that never registers: init times out naming it', async () => {
  const env = environment({ layers: [extLayer, hangLayer], initTimeoutSec: 1 });
  try {
    const result = await env.invoke({ action: 'echo' });
    assert.deepEqual([result.status, result.errorType], ['timeout', 'Sandbox.Timedout']);
    assert.match(result.errorMessage ?? '', /Init timed out after 1 s: extension hang-ext did not register/);
    assert.equal(env.resets[0]!.processes.find((proc) => proc.name === 'hang-ext')?.killed, true);
  } finally {
    await env.shutdown();
  }
});

test('an extension not subscribed to SHUTDOWN is SIGKILLed at shutdown, without an event', async () => {
  const env = environment({ env: { TEST_EXT_EVENTS: 'INVOKE' } });
  let down: ShutdownResult | undefined;
  try {
    assert.equal((await env.invoke({ action: 'echo' })).status, 'success');
  } finally {
    down = await env.shutdown();
  }
  assert.equal(down!.processes.find((proc) => proc.name === 'test-ext')?.killed, true);
  assert.deepEqual(
    observed(env, 'test-ext', 'event').map((item) => item.eventType),
    ['INVOKE'],
  );
});

test('extension output reaches a subscriber as extension records', async () => {
  const env = environment({ env: { TEST_EXT_TELEMETRY: JSON.stringify({ types: ['extension'], buffering: { timeoutMs: 25 } }) } });
  try {
    await env.invoke({ action: 'echo' });
  } finally {
    await env.shutdown();
  }
  const batches = observed(env, 'test-ext', 'batch');
  assert.ok(
    batches.every((batch) => (batch.types as string[]).every((type) => type === 'extension')),
    'only the subscribed type',
  );
  const records = batches.flatMap((batch) => batch.extensionRecords as string[]);
  assert.ok(
    records.some((record) => record.startsWith('EXT {"kind":"registered"')),
    'its own stdout lines, as strings',
  );
});

test('/opt/disable-extensions-jwigqn8j in a layer: no extension runs and the Extensions API answers 404', async () => {
  const env = environment({ layers: [extLayer, disabledLayer] });
  try {
    assert.equal((await env.invoke({ action: 'echo' })).status, 'success');
    assert.deepEqual(
      env.processes().map((proc) => proc.name),
      ['runtime'],
    );
    assert.deepEqual(env.registrations, []);
    const register = await api(env, 'POST', '/2020-01-01/extension/register', { 'Lambda-Extension-Name': 'late' }, '{"events":["INVOKE"]}');
    assert.equal(register.status, 404);
    const subscribe = await api(env, 'PUT', '/2022-07-01/telemetry', { 'Lambda-Extension-Identifier': crypto.randomUUID() }, '{}');
    assert.equal(subscribe.status, 404);
  } finally {
    await env.shutdown();
  }
});

test('Managed Instances: an external extension may register for SHUTDOWN only; telemetry schema 2025-01-29', async () => {
  const refused = environment({ maxConcurrency: 2, env: { TEST_EXT_EVENTS: 'INVOKE,SHUTDOWN' } });
  try {
    const result = await refused.invoke({ action: 'echo' });
    assert.equal(result.status, 'error', 'init fails when the extension cannot register');
    const registered = observed(refused, 'test-ext', 'registered')[0]!;
    assert.equal(registered.status, 403);
    assert.equal(registered.body.errorType, 'Extension.InvalidEventType');
  } finally {
    await refused.shutdown();
  }
  const accepted = environment({
    maxConcurrency: 2,
    env: { TEST_EXT_EVENTS: 'SHUTDOWN', TEST_EXT_TELEMETRY: JSON.stringify({ types: ['platform'], buffering: { timeoutMs: 25 } }) },
  });
  let shutdown: ShutdownResult | undefined;
  try {
    const results = await Promise.all([accepted.invoke({ action: 'echo' }), accepted.invoke({ action: 'echo' })]);
    assert.ok(results.every((result) => result.status === 'success'));
    assert.equal(observed(accepted, 'test-ext', 'registered')[0]!.env.AWS_LAMBDA_MAX_CONCURRENCY, null, 'runtime-only variable');
    assert.equal(observed(accepted, 'test-ext', 'subscribed')[0]!.status, 200);
  } finally {
    shutdown = await accepted.shutdown();
  }
  assert.equal(
    observed(accepted, 'test-ext', 'event')
      .map((item) => item.eventType)
      .join(),
    'SHUTDOWN',
  );
  assert.equal(shutdown!.processes.find((proc) => proc.name === 'test-ext')!.exitCode, 0);
});
