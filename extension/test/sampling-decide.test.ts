// The per-invocation decision: a pure function of the invocation's facts and the rules.
import assert from 'node:assert/strict';
import { createHash, randomBytes } from 'node:crypto';
import { describe, it } from 'vitest';
import { decide, keptByTraceId } from '../src/sampling/decide.ts';
import type { InvocationFacts } from '../src/sampling/decide.ts';
import { parseSamplingRules } from '../src/sampling/sampling-rules.ts';

const rules = parseSamplingRules('errors,slow>500ms,coldstart,ratio=0.1')!;
const traceId = '5759e988bd862e3fe1be46a994272793';
const facts = (overrides: Partial<InvocationFacts> = {}): InvocationFacts => ({
  failed: false,
  durationMs: 42,
  coldStart: false,
  traceId,
  upstreamSampled: undefined,
  ...overrides,
});

describe('decide', () => {
  it('keeps failures, slow and cold invocations, each with its reason', () => {
    assert.deepEqual(decide(rules, facts({ failed: true })), { keep: true, reason: 'error', partial: false });
    assert.deepEqual(decide(rules, facts({ durationMs: 501 })), { keep: true, reason: 'slow', partial: false });
    assert.deepEqual(decide(rules, facts({ coldStart: true })), { keep: true, reason: 'coldstart', partial: false });
  });

  it('an invocation exactly at the threshold is not slow', () => {
    assert.equal(decide(parseSamplingRules('slow>500ms')!, facts({ durationMs: 500 })).keep, false);
  });

  it('rules that are not asked for keep nothing', () => {
    const errorsOnly = parseSamplingRules('errors')!;
    assert.deepEqual(decide(errorsOnly, facts({ coldStart: true, durationMs: 9000 })), { keep: false, reason: 'ratio' });
  });

  it('respects the caller: a sampled-out trace is dropped, unless it failed and errors are kept (then it is partial)', () => {
    assert.deepEqual(decide(rules, facts({ upstreamSampled: false, coldStart: true })), { keep: false, reason: 'upstream' });
    assert.deepEqual(decide(rules, facts({ upstreamSampled: false, failed: true })), { keep: true, reason: 'error', partial: true });
    assert.deepEqual(decide(parseSamplingRules('ratio=1')!, facts({ upstreamSampled: false, failed: true })), { keep: false, reason: 'upstream' });
  });

  it('decides the ratio by trace id: the same id always gets the same answer', () => {
    // Last 56 bits 0xffffffffffffff: above every threshold; 0x00000000000000: below every one but 1.
    assert.equal(keptByTraceId('0123456789abcdef00ffffffffffffff', 0.01), true);
    assert.equal(keptByTraceId('0123456789abcdef0000000000000000', 0.99), false);
    assert.equal(keptByTraceId('0123456789abcdef0000000000000000', 1), true);
    const ids = Array.from({ length: 50 }, () => randomBytes(16).toString('hex'));
    for (const id of ids) assert.equal(keptByTraceId(id, 0.3), keptByTraceId(id, 0.3));
    // A larger ratio keeps a superset: what 10 % keeps, 30 % keeps too.
    for (const id of ids) if (keptByTraceId(id, 0.1)) assert.equal(keptByTraceId(id, 0.3), true);
  });

  it('a 10 % ratio over 1,000 invocations with 5 % errors keeps every error and 10 % ± 3 % of the rest', () => {
    const errorsAndRatio = parseSamplingRules('errors,ratio=0.1')!;
    let errors = 0;
    let errorsKept = 0;
    let rest = 0;
    let restKept = 0;
    // Trace ids as uniform as random ones, but the same on every run (no flaky share).
    const traceIdOf = (index: number): string => createHash('sha256').update(`invocation ${index}`).digest('hex').slice(0, 32);
    for (let index = 0; index < 1000; index++) {
      const failed = index % 20 === 0; // 5 %
      const decision = decide(errorsAndRatio, facts({ failed, traceId: traceIdOf(index) }));
      if (failed) {
        errors++;
        if (decision.keep) errorsKept++;
      } else {
        rest++;
        if (decision.keep) restKept++;
      }
    }
    assert.equal(errors, 50);
    assert.equal(errorsKept, 50);
    const share = restKept / rest;
    assert.ok(share >= 0.07 && share <= 0.13, `kept ${restKept} of ${rest} (${(share * 100).toFixed(1)} %)`);
  });
});
