// The shared test helpers are checked against independent producers: spans serialized by
// OpenTelemetry's own OTLP serializer, and requests signed by the AWS SDK's SigV4 signer.
import { strict as assert } from 'node:assert';
import { test } from 'vitest';
import { gzipSync } from 'node:zlib';
import { BasicTracerProvider } from './otel-test-provider.ts';
import { startOtlpSink } from './otlp-sink.ts';
import { verifySigV4 } from './sigv4-verifier.ts';
import { SignatureV4 } from '@smithy/signature-v4';
import { Sha256 } from '@aws-crypto/sha256-js';

test('the sink decodes protobuf and JSON OTLP as OpenTelemetry serializes it', async () => {
  const sink = await startOtlpSink();
  try {
    const provider = new BasicTracerProvider();
    const spans = await provider.spansNamed(['parent', 'child']);
    for (const [format, contentType] of [
      ['protobuf', 'application/x-protobuf'],
      ['json', 'application/json'],
    ] as const) {
      const body = gzipSync(provider.serialize(spans, format));
      const res = await fetch(`${sink.url}/v1/traces`, {
        method: 'POST',
        headers: { 'content-type': contentType, 'content-encoding': 'gzip' },
        body,
      });
      assert.equal(res.status, 200);
    }
    const decoded = await sink.waitForSpans(4);
    for (const pair of [decoded.slice(0, 2), decoded.slice(2, 4)]) {
      const [parent, child] = pair;
      assert.equal(parent!.name, 'parent');
      assert.equal(child!.parentSpanId, parent!.spanId);
      assert.equal(child!.traceId, parent!.traceId);
      assert.match(parent!.traceId, /^[0-9a-f]{32}$/);
      assert.equal(parent!.attributes['test.number'], 42);
      assert.equal(parent!.resource['service.name'], 'sink-check');
      assert.ok(parent!.endTimeUnixNano >= parent!.startTimeUnixNano);
    }
    const bad = await fetch(`${sink.url}/v1/traces`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-protobuf' },
      body: Buffer.from([0xff, 0xff, 0xff]),
    });
    assert.equal(bad.status, 400);
  } finally {
    await sink.close();
  }
});

test('the SigV4 verifier accepts the AWS signer, also seconds later, and rejects a changed body, date or secret', async () => {
  const credentials = { accessKeyId: 'AKIDEXAMPLE', secretAccessKey: 'secret-example', sessionToken: 'session-example' };
  const signer = new SignatureV4({ service: 'xray', region: 'eu-west-1', credentials, sha256: Sha256 });
  const body = Buffer.from('payload');
  const signed = await signer.sign({
    method: 'POST',
    protocol: 'http:',
    hostname: '127.0.0.1',
    port: 4318,
    path: '/v1/traces',
    headers: { host: '127.0.0.1:4318', 'content-type': 'application/x-protobuf' },
    body,
  });
  const headers = Object.fromEntries(Object.entries(signed.headers).map(([k, v]) => [k.toLowerCase(), v]));
  const expected = { service: 'xray', region: 'eu-west-1', ...credentials };
  const request = { method: 'POST', path: '/v1/traces', headers, body };
  assert.equal(verifySigV4(request, expected).valid, true);
  assert.equal(verifySigV4({ ...request, body: Buffer.from('payloaD') }, expected).valid, false);
  assert.equal(verifySigV4(request, { ...expected, secretAccessKey: 'other' }).valid, false);
  assert.equal(verifySigV4(request, { ...expected, service: 'logs' }).valid, false);
  assert.equal(verifySigV4({ ...request, headers: { ...headers, authorization: 'Bearer x' } }, expected).valid, false);

  // Signed seconds before it is checked (a loaded machine, a slow sink): the signing time is the
  // request's own X-Amz-Date, not the verifier's clock; changing that header breaks the signature.
  const earlier = await signer.sign(
    { method: 'POST', protocol: 'http:', hostname: '127.0.0.1', port: 4318, path: '/v1/logs', headers: { host: '127.0.0.1:4318' }, body },
    { signingDate: new Date(Date.now() - 7_000) },
  );
  const earlierHeaders = Object.fromEntries(Object.entries(earlier.headers).map(([k, v]) => [k.toLowerCase(), v]));
  const late = { method: 'POST', path: '/v1/logs', headers: earlierHeaders, body };
  assert.equal(verifySigV4(late, expected).valid, true, verifySigV4(late, expected).reason);
  const redated = { ...earlierHeaders, 'x-amz-date': new Date().toISOString().replace(/[:-]|\.\d{3}/g, '') };
  assert.equal(verifySigV4({ ...late, headers: redated }, expected).valid, false);
});
