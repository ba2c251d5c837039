// A configuration error never fails init: one ERROR line naming the variable, then a default; with no
// OTLP endpoint at all telemetry goes to stdout with a notice (not an error); under Lambda Managed
// Instances the extension registers for SHUTDOWN only and flushes continuously.
import assert from 'node:assert/strict';
import { onTestFinished, test } from 'vitest';
import { extensionLines, startHarness } from '../fixtures/extension/harness.ts';

test('an invalid LAMBDA_OTEL_FLUSH never fails init: one ERROR line naming the variable, the default policy, telemetry still exported', async () => {
  const harness = await startHarness({ flush: 'sometimes' });
  onTestFinished(() => harness.close());
  const result = await harness.env.invoke({ n: 1 });
  assert.equal(result.status, 'success');
  assert.deepEqual(result.response, { ok: true, n: 1 });
  const errors = extensionLines(harness.env).filter((line) => line.level === 'ERROR');
  assert.equal(errors.length, 1);
  assert.match(
    String(errors[0]!.message),
    /^Configuration: LAMBDA_OTEL_FLUSH is invalid, expected end, periodic,<ms>, continuous,<ms> or adaptive.*using the default instead$/,
  );
  await harness.sink.waitForSpans(1);
});

test('a broken OTLP header with a token never fails init and never prints the token: stdout instead', async () => {
  const token = 'sk-live-5f1c0ffee';
  const harness = await startHarness({ flush: 'end', env: { OTEL_EXPORTER_OTLP_HEADERS: `authorization=Bearer%20${token},broken` } });
  onTestFinished(() => harness.close());
  const result = await harness.env.invoke({ n: 2 });
  assert.equal(result.status, 'success');
  await harness.env.shutdown();
  // The extension's own lines (its OTLP-JSON output carries the function's log lines as they were).
  const own = extensionLines(harness.env).filter((line) => typeof line.message === 'string');
  assert.ok(!JSON.stringify(own).includes(token), 'the extension never prints the token');
  const errors = extensionLines(harness.env).filter((line) => line.level === 'ERROR');
  assert.equal(errors.length, 1);
  assert.match(String(errors[0]!.message), /OTEL_EXPORTER_OTLP_HEADERS is invalid.*telemetry goes to stdout/);
  assert.equal(harness.sink.requests.length, 0);
  assert.ok(
    extensionLines(harness.env).some((line) => Array.isArray(line.resourceLogs)),
    'telemetry is on stdout',
  );
});

test('no OTLP endpoint configured: one notice, telemetry as OTLP-JSON lines on stdout, no configuration error', async () => {
  const harness = await startHarness({ flush: 'end', env: { OTEL_EXPORTER_OTLP_ENDPOINT: '' } });
  onTestFinished(() => harness.close());
  const result = await harness.env.invoke({ n: 1 });
  assert.equal(result.status, 'success');
  await harness.env.shutdown();
  const lines = extensionLines(harness.env);
  const notice = lines.find((line) => String(line.message).startsWith('No OTLP endpoint is configured'));
  assert.equal(notice?.level, 'INFO');
  assert.match(String(notice?.message), /set OTEL_EXPORTER_OTLP_ENDPOINT .*LAMBDA_OTEL_EXPORTER=xray/i);
  assert.ok(!lines.some((line) => String(line.message).startsWith('Configuration:')), 'not reported as a configuration error');
  const stdoutSpans = lines.flatMap((line) =>
    ((line.resourceSpans as { scopeSpans: { spans: { attributes: { key: string; value: { stringValue?: string } }[] }[] }[] }[] | undefined) ?? []).flatMap(
      (rs) => rs.scopeSpans.flatMap((ss) => ss.spans),
    ),
  );
  assert.ok(
    stdoutSpans.some((span) => span.attributes.some((kv) => kv.key === 'faas.invocation.id' && kv.value.stringValue === result.requestId)),
    'the root span is on stdout',
  );
  assert.equal(harness.sink.requests.length, 0);
});

test('Managed Instances: SHUTDOWN-only registration, continuous background export', async () => {
  const harness = await startHarness({ flush: 'end', maxConcurrency: 2 });
  onTestFinished(() => harness.close());
  const first = await harness.env.invoke({ n: 1 });
  assert.equal(first.status, 'success');
  const registration = harness.env.registrations.find((r) => r.name === 'lambda-otel');
  assert.deepEqual(registration?.events, ['SHUTDOWN']);
  // Nothing waits for the extension between invokes: the root span arrives in the background.
  const spans = await harness.sink.waitForSpans(1, 5000);
  assert.ok(spans.some((span) => span.attributes['faas.invocation.id'] === first.requestId));
  const down = await harness.env.shutdown();
  assert.equal(down.processes.find((p) => p.name === 'lambda-otel')?.exitCode, 0);
});
