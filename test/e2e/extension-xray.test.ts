// X-Ray mode end to end (emulator + aws-lambda-ric + the built layer): spans go to the X-Ray OTLP
// endpoint signed with SigV4 for service `xray`, log records to the CloudWatch Logs OTLP endpoint
// signed for service `logs` with the log group and stream headers. Each endpoint is a local sink
// that checks the signature with an independent implementation (aws4).
import assert from 'node:assert/strict';
import { onTestFinished, test } from 'vitest';
import { startOtlpSink } from '../support/otlp-sink.ts';
import { extensionLines, startHarness } from '../fixtures/extension/harness.ts';

const region = 'eu-west-1';
const credentials = { accessKeyId: 'AKIDLAMBDAOTELTEST', secretAccessKey: 'c2VjcmV0LWtleS1mb3ItdGhlLXRlc3Q', sessionToken: 'session-token-for-the-test' };
const traceHeader = 'Root=1-6352a70e-1e2c502e358361800241fd45;Parent=35465b3a9e2f7c6a;Sampled=1';

test('X-Ray mode: spans to X-Ray and logs to CloudWatch Logs, each SigV4-signed for its service, in the X-Ray trace', async () => {
  const xray = await startOtlpSink({ verifySigV4: { service: 'xray', region, ...credentials } });
  const logs = await startOtlpSink({ verifySigV4: { service: 'logs', region, ...credentials } });
  const harness = await startHarness({
    sink: xray,
    flush: 'end',
    env: {
      LAMBDA_OTEL_EXPORTER: 'xray',
      // No OTLP endpoint: in xray mode metrics would go there (extension-metrics.test.ts).
      OTEL_EXPORTER_OTLP_ENDPOINT: '',
      AWS_REGION: region,
      AWS_ACCESS_KEY_ID: credentials.accessKeyId,
      AWS_SECRET_ACCESS_KEY: credentials.secretAccessKey,
      AWS_SESSION_TOKEN: credentials.sessionToken,
      LAMBDA_OTEL_XRAY_ENDPOINT: `${xray.url}/v1/traces`,
      LAMBDA_OTEL_LOGS_ENDPOINT: `${logs.url}/v1/logs`,
      // The plugin continues Lambda's X-Ray trace when asked to (its default is W3C only).
      OTEL_PROPAGATORS: 'tracecontext,baggage,xray-lambda',
    },
  });
  onTestFinished(async () => {
    await harness.close();
    await logs.close();
  });
  const traced = await harness.env.invoke({ n: 0 }, { traceHeader });
  const untraced = await harness.env.invoke({ n: 1 });
  assert.equal(traced.status, 'success');
  assert.equal(untraced.status, 'success');
  const down = await harness.env.shutdown();
  assert.equal(down.processes.find((p) => p.name === 'lambda-otel')?.exitCode, 0);

  // Spans: every request signed for xray in the region, gzip protobuf (the default).
  assert.ok(
    xray.requests.length > 0,
    `span requests reached the X-Ray sink; the extension said:\n${harness.env.logs
      .filter((entry) => entry.source === 'lambda-otel')
      .map((entry) => entry.line)
      .join('\n')}`,
  );
  for (const request of xray.requests) {
    assert.equal(request.path, '/v1/traces');
    assert.equal(request.sigv4?.valid, true, request.sigv4?.reason);
    assert.match(String(request.headers.authorization), new RegExp(`/${region}/xray/aws4_request`));
    assert.equal(request.headers['x-amz-security-token'], credentials.sessionToken);
    assert.equal(request.headers['content-type'], 'application/x-protobuf');
    assert.equal(request.headers['content-encoding'], 'gzip');
  }
  const roots = new Map(
    xray
      .spans()
      .filter((span) => typeof span.attributes['faas.invocation.id'] === 'string')
      .map((span) => [span.attributes['faas.invocation.id'] as string, span]),
  );
  assert.equal(roots.size, 2);
  // The invocation's X-Ray trace continues: its Root is the trace id, as X-Ray accepts it.
  assert.equal(roots.get(traced.requestId)?.traceId, '6352a70e1e2c502e358361800241fd45');
  assert.equal(roots.get(traced.requestId)?.parentSpanId, '35465b3a9e2f7c6a');
  assert.match(roots.get(untraced.requestId)?.traceId ?? '', /^[0-9a-f]{32}$/);

  // Logs: signed for logs, with the function's log group (derived from its name) and the default stream.
  assert.ok(logs.requests.length > 0);
  for (const request of logs.requests) {
    assert.equal(request.path, '/v1/logs');
    assert.equal(request.sigv4?.valid, true, request.sigv4?.reason);
    assert.match(String(request.headers.authorization), new RegExp(`/${region}/logs/aws4_request`));
    assert.equal(request.headers['x-aws-log-group'], '/aws/lambda/basic');
    assert.equal(request.headers['x-aws-log-stream'], 'lambda-otel');
    assert.ok(request.sigv4?.signedHeaders?.includes('x-aws-log-group'));
  }
  for (const [n, result] of [traced, untraced].entries()) {
    const line = logs.logs().find((log) => log.body === `handling ${n}`);
    assert.ok(line, `the handler's line of invoke ${n} reached CloudWatch Logs`);
    assert.equal(line.traceId, roots.get(result.requestId)?.traceId, 'in its invocation trace');
  }

  const summary = extensionLines(harness.env).find((line) => typeof line.summary === 'object')?.summary as
    { sent: number; written: number; dropped: number; received: number } | undefined;
  assert.ok(summary);
  assert.equal(summary.dropped, 0);
  assert.equal(summary.sent + summary.written, summary.received);
});
