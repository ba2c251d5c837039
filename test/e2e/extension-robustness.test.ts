// Bad input never takes the extension down: malformed OTLP gets 400, oversized 413 (each with a
// message), a burst larger than the buffer drops the oldest items, counted and reported, and a
// pipeline that cannot start leaves the function running.
import assert from 'node:assert/strict';
import { createServer } from 'node:net';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { onTestFinished, test } from 'vitest';
import { fixturesDir } from '../support/paths.ts';
import { extensionLines, startHarness } from '../fixtures/extension/harness.ts';

const functionDir = join(fixturesDir, 'extension', 'otlp-client');

interface Answer {
  status: number;
  message: string;
}

test('malformed and oversized OTLP bodies get 400 and 413 with a clear message; the extension stays up', async () => {
  const harness = await startHarness({ functionDir, wrapper: false, flush: 'end', env: { LAMBDA_OTEL_MAX_REQUEST_BYTES: '4096' } });
  onTestFinished(() => harness.close());
  const malformed = await harness.env.invoke({ kind: 'malformed' });
  assert.equal(malformed.status, 'success');
  const bad = malformed.response as Record<string, Answer>;
  assert.equal(bad.protobuf!.status, 400);
  assert.match(bad.protobuf!.message, /malformed OTLP traces request/);
  assert.equal(bad.json!.status, 400);
  assert.match(bad.json!.message, /malformed OTLP logs request/);
  assert.equal(bad.gzip!.status, 400);
  assert.match(bad.gzip!.message, /gzip/);

  const oversized = await harness.env.invoke({ kind: 'oversized' });
  const big = oversized.response as Record<string, Answer>;
  assert.equal(big.plain!.status, 413);
  assert.match(big.plain!.message, /exceeds the limit of 4096 bytes/);
  assert.equal(big.gzipBomb!.status, 413);
  assert.match(big.gzipBomb!.message, /decompress/);

  const after = await harness.env.invoke({ kind: 'none' });
  assert.equal(after.status, 'success');
  const down = await harness.env.shutdown();
  assert.equal(down.processes.find((p) => p.name === 'lambda-otel')?.exitCode, 0);
  assert.equal(harness.sink.spans().filter((span) => span.name.startsWith('big-')).length, 0);
});

test('a burst larger than the buffer drops the oldest items, counts and reports them, and keeps running', async () => {
  // One request of 200 spans into a buffer of 50: the oldest 150 go before anything can be exported
  // (past its high-water mark the buffer is relieved in the background, so a burst spread over
  // several requests would partly get through).
  const harness = await startHarness({ functionDir, wrapper: false, flush: 'end', env: { LAMBDA_OTEL_BUFFER_MAX_ITEMS: '50' } });
  onTestFinished(() => harness.close());
  const burst = await harness.env.invoke({ kind: 'burst', requests: 1, spansPerRequest: 200 });
  assert.equal(burst.status, 'success');
  assert.deepEqual((burst.response as { statuses: number[] }).statuses, [200]);
  const next = await harness.env.invoke({ kind: 'none' });
  assert.equal(next.status, 'success', 'the extension and the function keep going');
  await harness.env.shutdown();

  const burstIndexes = harness.sink
    .spans()
    .filter((span) => span.name.startsWith('burst0-'))
    .map((span) => Number(span.name.slice('burst0-'.length)));
  assert.deepEqual(
    burstIndexes.sort((a, b) => a - b),
    Array.from({ length: 50 }, (_, i) => 150 + i),
    'the newest 50 survive, the oldest 150 were dropped',
  );
  const reported = harness.sink
    .spans()
    .map((span) => span.resource['lambda_otel.dropped_spans'])
    .find((value) => value !== undefined);
  assert.equal(reported, 150, 'the next export reports the drops');
  const lines = extensionLines(harness.env);
  assert.ok(lines.some((line) => line.message === 'telemetry dropped since the last export (full buffer or refused by the backend)'));
  const summary = lines.find((line) => typeof line.summary === 'object')?.summary as
    { received: number; sent: number; dropped: number; written: number } | undefined;
  assert.ok(summary && summary.dropped >= 150);
  assert.equal(summary.sent + summary.written + summary.dropped, summary.received, 'every item received is sent, written or dropped');
});

test('a pipeline that cannot start (receiver port taken) leaves an idle loop: the function keeps running, the extension exits 0', async () => {
  const taken = createServer(() => undefined);
  await new Promise<void>((resolve) => taken.listen(0, '127.0.0.1', resolve));
  onTestFinished(() => new Promise<void>((resolve) => taken.close(() => resolve())));
  const port = (taken.address() as AddressInfo).port;
  const harness = await startHarness({ functionDir, wrapper: false, env: { LAMBDA_OTEL_RECEIVER_PORT: String(port) } });
  onTestFinished(() => harness.close());
  for (let n = 0; n < 2; n++) assert.equal((await harness.env.invoke({ kind: 'none' })).status, 'success');
  const down = await harness.env.shutdown();
  assert.equal(down.processes.find((p) => p.name === 'lambda-otel')?.exitCode, 0);
  const failed = extensionLines(harness.env).find((line) => line.message === 'telemetry pipeline failed to start; continuing without exporting');
  assert.match(String(failed?.error), /EADDRINUSE/);
});
