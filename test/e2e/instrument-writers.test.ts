// The writers against real sockets: the extension writer, its stdout fallback (the envelope replayed to
// the OTLP sink, which decodes it independently), the otlp writer (OpenTelemetry's exporter, configured
// by the OTEL_EXPORTER_OTLP_* variables), the function and console writers, and a failing writer
// behind wrap(): the handler's result never changes.
import { afterAll, beforeAll, describe, it } from 'vitest';
import assert from 'node:assert/strict';
import { createServer } from 'node:net';
import { request } from 'node:http';
import { TracerProvider, InMemorySpanExporter, SimpleSpanProcessor, type ReadableSpan } from '@opentelemetry/sdk-trace';
import { startOtlpSink } from '../support/otlp-sink.ts';
import { flush, wrap } from '../../packages/instrument/src/index.ts';
import { createExtensionWriter } from '../../packages/instrument/src/writers/extension-writer.ts';
import { createFunctionWriter } from '../../packages/instrument/src/writers/function-writer.ts';
import { createOtlpWriter } from '../../packages/instrument/src/writers/otlp-writer.ts';
import { createStdoutWriter } from '../../packages/instrument/src/writers/stdout-writer.ts';
import { createConsoleWriter, formatSpanLine } from '../../packages/instrument/src/writers/console-writer.ts';

