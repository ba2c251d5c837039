// The fault scenarios of `npm run faults`, one row each in RELIABILITY.md. Counts are scaled to
// keep the whole run within a few minutes on a small machine; the soak's count can be changed
// with --soak N.
import type { Responder } from '../support/otlp-sink.ts';
import { extensionRssMb, summariesOf } from './measure.ts';
import type { FaultEvent, Scenario, ScenarioRun } from './measure.ts';
import { samplingCheck } from './sampling.ts';

/** `count` plain invocations, numbered from `from`, each sleeping `sleepMs`. */
function invokes(count: number, from = 1, sleepMs = 20): FaultEvent[] {
  return Array.from({ length: count }, (_, i) => ({ n: from + i, sleepMs }));
}

/** Answers the first `count` requests with `answer`, then 200. */
function firstRequests(count: number, answer: ReturnType<Responder>): () => Responder {
  return () => {
    let seen = 0;
    return () => (++seen <= count ? answer : undefined);
  };
}

const always =
  (answer: ReturnType<Responder>): (() => Responder) =>
  () =>
  () =>
    answer;

/** Accepts the request and never answers (not decoded: the backend never took it). */
const HUNG = { status: 504, delayMs: 600_000 };

/**
 * Kills the extension process (SIGKILL) while the environment is frozen before invoke `at`, and
 * waits until the platform has seen it go: Lambda then resets the environment at the next invoke.
 */
function killExtensionBefore(at: number): Scenario['before'] {
  return async (index, { env, note }) => {
    if (index !== at) return;
    const extension = env.processes().find((proc) => proc.name === 'lambda-otel');
    if (!extension) return;
    process.kill(extension.pid, 'SIGKILL');
    for (let waited = 0; waited < 2000 && env.processes().some((proc) => proc.pid === extension.pid); waited += 10) {
      await new Promise((resolve) => setTimeout(resolve, 10));
    }
    note(`the extension (pid ${extension.pid}) was SIGKILLed between invocations ${at} and ${at + 1}; the next invocation re-initialised the environment`);
  };
}

/** Every variable only the extension reads, with a value it cannot use (the receiver port aside: the plugin uses it to reach the extension). */
export const BAD_EXTENSION_VALUES: Readonly<Record<string, string>> = {
  LAMBDA_OTEL_FLUSH: 'sometimes',
  LAMBDA_OTEL_MAX_REQUEST_BYTES: '-5',
  LAMBDA_OTEL_BUFFER_MAX_ITEMS: 'lots',
  LAMBDA_OTEL_BUFFER_MAX_BYTES: '1e9',
  LAMBDA_OTEL_COMPLETION_GRACE_MS: '99999999',
  LAMBDA_OTEL_DEADLINE_MARGIN_MS: 'soon',
  LAMBDA_OTEL_EXPORT_TIMEOUT_MS: '0',
  LAMBDA_OTEL_LOG_LEVEL: 'loud',
  LAMBDA_OTEL_STDOUT_MAX_LINE_BYTES: '10',
};

/** Variables the plugin in the function reads too, with values neither can use. */
export const BAD_SHARED_VALUES: Readonly<Record<string, string>> = {
  LAMBDA_OTEL_EXPORTER: 'carrier-pigeon',
  OTEL_EXPORTER_OTLP_PROTOCOL: 'grpc',
  OTEL_EXPORTER_OTLP_COMPRESSION: 'zstd',
  OTEL_EXPORTER_OTLP_TIMEOUT: '-1',
  OTEL_RESOURCE_ATTRIBUTES: 'team=%E0%A4%A',
  OTEL_EXPORTER_OTLP_HEADERS: 'authorization=Bearer%20sk-secret-token,broken',
};

function configErrorsCheck(expected: number, pluginReadsThem: boolean): Scenario['check'] {
  return (run) => {
    const problems: string[] = [];
    const errors = run.extensionLines.filter((line) => line.level === 'ERROR' && String(line.message).startsWith('Configuration:'));
    // Each extension start says each problem once.
    const starts = Math.max(1, run.extensionLines.filter((line) => typeof line.summary === 'object').length);
    if (errors.length !== expected * starts) problems.push(`expected ${expected} configuration errors per start, saw ${errors.length} over ${starts}`);
    const own = JSON.stringify(run.extensionLines.filter((line) => typeof line.message === 'string'));
    if (own.includes('sk-secret-token')) problems.push('the extension printed the token');
    const function_ = run.logs.filter(({ source, line }) => source !== 'lambda-otel' && line.includes('sk-secret-token'));
    if (function_.length > 0) problems.push(`the plugin in the function printed the token (${function_.length} line(s))`);
    // The plugin's own configuration lines: one per bad value it reads, and the function still traced
    // (a missing root span shows in the lost column).
    const pluginErrors = run.logs.filter(({ source, line }) => source !== 'lambda-otel' && line.includes('"level":"ERROR"') && line.includes('Configuration'));
    if (pluginReadsThem && run.results.length > 0 && pluginErrors.length === 0) problems.push('the plugin said nothing about the bad values it reads');
    return problems;
  };
}

