/**
 * When an invocation's telemetry is complete, as a pure function of what has arrived: the loop
 * exports (under `end`) once it is, so it must include the function's last log lines, which the
 * Telemetry API delivers before platform.runtimeDone.
 *
 * - root span and runtimeDone (or the report): complete;
 * - only one of them: wait a grace period (`completionGraceMs`) for the other; the root span is
 *   sent after the response, runtimeDone comes with the next Telemetry API delivery;
 * - the grace is over: complete, except a failed invocation without a root span, which gets one
 *   synthesized (the runtime died before sending it);
 * - a report without a failure and without a root span: complete (an SDK that sends no root span).
 */

export interface Arrived {
  readonly root: boolean;
  readonly runtimeDone: boolean;
  readonly reported: boolean;
  readonly failed: boolean;
  readonly graceOver: boolean;
}

export const CompletionStep = {
  complete: 'complete',
  synthesizeRoot: 'synthesize-root',
  startGrace: 'start-grace',
  wait: 'wait',
} as const;
export type CompletionStep = (typeof CompletionStep)[keyof typeof CompletionStep];

export function nextCompletionStep(arrived: Arrived): CompletionStep {
  const platformDone = arrived.runtimeDone || arrived.reported;
  if (arrived.root && platformDone) return CompletionStep.complete;
  if (arrived.graceOver) {
    if (!arrived.root && arrived.failed) return CompletionStep.synthesizeRoot;
    return arrived.root || platformDone ? CompletionStep.complete : CompletionStep.wait;
  }
  if (arrived.reported && !arrived.failed) return CompletionStep.complete;
  return arrived.root || platformDone ? CompletionStep.startGrace : CompletionStep.wait;
}