/** The plugin's own JSON lines (its logger writes to stdout), kept for the "said once" checks. */
const pluginLines: Record<string, any>[] = [];
const originalWrite = process.stdout.write.bind(process.stdout);
beforeAll(() => {
  process.stdout.write = ((chunk: any, ...rest: any[]) => {
    for (const line of String(chunk).split('\n')) {
      if (!line.startsWith('{"timestamp"')) continue;
      try {
        pluginLines.push(JSON.parse(line));
      } catch {
        // not a complete line
      }
    }
    return originalWrite(chunk, ...rest);
  }) as typeof process.stdout.write;
});
afterAll(() => {
  process.stdout.write = originalWrite;
});
const warnings = (text: string) => pluginLines.filter((line) => line.level === 'WARN' && String(line.message).includes(text));

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
      assert.deepEqual(
        sink
          .spans()
          .map((s) => s.name)
          .sort(),
        ['a', 'b'],
      );
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
    assert.equal(warnings('no extension answers').length, 1, 'the fallback is said once');
    const envelope = JSON.parse(lines[0]!);
    assert.deepEqual(
      Object.keys(envelope).sort(),
      ['__otel_otlp_stdout', 'base64', 'content-encoding', 'content-type', 'endpoint', 'method', 'payload', 'source'].sort(),
    );
    assert.deepEqual(
      [envelope.source, envelope.method, envelope['content-type'], envelope['content-encoding'], envelope.base64],
      ['orders-fn', 'POST', 'application/x-protobuf', 'gzip', true],
    );
    const sink = await startOtlpSink();
    try {
      assert.equal(await post(sink.url, Buffer.from(envelope.payload, 'base64')), 200);
      assert.deepEqual(
        sink
          .spans()
          .map((s) => s.name)
          .sort(),
        ['lost?', 'no'],
      );
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

  /** Runs `fn` with these OTEL_EXPORTER_OTLP_* variables set (the exporter reads them when it is created). */
  async function withEnv(env: Record<string, string>, fn: () => Promise<void>): Promise<void> {
    const saved = Object.fromEntries(Object.keys(env).map((key) => [key, process.env[key]]));
    Object.assign(process.env, env);
    try {
      await fn();
    } finally {
      for (const [key, value] of Object.entries(saved)) {
        if (value === undefined) delete process.env[key];
        else process.env[key] = value;
      }
    }
  }

  it('otlp writer: protobuf by default, gzip and headers from the environment; a 503 with Retry-After is retried', async () => {
    const sink = await startOtlpSink();
    let answered = 0;
    sink.setResponder(() => (answered++ === 0 ? { status: 503, headers: { 'retry-after': '0' } } : undefined));
    try {
      await withEnv(
        {
          OTEL_EXPORTER_OTLP_ENDPOINT: sink.url,
          OTEL_EXPORTER_OTLP_HEADERS: 'x-tenant=t1,authorization=Bearer%20s3cret',
          OTEL_EXPORTER_OTLP_COMPRESSION: 'gzip',
        },
        async () => {
          const writer = createOtlpWriter({ protocol: 'http/protobuf' });
          await writer.write(finishedSpans(['retried']));
          await writer.flush();
        },
      );
      assert.equal(sink.requests.length, 2);
      assert.deepEqual(
        sink.spans().map((s) => s.name),
        ['retried'],
      );
      const last = sink.requests[1]!.headers;
      assert.deepEqual(
        [last['content-encoding'], last['content-type'], last['x-tenant'], last.authorization],
        ['gzip', 'application/x-protobuf', 't1', 'Bearer s3cret'],
      );
    } finally {
      await sink.close();
    }
  });

  it('otlp writer: http/json to the signal-specific endpoint', async () => {
    const sink = await startOtlpSink();
    try {
      await withEnv({ OTEL_EXPORTER_OTLP_TRACES_ENDPOINT: `${sink.url}/v1/traces` }, async () => {
        const writer = createOtlpWriter({ protocol: 'http/json' });
        await writer.write(finishedSpans(['as-json']));
        await writer.flush();
      });
      assert.equal(sink.requests[0]!.headers['content-type'], 'application/json');
      assert.equal(sink.requests[0]!.path, '/v1/traces');
    } finally {
      await sink.close();
    }
  });

  it('otlp writer: a backend that keeps failing drops the spans, said once, with no credential or query in the line', async () => {
    const sink = await startOtlpSink();
    sink.setResponder(() => ({ status: 500 }));
    try {
      const secretUrl = `http://user:hunter2@127.0.0.1:${sink.port}/v1/traces?sig=abc123`;
      await withEnv({ OTEL_EXPORTER_OTLP_TRACES_ENDPOINT: secretUrl }, async () => {
        const writer = createOtlpWriter({ protocol: 'http/protobuf' });
        await writer.write(finishedSpans(['a', 'b']));
        await writer.write(finishedSpans(['c']));
      });
      assert.equal(sink.requests.length, 2, '500 is not retried');
      const said = warnings('OTLP export failed');
      assert.equal(said.length, 1);
      assert.equal(said[0]!.droppedSpans, 2);
      assert.ok(!JSON.stringify(pluginLines).includes('hunter2') && !JSON.stringify(pluginLines).includes('abc123'));
    } finally {
      await sink.close();
    }
  });

  it('stdout writer: a failed write reaches the caller (which reports it) instead of vanishing', async () => {
    const writer = createStdoutWriter({
      source: 'f',
      write: () => {
        throw new Error('EPIPE');
      },
    });
    await assert.rejects(writer.write(finishedSpans(['x'])), /EPIPE/);
    await assert.doesNotReject(writer.flush());
  });

  it('console writer: one readable line per span', async () => {
    const line = formatSpanLine(finishedSpans(['checkout'])[0]!);
    assert.match(line, /^\[lambda-otel\] checkout kind=INTERNAL [\d.]+ms status=OK trace=[0-9a-f]{32} span=[0-9a-f]{16} parent=- \{\}$/);
    const lines: string[] = [];
    await createConsoleWriter({ write: (text) => lines.push(text) }).write(finishedSpans(['a', 'b']));
    assert.deepEqual(
      lines.map((text) => text.split(' ')[1]),
      ['a', 'b'],
    );
  });

  it('behind wrap(), a writer that throws never changes the result; the failure is said once', async () => {
    let calls = 0;
    const handler = wrap(async (event: { n: number }) => ({ n: event.n }), {
      writer: () => {
        calls += 1;
        throw new Error('writer broke');
      },
    });
    for (const n of [1, 2]) {
      const result = await handler({ n }, { awsRequestId: `w-${n}`, getRemainingTimeInMillis: () => 3000 });
      assert.deepEqual(result, { n });
      await flush();
    }
    assert.equal(calls, 2, 'each invocation was handed to the writer');
    assert.equal(warnings('span writer function failed').length, 1);
  });
});
