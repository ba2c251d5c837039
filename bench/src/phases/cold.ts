// Cold starts, interleaved A B C A B C …: a fresh environment per run, one invoke, shutdown.
import { LambdaEnvironment } from '../../../packages/emulator/src/index.ts';
import { peakRssMiB } from '../proc.ts';
import { variantIds, variantOptions, type VariantId, type VariantTargets } from '../variants.ts';
import { initTimings, type InitTimings } from './init-timings.ts';

export interface ColdSample extends InitTimings {
  /** The emulator's initDurationMs on the first invocation. */
  invokeInitMs: number;
  firstResponseMs: number;
  runtimeRssMiB: number;
  extensionRssMiB: number;
  requestId: string;
  ok: boolean;
}

export type ColdResults = Record<VariantId, ColdSample[]>;

export const benchEvent = { items: [1, 2, 3, 4, 5, 6, 7, 8] };

export async function runColdStarts(
  runs: number,
  targets: Record<VariantId, VariantTargets>,
  progress: (done: number, total: number) => void,
): Promise<ColdResults> {
  const results: ColdResults = { A: [], B: [], C: [] };
  const total = runs * variantIds.length;
  for (let run = 0; run < runs; run++) {
    for (const id of variantIds) {
      results[id].push(await coldStart(id, targets[id]));
      progress(run * variantIds.length + variantIds.indexOf(id) + 1, total);
    }
  }
  return results;
}

async function coldStart(id: VariantId, targets: VariantTargets): Promise<ColdSample> {
  const env = new LambdaEnvironment(variantOptions(id, targets));
  try {
    const invocation = await env.invoke(benchEvent);
    // Sampled while the environment is frozen after the first invoke: VmHWM already holds the peak.
    const memory = sampleRss(env);
    const timings = initTimings(env.events, env.registrations);
    return {
      ...timings,
      invokeInitMs: invocation.initDurationMs ?? Number.NaN,
      firstResponseMs: invocation.responseLatencyMs,
      ...memory,
      requestId: invocation.requestId,
      ok: invocation.status === 'success',
    };
  } finally {
    await env.shutdown();
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
