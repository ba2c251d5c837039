// Extension ingest throughput: the built extension runs in the emulator beside a function whose one
// invocation stays open; meanwhile real OTLP/protobuf batches (spans made and serialized by
// OpenTelemetry's SDK) are sent to its receiver on loopback. Counted: spans the receiver accepted and
// spans the sink decoded.
import { Agent } from 'node:http';
import { join } from 'node:path';
import { LambdaEnvironment } from '../../../packages/emulator/src/index.ts';
import { BasicTracerProvider } from '../../../test/support/otel-test-provider.ts';
import { benchDir } from '../paths.ts';
import type { RemoteSink } from '../remote-sink.ts';
import type { SinkSnapshot } from '../sink-worker.ts';
import { sampleRss } from './cold.ts';
import { variantOptions, type VariantTargets } from '../variants.ts';
import { postTraces, startHoldServer } from '../../../test/support/ingest-load.ts';

export interface IngestOptions {
  spans: number;
  batchSpans: number;
  connections: number;
  /** Send at this rate (batches spaced evenly); undefined: as fast as the receiver answers. */
  rateSpansPerSec?: number;
}

export interface IngestResult extends IngestOptions {
  sent: number;
  accepted: number;
  rejectedRequests: number;
  /** First request sent → last acknowledgement. */
  acceptMs: number;
  acceptedPerSec: number;
  /** Spans the sink decoded before shutdown, and after the SHUTDOWN drain. */
  exportedBeforeShutdown: number;
  exported: number;
  /** First request sent → the sink's last batch (before shutdown). */
  exportMs: number;
  exportedPerSec: number;
  /** The SHUTDOWN phase: its duration, the spans it still exported, and when the last of them arrived. */
  shutdownMs: number;
  drainedAtShutdown: number;
  lastExportAfterShutdownMs: number;
  extensionRssMiB: number;
  /** The extension's own last summary line (what it says it sent and dropped). */
  extensionSummary: string | undefined;
}

const scopeName = 'sink-check';
const settleMs = 2000;

export async function measureIngest(options: IngestOptions, targets: VariantTargets, sink: RemoteSink): Promise<IngestResult> {
  const bodies = await distinctBatches(options.batchSpans, 8);
  const hold = await startHoldServer();
  const env = new LambdaEnvironment({ ...variantOptions('B', targets, undefined, join(benchDir, 'fixtures', 'ingest')), timeoutSec: 60 });
  const agent = new Agent({ keepAlive: true, maxSockets: options.connections });
  try {
    await env.invoke({});
    const invocation = env.invoke({ holdUrl: hold.url });
    await hold.arrived;
    const baseline = countOwn(await sink.snapshot());
    const startedMs = Date.now();
    const batches = Math.ceil(options.spans / options.batchSpans);
    let next = 0;
    let accepted = 0;
    let rejectedRequests = 0;
    let lastAckMs = startedMs;
    const worker = async (): Promise<void> => {
      while (next < batches) {
        const index = next++;
        if (options.rateSpansPerSec !== undefined) {
          const dueMs = startedMs + ((index * options.batchSpans) / options.rateSpansPerSec) * 1000;
          if (dueMs > Date.now()) await new Promise((resolve) => setTimeout(resolve, dueMs - Date.now()));
        }
        const body = bodies[index % bodies.length] as Uint8Array;
        const status = await postTraces(agent, targets.receiverPort, body);
        lastAckMs = Date.now();
        if (status >= 200 && status < 300) accepted += options.batchSpans;
        else rejectedRequests++;
      }
    };
    await Promise.all(Array.from({ length: options.connections }, worker));
    hold.release();
    await invocation;
    // The extension exports on its own schedule; give it a moment before the SHUTDOWN drain.
    const exportedBeforeShutdown = (await settle(sink, baseline + accepted, settleMs)) - baseline;
    const lastExportMs = Math.max(startedMs, ...(await sink.snapshot()).traceRequestAtMs);
    const { extensionRssMiB } = sampleRss(env);
    const shutdownAtMs = Date.now();
    const shutdown = await env.shutdown();
    const final = await sink.snapshot();
    const exported = countOwn(final) - baseline;
    const acceptMs = lastAckMs - startedMs;
    const exportMs = lastExportMs - startedMs;
    return {
      ...options,
      sent: batches * options.batchSpans,
      accepted,
      rejectedRequests,
      acceptMs,
      acceptedPerSec: accepted / (acceptMs / 1000),
      exportedBeforeShutdown,
      exported,
      exportMs,
      exportedPerSec: exportedBeforeShutdown > 0 ? exportedBeforeShutdown / (exportMs / 1000) : Number.NaN,
      shutdownMs: shutdown.durationMs,
      drainedAtShutdown: exported - exportedBeforeShutdown,
      lastExportAfterShutdownMs: Math.max(shutdownAtMs, ...final.traceRequestAtMs) - shutdownAtMs,
      extensionRssMiB,
      extensionSummary: env.logs.filter((log) => log.source !== 'runtime' && /shutdown:|dropp/i.test(log.line)).pop()?.line,
    };
  } finally {
    agent.destroy();
    hold.release();
    await hold.close();
    await env.shutdown().catch(() => undefined);
  }
}

function countOwn(snapshot: SinkSnapshot): number {
  return snapshot.spans.filter((span) => span.scope === scopeName).length;
}

async function settle(sink: RemoteSink, expected: number, timeoutMs: number): Promise<number> {
  const deadline = Date.now() + timeoutMs;
  let count = countOwn(await sink.snapshot());
  while (count < expected && Date.now() < deadline) {
    await new Promise((resolve) => setTimeout(resolve, 25));
    count = countOwn(await sink.snapshot());
  }
  return count;
}

/** A few different batches (different trace and span ids), each a chain of `spans` nested spans. */
async function distinctBatches(spans: number, count: number): Promise<Uint8Array[]> {
  const provider = new BasicTracerProvider();
  const names = Array.from({ length: spans }, (_, index) => `load-${index}`);
  const out: Uint8Array[] = [];
  for (let index = 0; index < count; index++) out.push(provider.serialize(await provider.spansNamed(names), 'protobuf'));
  return out;
}
