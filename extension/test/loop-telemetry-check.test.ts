// After the first invocation the event loop says once when no Telemetry API delivery has come:
// function logs and platform records would otherwise be missing without a word.
import assert from 'node:assert/strict';
import { test } from 'vitest';
import { TelemetryBuffer } from '../src/buffer/telemetry-buffer.ts';
import { readExtensionConfig } from '../src/config.ts';
import { Flusher } from '../src/flush/flusher.ts';
import { InvocationTracker } from '../src/invocations/invocation-tracker.ts';
import type { ExtensionEvent, ExtensionsClient } from '../src/lifecycle/extensions-client.ts';
import { runEventLoop } from '../src/lifecycle/loop.ts';
import { createLoopState } from '../src/lifecycle/state.ts';
import { createLogger } from '../src/logger.ts';
import { estimateWireBytes } from '../src/otlp/types.ts';

const NO_DELIVERY = 'no Telemetry API delivery arrived during the first invocation: function logs and platform records are not reaching the extension';

async function runTwoInvocations(lastTelemetryAtMs: () => number): Promise<string[]> {
  const warnings: string[] = [];
  const logger = createLogger('warn', (line) => warnings.push(String((JSON.parse(line) as { message: string }).message)));
  const config = readExtensionConfig({ AWS_LAMBDA_RUNTIME_API: '127.0.0.1:9001', LAMBDA_OTEL_FLUSH: 'end', OTEL_EXPORTER_OTLP_ENDPOINT: 'http://127.0.0.1:9' });
  const buffer = new TelemetryBuffer({ maxItems: 100, maxBytes: 1 << 20 });
  const tracker = new InvocationTracker({
    completionGraceMs: 10,
    resource: { attributes: [] },
    functionName: 'fn',
    emit: (entry) => buffer.push(entry),
    memoryBytesOf: estimateWireBytes,
    logger,
  });
  const flusher = new Flusher({ buffer, getExporter: () => Promise.reject(new Error('not needed')), logger });
  // The Extensions API's answers, in order: two short invocations, then SHUTDOWN.
  const events: ExtensionEvent[] = [
    { eventType: 'INVOKE', requestId: 'r1', deadlineMs: Date.now() + 400 },
    { eventType: 'INVOKE', requestId: 'r2', deadlineMs: Date.now() + 800 },
    { eventType: 'SHUTDOWN', shutdownReason: 'spindown', deadlineMs: Date.now() + 2000 },
  ];
  const client = { next: async () => events.shift()! } as unknown as ExtensionsClient;
  await runEventLoop({ client, config, state: createLoopState(), buffer, tracker, flusher, logger, lastTelemetryAtMs, onShutdown: async () => undefined });
  return warnings;
}

test('no delivery by the end of the first invocation: one WARN line', async () => {
  const warnings = await runTwoInvocations(() => 0);
  assert.equal(warnings.filter((message) => message === NO_DELIVERY).length, 1);
});

test('deliveries arriving: nothing said', async () => {
  const warnings = await runTwoInvocations(() => Date.now());
  assert.equal(warnings.filter((message) => message === NO_DELIVERY).length, 0);
});
