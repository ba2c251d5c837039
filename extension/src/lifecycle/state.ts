/**
 * Where the extension is in the Lambda lifecycle, shared by the event loop and the background
 * ticker: the ticker may export only while an invocation runs (never right before a freeze).
 */
export const Phase = {
  init: 'init',
  /** Between INVOKE and the end of its telemetry handling: the environment is not frozen. */
  invoking: 'invoking',
  /** The invocation is handled; exports in flight finish before /event/next, and no new one starts. */
  settling: 'settling',
  /** Waiting on /event/next (the environment may be frozen any moment). */
  waiting: 'waiting',
  shuttingDown: 'shutting-down',
} as const;
export type Phase = (typeof Phase)[keyof typeof Phase];

export interface LoopState {
  phase: Phase;
  /** Deadline of the invocation in progress (epoch ms). */
  invocationDeadlineMs: number | undefined;
  lastInvokeAtMs: number | undefined;
  lastInvokeGapMs: number | undefined;
  invocations: number;
}

export function createLoopState(): LoopState {
  return { phase: Phase.init, invocationDeadlineMs: undefined, lastInvokeAtMs: undefined, lastInvokeGapMs: undefined, invocations: 0 };
}

/** Records the start of an invocation and the gap since the previous one. */
export function enterInvocation(state: LoopState, deadlineMs: number, nowMs: number): void {
  state.phase = Phase.invoking;
  state.invocationDeadlineMs = deadlineMs;
  state.lastInvokeGapMs = state.lastInvokeAtMs === undefined ? undefined : nowMs - state.lastInvokeAtMs;
  state.lastInvokeAtMs = nowMs;
  state.invocations++;
}
