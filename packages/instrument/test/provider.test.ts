import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { describe, it } from 'vitest';
import { ROOT_CONTEXT, SamplingDecision, SpanKind, TraceFlags, trace } from '@opentelemetry/api';
import { buildPropagator } from '../src/provider/propagator.ts';
import { lambdaResourceAttributes } from '../src/provider/resource.ts';
import { buildSampler } from '../src/provider/sampler.ts';

const indexModuleUrl = new URL('../src/index.ts', import.meta.url).href;
// The Node running the tests: the workspace's Node 24 inside npm scripts on Linux.
const node24 = process.execPath;
const ARN = 'arn:aws:lambda:eu-west-1:123456789012:function:orders-fn:live';
const LAMBDA_ENV = {
  AWS_LAMBDA_FUNCTION_NAME: 'orders-fn',
  AWS_LAMBDA_FUNCTION_VERSION: '7',
  AWS_LAMBDA_FUNCTION_MEMORY_SIZE: '512',
  AWS_REGION: 'eu-west-1',
  AWS_LAMBDA_LOG_STREAM_NAME: '2026/01/01/[7]abc',
};

describe('lambdaResourceAttributes', () => {
  const base = { env: LAMBDA_ENV, serviceName: undefined, resourceAttributes: {}, invokedFunctionArn: ARN, logStreamName: undefined };

  it('detects the cloud and faas attributes from the environment and the ARN', () => {
    const attributes = lambdaResourceAttributes(base);
    assert.deepEqual(
      [
        attributes['service.name'],
        attributes['cloud.provider'],
        attributes['cloud.platform'],
        attributes['cloud.region'],
        attributes['cloud.account.id'],
        attributes['faas.name'],
        attributes['faas.version'],
        attributes['faas.instance'],
        attributes['faas.max_memory'],
      ],
      ['orders-fn', 'aws', 'aws_lambda', 'eu-west-1', '123456789012', 'orders-fn', '7', '2026/01/01/[7]abc', 512 * 1024 * 1024],
    );
    assert.equal(typeof attributes['telemetry.sdk.version'], 'string');
  });

  it('service.name: OTEL_SERVICE_NAME (or the option) > OTEL_RESOURCE_ATTRIBUTES > the function name', () => {
    const fromResource = { 'service.name': 'from-resource', 'deployment.environment': 'prod', 'cloud.region': 'override' };
    const resourceOnly = lambdaResourceAttributes({ ...base, resourceAttributes: fromResource });
    assert.deepEqual(
      [resourceOnly['service.name'], resourceOnly['deployment.environment'], resourceOnly['cloud.region']],
      ['from-resource', 'prod', 'override'],
      'OTEL_RESOURCE_ATTRIBUTES entries override detected ones',
    );
    assert.equal(lambdaResourceAttributes({ ...base, serviceName: 'checkout', resourceAttributes: fromResource })['service.name'], 'checkout');
  });

  it('leaves out what it cannot know (no ARN account, no memory)', () => {
    const attributes = lambdaResourceAttributes({ ...base, env: { AWS_LAMBDA_FUNCTION_NAME: 'f' }, invokedFunctionArn: 'not-an-arn' });
    assert.equal('cloud.account.id' in attributes, false);
    assert.equal('faas.max_memory' in attributes, false);
  });
});

describe('buildSampler', () => {
  const decide = (name: Parameters<typeof buildSampler>[0]['name'], ratio: number, parentSampled?: boolean) => {
    const context =
      parentSampled === undefined
        ? ROOT_CONTEXT
        : trace.setSpanContext(ROOT_CONTEXT, {
            traceId: 'a'.repeat(32),
            spanId: 'b'.repeat(16),
            traceFlags: parentSampled ? TraceFlags.SAMPLED : TraceFlags.NONE,
            isRemote: true,
          });
    return buildSampler({ name, ratio }).shouldSample(context, 'f'.repeat(32), 'root', SpanKind.SERVER, {}, []).decision;
  };

  it('follows OTEL_TRACES_SAMPLER / _ARG', () => {
    assert.equal(decide('always_on', 1), SamplingDecision.RECORD_AND_SAMPLED);
    assert.equal(decide('always_off', 1), SamplingDecision.NOT_RECORD);
    assert.equal(decide('traceidratio', 0), SamplingDecision.NOT_RECORD);
    assert.equal(decide('traceidratio', 1), SamplingDecision.RECORD_AND_SAMPLED);
    assert.equal(decide('parentbased_always_on', 1), SamplingDecision.RECORD_AND_SAMPLED);
    assert.equal(decide('parentbased_always_on', 1, false), SamplingDecision.NOT_RECORD, 'an unsampled parent wins');
    assert.equal(decide('parentbased_always_off', 1), SamplingDecision.NOT_RECORD);
    assert.equal(decide('parentbased_always_off', 1, true), SamplingDecision.RECORD_AND_SAMPLED);
    assert.equal(decide('parentbased_traceidratio', 0), SamplingDecision.NOT_RECORD);
  });
});

