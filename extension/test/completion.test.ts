// When an invocation's telemetry is complete, table-style: the export at the end of an invocation
// must carry the function's last log lines, which come before platform.runtimeDone.
import assert from 'node:assert/strict';
import { test } from 'vitest';
import { CompletionStep, nextCompletionStep } from '../src/invocations/completion.ts';

test('complete needs the root span and the platform saying the runtime is done, each waited for a grace', () => {
  const none = { root: false, runtimeDone: false, reported: false, failed: false, graceOver: false };
  const cases: [Partial<typeof none>, CompletionStep][] = [
    [{}, CompletionStep.wait],
    [{ root: true }, CompletionStep.startGrace],
    [{ root: true, runtimeDone: true }, CompletionStep.complete],
    [{ root: true, graceOver: true }, CompletionStep.complete],
    [{ runtimeDone: true }, CompletionStep.startGrace],
    [{ runtimeDone: true, graceOver: true }, CompletionStep.complete],
    [{ runtimeDone: true, failed: true, graceOver: true }, CompletionStep.synthesizeRoot],
    [{ reported: true }, CompletionStep.complete],
    [{ reported: true, failed: true }, CompletionStep.startGrace],
    [{ reported: true, failed: true, root: true }, CompletionStep.complete],
  ];
  for (const [arrived, step] of cases) assert.equal(nextCompletionStep({ ...none, ...arrived }), step, JSON.stringify(arrived));
});
