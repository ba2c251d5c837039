// The report's tables, with the budgets from DESIGN.md checked where it gives one. One set of cold,
// warm, memory and delivery tables per CPU setting (a pass); ingest and sizes once.
import type { ColdResults, ColdSample } from './phases/cold.ts';
import type { Delivery } from './phases/delivery.ts';
import type { IngestResult } from './phases/ingest.ts';
import type { SizeReport } from './phases/sizes.ts';
import type { WarmResults } from './phases/warm.ts';
import { diff, fmt, times, type Row, type Section } from './report.ts';
import { unmeasuredWarmInvokes } from './phases/warm.ts';
import { median, p95 } from './stats.ts';
import type { VariantId } from './variants.ts';

export interface PassInput {
  /** undefined: no CPU limit; else the sandbox's quota in CPUs (emulator --cpus). */
  cpus: number | undefined;
  cold: ColdResults;
  warm: WarmResults;
  coldDelivery: Record<VariantId, Delivery>;
  warmDelivery: Record<VariantId, Delivery>;
  coldRuns: number;
  /** Cold starts of D and T (the peers take part in the first rounds only). */
  peerColdRuns: number;
  warmInvokes: number;
  firstInvokes: number;
}

export const budgets = {
  initOverFloorMs: 10,
  runtimeInitAddedMs: 10,
  extensionReadyMs: 30,
  responseAddedMs: 0.15,
  postRuntimeAddedMs: 1,
  runtimeRssAddedMiB: 10,
  extensionRssMiB: 40,
  ingestSpansPerSec: 20_000,
} as const;

const settleSeconds = 2;

export function passLabel(cpus: number | undefined): string {
  return cpus === undefined ? 'unconstrained' : `--cpus ${cpus}`;
}

const variantColumns = ['A bare', 'B lambda-otel', 'C upstream', 'F floor', 'D Datadog (logs)', 'T Powertools (X-Ray)'];
/** The variants in column order. */
const shown = ['A', 'B', 'C', 'F', 'D', 'T'] as const;
/** Cells of rows that only concern extensions: B and F have one, the others none. */
const extensionOnly = (b: string, f: string): string[] => ['', b, '', f, '', ''];

