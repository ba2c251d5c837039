/**
 * When to export, as a pure function of what the loop knows and a clock passed in. The loop (and
 * the background ticker) act on the answer; nothing here reads the time or touches the network.
 *
 * - `end`: export before asking for the next event, after every invocation.
 * - `periodic`: export before asking for the next event once `intervalMs` has passed since the
 *   last export (the function never runs with an export in flight).
 * - `continuous`: export in the background every `intervalMs` while invocations run; before the
 *   next event the loop only waits for an export already in flight.
 * - `adaptive`: sparse traffic behaves like `end`; frequent traffic batches across invocations
 *   until the oldest buffered item is `maxAgeMs` old or the buffer is half full.
 */
export type FlushPolicy =
  | { readonly kind: 'end' }
  | { readonly kind: 'periodic'; readonly intervalMs: number }
  | { readonly kind: 'continuous'; readonly intervalMs: number }
  | { readonly kind: 'adaptive'; readonly maxAgeMs: number; readonly sparseGapMs: number };

export const FlushDecision = { end: 'end', periodic: 'periodic', none: 'none' } as const;
/** `end` and `periodic` both mean "export now"; the name says which rule asked for it. */
export type FlushDecision = (typeof FlushDecision)[keyof typeof FlushDecision];

export interface FlushState {
  /** Items waiting in the buffer. */
  readonly bufferedItems: number;
  /** Fill level of the buffer, 0..1 (the larger of items and bytes). */
  readonly bufferFill: number;
  /** When the oldest buffered item arrived (epoch ms), undefined if the buffer is empty. */
  readonly oldestItemAtMs: number | undefined;
  /** When the last export started (epoch ms); 0 before the first. */
  readonly lastFlushAtMs: number;
  /** Gap between the two latest invocation starts (ms); undefined before the second invocation. */
  readonly lastInvokeGapMs: number | undefined;
}

/** Asked once per invocation, after its telemetry is complete, before the next /event/next. */
export function decideAtInvocationEnd(policy: FlushPolicy, state: FlushState, nowMs: number): FlushDecision {
  if (state.bufferedItems === 0) return FlushDecision.none;
  switch (policy.kind) {
    case 'end':
      return FlushDecision.end;
    case 'periodic':
      return nowMs - state.lastFlushAtMs >= policy.intervalMs ? FlushDecision.periodic : FlushDecision.none;
    case 'continuous':
      return FlushDecision.none;
    case 'adaptive': {
      const sparse = state.lastInvokeGapMs === undefined || state.lastInvokeGapMs >= policy.sparseGapMs;
      if (sparse) return FlushDecision.end;
      return isOverdue(policy.maxAgeMs, state, nowMs) ? FlushDecision.periodic : FlushDecision.none;
    }
  }
}

/** Asked by the background ticker (continuous policy, Managed Instances). */
export function decideOnTick(policy: FlushPolicy, state: FlushState, nowMs: number): FlushDecision {
  if (state.bufferedItems === 0) return FlushDecision.none;
  if (policy.kind !== 'continuous') return FlushDecision.none;
  return nowMs - state.lastFlushAtMs >= policy.intervalMs || state.bufferFill >= 0.5 ? FlushDecision.periodic : FlushDecision.none;
}

/** How often the background ticker must run for a policy; undefined when it needs none. */
export function tickIntervalMs(policy: FlushPolicy): number | undefined {
  return policy.kind === 'continuous' ? Math.max(10, Math.min(policy.intervalMs, 1000)) : undefined;
}

function isOverdue(maxAgeMs: number, state: FlushState, nowMs: number): boolean {
  if (state.bufferFill >= 0.5) return true;
  return state.oldestItemAtMs !== undefined && nowMs - state.oldestItemAtMs >= maxAgeMs;
}
