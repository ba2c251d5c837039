// The exporter configuration table: every variable, its default, and a bad value per variable with
// a message that names it.
import assert from 'node:assert/strict';
import { describe, it } from 'vitest';
import { ConfigError } from '../src/errors.ts';
import { readExporterConfig, type ExporterConfig } from '../src/export/config.ts';

const aws = { AWS_REGION: 'eu-west-1', AWS_ACCESS_KEY_ID: 'AKIDEXAMPLE', AWS_SECRET_ACCESS_KEY: 'secret', AWS_LAMBDA_FUNCTION_NAME: 'orders' };

function otlp(env: Record<string, string>): Extract<ExporterConfig, { kind: 'otlp' }> {
  const config = readExporterConfig(env);
  assert.equal(config.kind, 'otlp');
  return config as Extract<ExporterConfig, { kind: 'otlp' }>;
}

function xray(env: Record<string, string>): Extract<ExporterConfig, { kind: 'xray' }> {
  const config = readExporterConfig({ LAMBDA_OTEL_EXPORTER: 'xray', ...aws, ...env });
  assert.equal(config.kind, 'xray');
  return config as Extract<ExporterConfig, { kind: 'xray' }>;
}

describe('readExporterConfig: otlp', () => {
  it('defaults to OTLP/HTTP protobuf with gzip on localhost:4318', () => {
    const config = otlp({});
    assert.equal(config.traces.url, 'http://localhost:4318/v1/traces');
    assert.equal(config.logs.url, 'http://localhost:4318/v1/logs');
    assert.equal(config.traces.format, 'protobuf');
    assert.equal(config.traces.compression, 'gzip');
    assert.equal(config.traces.timeoutMs, 10_000);
    assert.deepEqual(config.traces.headers, {});
    assert.ok(Object.isFrozen(config) && Object.isFrozen(config.traces) && Object.isFrozen(config.traces.headers));
  });

  const endpoints: [string, Record<string, string>, string, string][] = [
    ['base without slash', { OTEL_EXPORTER_OTLP_ENDPOINT: 'https://collector:4318' }, 'https://collector:4318/v1/traces', 'https://collector:4318/v1/logs'],
    ['base with slash', { OTEL_EXPORTER_OTLP_ENDPOINT: 'https://collector:4318/' }, 'https://collector:4318/v1/traces', 'https://collector:4318/v1/logs'],
    ['base with a path', { OTEL_EXPORTER_OTLP_ENDPOINT: 'https://gw.example/otlp' }, 'https://gw.example/otlp/v1/traces', 'https://gw.example/otlp/v1/logs'],
    [
      'signal endpoints as-is',
      {
        OTEL_EXPORTER_OTLP_ENDPOINT: 'https://ignored',
        OTEL_EXPORTER_OTLP_TRACES_ENDPOINT: 'https://t.example/custom',
        OTEL_EXPORTER_OTLP_LOGS_ENDPOINT: 'https://l.example',
      },
      'https://t.example/custom',
      'https://l.example/',
    ],
  ];
  for (const [name, env, traces, logs] of endpoints) {
    it(`endpoint: ${name}`, () => {
      const config = otlp(env);
      assert.equal(config.traces.url, traces);
      assert.equal(config.logs.url, logs);
    });
  }

  it('headers: percent-decoded, signal-specific over general', () => {
    const config = otlp({
      OTEL_EXPORTER_OTLP_HEADERS: 'Authorization=Bearer%20abc, x-team=core',
      OTEL_EXPORTER_OTLP_TRACES_HEADERS: 'x-team=traces,x-extra=%3D%2C',
    });
    assert.deepEqual(config.traces.headers, { authorization: 'Bearer abc', 'x-team': 'traces', 'x-extra': '=,' });
    assert.deepEqual(config.logs.headers, { authorization: 'Bearer abc', 'x-team': 'core' });
  });

  it('protocol, compression and timeout, general and per signal', () => {
    const config = otlp({
      OTEL_EXPORTER_OTLP_PROTOCOL: 'http/json',
      OTEL_EXPORTER_OTLP_LOGS_PROTOCOL: 'http/protobuf',
      OTEL_EXPORTER_OTLP_COMPRESSION: 'none',
      OTEL_EXPORTER_OTLP_TIMEOUT: '2500',
      OTEL_EXPORTER_OTLP_LOGS_TIMEOUT: '0',
    });
    assert.equal(config.traces.format, 'json');
    assert.equal(config.logs.format, 'protobuf');
    assert.equal(config.traces.compression, 'none');
    assert.equal(config.traces.timeoutMs, 2500);
    assert.equal(config.logs.timeoutMs, 0);
  });
});

