// Fast start: the launcher registers over bash's /dev/tcp before Node boots and Node goes on with the
// identifier; with LAMBDA_OTEL_FAST_START=off, or without bash, Node registers itself as before. In
// every way the Telemetry subscription is made during init and the init records (platform records
// and the function's own lines from init) reach the backend; Lambda refusing the registration stops
// the extension with the same line either way.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { cpSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { afterAll, beforeAll, onTestFinished, test } from 'vitest';
import { extensionLines, startHarness } from '../fixtures/extension/harness.ts';
import { fixturesDir, layerDir, node24 } from '../support/paths.ts';
import { freePort } from '../support/ports.ts';

const initLogFunctionDir = join(fixturesDir, 'extension', 'init-log');

// Amazon Linux 2023's /bin/sh is bash, which then runs in POSIX mode (here /bin/sh is dash): a copy
// of the layer whose launcher runs under a `sh` that is bash.
let posixLayer = '';
beforeAll(() => {
  const dir = mkdtempSync(join(tmpdir(), 'lambda-otel-posix-'));
  posixLayer = join(dir, 'layer');
  cpSync(layerDir, posixLayer, { recursive: true });
  symlinkSync('/bin/bash', join(dir, 'sh'));
  const launcher = join(posixLayer, 'extensions', 'lambda-otel');
  writeFileSync(launcher, readFileSync(launcher, 'utf8').replace(/^#!\/bin\/sh\n/, `#!${join(dir, 'sh')}\n`));
});
afterAll(() => rmSync(dirname(posixLayer), { recursive: true, force: true }));

const ways = [
  { name: 'fast start (the launcher registers)', env: { LAMBDA_OTEL_FAST_START: 'on' }, posix: false, fastStart: true, skipped: undefined },
  { name: 'fast start under bash as sh (POSIX mode)', env: { LAMBDA_OTEL_FAST_START: 'on' }, posix: true, fastStart: true, skipped: undefined },
  { name: 'LAMBDA_OTEL_FAST_START=off (Node registers)', env: { LAMBDA_OTEL_FAST_START: 'off' }, posix: false, fastStart: false, skipped: undefined },
  // /bin/sh is dash here: with no bash on PATH the launcher cannot take the fast path.
  {
    name: 'no bash (Node registers, says why once)',
    env: { LAMBDA_OTEL_FAST_START: 'on', PATH: `${dirname(node24)}:/nonexistent` },
    posix: false,
    fastStart: false,
    skipped: /bash is not installed/,
  },
] as const;

for (const way of ways) {
  test(`${way.name}: subscribed during init, the init records and the function's init line arrive`, async () => {
    const harness = await startHarness({
      functionDir: initLogFunctionDir,
      env: { ...way.env, LAMBDA_OTEL_LOG_LEVEL: 'debug' },
      ...(way.posix ? { layers: [posixLayer] } : {}),
    });
    onTestFinished(() => harness.close());
    const requestIds: string[] = [];
    for (let n = 0; n < 3; n++) {
      const result = await harness.env.invoke({ n });
      assert.equal(result.status, 'success', result.errorMessage);
      requestIds.push(result.requestId);
    }
    const lines = extensionLines(harness.env);
    const ready = lines.find((line) => line.message === 'ready');
    assert.equal(ready?.fastStart, way.fastStart, 'who registered');
    const skips = lines.filter((line) => typeof line.message === 'string' && line.message.startsWith('fast start skipped'));
    if (way.skipped) {
      assert.equal(skips.length, 1, 'the fallback is said once');
      assert.match(String(skips[0]!.message), way.skipped);
    } else {
      assert.equal(skips.length, 0);
    }
    assert.deepEqual(
      harness.env.registrations.map((registration) => [registration.name, registration.kind, registration.events]),
      [['lambda-otel', 'external', ['INVOKE', 'SHUTDOWN']]],
    );
    const types = harness.env.events.map((event) => event.type);
    assert.ok(types.indexOf('platform.telemetrySubscription') < types.indexOf('platform.initReport'), 'subscribed during init');

    const down = await harness.env.shutdown();
    assert.equal(down.processes.find((proc) => proc.name === 'lambda-otel')?.exitCode, 0);
    // The records of init were sent before the listener existed; Lambda delivered them once it subscribed.
    const init = harness.sink.spans().filter((span) => span.name === 'Initialization');
    assert.equal(init.length, 1, 'one Initialization span, from platform.initStart/initRuntimeDone/initReport');
    const bodies = harness.sink.logs().map((log) => String(log.body));
    assert.equal(bodies.filter((body) => body.includes('loading the function module')).length, 1, "the function's line from init, once");
    assert.equal(bodies.filter((body) => body.startsWith('handling ')).length, 3);
    const roots = harness.sink.spans().filter((span) => typeof span.attributes['faas.invocation.id'] === 'string');
    assert.deepEqual(roots.map((span) => span.attributes['faas.invocation.id']).sort(), [...requestIds].sort());
  });
}

for (const fastStart of ['on', 'off']) {
  test(`fast start ${fastStart}: Managed Instances register SHUTDOWN only`, async () => {
    const harness = await startHarness({ maxConcurrency: 2, env: { LAMBDA_OTEL_FAST_START: fastStart } });
    onTestFinished(() => harness.close());
    const result = await harness.env.invoke({ n: 1 });
    assert.equal(result.status, 'success', result.errorMessage);
    assert.deepEqual(
      harness.env.registrations.map((registration) => registration.events),
      [['SHUTDOWN']],
    );
  });

  test(`fast start ${fastStart}: a registration Lambda refuses stops the extension with the API's answer`, async () => {
    // Managed Instances refuse INVOKE to external extensions; told it is on-demand, the extension asks for it.
    const harness = await startHarness({ maxConcurrency: 2, env: { LAMBDA_OTEL_FAST_START: fastStart, AWS_LAMBDA_INITIALIZATION_TYPE: 'on-demand' } });
    onTestFinished(() => harness.close());
    const result = await harness.env.invoke({ n: 1 });
    assert.notEqual(result.status, 'success');
    const stopped = extensionLines(harness.env).filter((line) => line.level === 'ERROR' && String(line.message).startsWith('extension stopped'));
    assert.equal(stopped.length, 1, JSON.stringify(harness.env.logs));
    assert.match(String(stopped[0]!.message), /^extension stopped: POST \/2020-01-01\/extension\/register answered 403: .*Extension\.InvalidEventType/);
    assert.deepEqual(harness.env.registrations, []);
  });
}

test('no connection for the fast start: Node registers itself and says why (here it cannot either)', async () => {
  const port = await freePort();
  const run = spawnSync(join(layerDir, 'extensions', 'lambda-otel'), [], {
    env: { PATH: `${dirname(node24)}:/usr/bin:/bin`, AWS_LAMBDA_RUNTIME_API: `127.0.0.1:${port}`, LAMBDA_OTEL_FAST_START: 'on' },
    encoding: 'utf8',
    timeout: 20_000,
  });
  assert.equal(run.status, 1, run.stderr);
  const lines = run.stdout
    .trim()
    .split('\n')
    .map((line) => JSON.parse(line) as { level: string; message: string })
    .filter((line) => /^(fast start|extension stopped)/.test(line.message));
  assert.deepEqual(
    lines.map((line) => [line.level, line.message.replace(/\d+/g, 'N')]),
    [
      ['INFO', "fast start skipped (no connection to N.N.N.N:N through bash's /dev/tcp): the extension registers itself"],
      ['ERROR', 'extension stopped: connect ECONNREFUSED N.N.N.N:N'],
    ],
  );
});