export function passSections(input: PassInput): Section[] {
  const { cold, warm } = input;
  const label = passLabel(input.cpus);
  const of = (id: VariantId | 'P', stat: (values: number[]) => number, pick: (sample: ColdSample) => number): number => stat(cold[id].map(pick));
  const all = (stat: (values: number[]) => number, pick: (sample: ColdSample) => number, digits = 1) => shown.map((id) => fmt(of(id, stat, pick), digits));

  const initP50 = {
    a: of('A', median, (s) => s.totalInitMs),
    b: of('B', median, (s) => s.totalInitMs),
    c: of('C', median, (s) => s.totalInitMs),
    f: of('F', median, (s) => s.totalInitMs),
    d: of('D', median, (s) => s.totalInitMs),
    t: of('T', median, (s) => s.totalInitMs),
  };
  const initP95 = {
    a: of('A', p95, (s) => s.totalInitMs),
    b: of('B', p95, (s) => s.totalInitMs),
    c: of('C', p95, (s) => s.totalInitMs),
    f: of('F', p95, (s) => s.totalInitMs),
    d: of('D', p95, (s) => s.totalInitMs),
    t: of('T', p95, (s) => s.totalInitMs),
  };
  const headline: Section = {
    title: `Init Duration, ${label} (${input.coldRuns} cold starts per variant, ${input.peerColdRuns} for the peers D and T, interleaved)`,
    note:
      'Init Duration is what Lambda reports and bills for a cold start: init start → the runtime and every extension wait for their next event ' +
      '(the emulator’s platform.initReport). F, the floor, is the bare function plus a no-op extension in bash: what any extension being there costs.',
    columns: [...variantColumns, 'B − A', 'B − F', 'B/C'],
    rows: [
      {
        metric: 'Init Duration p50 (ms)',
        cells: [
          fmt(initP50.a),
          fmt(initP50.b),
          fmt(initP50.c),
          fmt(initP50.f),
          fmt(initP50.d),
          fmt(initP50.t),
          diff(initP50.b - initP50.a),
          diff(initP50.b - initP50.f),
          times(initP50.b, initP50.c),
        ],
        budget: `B − F ≤ ${budgets.initOverFloorMs} ms`,
        ok: initP50.b - initP50.f <= budgets.initOverFloorMs,
      },
      {
        metric: 'Init Duration p95 (ms)',
        cells: [
          fmt(initP95.a),
          fmt(initP95.b),
          fmt(initP95.c),
          fmt(initP95.f),
          fmt(initP95.d),
          fmt(initP95.t),
          diff(initP95.b - initP95.a),
          diff(initP95.b - initP95.f),
          times(initP95.b, initP95.c),
        ],
      },
    ],
  };

  const runtimeA = of('A', median, (s) => s.runtimeInitMs);
  const runtimeB = of('B', median, (s) => s.runtimeInitMs);
  const readyB = of('B', median, (s) => s.readyAfterExecMs);
  const firstResponses = (id: VariantId): number[] => cold[id].flatMap((sample) => sample.firstResponsesMs);
  const firstA = median(firstResponses('A'));
  const firstB = median(firstResponses('B'));
  const failed = (id: VariantId | 'P'): string => String(cold[id].filter((sample) => !sample.ok).length);
  const coldSection: Section = {
    title: `Cold start, ${label}`,
    note:
      `Runtime init: the runtime's start (after every extension registered) → its first /next. P: the layer's plugin alone (no extension), ` +
      `runtime init p50 ${fmt(of('P', median, (s) => s.runtimeInitMs))} ms (B − P: the extension's CPU beside the runtime). ` +
      `D and T (the peers) have no extension: D is Datadog's library run without the Datadog extension, writing its traces to the log; ` +
      `T sends X-Ray segments over UDP. Extension registered / ready: its exec → its /register, → its first /event/next. The first ${input.firstInvokes} invokes: ` +
      `response latency over each environment's first ${input.firstInvokes} invokes, the cold start's included, pooled over the runs.`,
    columns: [...variantColumns, 'B − A'],
    rows: [
      {
        metric: 'runtime init p50 (ms)',
        cells: [...all(median, (s) => s.runtimeInitMs), diff(runtimeB - runtimeA)],
        budget: `B − A ≤ ${budgets.runtimeInitAddedMs} ms`,
        ok: runtimeB - runtimeA <= budgets.runtimeInitAddedMs,
      },
      { metric: 'runtime init p95 (ms)', cells: [...all(p95, (s) => s.runtimeInitMs), ''] },
      {
        metric: 'extension registered after its exec, p50 (ms)',
        cells: [...extensionOnly(fmt(of('B', median, (s) => s.registeredAfterExecMs)), fmt(of('F', median, (s) => s.registeredAfterExecMs))), ''],
      },
      {
        metric: 'extension ready after its exec, p50 (ms)',
        cells: [...extensionOnly(fmt(readyB), fmt(of('F', median, (s) => s.readyAfterExecMs))), ''],
        budget: `B ≤ ${budgets.extensionReadyMs} ms`,
        ok: readyB <= budgets.extensionReadyMs,
      },
      {
        metric: 'extension ready after its exec, p95 (ms)',
        cells: [...extensionOnly(fmt(of('B', p95, (s) => s.readyAfterExecMs)), fmt(of('F', p95, (s) => s.readyAfterExecMs))), ''],
      },
      {
        metric: 'first invoke response p50 (ms)',
        cells: [...all(median, (s) => s.firstResponseMs, 2), diff(of('B', median, (s) => s.firstResponseMs) - of('A', median, (s) => s.firstResponseMs), 2)],
      },
      {
        metric: `response latency p50 over the first ${input.firstInvokes} invokes (ms)`,
        cells: [...shown.map((id) => fmt(median(firstResponses(id)), 3)), diff(firstB - firstA, 3)],
        budget: `B − A ≤ ${budgets.responseAddedMs} ms`,
        ok: firstB - firstA <= budgets.responseAddedMs,
      },
      { metric: 'failed cold starts', cells: [...shown.map(failed), ''] },
    ],
  };

  const warmOf = (id: VariantId, stat: (values: number[]) => number, pick: 'responseLatencyMs' | 'postRuntimeMs'): number => stat(warm[id][pick]);
  const warmRow = (metric: string, stat: (values: number[]) => number, pick: 'responseLatencyMs' | 'postRuntimeMs', budget?: number): Row => {
    const added = warmOf('B', stat, pick) - warmOf('A', stat, pick);
    return {
      metric,
      cells: [...shown.map((id) => fmt(warmOf(id, stat, pick), 3)), diff(added, 3)],
      ...(budget === undefined ? {} : { budget: `B − A ≤ ${budget} ms`, ok: added <= budget }),
    };
  };
  const warmSection: Section = {
    title: `Warm invokes, ${label} (${input.warmInvokes} measured per variant, interleaved)`,
    note: 'Response latency: invoke sent → response received. Post-runtime: response received → every process waits for its next event (billed time after the response).',
    columns: [...variantColumns, 'B − A'],
    rows: [
      warmRow('response latency p50 (ms)', median, 'responseLatencyMs', budgets.responseAddedMs),
      warmRow('response latency p95 (ms)', p95, 'responseLatencyMs'),
      warmRow('post-runtime p50 (ms)', median, 'postRuntimeMs', budgets.postRuntimeAddedMs),
      warmRow('post-runtime p95 (ms)', p95, 'postRuntimeMs'),
      { metric: 'failed invokes', cells: [...shown.map((id) => String(warm[id].failures)), ''] },
    ],
  };

  const invokes = input.warmInvokes + unmeasuredWarmInvokes;
  const runtimeAdded = warm.B.runtimeRssMiB - warm.A.runtimeRssMiB;
  const extensionSteady = warm.B.extensionRssMiB;
  const memorySection: Section = {
    title: `Memory, ${label} (peak RSS, VmHWM of each process tree)`,
    note:
      'Anonymous memory is the private part of RSS (heap, compiled code, buffers); the rest is file-backed, mostly the node binary’s pages, ' +
      'which the runtime and a Node extension share (one copy in memory). An idle Node 24 process alone has an RSS of about 41 MiB here.',
    columns: [...variantColumns, 'B − A'],
    rows: [
      {
        metric: 'runtime after init + 1 invoke, p50 (MiB)',
        cells: [...all(median, (s) => s.runtimeRssMiB), diff(of('B', median, (s) => s.runtimeRssMiB) - of('A', median, (s) => s.runtimeRssMiB))],
      },
      {
        metric: `runtime after ${invokes} invokes (MiB)`,
        cells: [...shown.map((id) => fmt(warm[id].runtimeRssMiB)), diff(runtimeAdded)],
        budget: `B − A ≤ ${budgets.runtimeRssAddedMiB} MiB`,
        ok: runtimeAdded <= budgets.runtimeRssAddedMiB,
      },
      {
        metric: `runtime anonymous (private) memory after ${invokes} invokes (MiB)`,
        cells: [...shown.map((id) => fmt(warm[id].runtimeAnonMiB)), diff(warm.B.runtimeAnonMiB - warm.A.runtimeAnonMiB)],
      },
      {
        metric: 'runtime RSS growth per 1000 warm invokes (MiB)',
        cells: [...shown.map((id) => fmt(warm[id].runtimeGrowthMiBPer1000)), ''],
      },
      {
        metric: 'extension after init + 1 invoke, p50 (MiB)',
        cells: [...extensionOnly(fmt(of('B', median, (s) => s.extensionRssMiB)), fmt(of('F', median, (s) => s.extensionRssMiB))), ''],
      },
      {
        metric: 'extension RSS growth per 1000 warm invokes (MiB)',
        cells: [...extensionOnly(fmt(warm.B.extensionGrowthMiBPer1000), fmt(warm.F.extensionGrowthMiBPer1000)), ''],
      },
      {
        metric: `extension after ${invokes} invokes (MiB)`,
        cells: [...extensionOnly(fmt(extensionSteady), fmt(warm.F.extensionRssMiB)), ''],
        budget: `B ≤ ${budgets.extensionRssMiB} MiB`,
        ok: extensionSteady <= budgets.extensionRssMiB,
      },
      {
        metric: `extension anonymous (private) memory after ${invokes} invokes (MiB)`,
        cells: [...extensionOnly(fmt(warm.B.extensionAnonMiB), fmt(warm.F.extensionAnonMiB)), ''],
      },
    ],
  };

  const rate = (delivery: Delivery): number => (delivery.invocations === 0 ? Number.NaN : delivery.delivered / delivery.invocations);
  const deliveryRow = (what: string, delivery: Record<VariantId, Delivery>): Row => ({
    metric: `${what}: invocations delivered / invocations`,
    cells: [fmt(rate(delivery.A), 3), fmt(rate(delivery.B), 3), fmt(rate(delivery.C), 3), '—', fmt(rate(delivery.D), 3), fmt(rate(delivery.T), 3)],
    budget: 'B = 1.000',
    ok: delivery.B.delivered === delivery.B.invocations && delivery.B.invocations > 0,
  });
  const deliverySection: Section = {
    title: `Delivery, ${label} (each variant where it sends: B and C to an OTLP sink, D to the function's log, T to an X-Ray listener)`,
    note:
      `B, C: spans the sink decoded, by faas.invocation.id. D: dd-trace's \`{"traces":…}\` lines in the function's log output, by the aws.lambda span's ` +
      `meta.request_id. T: subsegment documents that reached the UDP listener set as AWS_XRAY_DAEMON_ADDRESS, by the X-Ray trace id each invoke was sent with. ` +
      `A exports nothing (its row counts B's sink, which must hold none of A's invocations); F has no telemetry. ` +
      `cold: ${deliveries(input.coldDelivery)}; warm: ${deliveries(input.warmDelivery)}`,
    columns: variantColumns,
    rows: [deliveryRow('cold', input.coldDelivery), deliveryRow('warm', input.warmDelivery)],
  };
  return [headline, coldSection, warmSection, memorySection, deliverySection];
}