/** The FaaS metrics at the backend add up to the run: one count per invocation, one cold start. */
function metricsCheck(): (run: ScenarioRun) => string[] {
  return (run) => {
    const named = (name: string) => run.metrics.filter((point) => point.name === name);
    const total = (name: string) => named(name).reduce((sum, point) => sum + (point.value ?? 0), 0);
    const count = (name: string) => named(name).reduce((sum, point) => sum + point.count, 0);
    const succeeded = run.results.filter((result) => result.status === 'success').length;
    const failed = run.results.length - succeeded;
    const seen = {
      'faas.invocations': total('faas.invocations'),
      'faas.errors': total('faas.errors'),
      'faas.coldstarts': total('faas.coldstarts'),
      'faas.invoke_duration count': count('faas.invoke_duration'),
      'faas.mem_usage count': count('faas.mem_usage'),
      'aws.lambda.billed_duration count': count('aws.lambda.billed_duration'),
    };
    const expected = {
      'faas.invocations': succeeded,
      'faas.errors': failed,
      'faas.coldstarts': 1 + run.resets.length,
      'faas.invoke_duration count': run.results.length,
      'faas.mem_usage count': run.results.length,
      'aws.lambda.billed_duration count': run.results.length,
    };
    const names = new Set(run.metrics.map((point) => point.name));
    run.notes.push(
      `${run.metrics.length} metric data points at the backend (${names.size} metrics); ${Object.entries(seen)
        .map(([name, value]) => `${name} ${value}`)
        .join(', ')}`,
    );
    return Object.entries(expected).flatMap(([name, value]) =>
      seen[name as keyof typeof seen] === value ? [] : [`${name} is ${seen[name as keyof typeof seen]}, expected ${value}`],
    );
  };
}

/** `count` short invokes with every `every`-th one failing. */
function failingEvery(count: number, every: number): FaultEvent[] {
  return Array.from({ length: count }, (_, i) => ({ n: i + 1, sleepMs: 0, ...((i + 1) % every === 0 ? { fail: true } : {}) }));
}

/** Notes the extension's RSS before the given invocations (0-based indices). */
function rssAt(indices: readonly number[]): Scenario['before'] {
  return (index, { env, note }) => {
    if (!indices.includes(index)) return;
    const rss = extensionRssMb(env);
    if (rss !== undefined) note(`extension RSS before invocation ${index + 1}: ${rss} MB`);
  };
}

