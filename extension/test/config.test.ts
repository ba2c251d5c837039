import assert from 'node:assert/strict';
import { test } from 'vitest';
import { parseFlushPolicy, readExtensionConfig } from '../src/config.ts';

const base = { AWS_LAMBDA_RUNTIME_API: '127.0.0.1:9001', AWS_LAMBDA_FUNCTION_NAME: 'fn' };

test('defaults: adaptive flush, port 4318, bounded buffer, frozen', () => {
  const config = readExtensionConfig(base);
  assert.deepEqual(config.flushPolicy, { kind: 'adaptive', maxAgeMs: 5000, sparseGapMs: 2000 });
  assert.equal(config.receiverPort, 4318);
  assert.equal(config.bufferMaxItems, 10_000);
  assert.equal(config.managedInstances, false);
  assert.equal(config.resourceAttributes['service.name'], 'fn');
  assert.ok(Object.isFrozen(config));
});

test('flush policies parse, table-style', () => {
  assert.deepEqual(parseFlushPolicy('end', false), { kind: 'end' });
  assert.deepEqual(parseFlushPolicy('periodic,250', false), { kind: 'periodic', intervalMs: 250 });
  assert.deepEqual(parseFlushPolicy(' Continuous , 50 ', false), { kind: 'continuous', intervalMs: 50 });
  assert.deepEqual(parseFlushPolicy('adaptive,800', false), { kind: 'adaptive', maxAgeMs: 800, sparseGapMs: 2000 });
  assert.deepEqual(parseFlushPolicy('end', true), { kind: 'continuous', intervalMs: 1000 }, 'Managed Instances always flush continuously');
});

test('every invalid value is one error line naming the variable, what is accepted and what was given; the default is used', () => {
  const cases: [Record<string, string>, RegExp][] = [
    [
      { LAMBDA_OTEL_FLUSH: 'sometimes' },
      /^Configuration: LAMBDA_OTEL_FLUSH is invalid, expected end, periodic,<ms>, continuous,<ms> or adaptive\[,<maxAgeMs>\], actual "sometimes"; using the default instead$/,
    ],
    [{ LAMBDA_OTEL_FLUSH: 'periodic,soon' }, /LAMBDA_OTEL_FLUSH is invalid/],
    [{ LAMBDA_OTEL_FLUSH: 'end,5' }, /LAMBDA_OTEL_FLUSH is invalid/],
    [{ LAMBDA_OTEL_RECEIVER_PORT: '70000' }, /LAMBDA_OTEL_RECEIVER_PORT is invalid, expected an integer from 1 to 65535, actual "70000"/],
    [{ LAMBDA_OTEL_BUFFER_MAX_ITEMS: '-1' }, /LAMBDA_OTEL_BUFFER_MAX_ITEMS is invalid/],
    [{ LAMBDA_OTEL_LOG_LEVEL: 'loud' }, /LAMBDA_OTEL_LOG_LEVEL is invalid/],
  ];
  const defaults = readExtensionConfig(base);
  for (const [env, message] of cases) {
    const config = readExtensionConfig({ ...base, ...env });
    assert.equal(config.errors.length, 1, JSON.stringify(env));
    assert.match(config.errors[0]!, message);
    assert.deepEqual({ ...config, errors: [] }, { ...defaults, errors: [] }, 'the default replaces the invalid value');
  }
  assert.throws(() => readExtensionConfig({}), /AWS_LAMBDA_RUNTIME_API is invalid/, 'outside Lambda there is nothing to fall back to');
});

test('a broken OTLP header never fails: one error naming the variable, never the token, and telemetry goes to stdout', () => {
  const config = readExtensionConfig({
    ...base,
    OTEL_EXPORTER_OTLP_ENDPOINT: 'https://collector.example.com:4318',
    OTEL_EXPORTER_OTLP_HEADERS: 'authorization=Bearer%20sk-live-0123456789,broken',
  });
  assert.equal(config.exporter.kind, 'stdout');
  assert.equal(config.errors.length, 1);
  assert.match(config.errors[0]!, /^Configuration: OTEL_EXPORTER_OTLP_HEADERS is invalid, expected comma-separated key=value pairs/);
  assert.match(config.errors[0]!, /telemetry goes to stdout/);
  for (const line of [...config.errors, ...config.warnings, ...config.notices]) assert.doesNotMatch(line, /sk-live|Bearer/);
});

test('an endpoint with userinfo or a query is never repeated in the error; a bad protocol falls back to its default', () => {
  const config = readExtensionConfig({
    ...base,
    OTEL_EXPORTER_OTLP_ENDPOINT: 'ftp://user:hunter2@collector.example.com/?key=abc',
    OTEL_EXPORTER_OTLP_TRACES_PROTOCOL: 'carrier-pigeon',
  });
  assert.equal(config.exporter.kind, 'stdout');
  const text = config.errors.join('\n');
  assert.match(text, /OTEL_EXPORTER_OTLP_ENDPOINT is invalid/);
  assert.doesNotMatch(text, /hunter2|key=abc/);
  const protocol = readExtensionConfig({ ...base, OTEL_EXPORTER_OTLP_ENDPOINT: 'http://collector:4318', OTEL_EXPORTER_OTLP_TRACES_PROTOCOL: 'carrier-pigeon' });
  assert.equal(protocol.exporter.kind, 'otlp');
  assert.equal(protocol.exporter.kind === 'otlp' && protocol.exporter.traces.format, 'protobuf');
  assert.match(protocol.errors[0]!, /OTEL_EXPORTER_OTLP_TRACES_PROTOCOL is invalid, .*actual "carrier-pigeon"; using the default instead/);
});

