// BENCHMARKS.md, written by `npm run bench`.
import type { BenchOptions, BenchResult } from './bench.ts';
import { unmeasuredWarmInvokes } from './phases/warm.ts';
import { markdownTable } from './report.ts';

export function renderMarkdown(result: BenchResult, options: Omit<BenchOptions, 'log'>): string {
  const { machine } = result;
  const out: string[] = [
    '# Benchmarks',
    '',
    'Written by `npm run bench` (bench/run.ts); do not edit by hand. The same small handler',
    '(bench/fixtures/handler: an async function that sums a few numbers and returns JSON, no spans of its',
    "own) runs three ways in the emulator under AWS's runtime client, interleaved A B C A B C … in one",
    'process tree, so that all three share the machine’s state at every moment:',
    '',
    '- **A bare**: no layer.',
    '- **B lambda-otel**: the built layer (a copy of `dist/layer` taken when the run starts) with default settings,',
    '  `AWS_LAMBDA_EXEC_WRAPPER=/opt/lambda-otel-handler`, the extension exporting OTLP to a sink on loopback.',
    '- **C upstream recipe**: what the OpenTelemetry Lambda layer assembles — `@opentelemetry/instrumentation-aws-lambda`',
    '  + `instrumentation-http` + tracer provider + `BatchSpanProcessor` + OTLP/HTTP protobuf exporter, bundled with',
    '  esbuild into one preload loaded with `--import`; the aws-lambda instrumentation force-flushes before every',
    '  invoke returns. Because the runtime client loads handlers with `import()`, the preload registers',
    "  import-in-the-middle's ESM loader hook (kept outside the bundle, as upstream ships it); without it C",
    '  exports nothing. `@opentelemetry/sdk-trace-node` 2.x requires `@opentelemetry/api` < 1.10, so its 3.x',
    '  equivalent is used: `TracerProvider` from `@opentelemetry/sdk-trace` 3.1.1 with the AsyncLocalStorage',
    '  context manager and W3C propagators (what `NodeTracerProvider.register()` did).',
    '',
    'To tell where B’s cost comes from, the same runs also interleave **P** (the layer’s plugin alone), **E** (its',
    'extension alone), **X** (a no-op Node extension registered for INVOKE) and C without its ESM hook.',
    '',
    '## Run',
    '',
    `| | |`,
    `| --- | --- |`,
    `| date | ${machine.date} |`,
    `| machine | ${machine.cpu}, ${machine.cores} cores, ${machine.memoryGiB.toFixed(1)} GiB |`,
    `| Node | ${machine.node} (runtime processes), aws-lambda-ric ${machine.ric} |`,
    `| runs | ${options.coldRuns} cold starts and ${options.warmInvokes} measured warm invokes per variant (after ${unmeasuredWarmInvokes} unmeasured, the first a cold start); ingest ${options.ingest.spans} spans as fast as accepted, then ${options.ingestPaced.spans} at ${options.ingestPaced.rateSpansPerSec} spans/s |`,
    `| layer | dist/layer as built at ${result.sizes.layerBuiltAt} |`,
    `| duration | ${(result.totalMs / 1000).toFixed(1)} s |`,
    `| budgets missed | ${result.missed.length === 0 ? 'none' : result.missed.join('; ')} |`,
    '',
    'Medians (p50) and 95th percentiles (nearest rank). Budgets are those of DESIGN.md; ❌ marks a missed one.',
    '',
  ];
  for (const section of result.sections) {
    out.push(`## ${section.title}`, '', markdownTable(section), '');
    if (section.note) out.push(section.note, '');
  }
  out.push(
    '## How each figure is obtained',
    '',
    '- **total init**: the emulator’s `platform.initReport` duration (init start → the runtime and every extension',
    '  wait for their next event).',
    '- **runtime init**: the runtime process’s start → its first `/next` (`platform.initRuntimeDone`). The emulator',
    '  starts the runtime once every extension has registered, so for B this is counted from the registration.',
    '- **extension registered / ready**: init start → the extension’s `/register` (from `env.registrations`), and',
    '  → its first `/event/next`; where the emulator does not record that moment, the init’s end is shown',
    '  instead (an upper bound, marked “≤”).',
    '- **response latency**: invoke sent → response received; **post-runtime**: response received → every',
    '  process waits for its next event and the environment freezes (billed time after the response).',
    '- **memory**: `VmHWM` from /proc of the runtime’s and the extension’s process trees, sampled while frozen',
    '  before shutdown.',
    '- **delivery**: spans decoded by the sink (test/support/otlp-sink.ts) carrying the invocation’s request id',
    '  in `faas.invocation.id`, after the environments shut down.',
    '- **ingest**: one invocation held open while OTLP/protobuf batches serialized by OpenTelemetry’s SDK are',
    '  POSTed to the extension’s receiver, once as fast as it answers and once paced at the budget’s rate; accepted',
    '  rate = spans acknowledged / (first send → last acknowledgement); lost = acknowledged but never at the sink,',
    '  SHUTDOWN drain included.',
    '',
    'Run it: `npm run build:layer && npm run bench` (options: `node bench/run.ts --cold N --warm N --ingest-spans N --no-write`).',
    '',
  );
  return out.join('\n');
}
