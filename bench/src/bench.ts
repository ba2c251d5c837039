// The whole benchmark: build the upstream recipe (and the layer if it is missing), then per CPU
// setting (unconstrained, --cpus 1) cold starts and warm invokes, then extension ingest and sizes,
// then the report. Every phase prints progress.
import { execFileSync } from 'node:child_process';
import { existsSync, writeFileSync } from 'node:fs';
import { loadavg } from 'node:os';
import { join } from 'node:path';
import { createCpuLimit } from '../../packages/emulator/src/sandbox/cpu-limit.ts';
import { layerDir, repoRoot } from '../../test/support/paths.ts';
import { freePort } from '../../test/support/ports.ts';
import { buildUpstream, upstreamPreload } from './build-upstream.ts';
import { describeMachine, type Machine } from './machine.ts';
import { runColdStarts } from './phases/cold.ts';
import { awaitDelivery, awaitXrayDelivery, countLogDelivery, type Delivery } from './phases/delivery.ts';
import { startXrayListener, type XrayListener } from './peers/xray-listener.ts';
import type { LoggedTraces } from './peers/datadog-log-traces.ts';
import { measureIngest, type IngestOptions, type IngestResult } from './phases/ingest.ts';
import { measureSizes, type SizeReport } from './phases/sizes.ts';
import { startRemoteSink, type RemoteSink } from './remote-sink.ts';
import { runWarmInvokes, type WarmResults } from './phases/warm.ts';
import { missedBudgets, textTable, type Section } from './report.ts';
import { renderMarkdown } from './markdown.ts';
import { ingestSection, passLabel, passSections, sizeSection, type PassInput } from './sections.ts';
import { buildDatadogLayer, snapshotLayer, variantIds, type RunId, type VariantId, type VariantTargets } from './variants.ts';

export interface BenchOptions {
  coldRuns: number;
  /** Cold starts of the peers (D, T) per pass: they take part in the first peerColdRuns rounds only (at most coldRuns). */
  peerColdRuns: number;
  /** Invokes per cold start (the first is the cold start): response latency over an environment's first invokes. */
  firstInvokes: number;
  warmInvokes: number;
  /** One pass of cold starts and warm invokes per entry: undefined = no CPU limit, N = the emulator's --cpus N. */
  cpuPasses: (number | undefined)[];
  /** As fast as the receiver answers (kept within the extension's default buffer of 10 000 items). */
  ingest: IngestOptions;
  /** At the budget's rate (20 000 spans/s) for two seconds: does the extension keep up without loss? */
  ingestPaced: IngestOptions;
  /** What the person running it says about the machine's state (quiet, busy with …); the load average is recorded anyway. */
  machineNote: string | undefined;
  /** Where to write the markdown report; undefined: do not write. */
  outFile: string | undefined;
  log: (line: string) => void;
}

export interface PassResult extends PassInput {
  /** Set when the pass could not run (e.g. --cpus without cgroups): why. */
  skipped?: string;
}

export interface BenchResult {
  machine: Machine;
  /** 1-minute load average when the run started and when it ended. */
  load: { start: number; end: number };
  passes: PassResult[];
  ingest: IngestResult;
  ingestPaced: IngestResult;
  sizes: SizeReport;
  sections: Section[];
  missed: string[];
  totalMs: number;
}

export const defaultOptions: Omit<BenchOptions, 'log'> = {
  coldRuns: 20,
  peerColdRuns: 10,
  firstInvokes: 40,
  warmInvokes: 1500,
  cpuPasses: [undefined, 1],
  ingest: { spans: 8_000, batchSpans: 200, connections: 4 },
  ingestPaced: { spans: 40_000, batchSpans: 200, connections: 4, rateSpansPerSec: 20_000 },
  machineNote: undefined,
  outFile: join(repoRoot, 'BENCHMARKS.md'),
};