export function ingestSection(burst: IngestResult, paced: IngestResult): Section {
  const both = (pick: (result: IngestResult) => number, digits = 0): string[] => [fmt(pick(burst), digits), fmt(pick(paced), digits)];
  const lost = (result: IngestResult): number => result.accepted - result.exported;
  return {
    title: `Extension ingest, unconstrained (OTLP/protobuf on loopback, batches of ${burst.batchSpans} spans, ${burst.connections} connections, one invocation held open)`,
    columns: [`burst: ${burst.spans} spans`, `paced: ${paced.spans} at ${paced.rateSpansPerSec ?? '∞'}/s`],
    note: `extension's summary — burst: ${burst.extensionSummary ?? '(none)'}; paced: ${paced.extensionSummary ?? '(none)'}`,
    rows: [
      {
        metric: 'accepted by the receiver (first send → last answer) (spans/s)',
        cells: both((result) => result.acceptedPerSec),
        budget: `burst ≥ ${budgets.ingestSpansPerSec} spans/s`,
        ok: burst.acceptedPerSec >= budgets.ingestSpansPerSec,
      },
      { metric: 'exported to the sink (first send → last export) (spans/s)', cells: both((result) => result.exportedPerSec) },
      { metric: 'spans accepted', cells: both((result) => result.accepted) },
      { metric: 'requests rejected (non-2xx)', cells: both((result) => result.rejectedRequests) },
      { metric: `spans exported within ${settleSeconds} s of the invoke`, cells: both((result) => result.exportedBeforeShutdown) },
      { metric: 'spans exported at SHUTDOWN', cells: both((result) => result.drainedAtShutdown) },
      { metric: 'accepted spans lost', cells: both(lost), budget: '0 in both', ok: lost(burst) <= 0 && lost(paced) <= 0 },
      { metric: 'extension peak RSS after the run (MiB)', cells: both((result) => result.extensionRssMiB, 1) },
    ],
  };
}

