// Warm invokes, interleaved A B C F D T A B C F D T …: the environments live side by side (each frozen while
// the others run), a few unmeasured invokes first, then the measured rounds.
import { LambdaEnvironment } from '../../../packages/emulator/src/index.ts';
import { variantIds, variantOptions, type VariantId, type VariantTargets } from '../variants.ts';
import { datadogTracesInLog, type LoggedTraces } from '../peers/datadog-log-traces.ts';
import { invokeTraced, sampleAnonymous, sampleCurrentRss, sampleRss } from './cold.ts';

export interface WarmResult {
  responseLatencyMs: number[];
  postRuntimeMs: number[];
  requestIds: string[];
  /** The X-Ray trace id each invocation was sent with (same order as requestIds). */
  traceIds: string[];
  /** D: Datadog traces in the environment's log output. */
  loggedTraces: LoggedTraces;
  failures: number;
  runtimeRssMiB: number;
  extensionRssMiB: number;
  /** Anonymous (private) memory at the end: RSS without the node binary's shared pages. */
  runtimeAnonMiB: number;
  extensionAnonMiB: number;
  /** Current RSS growth over the measured invokes, per 1000 invokes. */
  runtimeGrowthMiBPer1000: number;
  extensionGrowthMiBPer1000: number;
}

export type WarmResults = Record<VariantId, WarmResult>;

/** Invokes before the measured ones (the first is the cold start); they count for delivery. */
export const unmeasuredWarmInvokes = 10;

export async function runWarmInvokes(
  invokes: number,
  targets: Record<VariantId, VariantTargets>,
  cpus: number | undefined,
  progress: (done: number, total: number) => void,
): Promise<WarmResults> {
  const runIds = variantIds;
  const envs = Object.fromEntries(runIds.map((id) => [id, new LambdaEnvironment(variantOptions(id, targets[id], cpus))])) as Record<
    VariantId,
    LambdaEnvironment
  >;
  const results = Object.fromEntries(
    runIds.map((id) => [
      id,
      {
        responseLatencyMs: [],
        postRuntimeMs: [],
        requestIds: [],
        traceIds: [],
        loggedTraces: { requestIds: [], spans: 0 },
        failures: 0,
        runtimeRssMiB: 0,
        extensionRssMiB: 0,
        runtimeAnonMiB: 0,
        extensionAnonMiB: 0,
        runtimeGrowthMiBPer1000: 0,
        extensionGrowthMiBPer1000: 0,
      },
    ]),
  ) as unknown as WarmResults;
  try {
    for (let round = 0; round < unmeasuredWarmInvokes; round++) {
      for (const id of runIds) {
        const invocation = await invokeTraced(envs[id]);
        results[id].requestIds.push(invocation.requestId);
        results[id].traceIds.push(invocation.traceId);
      }
    }
    const before = Object.fromEntries(runIds.map((id) => [id, sampleCurrentRss(envs[id])])) as Record<VariantId, ReturnType<typeof sampleCurrentRss>>;
    const step = Math.max(1, Math.floor(invokes / 10));
    for (let round = 0; round < invokes; round++) {
      for (const id of runIds) {
        const invocation = await invokeTraced(envs[id]);
        const result = results[id];
        result.requestIds.push(invocation.requestId);
        result.traceIds.push(invocation.traceId);
        if (invocation.status !== 'success') result.failures++;
        result.responseLatencyMs.push(invocation.responseLatencyMs);
        result.postRuntimeMs.push(invocation.postRuntimeMs);
      }
      if ((round + 1) % step === 0 || round + 1 === invokes) progress(round + 1, invokes);
    }
    for (const id of runIds) {
      const after = sampleCurrentRss(envs[id]);
      Object.assign(results[id], sampleRss(envs[id]), sampleAnonymous(envs[id]), {
        runtimeGrowthMiBPer1000: ((after.runtimeMiB - before[id].runtimeMiB) / invokes) * 1000,
        extensionGrowthMiBPer1000: ((after.extensionMiB - before[id].extensionMiB) / invokes) * 1000,
      });
    }
  } finally {
    await Promise.all(runIds.map((id) => envs[id].shutdown()));
  }
  results.D.loggedTraces = datadogTracesInLog(envs.D.logs);
  return results;
}
