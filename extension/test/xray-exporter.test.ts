// X-Ray mode against local sinks that check every SigV4 signature independently (the `aws4`
// package recomputes it from the received method, path, headers and body): traces to the X-Ray
// OTLP endpoint (service xray), logs to CloudWatch Logs (service logs, group/stream headers),
// request limits and the X-Ray time window.
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { afterAll, beforeAll, beforeEach, describe, it } from 'vitest';
import { gunzipSync } from 'node:zlib';
import { readExporterConfig, type XrayExporterConfig } from '../src/export/config.ts';
import { createExporter } from '../src/export/create-exporter.ts';
import { createXrayExporter, partitionByXrayTimeWindow } from '../src/export/xray-exporter.ts';
import { createLogger } from '../src/logger.ts';
import { makeLogs, makeSpans } from './fixtures/items.ts';
import { resetSink, startOtlpSink, verifySigV4 } from './fixtures/sink.ts';
import type { Sink } from './fixtures/sink.ts';

const credentials = { accessKeyId: 'AKIDEXAMPLE', secretAccessKey: 'wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY', sessionToken: 'session-token-value' };
const region = 'eu-west-1';
const spans = (count: number, options: { startMs?: number; payloadBytes?: number } = {}) => makeSpans(count, { kind: 2, ...options });
const logs = (count: number, payloadBytes = 10) => makeLogs(count, { payloadBytes });

const fastRetries = { maxAttempts: 3, initialBackoffMs: 10, maxBackoffMs: 20 };

