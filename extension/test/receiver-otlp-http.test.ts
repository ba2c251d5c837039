import assert from 'node:assert/strict';
import { request } from 'node:http';
import { onTestFinished, test } from 'vitest';
import { gzipSync } from 'node:zlib';
import { createLogger } from '../src/logger.ts';
import { encodeTraceRequest } from '../src/otlp/encode.ts';
import type { LogItem, SpanItem } from '../src/otlp/types.ts';
import { startOtlpReceiver } from '../src/receive/otlp-http-receiver.ts';

function post(port: number, path: string, body: Buffer | string, headers: Record<string, string>): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const req = request({ host: '127.0.0.1', port, path, method: 'POST', headers }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body: Buffer.concat(chunks).toString() }));
    });
    req.on('error', reject);
    req.end(body);
  });
}

const traces = {
  resourceSpans: [
    {
      resource: { attributes: [] },
      scopeSpans: [
        {
          scope: { name: 's' },
          spans: [{ traceId: 'ab'.repeat(16), spanId: 'cd'.repeat(8), name: 'x', kind: 2, startTimeUnixNano: '1', endTimeUnixNano: '2', attributes: [] }],
        },
      ],
    },
  ],
};

test('protobuf, JSON and gzip requests are accepted; bad ones get 400/404/413/415 with a message', async () => {
  const spans: SpanItem[] = [];
  const logs: LogItem[] = [];
  const receiver = await startOtlpReceiver({
    port: 0,
    maxRequestBytes: 2048,
    onSpans: (items) => spans.push(...items),
    onLogs: (items) => logs.push(...items),
    logger: createLogger('error', () => undefined),
  });
  onTestFinished(() => receiver.close());
  const protobuf = encodeTraceRequest(traces, 'protobuf');
  assert.equal((await post(receiver.port, '/v1/traces', protobuf, { 'content-type': 'application/x-protobuf' })).status, 200);
  assert.equal(
    (await post(receiver.port, '/v1/traces', gzipSync(protobuf), { 'content-type': 'application/x-protobuf', 'content-encoding': 'gzip' })).status,
    200,
  );
  const json = await post(receiver.port, '/v1/traces', JSON.stringify(traces), { 'content-type': 'application/json' });
  assert.deepEqual(json, { status: 200, body: '{}' });
  assert.equal(spans.length, 3);
  assert.equal(spans[0]!.span.traceId, 'ab'.repeat(16));
  assert.equal((await post(receiver.port, '/v1/logs', JSON.stringify({ resourceLogs: [] }), { 'content-type': 'application/json' })).status, 200);

  const malformed = await post(receiver.port, '/v1/traces', '{"resourceSpans": [', { 'content-type': 'application/json' });
  assert.equal(malformed.status, 400);
  assert.match(malformed.body, /malformed OTLP traces request/);
  const tooBig = await post(receiver.port, '/v1/traces', 'x'.repeat(4096), { 'content-type': 'application/json' });
  assert.equal(tooBig.status, 413);
  assert.match(tooBig.body, /exceeds the limit of 2048 bytes/);
  const bomb = await post(receiver.port, '/v1/traces', gzipSync(Buffer.alloc(100_000)), { 'content-type': 'application/json', 'content-encoding': 'gzip' });
  assert.equal(bomb.status, 413);
  assert.equal((await post(receiver.port, '/v1/metrics', '{}', { 'content-type': 'application/json' })).status, 404);
  assert.equal((await post(receiver.port, '/v1/traces', '{}', { 'content-type': 'text/plain' })).status, 415);
  assert.equal(spans.length, 3, 'nothing from a refused request is kept');
});

test('an exception while handing over a request is contained: 500 with the message, and the receiver keeps serving', async () => {
  let calls = 0;
  const receiver = await startOtlpReceiver({
    port: 0,
    maxRequestBytes: 4096,
    onSpans: () => {
      if (++calls === 1) throw new Error('handler blew up');
    },
    onLogs: () => undefined,
    logger: createLogger('error', () => undefined),
  });
  onTestFinished(() => receiver.close());
  const failed = await post(receiver.port, '/v1/traces', JSON.stringify(traces), { 'content-type': 'application/json' });
  assert.equal(failed.status, 500);
  assert.match(failed.body, /handler blew up/);
  assert.equal((await post(receiver.port, '/v1/traces', JSON.stringify(traces), { 'content-type': 'application/json' })).status, 200);
  assert.equal(calls, 2);
});
