// Options → one frozen configuration: Lambda's defaults, and one clear error per bad option.
import { test } from 'vitest';
import assert from 'node:assert/strict';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { ConfigurationError } from '../src/index.ts';
import { resolveConfig } from '../src/config.ts';

const functionDir = join(dirname(fileURLToPath(import.meta.url)), '..', 'src');

test('defaults: 3 s timeout, 10 s init limit, 128 MB, extensions enabled, frozen', () => {
  const config = resolveConfig({ functionDir, handler: 'index.handler' });
  assert.deepEqual(
    [config.timeoutMs, config.initTimeoutMs, config.memoryMb, config.maxConcurrency, config.extensionsDisabled, config.functionName, config.region],
    [3000, 10_000, 128, undefined, false, 'src', 'us-east-1'],
  );
  assert.equal(config.functionArn, 'arn:aws:lambda:us-east-1:000000000000:function:src');
  assert.ok(Object.isFrozen(config) && Object.isFrozen(config.layers) && Object.isFrozen(config.env));
});

test('each bad option is one error naming it, what is expected and what was given', () => {
  const cases: [object, RegExp][] = [
    [{ functionDir: '/no/such/dir' }, /^Configuration: functionDir is invalid, expected an existing directory, actual "\/no\/such\/dir"$/],
    [{ handler: '' }, /^Configuration: handler is invalid, expected FILE\.EXPORT/],
    [{ initializationType: 'snap-start' }, /^Configuration: initializationType is invalid, expected on-demand or provisioned-concurrency/],
    [{ timeoutSec: 0 }, /^Configuration: timeoutSec is invalid/],
    [{ initTimeoutSec: -1 }, /^Configuration: initTimeoutSec is invalid, expected a number of seconds from 0 to 900, actual -1$/],
    [{ memoryMb: 1.5 }, /^Configuration: memoryMb is invalid, expected an integer from 1 to 10240, actual 1\.5$/],
    [{ maxConcurrency: 0 }, /^Configuration: maxConcurrency is invalid/],
    [{ layers: ['/no/such/layer'] }, /^Configuration: layer is invalid/],
    [{ env: { 'BAD-NAME': 'x' } }, /^Configuration: env BAD-NAME is invalid/],
    [{ nodePath: '/no/such/node' }, /^Configuration: nodePath is invalid/],
  ];
  for (const [override, message] of cases) {
    assert.throws(
      () => resolveConfig({ functionDir, handler: 'index.handler', ...override }),
      (error: unknown) => {
        assert.ok(error instanceof ConfigurationError);
        assert.match(error.message, message);
        return true;
      },
    );
  }
});
