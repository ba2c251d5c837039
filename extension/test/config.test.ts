import assert from 'node:assert/strict';
import { test } from 'node:test';
import { parseFlushPolicy, readExtensionConfig } from '../src/config.ts';
import { ConfigError } from '../src/errors.ts';

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

test('every error names the variable, what is accepted and what was given', () => {
  const cases: [Record<string, string>, RegExp][] = [
    [{ LAMBDA_OTEL_FLUSH: 'sometimes' }, /^Configuration: LAMBDA_OTEL_FLUSH is invalid, expected end, periodic,<ms>, continuous,<ms> or adaptive\[,<maxAgeMs>\], actual "sometimes"$/],
    [{ LAMBDA_OTEL_FLUSH: 'periodic,soon' }, /LAMBDA_OTEL_FLUSH is invalid/],
    [{ LAMBDA_OTEL_FLUSH: 'end,5' }, /LAMBDA_OTEL_FLUSH is invalid/],
    [{ LAMBDA_OTEL_RECEIVER_PORT: '70000' }, /LAMBDA_OTEL_RECEIVER_PORT is invalid, expected an integer from 1 to 65535, actual "70000"/],
    [{ LAMBDA_OTEL_BUFFER_MAX_ITEMS: '-1' }, /LAMBDA_OTEL_BUFFER_MAX_ITEMS is invalid/],
    [{ LAMBDA_OTEL_LOG_LEVEL: 'loud' }, /LAMBDA_OTEL_LOG_LEVEL is invalid/],
  ];
  for (const [env, message] of cases) {
    assert.throws(() => readExtensionConfig({ ...base, ...env }), (error: unknown) => error instanceof ConfigError && message.test(error.message));
  }
  assert.throws(() => readExtensionConfig({}), /AWS_LAMBDA_RUNTIME_API is invalid/);
});

test('resource attributes: Lambda defaults, OTEL_RESOURCE_ATTRIBUTES, OTEL_SERVICE_NAME wins', () => {
  const config = readExtensionConfig({ ...base, AWS_REGION: 'eu-west-1', OTEL_RESOURCE_ATTRIBUTES: 'team=a%20b,service.name=x', OTEL_SERVICE_NAME: 'svc' });
  assert.equal(config.resourceAttributes['cloud.region'], 'eu-west-1');
  assert.equal(config.resourceAttributes.team, 'a b');
  assert.equal(config.resourceAttributes['service.name'], 'svc');
});

test('an OTLP endpoint pointing at the extension itself falls back to stdout with a warning naming the variable', () => {
  const config = readExtensionConfig(base);
  assert.equal(config.exporter.kind, 'stdout');
  assert.match(config.warnings[0] ?? '', /OTEL_EXPORTER_OTLP_ENDPOINT is invalid/);
  const elsewhere = readExtensionConfig({ ...base, OTEL_EXPORTER_OTLP_ENDPOINT: 'http://127.0.0.1:4319' });
  assert.equal(elsewhere.exporter.kind, 'otlp');
  assert.deepEqual(elsewhere.warnings, []);
});
