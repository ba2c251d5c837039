// Telemetry delivery against real sockets: batching by maxItems, retries, and drops that are counted
// and reported as platform.logsDropped.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { TelemetryDispatcher } from '../src/api/telemetry/dispatcher.ts';
import { parseSubscription } from '../src/api/telemetry/subscribe.ts';

function subscription(port: number, buffering: object) {
  return parseSubscription(Buffer.from(JSON.stringify({
    schemaVersion: '2022-12-13',
    types: ['platform', 'function'],
    buffering,
    destination: { protocol: 'HTTP', URI: `http://sandbox:${port}/` },
  })), false);
}

test('records are batched by maxItems and delivered in order', async () => {
  const batches: { time: string; type: string; record: unknown }[][] = [];
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      batches.push(JSON.parse(Buffer.concat(chunks).toString('utf8')));
      res.writeHead(200).end();
    });
  });
  await new Promise<void>((ready) => server.listen(0, '127.0.0.1', ready));
  const dispatcher = new TelemetryDispatcher();
  try {
    dispatcher.subscribe('ext', subscription((server.address() as AddressInfo).port, { maxItems: 1000, timeoutMs: 30000 }));
    for (let index = 0; index < 2500; index += 1) dispatcher.emit({ type: 'function', record: `line ${index}` });
    await dispatcher.drain(5000);
    assert.deepEqual(batches.map((batch) => batch.length), [1000, 1000, 500]);
    assert.deepEqual(batches.flat().map((item) => item.record).slice(998, 1002), ['line 998', 'line 999', 'line 1000', 'line 1001']);
    assert.ok(batches.flat().every((item) => /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/.test(item.time)));
  } finally {
    dispatcher.close();
    server.close();
  }
});

test('a destination that never accepts: retried, then dropped, counted and reported', async () => {
  const server = createServer((_req, res) => res.writeHead(503).end());
  await new Promise<void>((ready) => server.listen(0, '127.0.0.1', ready));
  const dispatcher = new TelemetryDispatcher();
  try {
    dispatcher.subscribe('ext', subscription((server.address() as AddressInfo).port, { timeoutMs: 25 }));
    dispatcher.emit({ type: 'function', record: 'lost line' });
    await dispatcher.drain(5000);
    const dropped = dispatcher.events.find((event) => event.type === 'platform.logsDropped');
    assert.ok(dropped, 'platform.logsDropped emitted');
    assert.equal((dropped.record as { droppedRecords: number }).droppedRecords, 1);
  } finally {
    dispatcher.close();
    server.close();
  }
});
