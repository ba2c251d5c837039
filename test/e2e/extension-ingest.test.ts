// Sustained load during one invocation, with the default flush policy and buffer: three times as
// many spans as the buffer holds arrive at a steady pace while the invocation stays open. The
// extension must relieve its buffer by exporting in the background as it fills, so nothing is
// dropped and every span reaches the backend once. Counted at the sink, never timed.
import assert from 'node:assert/strict';
import { Agent } from 'node:http';
import { join } from 'node:path';
import { onTestFinished, test } from 'vitest';
import { extensionLines, startHarness } from '../fixtures/extension/harness.ts';
import { fixturesDir } from '../support/paths.ts';
import { BasicTracerProvider } from '../support/otel-test-provider.ts';
import { postTraces, startHoldServer } from '../support/ingest-load.ts';

const SPANS = 30_000;
const SPANS_PER_REQUEST = 200;
const SPANS_PER_SECOND = 7_500;
const CONNECTIONS = 2;

test(`${SPANS} spans sent at a steady pace during one open invocation: none dropped, every one at the backend once`, async () => {
  const harness = await startHarness({ functionDir: join(fixturesDir, 'extension', 'hold'), timeoutSec: 30 });
  onTestFinished(() => harness.close());
  const hold = await startHoldServer();
  onTestFinished(() => hold.close());
  const agent = new Agent({ keepAlive: true, maxSockets: CONNECTIONS });
  onTestFinished(() => agent.destroy());

  // Real OTLP/protobuf requests from OpenTelemetry's SDK: one trace of nested spans per request.
  const provider = new BasicTracerProvider();
  const bodies: Uint8Array[] = [];
  for (let index = 0; index < SPANS / SPANS_PER_REQUEST; index++) {
    const names = Array.from({ length: SPANS_PER_REQUEST }, (_, n) => `load-${index}-${n}`);
    bodies.push(provider.serialize(await provider.spansNamed(names), 'protobuf'));
  }

  assert.equal((await harness.env.invoke({})).status, 'success', 'cold start');
  const invocation = harness.env.invoke({ holdUrl: hold.url });
  await hold.arrived;
  const startedMs = Date.now();
  let next = 0;
  const statuses: number[] = [];
  const sender = async (): Promise<void> => {
    while (next < bodies.length) {
      const index = next++;
      const dueMs = startedMs + ((index * SPANS_PER_REQUEST) / SPANS_PER_SECOND) * 1000;
      if (dueMs > Date.now()) await new Promise((resolve) => setTimeout(resolve, dueMs - Date.now()));
      statuses.push(await postTraces(agent, harness.receiverPort, bodies[index]!));
    }
  };
  await Promise.all(Array.from({ length: CONNECTIONS }, sender));
  hold.release();
  assert.equal((await invocation).status, 'success');
  assert.deepEqual(
    statuses.filter((status) => status !== 200),
    [],
    'the receiver took every request',
  );
  const down = await harness.env.shutdown();
  assert.equal(down.processes.find((p) => p.name === 'lambda-otel')?.exitCode, 0);

  const load = harness.sink.spans().filter((span) => span.name.startsWith('load-'));
  assert.equal(load.length, SPANS, 'every span at the backend, none twice');
  assert.equal(new Set(load.map((span) => span.spanId)).size, SPANS);
  const lines = extensionLines(harness.env);
  assert.ok(!lines.some((line) => line.message === 'telemetry dropped since the last export (full buffer or refused by the backend)'), 'no drop reported');
  const summary = lines.find((line) => typeof line.summary === 'object')?.summary as
    { received: number; sent: number; dropped: number; written: number } | undefined;
  assert.ok(summary, 'the extension printed its shutdown summary');
  assert.equal(summary.dropped, 0);
  assert.equal(summary.written, 0, 'nothing was left for the SHUTDOWN fallback');
  assert.equal(summary.sent, summary.received);
  // Most of the load left while the invocation was still open, not only at its end or at SHUTDOWN.
  const releasedAtMs = hold.releasedAtMs();
  const exportedWhileOpen = harness.sink.requests.filter((req) => req.path === '/v1/traces' && req.receivedAtMs < releasedAtMs).length;
  assert.ok(exportedWhileOpen > 1, `exports during the invocation (got ${exportedWhileOpen} requests)`);
});
