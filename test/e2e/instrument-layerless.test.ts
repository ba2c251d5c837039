// A function without the layer: wrap() bundled with its handler by esbuild (as a user would bundle
// @lambda-otel/instrument), writer `otlp` straight to the OTLP sink. Without an extension Lambda
// freezes the runtime right after the response, so the spans leave at the latest on SHUTDOWN, through
// the plugin's graceful-shutdown flush: an ES module that awaits ready() gets it; a CommonJS bundle
// cannot register the shutdown helper in time, and says so once.
import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { onTestFinished, test } from 'vitest';
import { build } from 'esbuild';
import { instrumentFixtures, startInstrumentHarness, waitForSpans } from '../fixtures/instrument/harness.ts';

const SHUTDOWN_HELPER = 'lambda-otel-graceful-shutdown';

/** Bundles a fixture the way a user bundles a function that uses the plugin (from its dist/ build). */
async function bundleFixture(fixture: string, outfile: string, format: 'esm' | 'cjs'): Promise<void> {
  await build({
    entryPoints: [join(instrumentFixtures, 'layerless', fixture)],
    bundle: true,
    platform: 'node',
    format,
    target: 'node22',
    outfile,
    // The banner AWS documents for ES module bundles whose dependencies call require().
    ...(format === 'esm' ? { banner: { js: "import { createRequire } from 'node:module'; const require = createRequire(import.meta.url);" } } : {}),
    logLevel: 'warning',
  });
}

test('layerless wrap() bundle with the otlp writer: spans reach the backend, at the latest on shutdown', async () => {
  const functionDir = await mkdtemp(join(tmpdir(), 'lambda-otel-layerless-'));
  onTestFinished(() => rm(functionDir, { recursive: true, force: true }));
  await bundleFixture('handler.ts', join(functionDir, 'index.mjs'), 'esm');
  const h = await startInstrumentHarness({ functionDir, handler: 'index.handler', layer: false });
  onTestFinished(() => h.close());
  const first = await h.env.invoke({ name: 'ada' });
  assert.equal(first.status, 'success', first.errorMessage);
  assert.deepEqual(first.response, { greeting: 'hello ada' });
  const second = await h.env.invoke({ name: 'grace' });
  assert.equal(second.status, 'success');
  const down = await h.env.shutdown();
  const runtime = down.processes.find((p) => p.name === 'runtime');
  assert.equal(runtime?.exitedOnItsOwn, true, 'SIGTERM reached the runtime (the no-op extension registered in time) and it exited');
  assert.deepEqual(
    h.env.registrations.map((r) => [r.name, r.kind]),
    [[SHUTDOWN_HELPER, 'internal']],
  );
  assert.equal(h.jsonLines().filter((line) => line.level === 'WARN').length, 0, JSON.stringify(h.jsonLines()));

  await waitForSpans(h.sink, () => h.roots().has(first.requestId) && h.roots().has(second.requestId));
  const root = h.roots().get(first.requestId)!;
  assert.equal(root.attributes['faas.coldstart'], true);
  assert.equal(h.roots().get(second.requestId)!.attributes['faas.coldstart'], false);
  const child = h.sink.spans().find((s) => s.name === 'layerless-child' && s.traceId === root.traceId);
  assert.equal(child?.parentSpanId, root.spanId);
  assert.ok(h.sink.requests.every((r) => r.path === '/v1/traces' && r.headers['content-type'] === 'application/x-protobuf'));
  const log = h.jsonLines().find((line) => line.message === 'layerless invoke' && line.requestId === first.requestId);
  assert.equal(log?.trace_id, root.traceId, 'the logger line carries the invocation ids');
});

