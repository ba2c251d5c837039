// The report's tables, with the budgets from DESIGN.md checked where it gives one.
import type { ColdResults, ColdSample } from './phases/cold.ts';
import type { Delivery } from './phases/delivery.ts';
import type { IngestResult } from './phases/ingest.ts';
import type { SizeReport } from './phases/sizes.ts';
import type { WarmResults } from './phases/warm.ts';
import type { Row, Section } from './report.ts';
import { unmeasuredWarmInvokes } from './phases/warm.ts';
import { median, p95 } from './stats.ts';
import type { VariantId } from './variants.ts';

export interface SectionInput {
  cold: ColdResults;
  warm: WarmResults;
  coldDelivery: Record<VariantId, Delivery>;
  noHookDelivery: Delivery;
  warmDelivery: Record<VariantId, Delivery>;
  ingest: IngestResult;
  ingestPaced: IngestResult;
  sizes: SizeReport;
  coldRuns: number;
  warmInvokes: number;
}

export const budgets = {
  runtimeInitAddedMs: 10,
  extensionReadyMs: 60,
  responseAddedMs: 0.3,
  postRuntimeAddedMs: 2,
  extensionRssMiB: 50,
  ingestSpansPerSec: 20_000,
} as const;

const settleSeconds = 2;

const signed = (value: number, digits: number): string => `${value >= 0 ? '+' : ''}${value.toFixed(digits)}`;

