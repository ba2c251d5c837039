// Where lambda-otel's time goes, for its owners: `node bench/profile.ts init|extension|invoke`.
//   init       the plugin's auto entry imported as the runtime client imports it, timed against the bare
//              handler, CPU-profiled; plus the cost of each node: built-in the plugin's bundle imports as ESM
//   extension  the layer's extension from exec to ready (a no-op runtime beside it), CPU-profiled
//   invoke     the per-invoke cost of wrap() (plugin source), timed against the bare handler, CPU-profiled
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { LambdaEnvironment } from '../packages/emulator/src/index.ts';
import { startOtlpSink } from '../test/support/otlp-sink.ts';
import { layerDir, node24, repoRoot } from '../test/support/paths.ts';
import { upstreamPreload } from './src/build-upstream.ts';
import { benchDir } from './src/paths.ts';
import { printSummary, summarizeProfile } from './src/profile/cpu-profile.ts';
import { median } from './src/stats.ts';
import { benchHandlerDir, variantOptions } from './src/variants.ts';

const pluginDir = join(layerDir, 'nodejs', 'node_modules', '@lambda-otel', 'instrument');
const runtimeEnv = {
  ...process.env,
  LAMBDA_TASK_ROOT: benchHandlerDir,
  LAMBDA_OTEL_ORIGINAL_HANDLER: 'index.handler',
  _HANDLER: join(pluginDir, 'auto.handler'),
  AWS_LAMBDA_FUNCTION_NAME: 'bench-fn',
  AWS_LAMBDA_FUNCTION_VERSION: '$LATEST',
  AWS_LAMBDA_FUNCTION_MEMORY_SIZE: '512',
  AWS_REGION: 'us-east-1',
  AWS_EXECUTION_ENV: 'AWS_Lambda_nodejs24.x',
};

function importMs(specifier: string, extraArgs: string[] = []): number {
  const script = `const t = performance.now(); await import(${JSON.stringify(specifier)}); console.log(performance.now() - t);`;
  return Number(
    execFileSync(node24, [...extraArgs, '--input-type=module', '-e', script], { env: runtimeEnv, encoding: 'utf8' })
      .trim()
      .split('\n')
      .pop(),
  );
}

function newestProfile(dir: string): string {
  const file = readdirSync(dir)
    .filter((name) => name.endsWith('.cpuprofile'))
    .sort()
    .pop();
  if (!file) throw new Error(`no profile written in ${dir}`);
  return join(dir, file);
}

async function profileInit(): Promise<void> {
  const runs = 7;
  const auto = Array.from({ length: runs }, () => importMs(join(pluginDir, 'auto.mjs')));
  const bare = Array.from({ length: runs }, () => importMs(join(benchHandlerDir, 'index.mjs')));
  console.log(`import of the plugin's auto entry (loads and wraps the handler): p50 ${median(auto).toFixed(1)} ms`);
  console.log(`import of the bare handler:                                      p50 ${median(bare).toFixed(1)} ms`);
  const dir = mkdtempSync(join(tmpdir(), 'bench-profile-'));
  try {
    importMs(join(pluginDir, 'auto.mjs'), ['--cpu-prof', `--cpu-prof-dir=${dir}`, '--cpu-prof-interval=50']);
    printSummary('auto entry import, CPU profile', summarizeProfile(newestProfile(dir)));
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
  // Importing a built-in as an ES module builds its ESM facade, which reads every export: for node:http
  // that runs lazy getters (undici). Compare with process.getBuiltinModule(), which does not.
  const builtins = new Set<string>();
  for (const file of readdirSync(pluginDir).filter((name) => /\.(m?js)$/.test(name))) {
    for (const match of readFileSync(join(pluginDir, file), 'utf8').matchAll(/from\s*["'](node:[a-z_/]+)["']/g)) builtins.add(match[1] as string);
  }
  console.log('\nbuilt-ins the plugin imports statically: ESM import vs process.getBuiltinModule (fresh process, p50 of 5)');
  for (const name of [...builtins].sort()) {
    const esm = median(Array.from({ length: 5 }, () => importMs(`data:text/javascript,import ${JSON.stringify(name)};`)));
    const cjs = median(
      Array.from({ length: 5 }, () =>
        Number(
          execFileSync(node24, ['-e', `const t = performance.now(); process.getBuiltinModule(${JSON.stringify(name)}); console.log(performance.now() - t)`], {
            encoding: 'utf8',
          }).trim(),
        ),
      ),
    );
    console.log(`  ${name.padEnd(22)} import ${esm.toFixed(1).padStart(5)} ms   getBuiltinModule ${cjs.toFixed(1).padStart(5)} ms`);
  }
}

async function profileExtension(): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), 'bench-profile-'));
  const sink = await startOtlpSink();
  try {
    const options = variantOptions('B', {
      sinkUrl: sink.url,
      receiverPort: 4318 + Math.floor(Math.random() * 1000) + 20_000,
      upstreamPreload,
      xrayDaemonAddress: '127.0.0.1:2000',
    });
    const { AWS_LAMBDA_EXEC_WRAPPER: _wrapper, ...env } = options.env ?? {};
    const probe = new LambdaEnvironment({
      ...options,
      env: { ...env, NODE_OPTIONS: `--cpu-prof --cpu-prof-dir=${dir} --cpu-prof-interval=50` },
      runtimeCommand: ['/bin/bash', join(benchDir, 'fixtures', 'minimal-runtime.sh')],
    });
    const outcome = await probe.init();
    const started = Date.parse(probe.events.find((event) => event.type === 'platform.initStart')?.time ?? '');
    console.log(
      `extension registered after ${((probe.registrations[0]?.atMs ?? Number.NaN) - started).toFixed(0)} ms, ready (init end) after ${outcome.durationMs.toFixed(1)} ms`,
    );
    await probe.shutdown();
    // The window: the extension's init, from its first sample.
    printSummary('extension init, CPU profile (first init-duration ms)', summarizeProfile(newestProfile(dir), outcome.durationMs));
  } finally {
    await sink.close();
    rmSync(dir, { recursive: true, force: true });
  }
}

