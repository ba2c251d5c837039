// BENCHMARKS.md, written by `npm run bench` from scratch on every run.
import type { BenchOptions, BenchResult } from './bench.ts';
import { unmeasuredWarmInvokes } from './phases/warm.ts';
import { markdownTable } from './report.ts';
import { passLabel } from './sections.ts';

/** What meeting a budget would take, shown beside each one the run missed (keyed by the row's metric). */
const whatItWouldTake: [RegExp, string][] = [
  [
    /^Init Duration p50/,
    'Init Duration B − F: the launcher registers in a few ms (see “extension registered”), so what remains is CPU: the plugin’s import in the runtime ' +
      '(compare runtime init of P with A) and Node booting the extension beside the runtime. With one vCPU both share the core. Less code on the ' +
      'plugin’s import path, or an extension that is not a Node process, would take it further.',
  ],
  [
    /^runtime init p50/,
    'Runtime init B − A: P (the plugin alone) shows the plugin’s own share; B − P is the extension’s CPU competing with the runtime. The plugin’s ' +
      'auto entry import would have to shrink (less code before the first response).',
  ],
  [
    /^extension ready/,
    'Extension ready: Node itself needs tens of ms to boot here (F, the bash floor, is ready in a few). Registration is already off the serial ' +
      'path (fast start); “ready” ≤ 30 ms would take a non-Node extension or a Node snapshot of the started extension.',
  ],
  [/^response latency/, 'Response latency B − A: the plugin’s span work on the response path (and, in the first invokes, code running for the first time).'],
  [/^post-runtime/, 'Post-runtime B − A: the extension’s export before its /event/next under the flush policy.'],
  [
    /^runtime after/,
    'Function RSS B − A: the node binary’s pages that the plugin’s code paths touch (file-backed), V8’s concurrent recompilation ' +
      '(TurboFan’s background compiles; turning it off would move optimisation onto the handler’s thread) and the plugin’s heap and code ' +
      '(see the extension README, “Memory”, for the breakdown).',
  ],
  [
    /^extension after/,
    'Extension RSS: an idle Node 24 process alone has an RSS of about 41 MiB, so a Node extension cannot meet 40 MiB; most of its RSS is ' +
      'the node binary’s file-backed pages, which it shares with the runtime’s Node (compare its anonymous memory). Meeting it would take an ' +
      'extension that is not a Node process.',
  ],
];

