import { afterAll, beforeAll, describe, it } from 'vitest';
import assert from 'node:assert/strict';
import type { ReadableSpan } from '@opentelemetry/sdk-trace';
import { flush, wrap } from '../src/index.ts';

// Secret-bearing, malformed settings, as they would sit in a function's configuration.
const SECRETS = ['sk-live-4f9a77', 'hunter2', 'abc123sig'];
const BAD_ENV = {
  OTEL_EXPORTER_OTLP_HEADERS: 'x-api-key=sk-live-4f9a77,hunter2',
  OTEL_EXPORTER_OTLP_ENDPOINT: 'ftp://user:hunter2@collector.example.com/?sig=abc123sig',
  LAMBDA_OTEL_RECEIVER_PORT: 'hunter2',
};

const lines: string[] = [];
const originalWrite = process.stdout.write.bind(process.stdout);
const saved: Record<string, string | undefined> = {};
beforeAll(() => {
  for (const [key, value] of Object.entries(BAD_ENV)) {
    saved[key] = process.env[key];
    process.env[key] = value;
  }
  process.stdout.write = ((chunk: unknown, ...rest: never[]) => {
    lines.push(...String(chunk).split('\n').filter(Boolean));
    return originalWrite(chunk as string, ...rest);
  }) as typeof process.stdout.write;
});
afterAll(() => {
  process.stdout.write = originalWrite;
  for (const [key, value] of Object.entries(saved)) {
    if (value === undefined) delete process.env[key];
    else process.env[key] = value;
  }
});

describe('a bad configuration behind wrap()', () => {
  it('one ERROR line per bad setting, no secret in any line, and the function runs instrumented', async () => {
    const spans: ReadableSpan[] = [];
    const handler = wrap(async (event: { n: number }) => ({ doubled: event.n * 2 }), { writer: (batch) => void spans.push(...batch) });
    // A second wrap() (another handler in the same module) reads the same configuration: said once.
    wrap(async () => 'other', { writer: (batch) => void spans.push(...batch) });
    const result = await handler({ n: 21 }, { awsRequestId: 'cfg-1', functionName: 'orders', getRemainingTimeInMillis: () => 3000 });
    await flush();
    assert.deepEqual(result, { doubled: 42 });
    assert.equal(spans.filter((span) => span.attributes['faas.invocation.id'] === 'cfg-1').length, 1, 'the invocation is traced');

    const records = lines.filter((line) => line.startsWith('{')).map((line) => JSON.parse(line) as Record<string, unknown>);
    const errors = records.filter((record) => record.level === 'ERROR');
    assert.deepEqual(errors.map((record) => String(record.message).split(' ')[1]).sort(), [
      'LAMBDA_OTEL_RECEIVER_PORT',
      'OTEL_EXPORTER_OTLP_ENDPOINT',
      'OTEL_EXPORTER_OTLP_HEADERS',
    ]);
    for (const line of lines) for (const secret of SECRETS) assert.ok(!line.includes(secret), `printed ${secret}: ${line}`);
  });
});
