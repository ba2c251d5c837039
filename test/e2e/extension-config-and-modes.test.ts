// A configuration error is reported through /extension/init/error naming the variable; with no
// OTLP endpoint at all telemetry goes to stdout with a notice (not an error); under Lambda Managed
// Instances the extension registers for SHUTDOWN only and flushes continuously.
import assert from 'node:assert/strict';
import { onTestFinished, test } from 'vitest';
import { extensionLines, startHarness } from '../fixtures/extension/harness.ts';

test('an invalid LAMBDA_OTEL_FLUSH fails init through /extension/init/error, naming the variable', async () => {
  const harness = await startHarness({ flush: 'sometimes' });
  onTestFinished(() => harness.close());
  const result = await harness.env.invoke({ n: 1 });
  assert.notEqual(result.status, 'success');
  const said = harness.env.logs
    .filter((entry) => entry.source === 'lambda-otel')
    .map((entry) => entry.line)
    .join('\n');
  assert.match(said, /Configuration: LAMBDA_OTEL_FLUSH is invalid, expected end, periodic,<ms>, continuous,<ms> or adaptive/);
  assert.match(`${result.errorType ?? ''} ${result.errorMessage ?? ''}`, /Extension/);
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
