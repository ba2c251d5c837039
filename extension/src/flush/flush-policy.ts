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
 *
 * Whatever the policy, a buffer past its high-water mark is relieved at once by bounded exports in
 * the background while the environment is not about to freeze ({@link needsRelief}).
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

/** Share of the buffer's bounds (items or bytes, the fuller one, in flight included) past which it is relieved at once. */
export const HIGH_WATER_FILL = 0.5;
/** Share of each bound one relieving export takes at most. */
export const PRESSURE_BATCH_SHARE = 0.125;
/**
 * Relieving exports at once: small batches side by side keep each export short (a slow answer
 * holds back only an eighth), and at most half of the bounds is in flight, so the other half
 * still takes what arrives meanwhile.
 */
export const MAX_PRESSURE_EXPORTS = 4;

export interface PressureState {
  /** Items waiting (not in flight). */
  readonly waitingItems: number;
  /** Fill 0..1 of everything held: waiting plus in flight, the fuller of items and bytes. */
  readonly heldFill: number;
  /** Exports in flight. */
  readonly exportsInFlight: number;
}

/** Whether to start one more relieving export now, whatever the policy. */
export function needsRelief(state: PressureState): boolean {
  return state.waitingItems > 0 && state.heldFill >= HIGH_WATER_FILL && state.exportsInFlight < MAX_PRESSURE_EXPORTS;
}

/**
 * Fill (in flight included) that the buffer plus the OTLP requests being read may reach before the
 * next request waits for an export to make room: a little under 1, as the size of a request is
 * only known on average.
 */
export const ADMISSION_HOLD_FILL = 0.98;
/** What one request is assumed to add until requests have been seen. */
export const DEFAULT_REQUEST_FILL = 0.02;
/**
 * Longest wait of one OTLP request for room: short against the plugin's request timeout
 * (LAMBDA_OTEL_EXTENSION_TIMEOUT_MS, 1000 ms by default) and against an invocation's duration.
 */
export const ADMISSION_WAIT_MS = 250;

export interface AdmissionState {
  /** Fill 0..1 of everything held (waiting and in flight). */
  readonly heldFill: number;
  readonly exportsInFlight: number;
  /** What the requests being read, and the next one, will add (requests × the average fill of one). */
  readonly incomingFill: number;
}

/**
 * Whether the next OTLP request should wait before it is read: it would push the oldest items out,
 * and an export in flight will make room. Without one, waiting would not help.
 */
export function shouldHoldAdmission(state: AdmissionState): boolean {
  return state.exportsInFlight > 0 && state.heldFill + state.incomingFill > ADMISSION_HOLD_FILL;
}
