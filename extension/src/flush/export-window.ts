/**
 * When an export may start and how long it may take, as pure functions of the loop's state, the
 * flush policy's and the breaker's answers, and the time: at the end of an invocation, and outside
 * it (the continuous ticker, the relief of a filling buffer).
 */
import type { ExtensionConfig } from '../config.ts';
import { Phase } from '../lifecycle/state.ts';
import type { LoopState } from '../lifecycle/state.ts';
import { gatedDeadline } from './export-breaker.ts';
import type { Gate } from './export-breaker.ts';
import { FlushDecision } from './flush-policy.ts';

/**
 * The deadline of a background export started at `nowMs`, or undefined when none may start: only
 * while an invocation runs (the environment cannot freeze), or at any time but SHUTDOWN under
 * Managed Instances; bounded by the invocation's deadline less the margin, and by the export timeout.
 */
export function backgroundExportDeadline(
  state: Pick<LoopState, 'phase' | 'invocationDeadlineMs'>,
  config: Pick<ExtensionConfig, 'managedInstances' | 'deadlineMarginMs' | 'exportTimeoutMs'>,
  nowMs: number,
): number | undefined {
  const active = config.managedInstances ? state.phase !== Phase.shuttingDown : state.phase === Phase.invoking;
  if (!active) return undefined;
  const invocationBoundMs =
    !config.managedInstances && state.invocationDeadlineMs !== undefined ? state.invocationDeadlineMs - config.deadlineMarginMs : Infinity;
  const deadlineMs = Math.min(invocationBoundMs, nowMs + config.exportTimeoutMs);
  return deadlineMs > nowMs ? deadlineMs : undefined;
}

/**
 * The deadline of the export at the end of an invocation, or undefined when none goes: the policy
 * asked for none, the invocation's time is used up, or the breaker is open. Bounded by the
 * invocation's deadline less the margin (`exportDeadlineMs`), the export timeout, and for a probe
 * by the probe's own short bound.
 */
export function invocationEndExportDeadline(
  decision: FlushDecision,
  gate: Gate,
  nowMs: number,
  exportDeadlineMs: number,
  exportTimeoutMs: number,
): number | undefined {
  if (decision === FlushDecision.none || nowMs >= exportDeadlineMs) return undefined;
  return gatedDeadline(gate, Math.min(exportDeadlineMs, nowMs + exportTimeoutMs), nowMs);
}
