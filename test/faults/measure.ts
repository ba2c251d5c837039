// Runs one fault scenario for real: the built layer in the emulator (AWS's runtime client, the
// extension as its own process, freeze and thaw between invokes), a local OTLP backend that answers
// as the scenario says, and then the same events without the layer, to compare the handler's results.
// Everything the function produced is looked for by its tag at the backend and on stdout (decoded
// by the independent test decoder); what is in neither place, not counted as dropped and not left
// out by tail sampling as the scenario's rule says (sampled out) is lost.
import { mkdtempSync, readFileSync, symlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { LambdaEnvironment } from '../../packages/emulator/src/index.ts';
import type { InvocationResult, ShutdownResult } from '../../packages/emulator/src/types.ts';
import { startOtlpSink } from '../support/otlp-sink.ts';
import type { DecodedMetricPoint, OtlpSink, Responder } from '../support/otlp-sink.ts';
import { layerDir, node24 } from '../support/paths.ts';
import { freePort } from '../support/ports.ts';
import { expectedDecisions, newTrace } from './sampling.ts';

export const functionDir = fileURLToPath(new URL('./function/', import.meta.url));
/** Lambda's SHUTDOWN budget with an external extension (the emulator's default too). */
export const SHUTDOWN_BUDGET_MS = 2000;

export interface FaultEvent {
  readonly n: number;
  readonly sleepMs?: number;
  readonly crash?: boolean;
  readonly hang?: boolean;
  readonly allocateMb?: number;
  readonly otlp?: 'malformed' | 'oversized' | 'bomb';
  readonly burst?: { readonly requests: number; readonly spans: number };
  /** The handler throws (a function error) after its line. */
  readonly fail?: boolean;
}

export interface RunContext {
  readonly env: LambdaEnvironment;
  readonly sink: OtlpSink;
  /** Adds a line to the row's notes (a figure the scenario measured). */
  note(text: string): void;
}

export interface Scenario {
  readonly name: string;
  /** What is done, in a few words (the table's second column). */
  readonly fault: string;
  readonly events: readonly FaultEvent[];
  readonly env?: Readonly<Record<string, string>>;
  readonly timeoutSec?: number;
  readonly memoryMb?: number;
  readonly enforceMemoryLimit?: boolean;
  /** Managed Instances: this many invokes run at once. */
  readonly concurrency?: number;
  /** The backend's answer per request; 'refused' = nothing listens on the endpoint. */
  readonly backend?: 'refused' | (() => Responder);
  /** Runs before invoke `index` (0-based): kill the extension, change the backend's answer… */
  readonly before?: (index: number, context: RunContext) => Promise<void> | void;
  /** The environment has no Node for the extension (and no plugin wrapper): nothing is exported, by design. */
  readonly noNode?: boolean;
  /** Tail sampling `errors,ratio=R` (LAMBDA_OTEL_TAIL_SAMPLING is set from it): failures kept, R of the rest by trace id. */
  readonly tailSampling?: { readonly ratio: number };
  /** Extra checks on the run; each problem found is a string. */
  readonly check?: (run: ScenarioRun) => string[];
}

export interface ScenarioRun {
  readonly results: InvocationResult[];
  /** The trace id of each invocation (index-aligned with results), from the X-Ray header it was given. */
  readonly traceIds: string[];
  /** Metric data points the backend decoded and answered 2xx to. */
  readonly metrics: DecodedMetricPoint[];
  readonly shutdown: ShutdownResult;
  readonly resets: ShutdownResult[];
  readonly extensionLines: Record<string, unknown>[];
  readonly logs: { source: string; line: string }[];
  readonly notes: string[];
  /** What the backend decoded and answered 2xx to. */
  readonly backend: Found;
}

export interface Summary {
  readonly received: number;
  readonly sent: number;
  readonly dropped: number;
  readonly written: number;
  readonly durationMs: number;
  /** Tail sampling: invocations kept and dropped by reason, items left out (absent when sampling is off). */
  readonly sampling?: { kept: Record<string, number>; dropped: Record<string, number>; droppedSpans: number; droppedLogs: number };
}

export interface Row {
  readonly name: string;
  readonly fault: string;
  readonly invocations: number;
  /** Spans and log lines the function produced (undefined: nothing is exported, by design). */
  readonly produced: { spans: number; logs: number } | undefined;
  /** Items the extension received (its summary lines; its own records included). */
  readonly received: number;
  /** Produced items found at the backend. */
  readonly delivered: number;
  /** Produced items found on stdout only (the extension's or the plugin's fallback). */
  readonly written: number;
  /** Items the extension counted as dropped. */
  readonly dropped: number;
  /** Produced items of invocations the scenario's tail sampling rule leaves out, found nowhere (by design). */
  readonly sampledOut: number;
  /** Produced items found nowhere, beyond those counted as dropped or sampled out. */
  readonly lost: number;
  readonly resultsUnchanged: boolean;
  readonly initFailures: number;
  readonly postRuntimeMs: { p50: number; max: number };
  readonly shutdownMs: number;
  /** Extension processes SIGKILLed at the end of a SHUTDOWN (the drain did not end in time). */
  readonly killedAtShutdown: number;
  readonly problems: string[];
  readonly notes: string[];
  readonly wallMs: number;
}

const TAG = /\[fault-fn (\d+)\]/;

/** Runs the scenario with the layer and (cached) without it; returns its row. */
export async function runScenario(scenario: Scenario, baselines: Map<string, Promise<InvocationResult[]>> = new Map()): Promise<Row> {
  const startedAtMs = Date.now();
  const run = await runWithLayer(scenario);
  const key = baselineKey(scenario);
  let baseline = baselines.get(key);
  if (!baseline) {
    baseline = runWithoutLayer(scenario);
    baselines.set(key, baseline);
  }
  const problems: string[] = [];
  const unchanged = sameResults(run.results, await baseline, problems);
  const counts = await account(scenario, run);
  if (scenario.check) problems.push(...scenario.check(run));
  const initFailures = run.results.filter((result) => /^Extension\./.test(result.errorType ?? '') || result.errorType === 'Runtime.InitError').length;
  const killedAtShutdown = [run.shutdown, ...run.resets].flatMap((down) => down.processes).filter((p) => p.name === 'lambda-otel' && p.killed).length;
  const postRuntime = run.results.map((result) => result.postRuntimeMs).sort((a, b) => a - b);
  return {
    name: scenario.name,
    fault: scenario.fault,
    invocations: run.results.length,
    ...counts,
    resultsUnchanged: unchanged,
    initFailures,
    postRuntimeMs: { p50: percentile(postRuntime, 0.5), max: postRuntime.at(-1) ?? 0 },
    shutdownMs: Math.max(run.shutdown.durationMs, ...run.resets.map((reset) => reset.durationMs)),
    killedAtShutdown,
    problems,
    notes: run.notes,
    wallMs: Date.now() - startedAtMs,
  };
}

async function runWithLayer(scenario: Scenario): Promise<ScenarioRun> {
  const sink = await startOtlpSink();
  try {
    const backend = scenario.backend;
    const endpoint = backend === 'refused' ? `http://127.0.0.1:${await freePort()}` : sink.url;
    if (typeof backend === 'function') sink.setResponder(backend());
    const pathEnv: Record<string, string> = scenario.noNode ? { PATH: pathWithOnlyBash() } : {};
    const env = new LambdaEnvironment({
      ...environmentOptions(scenario),
      layers: [layerDir],
      env: {
        ...(scenario.noNode ? {} : { AWS_LAMBDA_EXEC_WRAPPER: '/opt/lambda-otel-handler' }),
        OTEL_EXPORTER_OTLP_ENDPOINT: endpoint,
        LAMBDA_OTEL_RECEIVER_PORT: String(await freePort()),
        ...(scenario.tailSampling ? { LAMBDA_OTEL_TAIL_SAMPLING: `errors,ratio=${scenario.tailSampling.ratio}` } : {}),
        ...pathEnv,
        ...scenario.env,
      },
    });
    const notes: string[] = [];
    const traceIds: string[] = [];
    const results = await invokeAll(scenario, env, { env, sink, note: (text) => notes.push(text) }, traceIds);
    const shutdown = await env.shutdown();
    return {
      results,
      traceIds,
      metrics: sink.metrics(),
      shutdown,
      resets: [...env.resets],
      extensionLines: ownLines(env.logs),
      logs: [...env.logs],
      notes,
      backend: foundIn(sink),
    };
  } finally {
    await sink.close();
  }
}

async function runWithoutLayer(scenario: Scenario): Promise<InvocationResult[]> {
  const env = new LambdaEnvironment({ ...environmentOptions(scenario), env: { LAMBDA_OTEL_RECEIVER_PORT: String(await freePort()) } });
  try {
    return await invokeAll({ ...scenario, before: undefined }, env, undefined);
  } finally {
    await env.shutdown().catch(() => undefined);
  }
}

function environmentOptions(scenario: Scenario) {
  return {
    functionDir,
    handler: 'index.handler',
    nodePath: node24,
    timeoutSec: scenario.timeoutSec ?? 3,
    memoryMb: scenario.memoryMb ?? 512,
    ...(scenario.enforceMemoryLimit ? { enforceMemoryLimit: true } : {}),
    ...(scenario.concurrency ? { maxConcurrency: scenario.concurrency } : {}),
  };
}

function baselineKey(scenario: Scenario): string {
  return JSON.stringify([scenario.events, scenario.timeoutSec, scenario.memoryMb, scenario.enforceMemoryLimit, scenario.concurrency]);
}

/** Each invoke gets a trace header of its own (as the emulator would), its trace id kept in `traceIds`. */
async function invokeAll(scenario: Scenario, env: LambdaEnvironment, context: RunContext | undefined, traceIds: string[] = []): Promise<InvocationResult[]> {
  const results: InvocationResult[] = [];
  const batch = scenario.concurrency ?? 1;
  for (let index = 0; index < scenario.events.length; index += batch) {
    if (context && scenario.before) await scenario.before(index, context);
    const events = scenario.events.slice(index, index + batch);
    const traces = events.map(() => newTrace());
    traceIds.push(...traces.map((trace) => trace.traceId));
    results.push(...(await Promise.all(events.map((event, i) => env.invoke(event, { traceHeader: traces[i]!.header })))));
  }
  return results;
}

/** Same status, error type and (on success) response, invocation by invocation. */
function sameResults(withLayer: InvocationResult[], without: InvocationResult[], problems: string[]): boolean {
  const view = (result: InvocationResult) => JSON.stringify([result.status, result.errorType ?? null, result.status === 'success' ? result.response : null]);
  const a = withLayer.map(view);
  const b = without.map(view);
  if (a.length === b.length && a.every((value, index) => value === b[index])) return true;
  const index = a.findIndex((value, i) => value !== b[i]);
  problems.push(`handler result ${index + 1} differs: with the layer ${a[index]}, without ${b[index]}`);
  return false;
}

/** Lines the extension printed (JSON), parsed. */
function ownLines(logs: readonly { source: string; line: string }[]): Record<string, unknown>[] {
  const out: Record<string, unknown>[] = [];
  for (const { source, line } of logs) {
    if (source !== 'lambda-otel' || !line.startsWith('{')) continue;
    try {
      out.push(JSON.parse(line) as Record<string, unknown>);
    } catch {
      // not one of ours
    }
  }
  return out;
}

export function summariesOf(run: ScenarioRun): Summary[] {
  return run.extensionLines.flatMap((line) => (typeof line.summary === 'object' && line.summary !== null ? [line.summary as Summary] : []));
}

/** What was produced, and where each produced item ended up. */
async function account(
  scenario: Scenario,
  run: ScenarioRun,
): Promise<Pick<Row, 'produced' | 'received' | 'delivered' | 'written' | 'dropped' | 'sampledOut' | 'lost'>> {
  const summaries = summariesOf(run);
  const received = summaries.reduce((total, summary) => total + summary.received, 0);
  const dropped = summaries.reduce((total, summary) => total + summary.dropped, 0);
  if (scenario.noNode) return { produced: undefined, received, delivered: 0, written: 0, dropped, sampledOut: 0, lost: 0 };

  // Produced: one root span per invocation (the plugin's, or the extension's for a runtime that
  // died), the spans of OTLP bursts, and every tagged line the function printed.
  const rootIds = new Set(run.results.map((result) => result.requestId));
  const burstNames = new Set(
    scenario.events.flatMap((event) =>
      event.burst
        ? Array.from(
            { length: event.burst.requests * event.burst.spans },
            (_, i) => `b${event.n}-${Math.floor(i / event.burst!.spans)}-${i % event.burst!.spans}`,
          )
        : [],
    ),
  );
  const lineTags = new Set(run.logs.filter(({ source, line }) => source !== 'lambda-otel' && TAG.test(line)).map(({ line }) => TAG.exec(line)![1]!));

  const backend = run.backend;
  const stdout = await readStdout(run.logs);
  const found = (sink: Found) => ({
    roots: new Set([...rootIds].filter((id) => sink.rootIds.has(id))),
    bursts: new Set([...burstNames].filter((name) => sink.spanNames.has(name))),
    lines: new Set([...lineTags].filter((tag) => sink.lineTags.has(tag))),
  });
  const atBackend = found(backend);
  const onStdout = found(stdout);
  const produced = { spans: rootIds.size + burstNames.size, logs: lineTags.size };
  const delivered = atBackend.roots.size + atBackend.bursts.size + atBackend.lines.size;
  const only = <T>(set: Set<T>, not: Set<T>) => [...set].filter((value) => !not.has(value)).length;
  const written = only(onStdout.roots, atBackend.roots) + only(onStdout.bursts, atBackend.bursts) + only(onStdout.lines, atBackend.lines);
  const missing = produced.spans + produced.logs - delivered - written;
  // Sampled out: root spans of invocations the rule leaves out, in neither place. A root the rule
  // keeps that went missing stays in `missing` (lost unless counted as dropped).
  const decisions = scenario.tailSampling ? expectedDecisions(run.results, run.traceIds, scenario.tailSampling.ratio) : [];
  const sampledOut = run.results.filter(
    (result, index) => decisions[index] === 'sampled out' && !atBackend.roots.has(result.requestId) && !onStdout.roots.has(result.requestId),
  ).length;
  return { produced, received, delivered, written, dropped, sampledOut, lost: Math.max(0, missing - dropped - sampledOut) };
}

export interface Found {
  rootIds: Set<string>;
  spanNames: Set<string>;
  lineTags: Set<string>;
}

function foundIn(sink: OtlpSink): Found {
  const found: Found = { rootIds: new Set(), spanNames: new Set(), lineTags: new Set() };
  for (const span of sink.spans()) {
    const id = span.attributes['faas.invocation.id'];
    if (typeof id === 'string') found.rootIds.add(id);
    found.spanNames.add(span.name);
  }
  for (const log of sink.logs()) {
    const body = typeof log.body === 'string' ? log.body : JSON.stringify(log.body);
    const tag = TAG.exec(body)?.[1];
    if (tag !== undefined) found.lineTags.add(tag);
  }
  return found;
}

/**
 * Telemetry written to stdout, decoded by the independent decoder: the extension's OTLP-JSON lines
 * and the plugin's envelope lines (base64 gzip OTLP protobuf), both posted to a reading sink.
 */
async function readStdout(logs: readonly { source: string; line: string }[]): Promise<Found> {
  const reader = await startOtlpSink();
  try {
    for (const { line } of logs) {
      if (!line.startsWith('{')) continue;
      let parsed: Record<string, unknown>;
      try {
        parsed = JSON.parse(line) as Record<string, unknown>;
      } catch {
        continue;
      }
      if (Array.isArray(parsed.resourceSpans))
        await postTo(reader, '/v1/traces', JSON.stringify({ resourceSpans: parsed.resourceSpans }), { 'content-type': 'application/json' });
      else if (Array.isArray(parsed.resourceLogs))
        await postTo(reader, '/v1/logs', JSON.stringify({ resourceLogs: parsed.resourceLogs }), { 'content-type': 'application/json' });
      else if (typeof parsed.__otel_otlp_stdout === 'string' && typeof parsed.payload === 'string') {
        await postTo(reader, '/v1/traces', Buffer.from(parsed.payload, 'base64'), { 'content-type': 'application/x-protobuf', 'content-encoding': 'gzip' });
      }
    }
    return foundIn(reader);
  } finally {
    await reader.close();
  }
}

async function postTo(sink: OtlpSink, path: string, body: string | Buffer, headers: Record<string, string>): Promise<void> {
  const response = await fetch(`${sink.url}${path}`, { method: 'POST', body, headers });
  await response.arrayBuffer();
}

function percentile(sorted: readonly number[], q: number): number {
  if (sorted.length === 0) return 0;
  return sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))]!;
}

/** The extension's resident memory (MB), from /proc, or undefined when it is not running. */
export function extensionRssMb(env: LambdaEnvironment): number | undefined {
  const extension = env.processes().find((proc) => proc.name === 'lambda-otel');
  if (!extension) return undefined;
  // The launcher execs node, so the process is node itself.
  try {
    const status = readFileSync(join('/proc', String(extension.pid), 'status'), 'utf8');
    return Math.round(Number(/VmRSS:\s+(\d+)/.exec(status)?.[1] ?? 0) / 102.4) / 10;
  } catch {
    return undefined;
  }
}

/** A PATH with bash (as on Amazon Linux, where /bin/sh is bash) and no node: a Python, Java or OS-only function. */
function pathWithOnlyBash(): string {
  const dir = mkdtempSync(join(tmpdir(), 'faults-no-node-'));
  symlinkSync('/usr/bin/bash', join(dir, 'bash'));
  return dir;
}
