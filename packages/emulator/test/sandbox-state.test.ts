// The sandbox's state machine: its transitions are the only writers, a transition from the wrong
// phase is a bug (it throws), the first failure wins, and a wait wakes when a transition makes its
// predicate hold.
import assert from 'node:assert/strict';
import { test } from 'vitest';
import { SandboxState } from '../src/sandbox/state.ts';

const timeout = { status: 'timeout' as const, errorType: 'Sandbox.Timedout', errorMessage: 'Task timed out after 3.00 seconds', reason: 'timeout' as const };

test('init → ready ⇄ invoking → shutdown → gone; registration and subscriptions close with init', async () => {
  const state = new SandboxState();
  assert.deepEqual([state.phase, state.registrationOpen, state.subscriptionsOpen, state.live], ['init', true, true, true]);
  const ready = state.waitUntil(() => state.phase === 'ready', 1000);
  state.runtimeReady();
  assert.deepEqual([state.registrationOpen, state.subscriptionsOpen], [false, true]);
  state.initSucceeded(123.4);
  assert.equal(await ready, true, 'the wait woke on the transition');
  assert.equal(state.subscriptionsOpen, false);
  assert.equal(state.claimInitDuration(), 123.4);
  assert.equal(state.claimInitDuration(), undefined, 'claimed once: the cold start');
  state.invokeStarted();
  assert.throws(() => state.invokeStarted(), /invokeStarted in phase invoking, expected ready/);
  state.invokeFinished();
  state.shutdownStarted();
  assert.equal(state.live, false);
  state.shutdownDone();
  assert.equal(state.phase, 'gone');
  assert.throws(() => state.shutdownStarted(), /after the environment is gone/);
});

test('the first failure and the first init error win; none is recorded while shutting down', () => {
  const state = new SandboxState();
  state.initErrorReported({ errorType: 'Extension.InitError', errorMessage: 'first', platformErrorType: 'Extension.InitError' });
  state.initErrorReported({ errorType: 'Runtime.Unknown', errorMessage: 'second', platformErrorType: 'Runtime.Unknown' });
  assert.equal(state.initError?.errorMessage, 'first');
  state.failed(timeout);
  state.failed({ ...timeout, errorType: 'Runtime.ExitError' });
  assert.equal(state.failure?.errorType, 'Sandbox.Timedout');
  const other = new SandboxState();
  other.shutdownStarted();
  other.failed(timeout);
  assert.equal(other.failure, undefined, 'exits during SHUTDOWN are expected');
  other.notePeakMemory(2048);
  other.notePeakMemory(1024);
  assert.equal(other.peakKb, 2048);
});
