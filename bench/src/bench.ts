// The whole benchmark: build the upstream recipe (and the layer if it is missing), then cold starts,
// warm invokes, extension ingest and sizes, then the report. Every phase prints progress.
import { execFileSync } from 'node:child_process';
import { existsSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { layerDir, repoRoot } from '../../test/support/paths.ts';
import { freePort } from '../../test/support/ports.ts';
import { buildUpstream, upstreamPreload } from './build-upstream.ts';
import { describeMachine, type Machine } from './machine.ts';
import { runColdStarts, type ColdResults } from './phases/cold.ts';
import { awaitDelivery, type Delivery } from './phases/delivery.ts';
import { measureIngest, type IngestOptions, type IngestResult } from './phases/ingest.ts';
import { measureSizes, type SizeReport } from './phases/sizes.ts';
import { startRemoteSink, type RemoteSink } from './remote-sink.ts';
import { runWarmInvokes, type WarmResults } from './phases/warm.ts';
import { missedBudgets, textTable, type Section } from './report.ts';
import { renderMarkdown } from './markdown.ts';
import { buildSections } from './sections.ts';
import { snapshotLayer, variantIds, type RunId, type VariantId, type VariantTargets } from './variants.ts';

export interface BenchOptions {
  coldRuns: number;
  warmInvokes: number;
  /** As fast as the receiver answers (kept within the extension's default buffer of 10 000 items). */
  ingest: IngestOptions;
  /** At the budget's rate (20 000 spans/s) for two seconds: does the extension keep up without loss? */
  ingestPaced: IngestOptions;
  /** Where to write the markdown report; undefined: do not write. */
  outFile: string | undefined;
  log: (line: string) => void;
}

export interface BenchResult {
  machine: Machine;
  cold: ColdResults;
  warm: WarmResults;
  coldDelivery: Record<VariantId, Delivery>;
  noHookDelivery: Delivery;
  warmDelivery: Record<VariantId, Delivery>;
  ingest: IngestResult;
  ingestPaced: IngestResult;
  sizes: SizeReport;
  sections: Section[];
  missed: string[];
  totalMs: number;
}

export const defaultOptions: Omit<BenchOptions, 'log'> = {
  coldRuns: 40,
  warmInvokes: 1500,
  ingest: { spans: 8_000, batchSpans: 200, connections: 4 },
  ingestPaced: { spans: 40_000, batchSpans: 200, connections: 4, rateSpansPerSec: 20_000 },
  outFile: join(repoRoot, 'BENCHMARKS.md'),
};

export async function runBench(options: BenchOptions): Promise<BenchResult> {
  const startedMs = Date.now();
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
  log(`[bench] ${machine.cpu}, ${machine.cores} cores, Node ${machine.node}, aws-lambda-ric ${machine.ric}`);
  await phase('build', async () => {
    if (!existsSync(join(layerDir, 'extensions'))) {
      log('[bench]   dist/layer is missing: npm run build:layer');
      execFileSync(process.execPath, [join(repoRoot, 'extension', 'scripts', 'build-layer.ts')], { cwd: repoRoot, stdio: 'inherit' });
    }
    snapshotLayer();
    const upstream = await buildUpstream();
    log(`[bench]   upstream recipe bundled: ${(upstream.bytes / 1024).toFixed(1)} KiB`);
  });

  // Sinks decode on their own threads, so that their work never lands on the loop that times invokes.
  const sinks = { B: await startRemoteSink(), C: await startRemoteSink(), ingest: await startRemoteSink() };
  const ports = { B: await freePort(), P: await freePort(), E: await freePort() };
  const targetsFor = (sink: RemoteSink, receiverPort = ports.B): VariantTargets => ({ sinkUrl: sink.url, receiverPort, upstreamPreload });
  // A exports nothing; it gets B's targets only so that every option set is built the same way. P's
  // port has no listener (the plugin alone falls back to stdout); E exports to the ingest sink.
  const targets: Record<RunId, VariantTargets> = {
    A: targetsFor(sinks.B),
    B: targetsFor(sinks.B),
    C: targetsFor(sinks.C),
    P: targetsFor(sinks.B, ports.P),
    E: targetsFor(sinks.ingest, ports.E),
    X: targetsFor(sinks.B),
  };
  try {
    const cold = await phase(`cold starts (${options.coldRuns} × A B C P E X, B's extension with a no-op runtime, C without its ESM hook)`, (progress) =>
      runColdStarts(options.coldRuns, targets, progress),
    );
    const coldDelivery = await deliveryOf(sinks, variantIds, (id) => cold[id].map((sample) => sample.requestId));
    // The recipe force-flushes before each invoke returns: whatever it traced is at the sink already.
    const noHookDelivery = await awaitDelivery(
      sinks.C,
      cold.upstreamWithoutHook.map((sample) => sample.requestId),
      300,
    );
    const warm = await phase(`warm invokes (${options.warmInvokes} × A B C P E X)`, (progress) => runWarmInvokes(options.warmInvokes, targets, progress));
    const warmDelivery = await deliveryOf(sinks, variantIds, (id) => warm[id].requestIds);
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
    const sections = buildSections({
      cold,
      warm,
      coldDelivery,
      noHookDelivery,
      warmDelivery,
      ingest,
      ingestPaced,
      sizes,
      coldRuns: options.coldRuns,
      warmInvokes: options.warmInvokes,
    });
    const totalMs = Date.now() - startedMs;
    for (const section of sections) log(`\n${textTable(section)}${section.note ? `\n${section.note}` : ''}`);
    const missed = missedBudgets(sections).map((row) => `${row.metric}: ${row.budget}`);
    log(`\n[bench] budgets missed: ${missed.length === 0 ? 'none' : missed.join('; ')}`);
    log(`[bench] finished in ${(totalMs / 1000).toFixed(1)} s`);
    const result: BenchResult = { machine, cold, warm, coldDelivery, noHookDelivery, warmDelivery, ingest, ingestPaced, sizes, sections, missed, totalMs };
    if (options.outFile) {
      writeFileSync(options.outFile, renderMarkdown(result, options));
      log(`[bench] wrote ${options.outFile}`);
    }
    return result;
  } finally {
    await Promise.all(Object.values(sinks).map((sink) => sink.close()));
  }
}

async function deliveryOf(
  sinks: { B: RemoteSink; C: RemoteSink },
  ids: readonly VariantId[],
  requestIds: (id: VariantId) => string[],
): Promise<Record<VariantId, Delivery>> {
  const out = {} as Record<VariantId, Delivery>;
  for (const id of ids) {
    // A exports nothing: its row counts what would have been B's sink, which must hold none of A's ids.
    const sink = id === 'C' ? sinks.C : sinks.B;
    out[id] = await awaitDelivery(sink, requestIds(id), id === 'A' ? 0 : 5000);
  }
  return out;
}
