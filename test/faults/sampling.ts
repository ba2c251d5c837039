// What a tail-sampled run should keep, worked out by the suite from the documented rule (not from the
// extension's code): `errors` keeps every failed invocation, `ratio=R` keeps a trace when the last 56
// bits of its id are at or above (1 − R) × 2^56. The accounting then tells what the sampler left out
// by design (sampled out) from what went missing (lost).
import { randomBytes } from 'node:crypto';
import type { InvocationResult } from '../../packages/emulator/src/types.ts';
import { summariesOf } from './measure.ts';
import type { ScenarioRun } from './measure.ts';

const TWO_TO_56 = 2n ** 56n;

/** A fresh X-Ray trace header (caller sampled) and the OTel trace id it carries. */
export function newTrace(nowMs = Date.now()): { header: string; traceId: string } {
  const epoch = Math.floor(nowMs / 1000)
    .toString(16)
    .padStart(8, '0');
  const random = randomBytes(12).toString('hex');
  return { header: `Root=1-${epoch}-${random};Parent=${randomBytes(8).toString('hex')};Sampled=1`, traceId: `${epoch}${random}` };
}

/** The ratio rule: the trace's last 56 bits against the threshold (1 − ratio) × 2^56. */
export function keptByRatio(traceId: string, ratio: number): boolean {
  const randomness = BigInt(`0x${traceId.slice(-14)}`);
  const threshold = (TWO_TO_56 * BigInt(Math.round((1 - ratio) * 1_000_000))) / 1_000_000n;
  return randomness >= threshold;
}

export type Expected = 'error' | 'ratio' | 'sampled out';

/** What `errors,ratio=R` should do with each invocation (index-aligned with the results). */
export function expectedDecisions(results: readonly InvocationResult[], traceIds: readonly string[], ratio: number): Expected[] {
  return results.map((result, index) => {
    if (result.status !== 'success') return 'error';
    return keptByRatio(traceIds[index]!, ratio) ? 'ratio' : 'sampled out';
  });
}

/**
 * Checks a run of `errors,ratio=R`: every failed invocation's root span at the backend, none of those
 * the rule leaves out, the kept share of the rest within `tolerance` of R, and the extension's
 * SHUTDOWN summary counting the same decisions. Notes the figures.
 */
export function samplingCheck(ratio: number, tolerance: number): (run: ScenarioRun) => string[] {
  return (run) => {
    const problems: string[] = [];
    const decisions = expectedDecisions(run.results, run.traceIds, ratio);
    const atBackend = (index: number) => run.backend.rootIds.has(run.results[index]!.requestId);
    const indices = (which: Expected) => decisions.flatMap((decision, index) => (decision === which ? [index] : []));
    const errors = indices('error');
    const byRatio = indices('ratio');
    const out = indices('sampled out');
    const rest = byRatio.length + out.length;
    const errorsKept = errors.filter(atBackend).length;
    const ratioKept = byRatio.filter(atBackend).length;
    const outKept = out.filter(atBackend).length;
    if (errorsKept !== errors.length) problems.push(`${errors.length - errorsKept} of ${errors.length} failed invocations have no root span at the backend`);
    if (outKept > 0) problems.push(`${outKept} root spans the rule leaves out reached the backend`);
    const share = rest === 0 ? 0 : ratioKept / rest;
    if (Math.abs(share - ratio) > tolerance)
      problems.push(`kept ${percent(share)} of the successful invocations, expected ${percent(ratio)} ± ${percent(tolerance)}`);
    const summaries = summariesOf(run);
    const counts = (side: 'kept' | 'dropped', reason: string) => summaries.reduce((sum, summary) => sum + (summary.sampling?.[side][reason] ?? 0), 0);
    if (summaries.length === 0 || summaries.some((summary) => summary.sampling === undefined)) problems.push('a SHUTDOWN summary without sampling counts');
    const summaryKept = { error: counts('kept', 'error'), ratio: counts('kept', 'ratio') };
    const summaryDropped = counts('dropped', 'ratio');
    if (summaryKept.error !== errors.length || summaryKept.ratio !== byRatio.length || summaryDropped !== out.length)
      problems.push(
        `the summary counts kept error ${summaryKept.error}, ratio ${summaryKept.ratio}, dropped ratio ${summaryDropped}; the rule says ${errors.length}, ${byRatio.length}, ${out.length}`,
      );
    const leftOut = summaries.reduce((sum, summary) => sum + (summary.sampling?.droppedSpans ?? 0), 0);
    run.notes.push(
      `root spans at the backend: ${errorsKept} of ${errors.length} failed, ${ratioKept} of ${rest} successful (${percent(share)}); the SHUTDOWN summary: kept error ${summaryKept.error}, ratio ${summaryKept.ratio}, dropped ratio ${summaryDropped}, ${leftOut} spans left out of exports`,
    );
    return problems;
  };
}

const percent = (share: number): string => `${(share * 100).toFixed(1)} %`;