export function renderMarkdown(result: BenchResult, options: Omit<BenchOptions, 'log'>): string {
  const { machine } = result;
  const state = options.machineNote ?? 'not stated by whoever ran it';
  const out: string[] = [
    '# Benchmarks',
    '',
    'Written by `npm run bench` (bench/run.ts); do not edit by hand. The same small handler',
    '(bench/fixtures/handler: an async function that sums a few numbers and returns JSON, no spans of its',
    "own) runs several ways in the emulator under AWS's runtime client, interleaved A B C F P D T … in one",
    'process tree, so that all of them share the machine’s state at every moment:',
    '',
    '- **A bare**: no layer.',
    '- **B lambda-otel**: the built layer (a copy of `dist/layer` taken when the run starts) with default settings,',
    '  `AWS_LAMBDA_EXEC_WRAPPER=/opt/lambda-otel-handler`, the extension exporting OTLP to a sink on loopback.',
    '- **C upstream recipe**: what the OpenTelemetry Lambda layer assembles — `@opentelemetry/instrumentation-aws-lambda`',
    '  + `instrumentation-http` + tracer provider + `BatchSpanProcessor` + OTLP/HTTP protobuf exporter, bundled with',
    '  esbuild into one preload loaded with `--import`; the aws-lambda instrumentation force-flushes before every',
    '  invoke returns. Because the runtime client loads handlers with `import()`, the preload registers',
    "  import-in-the-middle's ESM loader hook (kept outside the bundle, as upstream ships it); without it C",
    '  exports nothing. `TracerProvider` from `@opentelemetry/sdk-trace` 3.1.1 with the AsyncLocalStorage context',
    '  manager and W3C propagators stands in for `NodeTracerProvider.register()`.',
    '- **F floor**: A plus a no-op external extension in bash (bench/fixtures/floor-extension-layer) that registers',
    '  for INVOKE and SHUTDOWN over `/dev/tcp` and waits: what any extension being there costs.',
    '- **P**: the layer’s plugin alone (the layer without `extensions/`), in the cold starts only, to split B’s runtime init.',
    '- **D Datadog (logs)**, a peer: Datadog’s Node layer as it runs without the Datadog extension. `/opt/nodejs/node_modules`',
    '  holds `datadog-lambda-js` and `dd-trace` (this workspace’s installed copies, unbundled, as the layer ships them); the',
    '  function’s handler is the library’s redirecting `datadog-lambda-js/dist/handler.handler` with the real one in',
    '  `DD_LAMBDA_HANDLER`, which initialises dd-trace (and its ESM loader hooks) and wraps the handler with `datadog()`.',
    '  `DD_TRACE_ENABLED=true`, `DD_FLUSH_TO_LOG=true`, `DD_LOGS_INJECTION=true`, no API key: with no',
    '  `/opt/extensions/datadog-agent`, dd-trace picks its log exporter and writes each finished trace as one',
    '  `{"traces":[[…]]}` line on stdout (for the Datadog forwarder), and the library writes its enhanced metrics there too.',
    '  Delivered: an invocation whose `aws.lambda` span (by `meta.request_id`) is in the function’s log output.',
    '- **T Powertools (X-Ray)**, a peer: the handler wrapped by `@aws-lambda-powertools/tracer`’s `captureLambdaHandler`',
    '  (bench/fixtures/powertools-handler; the decorator applied to a property descriptor, as TypeScript emits it). Each',
    '  invocation opens a `## index.handler` subsegment under the facade segment of the X-Ray trace header it was invoked',
    '  with; aws-xray-sdk-core sends it over UDP to `AWS_XRAY_DAEMON_ADDRESS`, here a UDP socket of the benchmark on',
    '  loopback. Delivered: an invocation whose trace id arrived there.',
    '',
    'Every invoke of every variant carries an X-Ray trace header (`Root=…;Parent=…;Sampled=1`), as Lambda sends with active',
    'tracing. The peers run interleaved with A, B, C and F, as many warm invokes but fewer cold starts (the first',
    '`--peer-cold` rounds of each pass, see “runs” below), to keep the whole run short. Neither has an extension: their',
    'extension rows are empty, and their post-runtime is the runtime’s alone.',
    '',
    'Every pass runs twice: **unconstrained**, and with the sandbox’s processes (the runtime and the extensions,',
    'not the emulator) limited to one CPU with the emulator’s `--cpus 1` (a cgroup CPU quota), as Lambda gives',
    'a 1,769 MB function one vCPU.',
    '',
    '## Run',
    '',
    `| | |`,
    `| --- | --- |`,
    `| date | ${machine.date} |`,
    `| machine | ${machine.cpu}, ${machine.cores} cores, ${machine.memoryGiB.toFixed(1)} GiB |`,
    `| machine state | ${state}; 1-minute load average ${result.load.start.toFixed(2)} at the start, ${result.load.end.toFixed(2)} at the end |`,
    `| Node | ${machine.node} (runtime processes), aws-lambda-ric ${machine.ric} |`,
    `| runs | per pass: ${options.coldRuns} cold starts per variant, ${Math.min(options.peerColdRuns, options.coldRuns)} for the peers D and T (${options.firstInvokes} invokes each), ${options.warmInvokes} measured warm invokes per variant (after ${unmeasuredWarmInvokes} unmeasured, the first a cold start); ingest ${options.ingest.spans} spans as fast as accepted, then ${options.ingestPaced.spans} at ${options.ingestPaced.rateSpansPerSec} spans/s |`,
    `| passes | ${result.passes.map((pass) => (pass.skipped ? `${passLabel(pass.cpus)} (skipped: ${pass.skipped})` : passLabel(pass.cpus))).join(', ')} |`,
    `| layer | dist/layer as built at ${result.sizes.layerBuiltAt} |`,
    `| duration | ${(result.totalMs / 1000).toFixed(1)} s |`,
    '',
    'Medians (p50) and 95th percentiles (nearest rank). Budgets are those of DESIGN.md; each is marked met or missed.',
    '',
  ];
  const budgetRows = result.sections.flatMap((section) =>
    section.rows.filter((row) => row.ok !== undefined).map((row) => ({ section: section.title.split(' (')[0] ?? section.title, row })),
  );
  out.push('## Budgets', '', '| table | metric | budget | met |', '| --- | --- | --- | --- |');
  for (const { section, row } of budgetRows) out.push(`| ${section} | ${row.metric} | ${row.budget ?? ''} | ${row.ok ? '✅ met' : '❌ missed'} |`);
  out.push('');
  const missedKinds = whatItWouldTake.filter(([pattern]) => budgetRows.some(({ row }) => row.ok === false && pattern.test(row.metric)));
  if (missedKinds.length > 0) {
    out.push('What the missed budgets would take:', '');
    for (const [, text] of missedKinds) out.push(`- ${text}`);
    out.push('');
  }
  for (const section of result.sections) {
    out.push(`## ${section.title}`, '', markdownTable(section), '');
    if (section.note) out.push(section.note, '');
  }
  out.push(
    '## How each figure is obtained',
    '',
    '- **Init Duration**: the emulator’s `platform.initReport` duration (init start → the runtime and every extension',
    '  wait for their next event), what Lambda reports and bills.',
    '- **runtime init**: the runtime process’s start → its first `/next` (`platform.initRuntimeDone`). The emulator',
    '  starts the runtime once every extension has registered, so for B and F this is counted from the registration.',
    '- **extension registered / ready after its exec**: the emulator’s exec of the extension → its `/register`, and →',
    '  its first `/event/next`.',
    '- **response latency**: invoke sent → response received; **post-runtime**: response received → every',
    '  process waits for its next event and the environment freezes (billed time after the response).',
    '- **memory**: `VmHWM` from /proc of the runtime’s and the extension’s process trees, sampled while frozen.',
    '- **delivery**: B and C: spans decoded by the sink carrying the invocation’s request id in `faas.invocation.id`',
    '  (the upstream aws-lambda instrumentation writes the older `faas.invocation_id`), after the environments shut down;',
    '  D: the `aws.lambda` spans in dd-trace’s trace lines of the function’s log; T: the X-Ray documents that reached the',
    '  UDP listener, by trace id.',
    '- **ingest**: one invocation held open while OTLP/protobuf batches serialized by OpenTelemetry’s SDK are',
    '  POSTed to the extension’s receiver, once as fast as it answers and once paced at the budget’s rate; lost =',
    '  acknowledged but never at the sink, SHUTDOWN drain included.',
    '',
    'Run it: `npm run build:layer && npm run bench` (options: `node bench/run.ts --cold N --peer-cold N --first N --warm N',
    '--ingest-spans N --cpus none,1 --machine-state TEXT --out FILE --no-write`).',
    '',
  );
  return out.join('\n');
}
