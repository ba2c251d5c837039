import { describe, it } from 'vitest';
import assert from 'node:assert/strict';
import type { ReadableSpan } from '@opentelemetry/sdk-trace';
import { resolveInstrumentConfig } from '../src/config.ts';
import { endInvocation, functionArn, startInvocation } from '../src/invocation/lifecycle.ts';
import { flushTelemetry } from '../src/provider/telemetry.ts';

const spans: ReadableSpan[] = [];
const config = resolveInstrumentConfig({ writer: (batch) => void spans.push(...batch) }, {});
const env = { AWS_LAMBDA_FUNCTION_NAME: 'orders', AWS_LAMBDA_INITIALIZATION_TYPE: 'provisioned-concurrency' };

async function rootFor(requestId: string, invokedFunctionArn: string): Promise<ReadableSpan> {
  const invocation = startInvocation({}, { awsRequestId: requestId, invokedFunctionArn, functionName: 'orders' }, config, env);
  endInvocation(invocation, { result: 'ok' });
  await flushTelemetry();
  return spans.find((span) => span.attributes['faas.invocation.id'] === requestId)!;
}

describe('FaaS attributes of the root span', () => {
  it('an environment initialised for provisioned concurrency has no cold start, even on its first invocation', async () => {
    const first = await rootFor('pc-1', 'arn:aws:lambda:eu-west-1:123456789012:function:orders:live');
    assert.equal(first.attributes['faas.coldstart'], false);
  });

  it('cloud.resource_id is the function ARN without alias or version; the invoked ARN is aws.lambda.invoked_arn', async () => {
    const aliased = await rootFor('arn-1', 'arn:aws:lambda:eu-west-1:123456789012:function:orders:live');
    assert.equal(aliased.attributes['cloud.resource_id'], 'arn:aws:lambda:eu-west-1:123456789012:function:orders');
    assert.equal(aliased.attributes['aws.lambda.invoked_arn'], 'arn:aws:lambda:eu-west-1:123456789012:function:orders:live');
    const versioned = await rootFor('arn-2', 'arn:aws:lambda:eu-west-1:123456789012:function:orders:7');
    assert.equal(versioned.attributes['cloud.resource_id'], 'arn:aws:lambda:eu-west-1:123456789012:function:orders');
    const plain = await rootFor('arn-3', 'arn:aws:lambda:eu-west-1:123456789012:function:orders');
    assert.equal(plain.attributes['cloud.resource_id'], 'arn:aws:lambda:eu-west-1:123456789012:function:orders');
  });

  it('functionArn leaves anything that is not a qualified function ARN as it is', () => {
    assert.equal(functionArn('arn:aws-cn:lambda:cn-north-1:123456789012:function:f:$LATEST'), 'arn:aws-cn:lambda:cn-north-1:123456789012:function:f');
    assert.equal(functionArn('not-an-arn'), 'not-an-arn');
  });
});