describe('buildPropagator', () => {
  const span = { traceId: '5759e988bd862e3fe1be46a994272793', spanId: '53995c3f42cd8ad8', traceFlags: TraceFlags.SAMPLED };
  const inject = (names: Parameters<typeof buildPropagator>[0]) => {
    const carrier: Record<string, string> = {};
    buildPropagator(names).inject(trace.setSpanContext(ROOT_CONTEXT, span), carrier, { set: (c, k, v) => void (c[k] = v) });
    return carrier;
  };

  it('injects what OTEL_PROPAGATORS names into outgoing calls', () => {
    assert.deepEqual(Object.keys(inject(['tracecontext', 'baggage'])), ['traceparent']);
    assert.equal(inject(['xray-lambda'])['x-amzn-trace-id'], 'Root=1-5759e988-bd862e3fe1be46a994272793;Parent=53995c3f42cd8ad8;Sampled=1');
    assert.deepEqual(Object.keys(inject(['tracecontext', 'xray'])).sort(), ['traceparent', 'x-amzn-trace-id']);
    assert.deepEqual(inject([]), {});
  });
});

/** Runs one wrapped invocation in a fresh process (the provider is once per process) and returns the spans the writer got. */
function spansInFreshProcess(env: Record<string, string>, options = '{}') {
  const script = `
    import { flush, wrap } from ${JSON.stringify(indexModuleUrl)};
    const written = [];
    const handler = wrap(async () => 'ok', { ...${options}, writer: (spans) => { written.push(...spans); } });
    await handler({}, { awsRequestId: 'r-1', invokedFunctionArn: ${JSON.stringify(ARN)}, getRemainingTimeInMillis: () => 3000 });
    await flush();
    process.stdout.write(JSON.stringify(written.map((s) => ({ name: s.name, resource: s.resource.attributes }))));
  `;
  const result = spawnSync(node24, ['--input-type=module', '-e', script], {
    env: { PATH: process.env.PATH, ...LAMBDA_ENV, ...env },
    encoding: 'utf8',
    timeout: 10_000,
  });
  assert.equal(result.status, 0, result.stderr);
  return JSON.parse(result.stdout) as { name: string; resource: Record<string, unknown> }[];
}

describe('the provider honours the OTEL_* environment (fresh process)', () => {
  it('OTEL_SERVICE_NAME and OTEL_RESOURCE_ATTRIBUTES shape the resource of the spans written', () => {
    const [root] = spansInFreshProcess({ OTEL_SERVICE_NAME: 'checkout', OTEL_RESOURCE_ATTRIBUTES: 'deployment.environment=prod,team=pay%20ments' });
    assert.deepEqual(
      [root!.resource['service.name'], root!.resource['deployment.environment'], root!.resource.team, root!.resource['faas.version']],
      ['checkout', 'prod', 'pay ments', '7'],
    );
  });

  it('OTEL_TRACES_SAMPLER=always_off: nothing is written; traceidratio with arg 1: everything', () => {
    assert.deepEqual(spansInFreshProcess({ OTEL_TRACES_SAMPLER: 'always_off' }), []);
    assert.equal(spansInFreshProcess({ OTEL_TRACES_SAMPLER: 'traceidratio', OTEL_TRACES_SAMPLER_ARG: '1' }).length, 1);
  });
});
