// Cold starts, interleaved A B C F P D T A B C F P D T …: a fresh environment per run, its first
// invokes (the first is the cold start), shutdown.
import { LambdaEnvironment } from '../../../packages/emulator/src/index.ts';
import { newTraceHeader } from '../../../packages/emulator/src/sandbox/variables.ts';
import type { InvocationResult } from '../../../packages/emulator/src/types.ts';
import { datadogTracesInLog, type LoggedTraces } from '../peers/datadog-log-traces.ts';
import { anonymousMiB, currentRssMiB, peakRssMiB } from '../proc.ts';
import { peerIds, runIds, variantOptions, type RunId, type VariantTargets } from '../variants.ts';
import { initTimings, type InitTimings } from './init-timings.ts';

export interface ColdSample extends InitTimings {
  /** The emulator's initDurationMs on the first invocation. */
  invokeInitMs: number;
  firstResponseMs: number;
  /** Response latency of the environment's first invokes (the cold start's first), cold code and all. */
  firstResponsesMs: number[];
  /** Peak RSS after init and the first invoke. */
  runtimeRssMiB: number;
  extensionRssMiB: number;
  /** Every invocation of the run, for the delivery check. */
  requestIds: string[];
  /** The X-Ray trace id each invocation was sent with (same order), for T's delivery check. */
  traceIds: string[];
  /** Datadog traces in the environment's log output, for D's delivery check. */
  loggedTraces: LoggedTraces;
  ok: boolean;
}

/** One invoke with the X-Ray trace header Lambda would send, its trace id kept beside the result. */
export async function invokeTraced(env: LambdaEnvironment): Promise<InvocationResult & { traceId: string }> {
  const traceHeader = newTraceHeader();
  const invocation = await env.invoke(benchEvent, { traceHeader });
  return { ...invocation, traceId: /Root=([^;]+)/.exec(traceHeader)?.[1] ?? '' };
}

export type ColdResults = Record<RunId, ColdSample[]>;

export const benchEvent = { items: [1, 2, 3, 4, 5, 6, 7, 8] };

/** `peerRuns`: D and T take part in the first peerRuns rounds only, to keep the whole run short. */
export async function runColdStarts(
  runs: number,
  peerRuns: number,
  firstInvokes: number,
  targets: Record<RunId, VariantTargets>,
  cpus: number | undefined,
  progress: (done: number, total: number) => void,
): Promise<ColdResults> {
  const results = Object.fromEntries(runIds.map((id) => [id, []])) as unknown as ColdResults;
  for (let run = 0; run < runs; run++) {
    for (const id of runIds) {
      if (run >= peerRuns && (peerIds as readonly RunId[]).includes(id)) continue;
      results[id].push(await coldStart(id, targets[id], cpus, id === 'P' ? 1 : firstInvokes));
    }
    progress(run + 1, runs);
  }
  return results;
}

async function coldStart(id: RunId, targets: VariantTargets, cpus: number | undefined, invokes: number): Promise<ColdSample> {
  const env = new LambdaEnvironment(variantOptions(id, targets, cpus));
  let shutDown = false;
  try {
    const first = await invokeTraced(env);
    // Sampled while the environment is frozen after the first invoke: VmHWM already holds the peak.
    const memory = sampleRss(env);
    const responses = [first.responseLatencyMs];
    const requestIds = [first.requestId];
    const traceIds = [first.traceId];
    let ok = first.status === 'success';
    for (let n = 1; n < invokes; n++) {
      const invocation = await invokeTraced(env);
      responses.push(invocation.responseLatencyMs);
      requestIds.push(invocation.requestId);
      traceIds.push(invocation.traceId);
      ok &&= invocation.status === 'success';
    }
    // After the shutdown, so that whatever the function prints at SHUTDOWN is in the log too.
    await env.shutdown();
    shutDown = true;
    return {
      ...initTimings(env.events, env.registrations),
      invokeInitMs: first.initDurationMs ?? Number.NaN,
      firstResponseMs: first.responseLatencyMs,
      firstResponsesMs: responses,
      ...memory,
      requestIds,
      traceIds,
      loggedTraces: id === 'D' ? datadogTracesInLog(env.logs) : { requestIds: [], spans: 0 },
      ok,
    };
  } finally {
    if (!shutDown) await env.shutdown();
  }
}

export function sampleRss(env: LambdaEnvironment): { runtimeRssMiB: number; extensionRssMiB: number } {
  let runtimeRssMiB = 0;
  let extensionRssMiB = 0;
  for (const proc of env.processes()) {
    if (proc.role === 'runtime') runtimeRssMiB += peakRssMiB(proc.pid);
    else extensionRssMiB += peakRssMiB(proc.pid);
  }
  return { runtimeRssMiB, extensionRssMiB: env.processes().some((proc) => proc.role === 'extension') ? extensionRssMiB : Number.NaN };
}

/** Anonymous (private) memory of the runtime and the extensions, now. */
export function sampleAnonymous(env: LambdaEnvironment): { runtimeAnonMiB: number; extensionAnonMiB: number } {
  let runtimeAnonMiB = 0;
  let extensionAnonMiB = 0;
  for (const proc of env.processes()) {
    if (proc.role === 'runtime') runtimeAnonMiB += anonymousMiB(proc.pid);
    else extensionAnonMiB += anonymousMiB(proc.pid);
  }
  return { runtimeAnonMiB, extensionAnonMiB: env.processes().some((proc) => proc.role === 'extension') ? extensionAnonMiB : Number.NaN };
}

/** Current (not peak) RSS of the runtime and the extensions, for growth over many invokes. */
export function sampleCurrentRss(env: LambdaEnvironment): { runtimeMiB: number; extensionMiB: number } {
  let runtimeMiB = 0;
  let extensionMiB = 0;
  for (const proc of env.processes()) {
    if (proc.role === 'runtime') runtimeMiB += currentRssMiB(proc.pid);
    else extensionMiB += currentRssMiB(proc.pid);
  }
  return { runtimeMiB, extensionMiB };
}