describe('readExporterConfig: xray', () => {
  it('derives endpoints, region, credentials and the log group', () => {
    const config = xray({ AWS_SESSION_TOKEN: 'token' });
    assert.equal(config.region, 'eu-west-1');
    assert.equal(config.traces.url, 'https://xray.eu-west-1.amazonaws.com/v1/traces');
    assert.deepEqual(config.credentials, { accessKeyId: 'AKIDEXAMPLE', secretAccessKey: 'secret', sessionToken: 'token' });
    assert.equal(config.logs?.url, 'https://logs.eu-west-1.amazonaws.com/v1/logs');
    assert.equal(config.logs?.logGroup, '/aws/lambda/orders');
    assert.equal(config.logs?.logStream, 'lambda-otel');
    assert.equal(config.logsDisabledReason, undefined);
  });

  it('user overrides win', () => {
    const config = xray({
      LAMBDA_OTEL_XRAY_ENDPOINT: 'http://127.0.0.1:9999/v1/traces',
      LAMBDA_OTEL_LOGS_ENDPOINT: 'http://127.0.0.1:9999/v1/logs',
      LAMBDA_OTEL_LOG_GROUP: '/custom/group',
      LAMBDA_OTEL_LOG_STREAM: 'stream-1',
    });
    assert.equal(config.traces.url, 'http://127.0.0.1:9999/v1/traces');
    assert.equal(config.logs?.url, 'http://127.0.0.1:9999/v1/logs');
    assert.equal(config.logs?.logGroup, '/custom/group');
    assert.equal(config.logs?.logStream, 'stream-1');
  });

  it('logs are off without any group, or when asked', () => {
    const none = readExporterConfig({ LAMBDA_OTEL_EXPORTER: 'xray', AWS_REGION: 'us-east-1', AWS_ACCESS_KEY_ID: 'a', AWS_SECRET_ACCESS_KEY: 'b' });
    assert.ok(none.kind === 'xray' && none.logs === undefined && /LAMBDA_OTEL_LOG_GROUP/.test(none.logsDisabledReason ?? ''));
    const off = xray({ LAMBDA_OTEL_LOG_GROUP: 'off' });
    assert.ok(off.logs === undefined && off.logsDisabledReason === 'LAMBDA_OTEL_LOG_GROUP is off');
  });

  it('takes the region from an explicit X-Ray endpoint when AWS_REGION is unset', () => {
    const config = readExporterConfig({
      LAMBDA_OTEL_EXPORTER: 'xray',
      AWS_ACCESS_KEY_ID: 'a',
      AWS_SECRET_ACCESS_KEY: 'b',
      LAMBDA_OTEL_XRAY_ENDPOINT: 'https://xray.ap-southeast-2.amazonaws.com/v1/traces',
    });
    assert.ok(config.kind === 'xray' && config.region === 'ap-southeast-2');
  });
});

describe('readExporterConfig: stdout', () => {
  it('has a line limit below the CloudWatch event size', () => {
    const config = readExporterConfig({ LAMBDA_OTEL_EXPORTER: 'stdout' });
    assert.deepEqual(config, { kind: 'stdout', maxLineBytes: 200 * 1024 });
    assert.deepEqual(readExporterConfig({ LAMBDA_OTEL_EXPORTER: 'STDOUT', LAMBDA_OTEL_STDOUT_MAX_LINE_BYTES: '65536' }), {
      kind: 'stdout',
      maxLineBytes: 65536,
    });
  });
});

