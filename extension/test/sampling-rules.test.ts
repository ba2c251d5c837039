// The LAMBDA_OTEL_TAIL_SAMPLING grammar: what it accepts, and one clear error for what it does not.
import assert from 'node:assert/strict';
import { describe, it } from 'vitest';
import { ConfigError } from '../src/errors.ts';
import { parseSamplingRules, readSamplingRules } from '../src/sampling/sampling-rules.ts';

describe('parseSamplingRules', () => {
  it.each([
    ['errors,slow>500ms,coldstart,ratio=0.1', { errors: true, slowerThanMs: 500, coldStart: true, ratio: 0.1, dropLogs: false }],
    ['errors', { errors: true, slowerThanMs: undefined, coldStart: false, ratio: 0, dropLogs: false }],
    [' Errors , SLOW > 1.5s ', { errors: true, slowerThanMs: 1500, coldStart: false, ratio: 0, dropLogs: false }],
    ['slow>250', { errors: false, slowerThanMs: 250, coldStart: false, ratio: 0, dropLogs: false }],
    ['ratio=10%', { errors: false, slowerThanMs: undefined, coldStart: false, ratio: 0.1, dropLogs: false }],
    ['ratio=1', { errors: false, slowerThanMs: undefined, coldStart: false, ratio: 1, dropLogs: false }],
  ])('%s', (raw, expected) => {
    assert.deepEqual(parseSamplingRules(raw), expected);
  });

  it('keeps everything when unset, empty or all', () => {
    assert.equal(parseSamplingRules(undefined), undefined);
    assert.equal(parseSamplingRules('  '), undefined);
    assert.equal(parseSamplingRules('ALL'), undefined);
  });

  it('drops the logs of dropped invocations only when asked', () => {
    assert.equal(parseSamplingRules('errors', 'drop')?.dropLogs, true);
    assert.equal(parseSamplingRules('errors', 'keep')?.dropLogs, false);
  });

  it.each(['errors,fast', 'ratio=2', 'ratio=abc', 'slow>5m', 'slow>', 'ratio=-0.1'])('refuses %s naming the variable and the term', (raw) => {
    assert.throws(
      () => parseSamplingRules(raw),
      (error: unknown) => error instanceof ConfigError && error.variable === 'LAMBDA_OTEL_TAIL_SAMPLING' && error.message.includes('cannot read'),
    );
  });

  it('reads the environment without throwing: an invalid value is one error line and everything is kept', () => {
    const bad = readSamplingRules({ LAMBDA_OTEL_TAIL_SAMPLING: 'errors,sometimes' });
    assert.equal(bad.rules, undefined);
    assert.match(bad.error!, /^Configuration: LAMBDA_OTEL_TAIL_SAMPLING is invalid, expected .*"sometimes".*; tail sampling is off/);
    const badLogs = readSamplingRules({ LAMBDA_OTEL_TAIL_SAMPLING: 'errors', LAMBDA_OTEL_TAIL_SAMPLING_LOGS: 'maybe' });
    assert.match(badLogs.error!, /LAMBDA_OTEL_TAIL_SAMPLING_LOGS is invalid, expected keep or drop/);
    assert.deepEqual(readSamplingRules({ LAMBDA_OTEL_TAIL_SAMPLING: 'coldstart' }).rules?.coldStart, true);
  });
});