export function buildSections(input: SectionInput): Section[] {
  const { cold, warm } = input;
  const coldStat = (stat: (values: number[]) => number, pick: (sample: ColdSample) => number) => ({
    a: stat(cold.A.map(pick)),
    b: stat(cold.B.map(pick)),
    c: stat(cold.C.map(pick)),
  });
  const warmStat = (stat: (values: number[]) => number, pick: 'responseLatencyMs' | 'postRuntimeMs') => ({
    a: stat(warm.A[pick]),
    b: stat(warm.B[pick]),
    c: stat(warm.C[pick]),
  });

  const runtimeInit = coldStat(median, (s) => s.runtimeInitMs);
  const runtimeAdded = runtimeInit.b - runtimeInit.a;
  const readyP50 = median(cold.extensionReadyAloneMs);
  const readyBound = cold.B.some((s) => s.readyIsUpperBound);
  const failed = (samples: ColdSample[]): number => samples.filter((s) => !s.ok).length;
  const coldFailures = { a: failed(cold.A), b: failed(cold.B), c: failed(cold.C) };

  const coldSection: Section = {
    title: `Cold start (${input.coldRuns} runs per variant, interleaved)`,
    rows: [
      { metric: 'total init p50', unit: 'ms', ...coldStat(median, (s) => s.totalInitMs) },
      { metric: 'total init p95', unit: 'ms', ...coldStat(p95, (s) => s.totalInitMs) },
      {
        metric: 'runtime init p50',
        unit: 'ms',
        ...runtimeInit,
        budget: `B − A ≤ ${budgets.runtimeInitAddedMs} ms (${signed(runtimeAdded, 1)})`,
        ok: runtimeAdded <= budgets.runtimeInitAddedMs,
      },
      { metric: 'runtime init p95', unit: 'ms', ...coldStat(p95, (s) => s.runtimeInitMs) },
      { metric: 'extension registered p50', unit: 'ms', b: median(cold.B.map((s) => s.extensionRegisteredMs)), ratios: false },
      {
        metric: 'extension ready p50 (its own init, no-op runtime)',
        unit: 'ms',
        b: readyP50,
        ratios: false,
        budget: `≤ ${budgets.extensionReadyMs} ms`,
        ok: readyP50 <= budgets.extensionReadyMs,
      },
      { metric: 'extension ready p95 (its own init, no-op runtime)', unit: 'ms', b: p95(cold.extensionReadyAloneMs), ratios: false },
      {
        metric: `extension ready p50 (beside the runtime${readyBound ? ', ≤ init end' : ''})`,
        unit: 'ms',
        b: median(cold.B.map((s) => s.extensionReadyMs)),
        ratios: false,
      },
      { metric: 'first invoke response p50', unit: 'ms', digits: 2, ...coldStat(median, (s) => s.firstResponseMs) },
      { metric: 'failed cold starts', unit: '', digits: 0, ...coldFailures, ratios: false },
    ],
  };

  const response = warmStat(median, 'responseLatencyMs');
  const post = warmStat(median, 'postRuntimeMs');
  const warmSection: Section = {
    title: `Warm invokes (${input.warmInvokes} measured per variant, interleaved)`,
    rows: [
      {
        metric: 'response latency p50',
        unit: 'ms',
        digits: 3,
        ...response,
        budget: `B − A ≤ ${budgets.responseAddedMs} ms (${signed(response.b - response.a, 3)})`,
        ok: response.b - response.a <= budgets.responseAddedMs,
      },
      { metric: 'response latency p95', unit: 'ms', digits: 3, ...warmStat(p95, 'responseLatencyMs') },
      {
        metric: 'post-runtime p50',
        unit: 'ms',
        digits: 3,
        ...post,
        budget: `B − A ≤ ${budgets.postRuntimeAddedMs} ms (${signed(post.b - post.a, 3)})`,
        ok: post.b - post.a <= budgets.postRuntimeAddedMs,
      },
      { metric: 'post-runtime p95', unit: 'ms', digits: 3, ...warmStat(p95, 'postRuntimeMs') },
      { metric: 'failed invokes', unit: '', digits: 0, a: warm.A.failures, b: warm.B.failures, c: warm.C.failures, ratios: false },
    ],
  };

  const extensionSteady = Math.max(median(cold.B.map((s) => s.extensionRssMiB)), warm.B.extensionRssMiB);
  const extensionLoaded = Math.max(input.ingest.extensionRssMiB, input.ingestPaced.extensionRssMiB);
  const invokes = input.warmInvokes + unmeasuredWarmInvokes;
  const memorySection: Section = {
    title: 'Memory (peak RSS, VmHWM of each process tree)',
    rows: [
      { metric: 'runtime after init + 1 invoke, p50', unit: 'MiB', ...coldStat(median, (s) => s.runtimeRssMiB) },
      { metric: `runtime after ${invokes} invokes`, unit: 'MiB', a: warm.A.runtimeRssMiB, b: warm.B.runtimeRssMiB, c: warm.C.runtimeRssMiB },
      {
        metric: 'runtime RSS growth per 1000 warm invokes',
        unit: 'MiB',
        a: warm.A.runtimeGrowthMiBPer1000,
        b: warm.B.runtimeGrowthMiBPer1000,
        c: warm.C.runtimeGrowthMiBPer1000,
        ratios: false,
      },
      { metric: 'extension after init + 1 invoke, p50', unit: 'MiB', b: median(cold.B.map((s) => s.extensionRssMiB)), ratios: false },
      { metric: 'extension RSS growth per 1000 warm invokes', unit: 'MiB', b: warm.B.extensionGrowthMiBPer1000, ratios: false },
      {
        metric: `extension after ${invokes} invokes`,
        unit: 'MiB',
        b: warm.B.extensionRssMiB,
        ratios: false,
        budget: `≤ ${budgets.extensionRssMiB} MiB`,
        ok: extensionSteady <= budgets.extensionRssMiB,
      },
      {
        metric: 'extension after the ingest loads (the larger)',
        unit: 'MiB',
        b: extensionLoaded,
        ratios: false,
        budget: `≤ ${budgets.extensionRssMiB} MiB`,
        ok: extensionLoaded <= budgets.extensionRssMiB,
      },
    ],
  };

  const rate = (delivery: Delivery): number => (delivery.invocations === 0 ? Number.NaN : delivery.delivered / delivery.invocations);
  const deliveryRow = (label: string, delivery: Record<VariantId, Delivery>): Row => ({
    metric: `${label}: invocations with a span at the sink / invocations`,
    unit: '',
    digits: 3,
    a: Number.NaN,
    b: rate(delivery.B),
    c: rate(delivery.C),
    ratios: false,
    budget: 'B = 1.000',
    ok: delivery.B.delivered === delivery.B.invocations && delivery.B.invocations > 0,
  });
  const deliverySection: Section = {
    title: 'Delivery (counted from the spans the sink decoded, by faas.invocation.id)',
    note:
      `cold: A ${fmtDelivery(input.coldDelivery.A)}, B ${fmtDelivery(input.coldDelivery.B)}, C ${fmtDelivery(input.coldDelivery.C)}; ` +
      `warm: A ${fmtDelivery(input.warmDelivery.A)}, B ${fmtDelivery(input.warmDelivery.B)}, C ${fmtDelivery(input.warmDelivery.C)}`,
    rows: [deliveryRow('cold', input.coldDelivery), deliveryRow('warm', input.warmDelivery)],
  };

  const burst = input.ingest;
  const paced = input.ingestPaced;
  const both = (pick: (result: IngestResult) => number): { a: number; b: number } => ({ a: pick(burst), b: pick(paced) });
  const lost = (result: IngestResult): number => result.accepted - result.exported;
  const ingestSection: Section = {
    title: `Extension ingest (OTLP/protobuf on loopback, batches of ${burst.batchSpans} spans, ${burst.connections} connections, one invocation held open)`,
    columns: [`burst: ${burst.spans} spans`, `paced: ${paced.spans} at ${paced.rateSpansPerSec ?? '∞'}/s`, '', '', ''],
    note: `extension's summary — burst: ${burst.extensionSummary ?? '(none)'}; paced: ${paced.extensionSummary ?? '(none)'}`,
    rows: [
      {
        metric: 'accepted by the receiver (first send → last answer)',
        unit: 'spans/s',
        digits: 0,
        ...both((result) => result.acceptedPerSec),
        ratios: false,
        budget: `burst ≥ ${budgets.ingestSpansPerSec} spans/s`,
        ok: burst.acceptedPerSec >= budgets.ingestSpansPerSec,
      },
      { metric: 'exported to the sink (first send → last export)', unit: 'spans/s', digits: 0, ...both((result) => result.exportedPerSec), ratios: false },
      { metric: 'spans accepted', unit: '', digits: 0, ...both((result) => result.accepted), ratios: false },
      { metric: 'requests rejected (non-2xx)', unit: '', digits: 0, ...both((result) => result.rejectedRequests), ratios: false },
      {
        metric: `spans exported within ${settleSeconds} s of the invoke`,
        unit: '',
        digits: 0,
        ...both((result) => result.exportedBeforeShutdown),
        ratios: false,
      },
      { metric: 'spans exported at SHUTDOWN', unit: '', digits: 0, ...both((result) => result.drainedAtShutdown), ratios: false },
      {
        metric: 'accepted spans lost',
        unit: '',
        digits: 0,
        ...both(lost),
        ratios: false,
        budget: '0 in both',
        ok: lost(burst) <= 0 && lost(paced) <= 0,
      },
      { metric: 'extension peak RSS after the run', unit: 'MiB', ...both((result) => result.extensionRssMiB), ratios: false },
    ],
  };

  const kib = (bytes: number): number => bytes / 1024;
  const sizes = input.sizes;
  const sizeSection: Section = {
    title: 'Size on disk',
    rows: [
      { metric: 'lambda-otel layer, all files', unit: 'KiB', b: kib(sizes.layerBytes), ratios: false },
      { metric: 'lambda-otel layer zip', unit: 'KiB', b: kib(sizes.layerZipBytes), ratios: false },
      ...layerGroups(sizes).flatMap(({ label, files }): Row[] => [
        { metric: `  ${label} (${files.length} files)`, unit: 'KiB', b: kib(files.reduce((sum, file) => sum + file.bytes, 0)), ratios: false },
        ...files
          .filter((file) => file.bytes >= 8 * 1024)
          .sort((x, y) => y.bytes - x.bytes)
          .map((file): Row => ({ metric: `    ${file.path}`, unit: 'KiB', b: kib(file.bytes), ratios: false })),
      ]),
      { metric: 'upstream preload bundle (preload.mjs)', unit: 'KiB', c: kib(sizes.upstreamPreloadBytes), ratios: false },
      { metric: 'upstream external import-in-the-middle + deps', unit: 'KiB', c: kib(sizes.upstreamExternalBytes), ratios: false },
    ],
  };
  const split = (stat: (values: number[]) => number, pick: (sample: ColdSample) => number) => ({
    a: stat(cold.A.map(pick)),
    b: stat(cold.P.map(pick)),
    c: stat(cold.E.map(pick)),
  });
  const warmSplit = (stat: (values: number[]) => number, pick: 'responseLatencyMs' | 'postRuntimeMs') => ({
    a: stat(warm.A[pick]),
    b: stat(warm.P[pick]),
    c: stat(warm.E[pick]),
  });
  const splitSection: Section = {
    title: "Where B's overhead comes from: the layer's plugin alone (P) and its extension alone (E)",
    columns: ['A bare', 'P plugin only', 'E extension only', 'P/A', 'E/A'],
    note:
      'P: the layer without extensions/ (the plugin falls back to its stdout writer after each response). E: the layer ' +
      'without the exec wrapper (no root span reaches the extension; its completion grace is set to 0). Same runs, interleaved with A, B and C. ' +
      `For reference, B: runtime init p50 ${runtimeInit.b.toFixed(1)} ms, response latency p50 ${response.b.toFixed(3)} ms, runtime RSS p50 ${median(cold.B.map((s) => s.runtimeRssMiB)).toFixed(1)} MiB.`,
    rows: [
      { metric: 'runtime init p50', unit: 'ms', ...split(median, (s) => s.runtimeInitMs) },
      { metric: 'total init p50', unit: 'ms', ...split(median, (s) => s.totalInitMs) },
      { metric: 'runtime after init + 1 invoke, p50', unit: 'MiB', ...split(median, (s) => s.runtimeRssMiB) },
      { metric: 'response latency p50', unit: 'ms', digits: 3, ...warmSplit(median, 'responseLatencyMs') },
      { metric: 'response latency p95', unit: 'ms', digits: 3, ...warmSplit(p95, 'responseLatencyMs') },
      { metric: 'post-runtime p50', unit: 'ms', digits: 3, ...warmSplit(median, 'postRuntimeMs') },
    ],
  };

  const noopSection: Section = {
    title: 'What any INVOKE extension costs in the emulator: a no-op extension (X)',
    columns: ['A bare', 'X no-op extension', '', 'X/A', ''],
    note: "X: bench/fixtures/noop-extension-layer, a 30-line Node extension that registers for INVOKE and SHUTDOWN and asks for the next event at once. Compare with E above for what lambda-otel's extension adds beyond that.",
    rows: [
      { metric: 'total init p50', unit: 'ms', a: median(cold.A.map((s) => s.totalInitMs)), b: median(cold.X.map((s) => s.totalInitMs)) },
      { metric: 'response latency p50', unit: 'ms', digits: 3, a: median(warm.A.responseLatencyMs), b: median(warm.X.responseLatencyMs) },
      { metric: 'response latency p95', unit: 'ms', digits: 3, a: p95(warm.A.responseLatencyMs), b: p95(warm.X.responseLatencyMs) },
      { metric: 'post-runtime p50', unit: 'ms', digits: 3, a: median(warm.A.postRuntimeMs), b: median(warm.X.postRuntimeMs) },
    ],
  };

  const noHook = cold.upstreamWithoutHook;
  const noHookSection: Section = {
    title: "Upstream recipe without import-in-the-middle's ESM hook (require() hooks only), cold",
    note:
      `Without the hook the aws-lambda instrumentation never sees the handler the runtime client loads with import(): ` +
      `${fmtDelivery(input.noHookDelivery)}. The C column here is that variant; compare with C above for what the hook costs.`,
    rows: [
      { metric: 'total init p50', unit: 'ms', a: median(cold.A.map((s) => s.totalInitMs)), c: median(noHook.map((s) => s.totalInitMs)) },
      { metric: 'runtime init p50', unit: 'ms', a: median(cold.A.map((s) => s.runtimeInitMs)), c: median(noHook.map((s) => s.runtimeInitMs)) },
      {
        metric: 'runtime after init + 1 invoke, p50',
        unit: 'MiB',
        a: median(cold.A.map((s) => s.runtimeRssMiB)),
        c: median(noHook.map((s) => s.runtimeRssMiB)),
      },
      {
        metric: 'invocations with a span at the sink / invocations',
        unit: '',
        digits: 3,
        c: input.noHookDelivery.invocations === 0 ? Number.NaN : input.noHookDelivery.delivered / input.noHookDelivery.invocations,
        ratios: false,
      },
    ],
  };
  return [coldSection, warmSection, memorySection, deliverySection, ingestSection, splitSection, noopSection, noHookSection, sizeSection];
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