describe('readExporterConfig: bad values name the variable', () => {
  const bad: [string, Record<string, string>, RegExp?][] = [
    ['LAMBDA_OTEL_EXPORTER', { LAMBDA_OTEL_EXPORTER: 'zipkin' }, /expected otlp, xray or stdout/],
    ['OTEL_EXPORTER_OTLP_ENDPOINT', { OTEL_EXPORTER_OTLP_ENDPOINT: 'collector:4318' }],
    ['OTEL_EXPORTER_OTLP_ENDPOINT', { OTEL_EXPORTER_OTLP_ENDPOINT: 'ftp://collector' }],
    ['OTEL_EXPORTER_OTLP_TRACES_ENDPOINT', { OTEL_EXPORTER_OTLP_TRACES_ENDPOINT: 'not a url' }],
    ['OTEL_EXPORTER_OTLP_LOGS_ENDPOINT', { OTEL_EXPORTER_OTLP_LOGS_ENDPOINT: '/v1/logs' }],
    ['OTEL_EXPORTER_OTLP_HEADERS', { OTEL_EXPORTER_OTLP_HEADERS: 'novalue' }],
    ['OTEL_EXPORTER_OTLP_HEADERS', { OTEL_EXPORTER_OTLP_HEADERS: 'k=%E0%A4%A' }],
    ['OTEL_EXPORTER_OTLP_TRACES_HEADERS', { OTEL_EXPORTER_OTLP_TRACES_HEADERS: 'bad key=v' }],
    ['OTEL_EXPORTER_OTLP_LOGS_HEADERS', { OTEL_EXPORTER_OTLP_LOGS_HEADERS: '=v' }],
    ['OTEL_EXPORTER_OTLP_PROTOCOL', { OTEL_EXPORTER_OTLP_PROTOCOL: 'grpc' }, /grpc is not supported/],
    ['OTEL_EXPORTER_OTLP_PROTOCOL', { OTEL_EXPORTER_OTLP_PROTOCOL: 'http/xml' }],
    ['OTEL_EXPORTER_OTLP_TRACES_PROTOCOL', { OTEL_EXPORTER_OTLP_TRACES_PROTOCOL: 'grpc' }, /grpc is not supported/],
    ['OTEL_EXPORTER_OTLP_COMPRESSION', { OTEL_EXPORTER_OTLP_COMPRESSION: 'zstd' }, /expected gzip or none/],
    ['OTEL_EXPORTER_OTLP_LOGS_COMPRESSION', { OTEL_EXPORTER_OTLP_LOGS_COMPRESSION: 'br' }],
    ['OTEL_EXPORTER_OTLP_TIMEOUT', { OTEL_EXPORTER_OTLP_TIMEOUT: '10s' }, /milliseconds/],
    ['OTEL_EXPORTER_OTLP_TRACES_TIMEOUT', { OTEL_EXPORTER_OTLP_TRACES_TIMEOUT: '-1' }],
    ['AWS_REGION', { LAMBDA_OTEL_EXPORTER: 'xray', AWS_ACCESS_KEY_ID: 'a', AWS_SECRET_ACCESS_KEY: 'b' }, /required when LAMBDA_OTEL_EXPORTER=xray/],
    ['AWS_REGION', { LAMBDA_OTEL_EXPORTER: 'xray', AWS_REGION: 'Mars', AWS_ACCESS_KEY_ID: 'a', AWS_SECRET_ACCESS_KEY: 'b' }],
    ['AWS_ACCESS_KEY_ID', { LAMBDA_OTEL_EXPORTER: 'xray', AWS_REGION: 'us-east-1', AWS_SECRET_ACCESS_KEY: 'b' }],
    ['AWS_SECRET_ACCESS_KEY', { LAMBDA_OTEL_EXPORTER: 'xray', AWS_REGION: 'us-east-1', AWS_ACCESS_KEY_ID: 'a' }],
    ['LAMBDA_OTEL_XRAY_ENDPOINT', { ...aws, LAMBDA_OTEL_EXPORTER: 'xray', LAMBDA_OTEL_XRAY_ENDPOINT: 'xray' }],
    ['LAMBDA_OTEL_LOGS_ENDPOINT', { ...aws, LAMBDA_OTEL_EXPORTER: 'xray', LAMBDA_OTEL_LOGS_ENDPOINT: 'logs' }],
    ['LAMBDA_OTEL_LOG_GROUP', { ...aws, LAMBDA_OTEL_EXPORTER: 'xray', LAMBDA_OTEL_LOG_GROUP: 'bad group!' }],
    ['LAMBDA_OTEL_LOG_STREAM', { ...aws, LAMBDA_OTEL_EXPORTER: 'xray', LAMBDA_OTEL_LOG_STREAM: 'a:b' }],
    ['LAMBDA_OTEL_STDOUT_MAX_LINE_BYTES', { LAMBDA_OTEL_EXPORTER: 'stdout', LAMBDA_OTEL_STDOUT_MAX_LINE_BYTES: '100' }],
  ];
  for (const [variable, env, message] of bad) {
    it(`${variable} = ${JSON.stringify(Object.values(env).at(-1))}`, () => {
      assert.throws(
        () => readExporterConfig(env),
        (error: unknown) =>
          error instanceof ConfigError &&
          error.variable === variable &&
          error.message.startsWith(`Configuration: ${variable} is invalid, expected `) &&
          (message === undefined || message.test(error.message)),
      );
    });
  }

  it('never echoes the secret key', () => {
    assert.throws(
      () => readExporterConfig({ LAMBDA_OTEL_EXPORTER: 'xray', AWS_REGION: 'us-east-1', AWS_SECRET_ACCESS_KEY: 'very-secret' }),
      (error: unknown) => error instanceof ConfigError && !error.message.includes('very-secret'),
    );
  });
});
