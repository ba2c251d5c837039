import { afterAll, beforeAll, describe, it } from 'vitest';
import assert from 'node:assert/strict';
import { logger, wrap } from '../src/index.ts';

// Secret-bearing, malformed settings, as they would sit in a function's configuration.
const SECRETS = ['sk-live-4f9a77', 'hunter2', 'abc123sig'];
const BAD_ENV = {
  OTEL_EXPORTER_OTLP_HEADERS: 'x-api-key=sk-live-4f9a77,hunter2',
  OTEL_EXPORTER_OTLP_ENDPOINT: 'ftp://user:hunter2@collector.example.com/?sig=abc123sig',
  LAMBDA_OTEL_RECEIVER_PORT: 'hunter2',
  // The otlp writer (a layerless function): the OTLP variables are the plugin's to check.
  LAMBDA_OTEL_WRITER: 'otlp',
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
    const handler = wrap(async (event: { n: number }) => {
      logger.info('doubling', { n: event.n });
      return { doubled: event.n * 2 };
    });
    // A second wrap() (another handler in the same module) reads the same configuration: said once.
    wrap(async () => 'other');
    const result = await handler({ n: 21 }, { awsRequestId: 'cfg-1', functionName: 'orders', getRemainingTimeInMillis: () => 3000 });
    assert.deepEqual(result, { doubled: 42 });

    const records = lines.filter((line) => line.startsWith('{')).map((line) => JSON.parse(line) as Record<string, unknown>);
    const traced = records.find((record) => record.message === 'doubling');
    assert.equal(traced?.requestId, 'cfg-1');
    assert.match(String(traced?.trace_id), /^[0-9a-f]{32}$/, 'the invocation ran inside its root span');
    const errors = records.filter((record) => record.level === 'ERROR');
    assert.deepEqual(errors.map((record) => String(record.message).split(' ')[1]).sort(), [
      'LAMBDA_OTEL_RECEIVER_PORT',
      'OTEL_EXPORTER_OTLP_ENDPOINT',
      'OTEL_EXPORTER_OTLP_HEADERS',
    ]);
    for (const line of lines) for (const secret of SECRETS) assert.ok(!line.includes(secret), `printed ${secret}: ${line}`);
  });
});