test('resource attributes: Lambda defaults, OTEL_RESOURCE_ATTRIBUTES, OTEL_SERVICE_NAME wins', () => {
  const config = readExtensionConfig({ ...base, AWS_REGION: 'eu-west-1', OTEL_RESOURCE_ATTRIBUTES: 'team=a%20b,service.name=x', OTEL_SERVICE_NAME: 'svc' });
  assert.equal(config.resourceAttributes['cloud.region'], 'eu-west-1');
  assert.equal(config.resourceAttributes.team, 'a b');
  assert.equal(config.resourceAttributes['service.name'], 'svc');
});

test('no OTLP endpoint at all: a notice that telemetry goes to stdout and how to change it, no configuration warning', () => {
  const config = readExtensionConfig(base);
  assert.equal(config.exporter.kind, 'stdout');
  assert.deepEqual(config.warnings, []);
  assert.equal(config.notices.length, 1);
  assert.match(
    config.notices[0]!,
    /^No OTLP endpoint is configured: telemetry goes to stdout as OTLP-JSON lines\. Set OTEL_EXPORTER_OTLP_ENDPOINT .*LAMBDA_OTEL_EXPORTER=xray/,
  );
  // Whatever the receiver's port: the OTLP default (localhost:4318) is no backend in Lambda.
  const otherPort = readExtensionConfig({ ...base, LAMBDA_OTEL_RECEIVER_PORT: '4400', OTEL_EXPORTER_OTLP_ENDPOINT: ' ' });
  assert.equal(otherPort.exporter.kind, 'stdout');
  assert.equal(otherPort.notices.length, 1);
});

test("an endpoint that is the extension's own receiver: a warning naming the variable; only that signal goes to stdout", () => {
  const cases: { env: Record<string, string>; warning?: RegExp; notice?: RegExp; exporter: unknown }[] = [
    {
      env: { OTEL_EXPORTER_OTLP_ENDPOINT: 'http://localhost:4318' },
      warning:
        /^Configuration: OTEL_EXPORTER_OTLP_ENDPOINT is invalid, expected the URL of an OTLP backend, actual "http:\/\/localhost:4318" \(the extension's own receiver\); telemetry goes to stdout as OTLP-JSON lines$/,
      exporter: { kind: 'stdout' },
    },
    {
      env: { OTEL_EXPORTER_OTLP_ENDPOINT: 'https://collector.example', OTEL_EXPORTER_OTLP_TRACES_ENDPOINT: 'http://127.0.0.1:4318/v1/traces' },
      warning: /^Configuration: OTEL_EXPORTER_OTLP_TRACES_ENDPOINT is invalid, .*actual "http:\/\/127\.0\.0\.1:4318\/v1\/traces".*traces go to stdout/,
      exporter: { kind: 'otlp', stdoutSignals: ['traces'] },
    },
    {
      // Only the traces endpoint is set: the logs default (http://localhost:4318/v1/logs) is the receiver.
      env: { OTEL_EXPORTER_OTLP_TRACES_ENDPOINT: 'https://collector.example/v1/traces' },
      notice: /^Neither OTEL_EXPORTER_OTLP_LOGS_ENDPOINT nor OTEL_EXPORTER_OTLP_ENDPOINT is set: logs go to stdout as OTLP-JSON lines/,
      exporter: { kind: 'otlp', stdoutSignals: ['logs'] },
    },
    { env: { OTEL_EXPORTER_OTLP_ENDPOINT: 'http://127.0.0.1:4319' }, exporter: { kind: 'otlp', stdoutSignals: undefined } },
    { env: { OTEL_EXPORTER_OTLP_ENDPOINT: 'http://127.0.0.1:4318', LAMBDA_OTEL_RECEIVER_PORT: '4400' }, exporter: { kind: 'otlp', stdoutSignals: undefined } },
  ];
  for (const { env, warning, notice, exporter } of cases) {
    const config = readExtensionConfig({ ...base, ...env });
    const label = JSON.stringify(env);
    assert.equal(config.warnings.length, warning ? 1 : 0, label);
    if (warning) assert.match(config.warnings[0]!, warning, label);
    assert.equal(config.notices.length, notice ? 1 : 0, label);
    if (notice) assert.match(config.notices[0]!, notice, label);
    const got = config.exporter as { kind: string; stdoutSignals?: string[] };
    assert.deepEqual({ kind: got.kind, ...('stdoutSignals' in (exporter as object) ? { stdoutSignals: got.stdoutSignals } : {}) }, exporter, label);
  }
});

test('LAMBDA_OTEL_STDOUT_MAX_LINE_BYTES bounds the SHUTDOWN fallback lines too', () => {
  assert.equal(readExtensionConfig(base).stdoutMaxLineBytes, 200 * 1024);
  assert.equal(readExtensionConfig({ ...base, LAMBDA_OTEL_STDOUT_MAX_LINE_BYTES: '8192' }).stdoutMaxLineBytes, 8192);
  assert.match(readExtensionConfig({ ...base, LAMBDA_OTEL_STDOUT_MAX_LINE_BYTES: '10' }).errors[0]!, /LAMBDA_OTEL_STDOUT_MAX_LINE_BYTES is invalid/);
});
