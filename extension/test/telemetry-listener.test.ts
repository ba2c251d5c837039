// The Telemetry API listener: subscribed as http://sandbox.localdomain:<port>, it answers every
// delivery at once and hands the parsed records over; a delivery it cannot read is logged, never thrown.
import assert from 'node:assert/strict';
import { request } from 'node:http';
import { isIPv4 } from 'node:net';
import { onTestFinished, test } from 'vitest';
import { createLogger } from '../src/logger.ts';
import { resolveSandboxAddress, SANDBOX_HOST, startTelemetryListener } from '../src/receive/telemetry-listener.ts';
import type { TelemetryRecord } from '../src/receive/telemetry-records.ts';

function post(port: number, body: string, host = '127.0.0.1'): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const req = request({ host, port, method: 'POST', path: '/', headers: { 'content-type': 'application/json' } }, (res) => {
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

test('the sandbox name resolves to an IPv4 address to bind to, loopback when it does not resolve in time', async () => {
  const address = await resolveSandboxAddress(30);
  assert.ok(isIPv4(address.bind), address.bind);
  const slow = await resolveSandboxAddress(30, () => new Promise((resolve) => setTimeout(resolve, 100, '127.0.0.2')));
  assert.equal(slow.bind, '127.0.0.1');
  assert.equal(await slow.resolved, '127.0.0.2');
});

test('when the name resolves only after the listener bound to loopback, the listener is also where the name leads', async () => {
  const delivered: TelemetryRecord[][] = [];
  const logger = createLogger('error', () => undefined);
  // sandbox.localdomain answers after the quick wait, with another loopback address.
  const address = await resolveSandboxAddress(30, () => new Promise((resolve) => setTimeout(resolve, 80, '127.0.0.2')));
  const listener = await startTelemetryListener((records) => delivered.push(records), logger, address);
  onTestFinished(() => listener.close());
  await address.resolved;
  await new Promise((resolve) => setTimeout(resolve, 20));
  const batch = JSON.stringify([{ time: '2026-01-01T00:00:00.000Z', type: 'platform.start', record: { requestId: 'r1' } }]);
  assert.deepEqual(await post(listener.port, batch, '127.0.0.2'), { status: 200, body: 'OK' }, 'a delivery to where the name leads arrives');
  assert.deepEqual(await post(listener.port, batch, '127.0.0.1'), { status: 200, body: 'OK' });
  assert.equal(delivered.length, 2);
});