export function sizeSection(sizes: SizeReport): Section {
  const kib = (bytes: number): string => fmt(bytes / 1024);
  return {
    title: 'Size on disk',
    columns: ['B lambda-otel', 'C upstream'],
    rows: [
      { metric: 'lambda-otel layer, all files (KiB)', cells: [kib(sizes.layerBytes), ''] },
      { metric: 'lambda-otel layer zip (KiB)', cells: [kib(sizes.layerZipBytes), ''] },
      ...layerGroups(sizes).flatMap(({ label, files }): Row[] => [
        { metric: `  ${label} (${files.length} files) (KiB)`, cells: [kib(files.reduce((sum, file) => sum + file.bytes, 0)), ''] },
        ...files
          .filter((file) => file.bytes >= 8 * 1024)
          .sort((x, y) => y.bytes - x.bytes)
          .map((file): Row => ({ metric: `    ${file.path} (KiB)`, cells: [kib(file.bytes), ''] })),
      ]),
      { metric: 'upstream preload bundle (preload.mjs) (KiB)', cells: ['', kib(sizes.upstreamPreloadBytes)] },
      { metric: 'upstream external import-in-the-middle + deps (KiB)', cells: ['', kib(sizes.upstreamExternalBytes)] },
    ],
  };
}

function layerGroups(sizes: SizeReport): { label: string; files: SizeReport['layerFiles'] }[] {
  const groups = [
    { label: 'extension: lambda-otel/', test: (path: string) => path.startsWith('lambda-otel/') },
    { label: 'plugin: nodejs/', test: (path: string) => path.startsWith('nodejs/') },
    { label: 'scripts: extensions/, lambda-otel-handler', test: () => true },
  ];
  const out = groups.map((group) => ({ label: group.label, files: [] as SizeReport['layerFiles'] }));
  for (const file of sizes.layerFiles) out[groups.findIndex((group) => group.test(file.path))]?.files.push(file);
  return out.filter((group) => group.files.length > 0);
}

function fmtDelivery(delivery: Delivery): string {
  return `${delivery.delivered}/${delivery.invocations} invocations, ${delivery.spans} spans`;
}

function deliveries(delivery: Record<VariantId, Delivery>): string {
  return (['B', 'C', 'D', 'T'] as const).map((id) => `${id} ${fmtDelivery(delivery[id])}`).join(', ');
}
