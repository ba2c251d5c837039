// Exports never trace themselves: with @opentelemetry/instrumentation-http patching node:http in the
// function's process, the otlp writer's requests to the backend create no span, while the handler's own
// outgoing request does. The control shows the exporter's request is traced when it runs outside the
// plugin's suppressed export context, so the absence of spans is the suppression's doing.
import assert from 'node:assert/strict';
import { createServer, type Server } from 'node:http';
import { createRequire, syncBuiltinESMExports } from 'node:module';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, it } from 'vitest';
import { SpanKind, trace } from '@opentelemetry/api';
import { HttpInstrumentation } from '@opentelemetry/instrumentation-http';
import { TracerProvider, InMemorySpanExporter, SimpleSpanProcessor } from '@opentelemetry/sdk-trace';
import { startOtlpSink, type OtlpSink } from '../support/otlp-sink.ts';
import { flush, wrap } from '../../packages/instrument/src/index.ts';
import { createOtlpWriter } from '../../packages/instrument/src/writers/otlp-writer.ts';

let sink: OtlpSink;
let upstream: Server;
let upstreamUrl: string;
const instrumentation = new HttpInstrumentation();
const saved = { endpoint: process.env.OTEL_EXPORTER_OTLP_ENDPOINT, writer: process.env.LAMBDA_OTEL_WRITER };

beforeAll(async () => {
  sink = await startOtlpSink();
  process.env.OTEL_EXPORTER_OTLP_ENDPOINT = sink.url;
  process.env.LAMBDA_OTEL_WRITER = 'otlp';
  upstream = createServer((_req, res) => res.end('inventory ok'));
  await new Promise<void>((resolve) => upstream.listen(0, '127.0.0.1', resolve));
  upstreamUrl = `http://127.0.0.1:${(upstream.address() as AddressInfo).port}/inventory`;
  // As NODE_OPTIONS=--require would: patch node:http, then let ES module importers see the patch.
  instrumentation.enable();
  createRequire(import.meta.url)('node:http');
  syncBuiltinESMExports();
});
afterAll(async () => {
  instrumentation.disable();
  syncBuiltinESMExports();
  process.env.OTEL_EXPORTER_OTLP_ENDPOINT = saved.endpoint;
  if (saved.writer === undefined) delete process.env.LAMBDA_OTEL_WRITER;
  else process.env.LAMBDA_OTEL_WRITER = saved.writer;
  await new Promise((resolve) => upstream.close(resolve));
  await sink.close();
});

async function get(url: string): Promise<string> {
  const { request } = await import('node:http');
  return new Promise((resolve, reject) => {
    request(url, (res) => {
      let body = '';
      res.on('data', (chunk: Buffer) => (body += chunk.toString()));
      res.on('end', () => resolve(body));
    })
      .on('error', reject)
      .end();
  });
}

describe('exports under instrumentation-http', () => {
  it('the handler’s own request is a CLIENT span under the root; the exports to the backend are no span', async () => {
    const handler = wrap(async () => ({ stock: await get(upstreamUrl) }));
    for (const n of [1, 2, 3]) {
      const result = await handler({ n }, { awsRequestId: `sup-${n}`, functionName: 'orders', getRemainingTimeInMillis: () => 3000 });
      assert.deepEqual(result, { stock: 'inventory ok' });
      await new Promise((resolve) => setTimeout(resolve, 30));
    }
    await flush();
    await flush();

    const spans = sink.spans();
    const roots = spans.filter((span) => typeof span.attributes['faas.invocation.id'] === 'string');
    assert.equal(roots.length, 3);
    const clients = spans.filter((span) => span.kind === SpanKind.CLIENT + 1);
    assert.equal(clients.length, 3, 'one CLIENT span per handler request, and none for the exports');
    for (const client of clients) {
      assert.ok(String(client.attributes['url.full'] ?? client.attributes['http.url']).includes('/inventory'), JSON.stringify(client.attributes));
      assert.ok(roots.some((root) => root.spanId === client.parentSpanId));
    }
    assert.ok(sink.requests.length >= 3, 'the exports did reach the backend');
  });

  it('control: the same exporter outside the suppressed export context is traced by instrumentation-http', async () => {
    const recorded = new InMemorySpanExporter();
    const provider = new TracerProvider({ spanProcessors: [new SimpleSpanProcessor({ exporter: recorded })] });
    instrumentation.setTracerProvider(provider);
    try {
      const spans = new InMemorySpanExporter();
      const source = new TracerProvider({ spanProcessors: [new SimpleSpanProcessor({ exporter: spans })] });
      source.getTracer('t').startSpan('payload').end();
      const writer = createOtlpWriter({ protocol: 'http/protobuf' });
      await writer.write(spans.getFinishedSpans());
      await writer.flush();
      const exportSpans = recorded
        .getFinishedSpans()
        .filter((span) => String(span.attributes['url.full'] ?? span.attributes['http.url']).includes('/v1/traces'));
      assert.equal(exportSpans.length, 1, 'an unsuppressed export is a CLIENT span');
    } finally {
      instrumentation.setTracerProvider(trace.getTracerProvider());
    }
  });
});
