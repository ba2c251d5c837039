import assert from 'node:assert/strict';
import { test } from 'vitest';
import { decideAtInvocationEnd, decideOnTick, tickIntervalMs } from '../src/flush/flush-policy.ts';
import type { FlushPolicy, FlushState } from '../src/flush/flush-policy.ts';

const state = (overrides: Partial<FlushState> = {}): FlushState => ({
  bufferedItems: 3,
  bufferFill: 0.01,
  oldestItemAtMs: 9_000,
  lastFlushAtMs: 8_000,
  lastInvokeGapMs: 100,
  ...overrides,
});

test('nothing buffered: no policy exports', () => {
  for (const policy of [{ kind: 'end' }, { kind: 'periodic', intervalMs: 1 }, { kind: 'adaptive', maxAgeMs: 1, sparseGapMs: 1 }] as FlushPolicy[]) {
    assert.equal(decideAtInvocationEnd(policy, state({ bufferedItems: 0 }), 10_000), 'none');
  }
});

test('decisions at the end of an invocation, table-style', () => {
  const cases: [string, FlushPolicy, FlushState, number, string][] = [
    ['end always exports', { kind: 'end' }, state(), 10_000, 'end'],
    ['periodic within the interval', { kind: 'periodic', intervalMs: 5000 }, state(), 10_000, 'none'],
    ['periodic past the interval', { kind: 'periodic', intervalMs: 2000 }, state(), 10_000, 'periodic'],
    ['continuous leaves it to the ticker', { kind: 'continuous', intervalMs: 1 }, state(), 10_000, 'none'],
    ['adaptive, first invocation', { kind: 'adaptive', maxAgeMs: 5000, sparseGapMs: 2000 }, state({ lastInvokeGapMs: undefined }), 10_000, 'end'],
    ['adaptive, sparse traffic', { kind: 'adaptive', maxAgeMs: 5000, sparseGapMs: 2000 }, state({ lastInvokeGapMs: 2500 }), 10_000, 'end'],
    ['adaptive, frequent and young', { kind: 'adaptive', maxAgeMs: 5000, sparseGapMs: 2000 }, state(), 10_000, 'none'],
    ['adaptive, frequent but old', { kind: 'adaptive', maxAgeMs: 500, sparseGapMs: 2000 }, state(), 10_000, 'periodic'],
    ['adaptive, frequent but half full', { kind: 'adaptive', maxAgeMs: 5000, sparseGapMs: 2000 }, state({ bufferFill: 0.6 }), 10_000, 'periodic'],
  ];
  for (const [name, policy, flushState, nowMs, expected] of cases) {
    assert.equal(decideAtInvocationEnd(policy, flushState, nowMs), expected, name);
  }
});

test('the ticker exports only for the continuous policy, once per interval', () => {
  const continuous: FlushPolicy = { kind: 'continuous', intervalMs: 1000 };
  assert.equal(decideOnTick(continuous, state(), 8_500), 'none');
  assert.equal(decideOnTick(continuous, state(), 9_000), 'periodic');
  assert.equal(decideOnTick({ kind: 'end' }, state(), 99_000), 'none');
  assert.equal(tickIntervalMs(continuous), 1000);
  assert.equal(tickIntervalMs({ kind: 'end' }), undefined);
});