export function scenarios(options: { soak: number }): Scenario[] {
  return [
    { name: 'no fault (reference)', fault: 'healthy backend', events: invokes(20) },
    {
      name: 'metrics delivered per invocation',
      fault: 'healthy backend; the FaaS metrics counted against the invocations run',
      events: invokes(20),
      check: metricsCheck(),
    },
    {
      name: 'tail sampling, 10 % ratio',
      fault: '1,000 short invokes, every 20th throws; `errors,ratio=0.1`',
      events: failingEvery(1000, 20),
      tailSampling: { ratio: 0.1 },
      before: rssAt([99, 249, 499, 749, 999]),
      check: (run) => [...samplingCheck(0.1, 0.03)(run), ...metricsCheck()(run)],
    },
    { name: 'backend refused', fault: 'nothing listens on the endpoint', events: invokes(20), backend: 'refused' },
    { name: 'backend hung', fault: 'accepts, never answers', events: invokes(20), backend: always(HUNG) },
    { name: 'backend slow', fault: 'every answer after 2 s', events: invokes(10, 1, 100), timeoutSec: 10, backend: always({ status: 200, delayMs: 2000 }) },
    {
      name: 'backend 429',
      fault: '429 with Retry-After: 1 on the first 6 requests',
      events: invokes(20),
      backend: firstRequests(6, { status: 429, headers: { 'retry-after': '1' }, body: 'slow down' }),
    },
    { name: 'backend 500', fault: 'every request answered 500', events: invokes(20), backend: always({ status: 500, body: 'internal error' }) },
    { name: 'backend 413', fault: 'every request answered 413', events: invokes(20), backend: always({ status: 413, body: 'too large' }) },
    {
      name: 'backend recovers',
      fault: '503 for the first 10 invocations, then healthy',
      events: invokes(20, 1, 300),
      backend: () => () => undefined,
      before: (index, { sink }) => {
        if (index === 0) sink.setResponder(() => ({ status: 503, body: 'unavailable' }));
        if (index === 10) sink.setResponder(undefined);
      },
    },
    {
      name: 'extension SIGKILLed',
      fault: 'extension killed between invocations 10 and 11 (flush `end`)',
      events: invokes(20),
      env: { LAMBDA_OTEL_FLUSH: 'end' },
      before: killExtensionBefore(10),
    },
    { name: 'runtime crash', fault: 'the runtime exits during invocation 3', events: [...invokes(2), { n: 3, crash: true }, ...invokes(3, 4)] },
    { name: 'function timeout', fault: 'invocation 3 never answers (3 s timeout)', events: [...invokes(2), { n: 3, hang: true }, ...invokes(3, 4)] },
    {
      name: 'out of memory',
      fault: 'invocation 3 takes 400 MB under a 256 MB limit',
      events: [...invokes(2), { n: 3, allocateMb: 400 }, ...invokes(3, 4)],
      memoryMb: 256,
      timeoutSec: 10,
      enforceMemoryLimit: true,
      check: (run) =>
        run.results[2]?.errorType === 'Runtime.OutOfMemory'
          ? []
          : [`invocation 3 ended with ${run.results[2]?.errorType ?? run.results[2]?.status}, not Runtime.OutOfMemory`],
    },
    {
      name: 'malformed OTLP',
      fault: 'a request that is not protobuf',
      events: Array.from({ length: 5 }, (_, i) => ({ n: i + 1, otlp: 'malformed' as const })),
      check: answered(/malformed → 400/),
    },
    {
      name: 'oversized OTLP',
      fault: 'a 6 MB request (limit 4 MiB)',
      events: Array.from({ length: 3 }, (_, i) => ({ n: i + 1, otlp: 'oversized' as const })),
      timeoutSec: 10,
      check: answered(/oversized → 413/),
    },
    {
      name: 'decompression bomb',
      fault: '64 KB of gzip that inflates to 64 MB',
      events: Array.from({ length: 3 }, (_, i) => ({ n: i + 1, otlp: 'bomb' as const })),
      check: answered(/bomb → 413/),
    },
    {
      name: 'SHUTDOWN mid-export, full buffer',
      fault: '10,000 spans buffered, backend hung, then SHUTDOWN',
      events: [{ n: 1, burst: { requests: 20, spans: 500 } }],
      timeoutSec: 10,
      env: { LAMBDA_OTEL_FLUSH: 'periodic,600000' },
      backend: always(HUNG),
      check: (run) => {
        const [summary] = summariesOf(run);
        return summary && summary.durationMs < 1800 ? [] : [`the drain took ${summary?.durationMs} ms`];
      },
    },
    {
      name: `soak: ${options.soak} invokes`,
      fault: 'freeze and thaw between short invokes',
      events: invokes(options.soak, 1, 0),
      before: (index, { env, note }) => {
        const at = [100, 0.25, 0.5, 0.75, 1].map((point) => Math.min(options.soak - 1, point > 1 ? point : Math.round(point * options.soak) - 1));
        if (!at.includes(index)) return;
        const rss = extensionRssMb(env);
        if (rss !== undefined) note(`extension RSS before invocation ${index + 1}: ${rss} MB`);
      },
    },
    {
      name: 'Managed Instances, 16 at once',
      fault: '64 invokes, 16 concurrent in one runtime',
      events: invokes(64, 1, 50),
      concurrency: 16,
    },
    {
      name: 'bad extension settings',
      fault: `${Object.keys(BAD_EXTENSION_VALUES).length} extension variables set to unusable values`,
      events: invokes(5),
      env: BAD_EXTENSION_VALUES,
      check: configErrorsCheck(Object.keys(BAD_EXTENSION_VALUES).length, false),
    },
    {
      name: 'bad shared settings',
      fault: `${Object.keys(BAD_SHARED_VALUES).length} OTLP variables (a broken header with a token among them) set to unusable values`,
      events: invokes(5),
      env: BAD_SHARED_VALUES,
      check: configErrorsCheck(Object.keys(BAD_SHARED_VALUES).length, true),
    },
    {
      name: 'no Node for the extension',
      fault: 'a runtime without node on PATH (bash only)',
      events: invokes(5),
      noNode: true,
      check: (run) =>
        run.shutdown.processes.some((p) => p.name === 'lambda-otel' && p.exitCode === 0 && !p.killed) ? [] : ['the idle extension did not exit 0 at SHUTDOWN'],
    },
  ];
}

/** Every tagged line says the extension answered as expected. */
function answered(pattern: RegExp): Scenario['check'] {
  return (run) => {
    const lines = run.logs.filter(({ source, line }) => source !== 'lambda-otel' && /\[fault-fn \d+\] handling \(/.test(line));
    const wrong = lines.filter(({ line }) => !pattern.test(line));
    return lines.length > 0 && wrong.length === 0 ? [] : [`unexpected answers: ${wrong.map(({ line }) => line).join(' | ') || 'none seen'}`];
  };
}
