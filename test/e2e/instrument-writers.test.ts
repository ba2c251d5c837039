// The writers against real sockets: the extension writer, its stdout fallback (the envelope replayed to
// the OTLP sink, which decodes it independently), the function and console writers.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { createServer } from 'node:net';
import { request } from 'node:http';
import { TracerProvider, InMemorySpanExporter, SimpleSpanProcessor, type ReadableSpan } from '@opentelemetry/sdk-trace';
import { startOtlpSink } from '../support/otlp-sink.ts';
import { createExtensionWriter } from '../../packages/instrument/src/writers/extension-writer.ts';
import { createFunctionWriter } from '../../packages/instrument/src/writers/function-writer.ts';
import { createStdoutWriter } from '../../packages/instrument/src/writers/stdout-writer.ts';
import { formatSpanLine } from '../../packages/instrument/src/writers/console-writer.ts';

function finishedSpans(names: string[]): ReadableSpan[] {
  const exporter = new InMemorySpanExporter();
  const provider = new TracerProvider({ spanProcessors: [new SimpleSpanProcessor({ exporter })] });
  for (const name of names) provider.getTracer('t').startSpan(name).end();
  return exporter.getFinishedSpans();
}

async function closedPort(): Promise<number> {
  return new Promise((resolve) => {
    const server = createServer().listen(0, '127.0.0.1', () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolve(port));
    });
  });
}

/** Replays an envelope's payload to the sink, which decodes it with the reference protos. */
function post(url: string, body: Buffer): Promise<number> {
  return new Promise((resolve, reject) => {
    const req = request(`${url}/v1/traces`, { method: 'POST', headers: { 'content-type': 'application/x-protobuf', 'content-encoding': 'gzip' } }, (res) => {
      res.resume();
      res.on('end', () => resolve(res.statusCode ?? 0));
    });
    req.on('error', reject);
    req.end(body);
  });
}

describe('writers', () => {
  it('extension writer: delivers protobuf to the receiver port', async () => {
    const sink = await startOtlpSink();
    try {
      const writer = createExtensionWriter({ port: sink.port, timeoutMs: 1000, fallback: () => assert.fail('no fallback expected') });
      await writer.write(finishedSpans(['a', 'b']));
      await writer.flush();
      assert.deepEqual(sink.spans().map((s) => s.name).sort(), ['a', 'b']);
      assert.equal(sink.requests[0]!.headers['content-type'], 'application/x-protobuf');
    } finally {
      await sink.close();
    }
  });

  it('extension absent: the batch goes to the stdout envelope, which decodes to the same spans', async () => {
    const lines: string[] = [];
    const writer = createExtensionWriter({
      port: await closedPort(),
      timeoutMs: 500,
      fallback: () => createStdoutWriter({ source: 'orders-fn', write: (line) => lines.push(line) }),
    });
    await writer.write(finishedSpans(['lost?', 'no']));
    await writer.write(finishedSpans(['second']));
    await writer.flush();
    assert.equal(lines.length, 2);
    const envelope = JSON.parse(lines[0]!);
    assert.deepEqual(
      Object.keys(envelope).sort(),
      ['__otel_otlp_stdout', 'base64', 'content-encoding', 'content-type', 'endpoint', 'method', 'payload', 'source'].sort(),
    );
    assert.deepEqual([envelope.source, envelope.method, envelope['content-type'], envelope['content-encoding'], envelope.base64], ['orders-fn', 'POST', 'application/x-protobuf', 'gzip', true]);
    const sink = await startOtlpSink();
    try {
      assert.equal(await post(sink.url, Buffer.from(envelope.payload, 'base64')), 200);
      assert.deepEqual(sink.spans().map((s) => s.name).sort(), ['lost?', 'no']);
    } finally {
      await sink.close();
    }
  });

  it('extension answering an error status: the batch is re-sent to the fallback', async () => {
    const sink = await startOtlpSink();
    sink.setResponder(() => ({ status: 503 }));
    const fallen: ReadableSpan[][] = [];
    try {
      const writer = createExtensionWriter({ port: sink.port, timeoutMs: 1000, fallback: () => createFunctionWriter((spans) => void fallen.push(spans)) });
      await writer.write(finishedSpans(['x']));
      assert.equal(fallen.flat()[0]?.name, 'x');
    } finally {
      await sink.close();
    }
  });

  it('a function writer that throws or rejects never reaches the caller', async () => {
    await createFunctionWriter(() => {
      throw new Error('sync');
    }).write(finishedSpans(['a']));
    await createFunctionWriter(async () => {
      throw new Error('async');
    }).write(finishedSpans(['b']));
  });

  it('console writer: one readable line per span', () => {
    const line = formatSpanLine(finishedSpans(['checkout'])[0]!);
    assert.match(line, /^\[lambda-otel\] checkout kind=INTERNAL [\d.]+ms status=OK trace=[0-9a-f]{32} span=[0-9a-f]{16} parent=- \{\}$/);
  });
});
