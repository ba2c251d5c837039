// Telemetry delivery against real sockets: batching by maxItems, TCP delivery as NDJSON, retries, and
// drops (a consumer that refuses or cannot keep up) that are counted and reported as
// platform.logsDropped.
import { test } from 'vitest';
import assert from 'node:assert/strict';
import { createServer } from 'node:http';
import { createServer as createTcpServer, type AddressInfo } from 'node:net';
import { TelemetryDispatcher } from '../src/api/telemetry/dispatcher.ts';
import { parseSubscription } from '../src/api/telemetry/subscribe.ts';

function subscription(port: number, buffering: object, protocol: 'HTTP' | 'TCP' = 'HTTP') {
  return parseSubscription(
    Buffer.from(
      JSON.stringify({
        schemaVersion: '2022-12-13',
        types: ['platform', 'function'],
        buffering,
        destination: protocol === 'HTTP' ? { protocol, URI: `http://sandbox:${port}/` } : { protocol, port },
      }),
    ),
    false,
  );
}

type Entry = { time: string; type: string; record: any };

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
    assert.deepEqual(
      batches.map((batch) => batch.length),
      [1000, 1000, 500],
    );
    assert.deepEqual(
      batches
        .flat()
        .map((item) => item.record)
        .slice(998, 1002),
      ['line 998', 'line 999', 'line 1000', 'line 1001'],
    );
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

test('a TCP destination gets NDJSON: one {time,type,record} per line', async () => {
  const received: string[] = [];
  const server = createTcpServer((socket) => {
    let text = '';
    socket.setEncoding('utf8');
    socket.on('data', (chunk: string) => (text += chunk));
    socket.on('end', () => received.push(text));
  });
  await new Promise<void>((ready) => server.listen(0, '127.0.0.1', ready));
  const dispatcher = new TelemetryDispatcher();
  try {
    dispatcher.subscribe('ext', subscription((server.address() as AddressInfo).port, { timeoutMs: 25 }, 'TCP'));
    dispatcher.emit({ type: 'function', record: 'one' });
    dispatcher.emit({ type: 'platform.start', record: { requestId: 'r1', version: '$LATEST' } });
    await dispatcher.drain(5000);
    for (let waitedMs = 0; received.length === 0 && waitedMs < 2000; waitedMs += 10) await new Promise((wake) => setTimeout(wake, 10));
    const lines = received.join('').split('\n');
    assert.equal(lines.pop(), '', 'every record ends with a newline');
    const entries = lines.map((line) => JSON.parse(line) as Entry);
    assert.deepEqual(
      entries.map((entry) => [entry.type, entry.record]),
      [
        ['function', 'one'],
        ['platform.start', { requestId: 'r1', version: '$LATEST' }],
      ],
    );
  } finally {
    dispatcher.close();
    server.close();
  }
});

test('a consumer that cannot keep up: the backlog is capped, the rest is dropped, counted and reported to it', async () => {
  const delivered: Entry[] = [];
  let first = true;
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      delivered.push(...(JSON.parse(Buffer.concat(chunks).toString('utf8')) as Entry[]));
      // The first batch is acknowledged late, while the function keeps logging.
      const delayMs = first ? 300 : 0;
      first = false;
      setTimeout(() => res.writeHead(200).end(), delayMs);
    });
  });
  await new Promise<void>((ready) => server.listen(0, '127.0.0.1', ready));
  const dispatcher = new TelemetryDispatcher();
  const total = 20_000;
  try {
    dispatcher.subscribe('ext', subscription((server.address() as AddressInfo).port, { maxItems: 1000, timeoutMs: 25 }));
    for (let index = 0; index < total; index += 1) dispatcher.emit({ type: 'function', record: `line ${index}` });
    await dispatcher.drain(10_000);
    const lines = delivered.filter((entry) => entry.type === 'function').map((entry) => entry.record as string);
    const notices = delivered.filter((entry) => entry.type === 'platform.logsDropped');
    assert.equal(notices.length, 1, 'the subscriber is told once');
    const droppedRecords = notices[0]!.record.droppedRecords as number;
    assert.ok(droppedRecords > 0 && notices[0]!.record.droppedBytes > 0);
    assert.equal(lines.length + droppedRecords, total, 'every record is either delivered or counted as dropped');
    const indexes = lines.map((line) => Number(line.slice('line '.length)));
    assert.ok(
      indexes.every((index, at) => at === 0 || index > indexes[at - 1]!),
      'what was kept stays in order',
    );
    assert.deepEqual(
      dispatcher.events.filter((event) => event.type === 'platform.logsDropped').map((event) => event.record),
      [notices[0]!.record],
    );
  } finally {
    dispatcher.close();
    server.close();
  }
});
