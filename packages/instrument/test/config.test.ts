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
    assert.equal(config.otlpProtocol, 'http/protobuf');
    assert.equal(config.otlpUrlOverride, undefined);
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

  it('reads the sampler and resource attributes (OpenTelemetry core parses key=value lists); OTLP endpoint and headers are left to the exporter', () => {
    const config = resolveInstrumentConfig(
      {},
      {
        LAMBDA_OTEL_WRITER: 'otlp',
        OTEL_EXPORTER_OTLP_ENDPOINT: 'https://otlp.example.com/',
        OTEL_EXPORTER_OTLP_HEADERS: 'x-key=a%20b,tenant=t1',
        OTEL_EXPORTER_OTLP_PROTOCOL: 'http/json',
        OTEL_TRACES_SAMPLER: 'parentbased_traceidratio',
        OTEL_TRACES_SAMPLER_ARG: '0.25',
        OTEL_RESOURCE_ATTRIBUTES: 'deployment.environment=prod,team=core%2Cplatform',
      },
    );
    assert.equal(config.otlpUrlOverride, undefined);
    assert.equal(config.otlpProtocol, 'http/json');
    assert.deepEqual(config.sampler, { name: 'parentbased_traceidratio', ratio: 0.25 });
    assert.deepEqual(config.resourceAttributes, { 'deployment.environment': 'prod', team: 'core,platform' });
  });

  it('bad values fail with a message naming the variable and what it accepts, and the default used', () => {
    const cases: [Record<string, string>, RegExp][] = [
      [
        { LAMBDA_OTEL_WRITER: 'kafka' },
        /^Configuration: LAMBDA_OTEL_WRITER is invalid, expected one of extension, otlp, stdout, console; the default \(extension\) is used$/,
      ],
      [{ OTEL_PROPAGATORS: 'tracecontext,b3' }, /OTEL_PROPAGATORS is invalid.*the default \(tracecontext,baggage\) is used/],
      [{ OTEL_TRACES_SAMPLER: 'sometimes' }, /OTEL_TRACES_SAMPLER is invalid/],
      [{ OTEL_TRACES_SAMPLER: 'traceidratio', OTEL_TRACES_SAMPLER_ARG: '2' }, /OTEL_TRACES_SAMPLER_ARG is invalid, expected a number from 0 to 1/],
      [{ LAMBDA_OTEL_RECEIVER_PORT: '99999' }, /LAMBDA_OTEL_RECEIVER_PORT is invalid/],
      [
        { LAMBDA_OTEL_WRITER: 'otlp', OTEL_EXPORTER_OTLP_ENDPOINT: 'ftp://x' },
        /OTEL_EXPORTER_OTLP_ENDPOINT is invalid, expected an http:\/\/ or https:\/\/ URL; the default \(http:\/\/localhost:4318\/v1\/traces\) is used/,
      ],
      [
        { LAMBDA_OTEL_WRITER: 'otlp', OTEL_EXPORTER_OTLP_PROTOCOL: 'grpc' },
        /OTEL_EXPORTER_OTLP_PROTOCOL is invalid, expected http\/protobuf or http\/json; the default \(http\/protobuf\) is used/,
      ],
      [{ LAMBDA_OTEL_WRITER: 'otlp', OTEL_EXPORTER_OTLP_TIMEOUT: 'soon' }, /OTEL_EXPORTER_OTLP_TIMEOUT is invalid/],
      [{ LAMBDA_OTEL_WRITER: 'otlp', OTEL_EXPORTER_OTLP_TRACES_COMPRESSION: 'zstd' }, /OTEL_EXPORTER_OTLP_TRACES_COMPRESSION is invalid/],
      [{ OTEL_RESOURCE_ATTRIBUTES: 'novalue' }, /OTEL_RESOURCE_ATTRIBUTES is invalid/],
      [{ LAMBDA_OTEL_CAPTURE_EVENT: 'maybe' }, /LAMBDA_OTEL_CAPTURE_EVENT is invalid, expected true or false/],
    ];
    for (const [env, message] of cases) {
      assert.throws(
        () => resolveInstrumentConfig({}, env),
        (error: unknown) => error instanceof ConfigurationError && message.test(error.message),
        JSON.stringify(env),
      );
    }
    assert.throws(() => resolveInstrumentConfig({ kind: 9 as SpanKind }, {}), /option kind is invalid/);
  });

  it('with a reporter, every problem is reported and its setting takes the default; the rest is kept', () => {
    const problems: string[] = [];
    const config = resolveInstrumentConfig(
      {},
      {
        LAMBDA_OTEL_WRITER: 'otlp',
        OTEL_TRACES_SAMPLER: 'sometimes',
        LAMBDA_OTEL_RECEIVER_PORT: 'x',
        OTEL_EXPORTER_OTLP_ENDPOINT: 'not a url',
        OTEL_SERVICE_NAME: 'orders',
        LAMBDA_OTEL_CAPTURE_EVENT: 'true',
      },
      (problem) => problems.push(problem.message),
    );
    assert.equal(problems.length, 3, problems.join('\n'));
    assert.deepEqual(
      [config.writer, config.sampler.name, config.receiverPort, config.otlpUrlOverride, config.serviceName, config.captureEvent],
      ['otlp', 'parentbased_always_on', 4318, 'http://localhost:4318/v1/traces', 'orders', true],
    );
  });

  it('the OTLP variables are left alone unless the writer is otlp (with the layer, its extension reads them)', () => {
    const problems: string[] = [];
    resolveInstrumentConfig({}, { OTEL_EXPORTER_OTLP_HEADERS: 'broken', OTEL_EXPORTER_OTLP_PROTOCOL: 'grpc' }, (problem) => problems.push(problem.message));
    assert.deepEqual(problems, []);
  });

  it('no problem message repeats a secret: header values, URL userinfo and query, AWS credentials', () => {
    const secrets = ['sk-live-4f9a', 'hunter2', 'AKIAIOSFODNN7EXAMPLE', 'wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY', 'sig=abc123'];
    const envs: Record<string, string>[] = [
      // A token with a comma: the part after it is not key=value.
      { OTEL_EXPORTER_OTLP_HEADERS: 'api-key=sk-live-4f9a,hunter2' },
      { OTEL_EXPORTER_OTLP_TRACES_HEADERS: 'authorization=Basic hunter2,x' },
      { OTEL_EXPORTER_OTLP_ENDPOINT: 'ftp://user:hunter2@collector.example.com/otlp?sig=abc123' },
      { OTEL_EXPORTER_OTLP_TRACES_ENDPOINT: 'https//user:hunter2@collector.example.com?sig=abc123' },
      { OTEL_TRACES_SAMPLER: 'AKIAIOSFODNN7EXAMPLE' },
      { OTEL_PROPAGATORS: 'wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY' },
      { OTEL_RESOURCE_ATTRIBUTES: 'team=core,sk-live-4f9a' },
      { OTEL_EXPORTER_OTLP_TIMEOUT: 'hunter2' },
      { OTEL_EXPORTER_OTLP_PROTOCOL: 'sk-live-4f9a' },
      { LAMBDA_OTEL_CAPTURE_EVENT: 'hunter2' },
    ];
    for (const env of envs) {
      const problems: string[] = [];
      resolveInstrumentConfig({ writer: 'otlp' }, env, (problem) => problems.push(problem.message));
      assert.equal(problems.length, 1, JSON.stringify(env));
      for (const secret of secrets) assert.ok(!problems[0]!.includes(secret), `${problems[0]} repeats ${secret}`);
      assert.match(problems[0]!, new RegExp(Object.keys(env)[0]!), 'the variable is named');
    }
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
          error.message === 'Configuration: LAMBDA_OTEL_TIMEOUT_MARGIN_MS is invalid, expected an integer from 0 to 60000; the default (100) is used',
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
      /^ConfigurationError: Configuration: LAMBDA_OTEL_CORRELATE_CONSOLE is invalid, expected true or false; the default \(false\) is used$/,
    );
  });
});

describe('writer selection', () => {
  it('picks the named writer; a function becomes the function writer', async () => {
    assert.equal((await selectWriter(resolveInstrumentConfig({}, {}), 'fn')).name, 'extension');
    for (const name of ['extension', 'otlp', 'stdout', 'console'] as const) {
      assert.equal((await selectWriter(resolveInstrumentConfig({}, { LAMBDA_OTEL_WRITER: name.toUpperCase() }), 'fn')).name, name);
    }
    assert.equal((await selectWriter(resolveInstrumentConfig({ writer: () => {} }, {}), 'fn')).name, 'function');
  });
});
