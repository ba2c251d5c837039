// The Telemetry API listener: subscribed as http://sandbox.localdomain:<port>, it answers every
// delivery at once and hands the parsed records over; a delivery it cannot read is logged, never thrown.
import assert from 'node:assert/strict';
import { request } from 'node:http';
import { isIPv4 } from 'node:net';
import { onTestFinished, test } from 'vitest';
import { createLogger } from '../src/logger.ts';
import { resolveSandboxAddress, SANDBOX_HOST, startTelemetryListener } from '../src/receive/telemetry-listener.ts';
import type { TelemetryRecord } from '../src/receive/telemetry-records.ts';

function post(port: number, body: string): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const req = request({ host: '127.0.0.1', port, method: 'POST', path: '/', headers: { 'content-type': 'application/json' } }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (chunk: Buffer) => chunks.push(chunk));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body: Buffer.concat(chunks).toString() }));
    });
    req.on('error', reject);
    req.end(body);
  });
}

test('deliveries are answered OK and parsed; the URI names sandbox.localdomain; bad bodies are contained', async () => {
  const delivered: TelemetryRecord[][] = [];
  const warnings: string[] = [];
  const logger = createLogger('warn', (line) => warnings.push(String((JSON.parse(line) as { message: string }).message)));
  const listener = await startTelemetryListener((records) => delivered.push(records), logger, '127.0.0.1');
  onTestFinished(() => listener.close());
  assert.equal(listener.uri, `http://${SANDBOX_HOST}:${listener.port}`);
  assert.equal(listener.lastDeliveryAtMs(), 0);

  const batch = [
    { time: '2026-01-01T00:00:00.000Z', type: 'platform.start', record: { requestId: 'r1' } },
    { time: '2026-01-01T00:00:00.010Z', type: 'function', record: 'hello\n' },
  ];
  assert.deepEqual(await post(listener.port, JSON.stringify(batch)), { status: 200, body: 'OK' });
  assert.equal(delivered.length, 1);
  assert.deepEqual(
    delivered[0]!.map((record) => record.type),
    ['platform.start', 'function'],
  );
  assert.ok(listener.lastDeliveryAtMs() > 0);

  assert.equal((await post(listener.port, '{"not": "an array"}')).status, 200);
  assert.equal((await post(listener.port, 'garbage')).status, 200);
  assert.equal(delivered.length, 1, 'nothing handed over from unreadable deliveries');
  assert.equal(warnings.filter((message) => message === 'telemetry delivery not understood').length, 2);
});

test('the sandbox name resolves to an IPv4 address to bind to, loopback when it does not resolve', async () => {
  const address = await resolveSandboxAddress(30);
  assert.ok(isIPv4(address), address);
});