test('layerless CommonJS bundle: it works, and a lost race for the shutdown helper is said once', async () => {
  const functionDir = await mkdtemp(join(tmpdir(), 'lambda-otel-layerless-cjs-'));
  onTestFinished(() => rm(functionDir, { recursive: true, force: true }));
  await bundleFixture('handler-cjs.ts', join(functionDir, 'index.js'), 'cjs');
  const h = await startInstrumentHarness({ functionDir, handler: 'index.handler', layer: false });
  onTestFinished(() => h.close());
  for (const n of [1, 2]) {
    const result = await h.env.invoke({ n });
    assert.equal(result.status, 'success', result.errorMessage);
    assert.deepEqual(result.response, { n });
  }
  const down = await h.env.shutdown();
  const warnings = h.jsonLines().filter((line) => line.level === 'WARN');
  const runtime = down.processes.find((p) => p.name === 'runtime');
  // A CommonJS module cannot wait for the helper's registration, so it races the runtime's first
  // /next. It usually loses on a busy machine and can win on a quiet one: each outcome is checked.
  if (h.env.registrations.length === 0) {
    // The documented limitation: no helper, so no SIGTERM; the runtime is stopped without one.
    assert.equal(runtime?.exitedOnItsOwn, false);
    assert.equal(warnings.length, 1, JSON.stringify(warnings));
    assert.match(String(warnings[0]!.message), /registered too late .*will not send SIGTERM.*await ready\(\)/);
  } else {
    // Won: exactly the helper registered, SIGTERM came, the runtime exited on its own, nothing to say.
    assert.deepEqual(
      h.env.registrations.map((r) => [r.kind, r.name, r.events]),
      [['internal', 'lambda-otel-graceful-shutdown', []]],
    );
    assert.equal(runtime?.exitedOnItsOwn, true);
    assert.equal(warnings.length, 0, JSON.stringify(warnings));
  }
});

test('a secret-bearing bad configuration: one ERROR line per variable, no secret printed, the function runs and is traced', async () => {
  const functionDir = await mkdtemp(join(tmpdir(), 'lambda-otel-layerless-config-'));
  onTestFinished(() => rm(functionDir, { recursive: true, force: true }));
  await bundleFixture('handler.ts', join(functionDir, 'index.mjs'), 'esm');
  const secrets = ['hunter2', 'AKIAIOSFODNN7EXAMPLE', 'wJalrXUtnFEMI/K7MDENG'];
  const h = await startInstrumentHarness({
    functionDir,
    handler: 'index.handler',
    layer: false,
    env: {
      // A token with a comma in it, an AWS key pasted into the wrong variable, a secret access key.
      OTEL_EXPORTER_OTLP_HEADERS: 'x-api-key=abc,hunter2',
      LAMBDA_OTEL_TIMEOUT_MARGIN_MS: 'AKIAIOSFODNN7EXAMPLE',
      LAMBDA_OTEL_CAPTURE_EVENT: 'wJalrXUtnFEMI/K7MDENG',
    },
  });
  onTestFinished(() => h.close());
  const result = await h.env.invoke({ name: 'ada' });
  assert.equal(result.status, 'success', result.errorMessage);
  assert.deepEqual(result.response, { greeting: 'hello ada' });
  await h.env.shutdown();
  await waitForSpans(h.sink, () => h.roots().has(result.requestId));
  assert.equal(h.roots().get(result.requestId)!.attributes['lambda_otel.event'], undefined, 'captureEvent took its default, false');

  const errors = h.jsonLines().filter((line) => line.level === 'ERROR');
  assert.deepEqual(errors.map((line) => String(line.message).split(' ')[1]).sort(), [
    'LAMBDA_OTEL_CAPTURE_EVENT',
    'LAMBDA_OTEL_TIMEOUT_MARGIN_MS',
    'OTEL_EXPORTER_OTLP_HEADERS',
  ]);
  const runtimeOutput = h.env.logs.filter((entry) => entry.source === 'runtime').map((entry) => entry.line);
  for (const line of runtimeOutput) for (const secret of secrets) assert.ok(!line.includes(secret), `printed ${secret}: ${line}`);
});