describe('X-Ray exporter', () => {
  let traceSink: Sink;
  let logSink: Sink;
  let lines: string[];
  const logger = createLogger('debug', (line) => lines.push(line));

  const env = (): Record<string, string> => ({
    LAMBDA_OTEL_EXPORTER: 'xray',
    AWS_REGION: region,
    AWS_ACCESS_KEY_ID: credentials.accessKeyId,
    AWS_SECRET_ACCESS_KEY: credentials.secretAccessKey,
    AWS_SESSION_TOKEN: credentials.sessionToken,
    AWS_LAMBDA_FUNCTION_NAME: 'orders',
    LAMBDA_OTEL_XRAY_ENDPOINT: `${traceSink.url}/v1/traces`,
    LAMBDA_OTEL_LOGS_ENDPOINT: `${logSink.url}/v1/logs`,
  });
  const xrayConfig = (extra: Record<string, string> = {}) => readExporterConfig({ ...env(), ...extra }) as XrayExporterConfig;
  const warnings = () => lines.map((line) => JSON.parse(line)).filter((line) => line.level === 'WARN');

  beforeAll(async () => {
    traceSink = await startOtlpSink({ verifySigV4: { service: 'xray', region, ...credentials } });
    logSink = await startOtlpSink({ verifySigV4: { service: 'logs', region, ...credentials } });
  });
  afterAll(async () => {
    await traceSink.close();
    await logSink.close();
  });
  beforeEach(() => {
    resetSink(traceSink);
    resetSink(logSink);
    lines = [];
  });

  it('signs span requests for service xray over the final gzip body', async () => {
    const exporter = createExporter(xrayConfig(), logger);
    assert.deepEqual(await exporter.exportSpans(spans(3), Date.now() + 5000), { kind: 'success' });
    assert.equal(traceSink.requests.length, 1);
    const request = traceSink.requests[0]!;
    assert.equal(request.sigv4?.valid, true, request.sigv4?.reason);
    assert.equal(request.headers['content-type'], 'application/x-protobuf');
    assert.equal(request.headers['content-encoding'], 'gzip');
    assert.equal(request.headers['x-amz-security-token'], credentials.sessionToken);
    assert.equal(request.headers['x-amz-content-sha256'], createHash('sha256').update(request.body).digest('hex'));
    for (const header of ['host', 'x-amz-date', 'content-type', 'content-encoding', 'x-amz-security-token']) {
      assert.ok(request.sigv4?.signedHeaders?.includes(header), `${header} is signed`);
    }
    assert.match(String(request.headers.authorization), new RegExp(`Credential=${credentials.accessKeyId}/\\d{8}/${region}/xray/aws4_request`));
    assert.deepEqual(
      traceSink
        .spans()
        .slice(-3)
        .map((s) => s.name),
      ['span-0', 'span-1', 'span-2'],
    );
    await exporter.shutdown();
  });

  it('the independent check catches a wrong secret and a changed body', async () => {
    const exporter = createExporter(xrayConfig(), logger);
    await exporter.exportSpans(spans(1), Date.now() + 5000);
    const request = traceSink.requests[0]!;
    assert.equal(verifySigV4(request, { service: 'xray', region, ...credentials }).valid, true);
    const wrongSecret = verifySigV4(request, { service: 'xray', region, ...credentials, secretAccessKey: 'not-the-secret' });
    assert.equal(wrongSecret.valid, false);
    assert.equal(wrongSecret.reason, 'signature does not match the request');
    const changedBody = verifySigV4({ ...request, body: Buffer.concat([request.body, Buffer.from([0])]) }, { service: 'xray', region, ...credentials });
    assert.equal(changedBody.valid, false);
    assert.equal(verifySigV4(request, { service: 'logs', region, ...credentials }).valid, false);
    await exporter.shutdown();
  });

  it('signs every retry afresh', async () => {
    const exporter = createXrayExporter(xrayConfig(), logger, { retryPolicy: fastRetries });
    let calls = 0;
    traceSink.setResponder(() => (++calls === 1 ? { status: 503 } : undefined));
    assert.deepEqual(await exporter.exportSpans(spans(1), Date.now() + 5000), { kind: 'success' });
    assert.equal(traceSink.requests.length, 2);
    assert.ok(traceSink.requests.every((r) => r.sigv4?.valid));
    await exporter.shutdown();
  });

  it('reports an invalid-token 403 as a failure, without retrying', async () => {
    const exporter = createXrayExporter(xrayConfig(), logger, { retryPolicy: fastRetries });
    traceSink.setResponder(() => ({
      status: 403,
      headers: { 'content-type': 'application/json' },
      body: '{"message":"The security token included in the request is invalid."}',
    }));
    const result = await exporter.exportSpans(spans(1), Date.now() + 5000);
    assert.equal(result.kind, 'failure');
    assert.match(result.kind === 'failure' ? result.error : '', /HTTP 403 .*security token included in the request is invalid/);
    assert.equal(traceSink.requests.length, 1);
    await exporter.shutdown();
  });

  it('splits batches over 10,000 spans', async () => {
    const exporter = createExporter(xrayConfig(), logger);
    assert.deepEqual(await exporter.exportSpans(spans(10_001), Date.now() + 20_000), { kind: 'success' });
    assert.equal(traceSink.requests.length, 2);
    const perRequest = traceSink.requests.map((r) => r.sigv4?.valid && gunzipSync(r.body).length);
    assert.ok(perRequest.every(Boolean));
    assert.equal(traceSink.spans().length >= 10_001, true);
    await exporter.shutdown();
  });

  it('keeps every request under 5 MB uncompressed and drops spans over 200 KB', async () => {
    const exporter = createExporter(xrayConfig(), logger);
    const batch = [...spans(60, { payloadBytes: 100_000 }), ...spans(1, { payloadBytes: 250_000 })];
    assert.deepEqual(await exporter.exportSpans(batch, Date.now() + 20_000), { kind: 'success', dropped: 1 });
    assert.ok(traceSink.requests.length >= 2);
    for (const request of traceSink.requests) {
      assert.ok(gunzipSync(request.body).length <= 5_000_000, 'request within 5 MB');
      assert.equal(request.sigv4?.valid, true);
    }
    const warning = warnings().find((w) => /too large/.test(w.message));
    assert.equal(warning?.dropped, 1);
    await exporter.shutdown();
  });

  it('drops and reports spans outside the X-Ray time window', async () => {
    const exporter = createExporter(xrayConfig(), logger);
    const dayMs = 24 * 60 * 60 * 1000;
    const batch = [...spans(2), ...spans(1, { startMs: Date.now() - 15 * dayMs }), ...spans(1, { startMs: Date.now() + 3 * 60 * 60 * 1000 })];
    assert.deepEqual(await exporter.exportSpans(batch, Date.now() + 5000), { kind: 'success', dropped: 2 });
    const warning = warnings().find((w) => /time|X-Ray rejects/.test(w.message));
    assert.equal(warning?.dropped, 2);
    assert.equal(traceSink.requests.length, 1);
    const onlyOld = await exporter.exportSpans(spans(1, { startMs: Date.now() - 15 * dayMs }), Date.now() + 5000);
    assert.equal(onlyOld.kind, 'failure');
    await exporter.shutdown();
  });

  it('partitions by time window as a pure function', () => {
    const nowMs = Date.UTC(2026, 0, 1);
    const { accepted, outside } = partitionByXrayTimeWindow(
      [...spans(1, { startMs: nowMs - 13 * 24 * 3600_000 }), ...spans(1, { startMs: nowMs + 3 * 3600_000 }), ...spans(1, { startMs: nowMs })],
      nowMs,
    );
    assert.equal(accepted.length, 2);
    assert.equal(outside.length, 1);
  });

  it('sends logs to CloudWatch Logs with group and stream headers, signed for service logs', async () => {
    const exporter = createExporter(xrayConfig({ LAMBDA_OTEL_LOG_STREAM: 'otel-stream' }), logger);
    assert.deepEqual(await exporter.exportLogs(logs(2), Date.now() + 5000), { kind: 'success' });
    const request = logSink.requests[0]!;
    assert.equal(request.path, '/v1/logs');
    assert.equal(request.headers['x-aws-log-group'], '/aws/lambda/orders');
    assert.equal(request.headers['x-aws-log-stream'], 'otel-stream');
    assert.equal(request.sigv4?.valid, true, request.sigv4?.reason);
    assert.ok(request.sigv4?.signedHeaders?.includes('x-aws-log-group'));
    assert.match(String(request.headers.authorization), /\/logs\/aws4_request/);
    assert.deepEqual(
      logSink
        .logs()
        .slice(-2)
        .map((l) => l.body),
      ['line 0:' + 'y'.repeat(10), 'line 1:' + 'y'.repeat(10)],
    );
    await exporter.shutdown();
  });

  it('keeps CloudWatch Logs requests within 1 MiB uncompressed', async () => {
    const exporter = createExporter(xrayConfig(), logger);
    assert.deepEqual(await exporter.exportLogs(logs(30, 50_000), Date.now() + 10_000), { kind: 'success' });
    assert.ok(logSink.requests.length >= 2);
    for (const request of logSink.requests) assert.ok(gunzipSync(request.body).length <= 1_048_576);
    await exporter.shutdown();
  });

  it('without a log group, reports logs as not exported and says why once', async () => {
    const config = readExporterConfig({ ...env(), AWS_LAMBDA_FUNCTION_NAME: '', LAMBDA_OTEL_LOG_GROUP: '' }) as XrayExporterConfig;
    const exporter = createExporter(config, logger);
    const first = await exporter.exportLogs(logs(1), Date.now() + 1000);
    const second = await exporter.exportLogs(logs(1), Date.now() + 1000);
    assert.equal(first.kind, 'failure');
    assert.equal(second.kind, 'failure');
    assert.equal(warnings().filter((w) => /logs are not exported/.test(w.message)).length, 1);
    assert.equal(logSink.requests.length, 0);
    await exporter.shutdown();
  });
});