async function profileInvoke(): Promise<void> {
  const sink = await startOtlpSink();
  Object.assign(process.env, runtimeEnv, { LAMBDA_OTEL_RECEIVER_PORT: String(sink.port) });
  const { wrap } = (await import('../packages/instrument/src/index.ts')) as {
    wrap: (handler: unknown) => (event: unknown, context: unknown) => Promise<unknown>;
  };
  const { handler } = (await import(join(benchHandlerDir, 'index.mjs'))) as { handler: (event: unknown) => Promise<unknown> };
  const wrapped = wrap(handler);
  const event = { items: [1, 2, 3, 4, 5, 6, 7, 8] };
  let n = 0;
  const context = () => ({
    awsRequestId: `00000000-0000-4000-8000-${String(++n).padStart(12, '0')}`,
    invokedFunctionArn: 'arn:aws:lambda:us-east-1:123456789012:function:bench-fn',
    functionName: 'bench-fn',
    functionVersion: '$LATEST',
    memoryLimitInMB: '512',
    logGroupName: '/aws/lambda/bench-fn',
    logStreamName: 'stream',
    callbackWaitsForEmptyEventLoop: true,
    getRemainingTimeInMillis: () => 3000,
  });
  // Like the runtime client: call, await, then let what was scheduled after the response run.
  const measure = async (fn: (event: unknown, context: unknown) => Promise<unknown>, count: number): Promise<number[]> => {
    const times: number[] = [];
    for (let index = 0; index < count; index++) {
      process.env._X_AMZN_TRACE_ID = `Root=1-00000000-${String(index).padStart(24, '0')};Parent=0000000000000001;Sampled=1`;
      const started = performance.now();
      await fn(event, context());
      times.push(performance.now() - started);
      await new Promise((resolve) => setImmediate(resolve));
    }
    return times;
  };
  await measure(wrapped, 500);
  await measure(handler, 500);
  const bare = median(await measure(handler, 3000));
  const instrumented = median(await measure(wrapped, 3000));
  console.log(
    `handler call → settled, p50 of 3000: bare ${(bare * 1000).toFixed(1)} µs, wrapped ${(instrumented * 1000).toFixed(1)} µs, added ${((instrumented - bare) * 1000).toFixed(1)} µs`,
  );
  const { Session } = await import('node:inspector/promises');
  const session = new Session();
  session.connect();
  await session.post('Profiler.enable');
  await session.post('Profiler.setSamplingInterval', { interval: 50 });
  await session.post('Profiler.start');
  await measure(wrapped, 3000);
  const { profile } = await session.post('Profiler.stop');
  const dir = mkdtempSync(join(tmpdir(), 'bench-profile-'));
  try {
    const file = join(dir, 'invoke.cpuprofile');
    (await import('node:fs')).writeFileSync(file, JSON.stringify(profile));
    printSummary(
      '3000 wrapped invokes, CPU profile (plugin frames)',
      summarizeProfile(file),
      20,
      (key) => key.includes('packages/instrument') || key.includes('@opentelemetry'),
    );
  } finally {
    rmSync(dir, { recursive: true, force: true });
    session.disconnect();
    await sink.close();
  }
  console.log(`\n(spans received by the local receiver: ${sink.spans().length})`);
}

const command = process.argv[2];
const commands: Record<string, () => Promise<void>> = { init: profileInit, extension: profileExtension, invoke: profileInvoke };
const run = command ? commands[command] : undefined;
if (!run) {
  console.error(`usage: node bench/profile.ts ${Object.keys(commands).join('|')} (repository ${repoRoot})`);
  process.exit(2);
}
await run();