export async function runBench(options: BenchOptions): Promise<BenchResult> {
  const startedMs = Date.now();
  const loadAtStart = loadavg()[0] ?? Number.NaN;
  const log = options.log;
  const phase = async <T>(name: string, work: (progress: (done: number, total: number) => void) => Promise<T>): Promise<T> => {
    const phaseStart = Date.now();
    let lastShown = -1;
    log(`[bench] ${name} …`);
    const result = await work((done, total) => {
      const tenth = Math.floor((done / total) * 10);
      if (tenth !== lastShown) {
        lastShown = tenth;
        log(`[bench]   ${name}: ${done}/${total}`);
      }
    });
    log(`[bench] ${name}: done in ${((Date.now() - phaseStart) / 1000).toFixed(1)} s`);
    return result;
  };

  const machine = describeMachine();
  log(`[bench] ${machine.cpu}, ${machine.cores} cores, Node ${machine.node}, aws-lambda-ric ${machine.ric}, load average ${loadAtStart.toFixed(2)}`);
  await phase('build', async () => {
    if (!existsSync(join(layerDir, 'extensions'))) {
      log('[bench]   dist/layer is missing: npm run build:layer');
      execFileSync(process.execPath, [join(repoRoot, 'extension', 'scripts', 'build-layer.ts')], { cwd: repoRoot, stdio: 'inherit' });
    }
    snapshotLayer();
    buildDatadogLayer();
    const upstream = await buildUpstream();
    log(`[bench]   upstream recipe bundled: ${(upstream.bytes / 1024).toFixed(1)} KiB`);
  });

  // Sinks decode on their own threads, so that their work never lands on the loop that times invokes.
  const sinks = { B: await startRemoteSink(), C: await startRemoteSink(), ingest: await startRemoteSink() };
  const ports = { B: await freePort(), P: await freePort() };
  // T's segments: datagrams are small and few (one per invoke), so they are read on this loop.
  const xray = await startXrayListener();
  const targetsFor = (sink: RemoteSink, receiverPort = ports.B): VariantTargets => ({
    sinkUrl: sink.url,
    receiverPort,
    upstreamPreload,
    xrayDaemonAddress: xray.address,
  });
  // A and F export nothing; they get B's targets only so that every option set is built the same way
  // (D writes its traces to its own log, T sends to the X-Ray listener).
  // P's port has no listener (the plugin alone falls back to stdout).
  const targets: Record<RunId, VariantTargets> = {
    A: targetsFor(sinks.B),
    B: targetsFor(sinks.B),
    C: targetsFor(sinks.C),
    F: targetsFor(sinks.B),
    P: targetsFor(sinks.B, ports.P),
    D: targetsFor(sinks.B),
    T: targetsFor(sinks.B),
  };
  try {
    const passes: PassResult[] = [];
    for (const cpus of options.cpuPasses) {
      const label = passLabel(cpus);
      const unavailable = cpus === undefined ? undefined : cpuLimitUnavailable(cpus);
      if (unavailable) {
        log(`[bench] ${label}: skipped, ${unavailable}`);
        passes.push({ ...emptyPass(cpus, options), skipped: unavailable });
        continue;
      }
      const peerRuns = Math.min(options.peerColdRuns, options.coldRuns);
      const cold = await phase(`${label}: cold starts (${options.coldRuns} × A B C F P, ${peerRuns} × D T, ${options.firstInvokes} invokes each)`, (progress) =>
        runColdStarts(options.coldRuns, peerRuns, options.firstInvokes, targets, cpus, progress),
      );
      const coldDelivery = await deliveryOf(sinks, xray, (id) => ({
        requestIds: cold[id].flatMap((sample) => sample.requestIds),
        traceIds: cold[id].flatMap((sample) => sample.traceIds),
        logged: cold[id].map((sample) => sample.loggedTraces),
      }));
      const warm = await phase(`${label}: warm invokes (${options.warmInvokes} × A B C F D T)`, (progress) =>
        runWarmInvokes(options.warmInvokes, targets, cpus, progress),
      );
      const warmDelivery = await deliveryOf(sinks, xray, (id) => ({
        requestIds: warm[id].requestIds,
        traceIds: warm[id].traceIds,
        logged: [warm[id].loggedTraces],
      }));
      passes.push({
        cpus,
        cold,
        warm,
        coldDelivery,
        warmDelivery,
        coldRuns: options.coldRuns,
        peerColdRuns: peerRuns,
        warmInvokes: options.warmInvokes,
        firstInvokes: options.firstInvokes,
      });
    }
    const paced = options.ingestPaced;
    const [ingest, ingestPaced] = await phase(
      `extension ingest (${options.ingest.spans} spans as fast as accepted, ${paced.spans} at ${paced.rateSpansPerSec} spans/s)`,
      async (progress) => {
        const burst = await measureIngest(options.ingest, targetsFor(sinks.ingest, ports.B), sinks.ingest);
        progress(1, 2);
        const steady = await measureIngest(paced, targetsFor(sinks.ingest, ports.B), sinks.ingest);
        progress(2, 2);
        return [burst, steady] as const;
      },
    );
    const sizes = measureSizes(upstreamPreload);
    log(`[bench] measured dist/layer as built at ${sizes.layerBuiltAt}`);
    const sections = [...passes.filter((pass) => !pass.skipped).flatMap((pass) => passSections(pass)), ingestSection(ingest, ingestPaced), sizeSection(sizes)];
    const totalMs = Date.now() - startedMs;
    for (const section of sections) log(`\n${textTable(section)}${section.note ? `\n${section.note}` : ''}`);
    const missed = missedBudgets(sections).map(({ section, row }) => `${section.split(' (')[0]}: ${row.metric} ${row.budget ?? ''}`);
    log(`\n[bench] budgets missed: ${missed.length === 0 ? 'none' : missed.join('; ')}`);
    log(`[bench] finished in ${(totalMs / 1000).toFixed(1)} s`);
    const result: BenchResult = {
      machine,
      load: { start: loadAtStart, end: loadavg()[0] ?? Number.NaN },
      passes,
      ingest,
      ingestPaced,
      sizes,
      sections,
      missed,
      totalMs,
    };
    if (options.outFile) {
      writeFileSync(options.outFile, renderMarkdown(result, options));
      log(`[bench] wrote ${options.outFile}`);
    }
    return result;
  } finally {
    await Promise.all([...Object.values(sinks).map((sink) => sink.close()), xray.close()]);
  }
}

