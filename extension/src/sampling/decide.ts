/**
 * The tail sampling decision for one completed invocation: a pure function of what is known about
 * it and the rules. The ratio is decided by trace id as OpenTelemetry's consistent probability
 * sampling does (the trace id's last 56 bits against a threshold), so every span of a trace, in
 * every function that uses the same ratio, gets the same answer.
 */
import type { SamplingRules } from './sampling-rules.ts';

export interface InvocationFacts {
  /** Failed, timed out or crashed (platform status other than success, or a root span with status ERROR). */
  readonly failed: boolean;
  readonly durationMs: number | undefined;
  readonly coldStart: boolean;
  /** 32 hex characters; undefined when no trace is known. */
  readonly traceId: string | undefined;
  /** The caller's decision: false for X-Ray `Sampled=0` or W3C trace flags 00; undefined when none was made. */
  readonly upstreamSampled: boolean | undefined;
}

export const KeepReason = { error: 'error', slow: 'slow', coldStart: 'coldstart', ratio: 'ratio' } as const;
export const DropReason = { ratio: 'ratio', upstream: 'upstream' } as const;

export type SamplingDecision =
  | {
      readonly keep: true;
      readonly reason: (typeof KeepReason)[keyof typeof KeepReason];
      /** The caller's part of the trace was not sampled. */
      readonly partial: boolean;
    }
  | { readonly keep: false; readonly reason: (typeof DropReason)[keyof typeof DropReason] };

const RANDOMNESS_HEX_DIGITS = 14; // 56 bits
const TWO_TO_56 = 2 ** 56;

/**
 * True when the trace id falls in the kept share `ratio`: its last 56 bits are at or above the
 * rejection threshold (1 − ratio) × 2^56. X-Ray ids put their random part there too.
 * @example keptByTraceId('5759e988bd862e3fe1be46a994272793', 0.1)
 */
export function keptByTraceId(traceId: string, ratio: number): boolean {
  if (ratio >= 1) return true;
  if (ratio <= 0) return false;
  const randomness = BigInt(`0x${traceId.slice(-RANDOMNESS_HEX_DIGITS).padStart(RANDOMNESS_HEX_DIGITS, '0')}`);
  const threshold = BigInt(Math.round((1 - ratio) * TWO_TO_56));
  return randomness >= threshold;
}

/**
 * @example
 * decide(rules, { failed: true, durationMs: 120, coldStart: false, traceId, upstreamSampled: undefined })
 * // { keep: true, reason: 'error', partial: false }
 */
export function decide(rules: SamplingRules, facts: InvocationFacts): SamplingDecision {
  if (facts.upstreamSampled === false) {
    // The caller dropped this trace: only a failure the user asked for survives, marked partial.
    return rules.errors && facts.failed ? { keep: true, reason: KeepReason.error, partial: true } : { keep: false, reason: DropReason.upstream };
  }
  if (rules.errors && facts.failed) return { keep: true, reason: KeepReason.error, partial: false };
  if (rules.slowerThanMs !== undefined && facts.durationMs !== undefined && facts.durationMs > rules.slowerThanMs) {
    return { keep: true, reason: KeepReason.slow, partial: false };
  }
  if (rules.coldStart && facts.coldStart) return { keep: true, reason: KeepReason.coldStart, partial: false };
  const kept = facts.traceId !== undefined && /^[0-9a-f]{16,32}$/i.test(facts.traceId) ? keptByTraceId(facts.traceId, rules.ratio) : rules.ratio >= 1;
  return kept ? { keep: true, reason: KeepReason.ratio, partial: false } : { keep: false, reason: DropReason.ratio };
}
