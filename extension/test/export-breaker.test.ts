// The breaker's decisions, as pure functions of its state and the time.
import assert from 'node:assert/strict';
import { test } from 'vitest';
import { BREAKER_CLOSED, breakerAfter, FIRST_BACKOFF_MS, Gate, gateOf, gatedDeadline, MAX_BACKOFF_MS, PROBE_TIMEOUT_MS } from '../src/flush/export-breaker.ts';
import { invocationEndExportDeadline } from '../src/flush/export-window.ts';
import { FlushDecision } from '../src/flush/flush-policy.ts';

test('an export that delivered nothing opens the breaker for a back-off that doubles up to a bound; one that delivered closes it', () => {
  const t0 = 1_000_000;
  assert.equal(gateOf(BREAKER_CLOSED, t0), Gate.closed);
  const once = breakerAfter(BREAKER_CLOSED, false, t0);
  assert.deepEqual(once, { failures: 1, openUntilMs: t0 + FIRST_BACKOFF_MS });
  assert.equal(gateOf(once, t0 + FIRST_BACKOFF_MS - 1), Gate.open);
  assert.equal(gateOf(once, t0 + FIRST_BACKOFF_MS), Gate.probe);
  const twice = breakerAfter(once, false, t0 + FIRST_BACKOFF_MS);
  assert.equal(twice.openUntilMs - (t0 + FIRST_BACKOFF_MS), 2 * FIRST_BACKOFF_MS);
  let state = twice;
  for (let n = 0; n < 10; n++) state = breakerAfter(state, false, t0);
  assert.equal(state.openUntilMs - t0, MAX_BACKOFF_MS);
  assert.deepEqual(breakerAfter(state, true, t0), BREAKER_CLOSED);
  assert.equal(breakerAfter(BREAKER_CLOSED, false, t0, 30_000).openUntilMs, t0 + 30_000, 'a longer Retry-After is honoured');
});

test('at the end of an invocation: no export while open, a short probe when the back-off is over, the normal bound when closed', () => {
  const nowMs = 5000;
  const exportDeadlineMs = nowMs + 2800;
  assert.equal(invocationEndExportDeadline(FlushDecision.end, Gate.closed, nowMs, exportDeadlineMs, 5000), exportDeadlineMs);
  assert.equal(invocationEndExportDeadline(FlushDecision.end, Gate.open, nowMs, exportDeadlineMs, 5000), undefined);
  assert.equal(invocationEndExportDeadline(FlushDecision.end, Gate.probe, nowMs, exportDeadlineMs, 5000), nowMs + PROBE_TIMEOUT_MS);
  assert.equal(invocationEndExportDeadline(FlushDecision.none, Gate.closed, nowMs, exportDeadlineMs, 5000), undefined);
  assert.equal(invocationEndExportDeadline(FlushDecision.end, Gate.closed, exportDeadlineMs, exportDeadlineMs, 5000), undefined);
  assert.equal(gatedDeadline(Gate.probe, nowMs + 200, nowMs), nowMs + 200, 'a probe never outlasts the window it is given');
});
