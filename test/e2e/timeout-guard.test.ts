// A handler that runs past its timeout: the plugin's timeout guard ends the root span (and the open
// child) as ERROR with lambda_otel.timeout=true and sends it before Lambda stops the runtime.
import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { onTestFinished, test } from 'vitest';
import { build } from 'esbuild';
import { startInstrumentHarness, waitForSpans } from '../fixtures/instrument/harness.ts';
import { fixturesDir } from '../support/paths.ts';

const SPAN_STATUS_ERROR = 2;

test('a timed-out invocation still delivers its ERROR root span marked lambda_otel.timeout', async () => {
  // Prepare: the fixture bundled with the plugin's sources; writer otlp straight to the sink.
  const functionDir = await mkdtemp(join(tmpdir(), 'lambda-otel-timeout-'));
  onTestFinished(() => rm(functionDir, { recursive: true, force: true }));
  await build({
    entryPoints: [join(fixturesDir, 'timeout', 'handler.ts')],
    bundle: true,
    platform: 'node',
    format: 'esm',
    target: 'node22',
    outfile: join(functionDir, 'index.mjs'),
    // The OpenTelemetry packages are CommonJS; give the ESM bundle a require().
    banner: { js: "import { createRequire } from 'node:module'; const require = createRequire(import.meta.url);" },
    logLevel: 'error',
  });
  const h = await startInstrumentHarness({
    functionDir,
    handler: 'index.handler',
    layer: false,
    timeoutSec: 1,
    env: { LAMBDA_OTEL_WRITER: 'otlp', LAMBDA_OTEL_TIMEOUT_MARGIN_MS: '150' },
  });
  onTestFinished(() => h.close());

  // Act
  const inv = await h.env.invoke({ sleepMs: 5_000 });

  // Assess: Lambda reports the timeout; the root span got out before the runtime was stopped.
  assert.equal(inv.status, 'timeout', JSON.stringify(inv));
  await waitForSpans(h.sink, () => h.roots().has(inv.requestId));
  const root = h.roots().get(inv.requestId)!;
  assert.equal(root.attributes['lambda_otel.timeout'], true);
  assert.equal(root.status.code, SPAN_STATUS_ERROR);
  const child = h.sink.spans().find((s) => s.name === 'slow-call' && s.traceId === root.traceId);
  assert.equal(child?.parentSpanId, root.spanId, 'the open child span was ended and sent too');
  assert.equal(child?.attributes['lambda_otel.timeout'], true);
  assert.equal(child?.status.code, SPAN_STATUS_ERROR);
  // One ERROR line for the timeout, correlated with the invocation.
  const lines = h.jsonLines().filter((l) => l.level === 'ERROR' && l.requestId === inv.requestId);
  assert.equal(lines.length, 1, JSON.stringify(h.jsonLines()));
  assert.equal(lines[0]!.trace_id, root.traceId);
  assert.equal(lines[0]!.errorType, 'Sandbox.Timedout');

  // After the reset, the next invocation works, in a new runtime process (a new cold start).
  const next = await h.env.invoke({ sleepMs: 1 });
  assert.equal(next.status, 'success', JSON.stringify(next));
  await h.env.shutdown();
  await waitForSpans(h.sink, () => h.roots().has(next.requestId));
  assert.equal(h.roots().get(next.requestId)!.attributes['faas.coldstart'], true);
  assert.equal(h.roots().get(next.requestId)!.attributes['lambda_otel.timeout'], undefined);
});
