// Cold starts, interleaved A B C A B C …: a fresh environment per run, one invoke, shutdown.
import { join } from 'node:path';
import { LambdaEnvironment } from '../../../packages/emulator/src/index.ts';
import { benchDir } from '../paths.ts';
import { currentRssMiB, peakRssMiB } from '../proc.ts';
import { runIds, variantOptions, type RunId, type VariantTargets } from '../variants.ts';
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

export interface ColdResults extends Record<RunId, ColdSample[]> {
  /** B's extension alone (with a runtime that is ready at once): init start → extension ready. */
  extensionReadyAloneMs: number[];
  /** C without import-in-the-middle's ESM hook: what the recipe costs when it traces nothing. */
  upstreamWithoutHook: ColdSample[];
}

const minimalRuntime = join(benchDir, 'fixtures', 'minimal-runtime.sh');

export const benchEvent = { items: [1, 2, 3, 4, 5, 6, 7, 8] };

export async function runColdStarts(
  runs: number,
  targets: Record<RunId, VariantTargets>,
  progress: (done: number, total: number) => void,
): Promise<ColdResults> {
  const results: ColdResults = { A: [], B: [], C: [], P: [], E: [], X: [], extensionReadyAloneMs: [], upstreamWithoutHook: [] };
  for (let run = 0; run < runs; run++) {
    for (const id of runIds) results[id].push(await coldStart(id, targets[id]));
    results.upstreamWithoutHook.push(await coldStart('C', targets.C, { BENCH_UPSTREAM_ESM_HOOK: 'off' }));
    results.extensionReadyAloneMs.push(await extensionReadyAlone(targets.B));
    progress(run + 1, runs);
  }
  return results;
}

/** Init with B's layer and a runtime that asks for its first event at once: the init ends when the extension is ready. */
async function extensionReadyAlone(targets: VariantTargets): Promise<number> {
  const options = variantOptions('B', targets);
  const { AWS_LAMBDA_EXEC_WRAPPER: _wrapper, ...env } = options.env ?? {};
  const probe = new LambdaEnvironment({ ...options, env, runtimeCommand: ['/bin/bash', minimalRuntime] });
  try {
    const outcome = await probe.init();
    return outcome.ok ? outcome.durationMs : Number.NaN;
  } finally {
    await probe.shutdown();
  }
}

async function coldStart(id: RunId, targets: VariantTargets, extraEnv: Record<string, string> = {}): Promise<ColdSample> {
  const options = variantOptions(id, targets);
  const env = new LambdaEnvironment({ ...options, env: { ...options.env, ...extraEnv } });
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