/** Why the emulator cannot limit the sandbox to `cpus` here, or undefined when it can. */
function cpuLimitUnavailable(cpus: number): string | undefined {
  try {
    createCpuLimit(cpus).release();
    return undefined;
  } catch (error) {
    return error instanceof Error ? error.message : String(error);
  }
}

function emptyPass(cpus: number | undefined, options: Omit<BenchOptions, 'log'>): PassInput {
  const none: Delivery = { invocations: 0, delivered: 0, spans: 0 };
  return {
    cpus,
    cold: { A: [], B: [], C: [], F: [], P: [], D: [], T: [] },
    warm: {} as WarmResults,
    coldDelivery: { A: none, B: none, C: none, F: none, D: none, T: none },
    warmDelivery: { A: none, B: none, C: none, F: none, D: none, T: none },
    coldRuns: options.coldRuns,
    peerColdRuns: Math.min(options.peerColdRuns, options.coldRuns),
    warmInvokes: options.warmInvokes,
    firstInvokes: options.firstInvokes,
  };
}

interface Invocations {
  requestIds: string[];
  traceIds: string[];
  logged: LoggedTraces[];
}

async function deliveryOf(
  sinks: { B: RemoteSink; C: RemoteSink },
  xray: XrayListener,
  invocations: (id: VariantId) => Invocations,
): Promise<Record<VariantId, Delivery>> {
  const out = {} as Record<VariantId, Delivery>;
  for (const id of variantIds) {
    const { requestIds, traceIds, logged } = invocations(id);
    if (id === 'D') out[id] = countLogDelivery(logged, requestIds);
    else if (id === 'T') out[id] = await awaitXrayDelivery(xray, traceIds, 5000);
    // A and F export nothing: their rows count what would have been B's sink, which must hold none of their ids.
    else out[id] = await awaitDelivery(id === 'C' ? sinks.C : sinks.B, requestIds, id === 'A' || id === 'F' ? 0 : 5000);
  }
  return out;
}
