// Which FunctionName values reach the served function, and the ARN a 404 names.
import assert from 'node:assert/strict';
import { test } from 'vitest';
import { isServedFunction, parseFunctionName, requestedArn } from '../src/serve/function-name.ts';

const served = { functionName: 'orders', region: 'us-east-1', accountId: '000000000000' };

test('names, partial and full ARNs, qualifiers in the name or the query', () => {
  assert.deepEqual(parseFunctionName('arn:aws:lambda:eu-west-1:123456789012:function:orders:prod'), {
    name: 'orders',
    qualifier: 'prod',
    region: 'eu-west-1',
    accountId: '123456789012',
  });
  assert.deepEqual(parseFunctionName('123456789012:function:orders'), { name: 'orders', qualifier: undefined, region: undefined, accountId: '123456789012' });
  assert.deepEqual(parseFunctionName('orders', '$LATEST'), { name: 'orders', qualifier: '$LATEST', region: undefined, accountId: undefined });
  const reaches = (raw: string, query?: string) => isServedFunction(parseFunctionName(raw, query), served);
  for (const raw of ['orders', 'function', 'orders:$LATEST', '000000000000:function:orders', 'arn:aws:lambda:us-east-1:000000000000:function:orders:$LATEST']) {
    assert.ok(reaches(raw), raw);
  }
  for (const [raw, query] of [
    ['payments'],
    ['orders:prod'],
    ['orders', '7'],
    ['arn:aws:lambda:eu-west-1:000000000000:function:orders'],
    ['123456789012:function:orders'],
  ]) {
    assert.ok(!reaches(raw!, query), `${raw} ${query ?? ''}`);
  }
  assert.equal(requestedArn(parseFunctionName('payments'), served), 'arn:aws:lambda:us-east-1:000000000000:function:payments');
  assert.equal(requestedArn(parseFunctionName('orders', 'prod'), served), 'arn:aws:lambda:us-east-1:000000000000:function:orders:prod');
});
