import { describe, it } from 'vitest';
import assert from 'node:assert/strict';
import { SpanKind } from '@opentelemetry/api';
import { ConfigurationError, resolveInstrumentConfig } from '../src/config.ts';
import { selectWriter } from '../src/writers/select-writer.ts';

describe('resolveInstrumentConfig', () => {
  it('defaults: extension writer, W3C propagators, parentbased_always_on, frozen', () => {
    const config = resolveInstrumentConfig({}, {});
    assert.equal(config.writer, 'extension');
    assert.equal(config.writerExplicit, false);
    assert.deepEqual(config.propagators, ['tracecontext', 'baggage']);
    assert.deepEqual(config.sampler, { name: 'parentbased_always_on', ratio: 1 });
    assert.equal(config.otlpTracesUrl, 'http://localhost:4318/v1/traces');
    assert.equal(config.receiverPort, 4318);
    assert.ok(Object.isFrozen(config));
  });

  it('options win over the environment, which wins over defaults', () => {
    const env = { LAMBDA_OTEL_WRITER: 'stdout', OTEL_SERVICE_NAME: 'from-env', OTEL_PROPAGATORS: 'xray-lambda,tracecontext' };
    assert.equal(resolveInstrumentConfig({}, env).writer, 'stdout');
    assert.equal(resolveInstrumentConfig({ writer: 'console' }, env).writer, 'console');
    assert.equal(resolveInstrumentConfig({}, env).serviceName, 'from-env');
    assert.equal(resolveInstrumentConfig({ serviceName: 'opt' }, env).serviceName, 'opt');
    assert.deepEqual(resolveInstrumentConfig({}, env).propagators, ['xray-lambda', 'tracecontext']);
    assert.deepEqual(resolveInstrumentConfig({}, { OTEL_PROPAGATORS: 'none' }).propagators, []);
    // Exporting to X-Ray: Lambda's X-Ray parent is in the backend, so it is continued by default.
    assert.deepEqual(resolveInstrumentConfig({}, { LAMBDA_OTEL_EXPORTER: 'xray' }).propagators, ['tracecontext', 'baggage', 'xray-lambda']);
    assert.deepEqual(resolveInstrumentConfig({}, { LAMBDA_OTEL_EXPORTER: 'xray', OTEL_PROPAGATORS: 'tracecontext' }).propagators, ['tracecontext']);
  });

  it('reads OTLP endpoint, headers, sampler and resource attributes', () => {
    const config = resolveInstrumentConfig(
      {},
      {
        OTEL_EXPORTER_OTLP_ENDPOINT: 'https://otlp.example.com/',
        OTEL_EXPORTER_OTLP_HEADERS: 'x-key=a%20b,tenant=t1',
        OTEL_TRACES_SAMPLER: 'parentbased_traceidratio',
        OTEL_TRACES_SAMPLER_ARG: '0.25',
        OTEL_RESOURCE_ATTRIBUTES: 'deployment.environment=prod,team=core',
      },
    );
    assert.equal(config.otlpTracesUrl, 'https://otlp.example.com/v1/traces');
    assert.deepEqual(config.otlpHeaders, { 'x-key': 'a b', tenant: 't1' });
    assert.deepEqual(config.sampler, { name: 'parentbased_traceidratio', ratio: 0.25 });
    assert.deepEqual(config.resourceAttributes, { 'deployment.environment': 'prod', team: 'core' });
    assert.equal(resolveInstrumentConfig({}, { OTEL_EXPORTER_OTLP_TRACES_ENDPOINT: 'http://h:1/custom' }).otlpTracesUrl, 'http://h:1/custom');
  });

  it('bad values fail with a message naming the variable', () => {
    const cases: [Record<string, string>, RegExp][] = [
      [{ LAMBDA_OTEL_WRITER: 'kafka' }, /^Configuration: LAMBDA_OTEL_WRITER is invalid, expected one of extension, otlp, stdout, console, actual "kafka"$/],
      [{ OTEL_PROPAGATORS: 'tracecontext,b3' }, /OTEL_PROPAGATORS is invalid/],
      [{ OTEL_TRACES_SAMPLER: 'sometimes' }, /OTEL_TRACES_SAMPLER is invalid/],
      [{ OTEL_TRACES_SAMPLER: 'traceidratio', OTEL_TRACES_SAMPLER_ARG: '2' }, /OTEL_TRACES_SAMPLER_ARG is invalid, expected a number from 0 to 1/],
      [{ LAMBDA_OTEL_RECEIVER_PORT: '99999' }, /LAMBDA_OTEL_RECEIVER_PORT is invalid/],
      [{ OTEL_EXPORTER_OTLP_ENDPOINT: 'ftp://x' }, /OTEL_EXPORTER_OTLP_ENDPOINT is invalid/],
      [{ OTEL_RESOURCE_ATTRIBUTES: 'novalue' }, /OTEL_RESOURCE_ATTRIBUTES is invalid/],
      [{ LAMBDA_OTEL_CAPTURE_EVENT: 'maybe' }, /LAMBDA_OTEL_CAPTURE_EVENT is invalid, expected true or false/],
    ];
    for (const [env, message] of cases) {
      assert.throws(
        () => resolveInstrumentConfig({}, env),
        (error: unknown) => error instanceof ConfigurationError && message.test(error.message),
      );
    }
    assert.throws(() => resolveInstrumentConfig({ kind: 9 as SpanKind }, {}), /option kind is invalid/);
  });

  it('LAMBDA_OTEL_TIMEOUT_MARGIN_MS: digits only, within 0..60000; the option wins', () => {
    assert.equal(resolveInstrumentConfig({}, {}).timeoutMarginMs, 100);
    assert.equal(resolveInstrumentConfig({}, { LAMBDA_OTEL_TIMEOUT_MARGIN_MS: ' 250 ' }).timeoutMarginMs, 250);
    assert.equal(resolveInstrumentConfig({}, { LAMBDA_OTEL_TIMEOUT_MARGIN_MS: '0' }).timeoutMarginMs, 0);
    assert.equal(resolveInstrumentConfig({ timeoutMarginMs: 40 }, { LAMBDA_OTEL_TIMEOUT_MARGIN_MS: '250' }).timeoutMarginMs, 40);
    for (const actual of ['abc', '-5', '1.5', '10ms', '1e3', '0x10', '60001']) {
      assert.throws(
        () => resolveInstrumentConfig({}, { LAMBDA_OTEL_TIMEOUT_MARGIN_MS: actual }),
        (error: unknown) =>
          error instanceof ConfigurationError &&
          error.message === `Configuration: LAMBDA_OTEL_TIMEOUT_MARGIN_MS is invalid, expected an integer from 0 to 60000, actual ${JSON.stringify(actual)}`,
      );
    }
    assert.throws(() => resolveInstrumentConfig({ timeoutMarginMs: -1 }, {}), /option timeoutMarginMs is invalid/);
  });

  it('LAMBDA_OTEL_CORRELATE_CONSOLE: true/false (any case, 1/0); the option wins', () => {
    assert.equal(resolveInstrumentConfig({}, {}).correlateConsole, false);
    assert.equal(resolveInstrumentConfig({}, { LAMBDA_OTEL_CORRELATE_CONSOLE: 'TRUE' }).correlateConsole, true);
    assert.equal(resolveInstrumentConfig({ correlateConsole: false }, { LAMBDA_OTEL_CORRELATE_CONSOLE: '1' }).correlateConsole, false);
    assert.throws(
      () => resolveInstrumentConfig({}, { LAMBDA_OTEL_CORRELATE_CONSOLE: 'maybe' }),
      /^ConfigurationError: Configuration: LAMBDA_OTEL_CORRELATE_CONSOLE is invalid, expected true or false, actual "maybe"$/,
    );
  });
});

describe('writer selection', () => {
  it('picks the named writer; a function becomes the function writer', () => {
    assert.equal(selectWriter(resolveInstrumentConfig({}, {}), 'fn').name, 'extension');
    for (const name of ['extension', 'otlp', 'stdout', 'console'] as const) {
      assert.equal(selectWriter(resolveInstrumentConfig({}, { LAMBDA_OTEL_WRITER: name.toUpperCase() }), 'fn').name, name);
    }
    assert.equal(selectWriter(resolveInstrumentConfig({ writer: () => {} }, {}), 'fn').name, 'function');
  });
});
