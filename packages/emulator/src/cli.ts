// lambda-emulator run --function DIR --handler FILE.EXPORT [--layer DIR]... [--event FILE]... ...
// Runs init, every event, then SHUTDOWN; writes a JSON report (--report) or prints a summary.
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { basename, dirname, join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { LambdaEnvironment } from './lambda-environment.ts';
import { resolveRuntimeNode, runtimeUnsupportedReason } from './runtime-node.ts';
import type { InitOutcome } from './sandbox/lifecycle.ts';
import type { EmulatorOptions, InvocationResult } from './types.ts';

const usage = `usage: lambda-emulator run --function DIR --handler FILE.EXPORT [--layer DIR]... [--node PATH]
         [--event FILE]... [--repeat N] [--concurrency N] [--timeout S] [--memory MB]
         [--max-concurrency N] [--cpus N] [--env K=V]... [--report FILE]`;

class UsageError extends Error {}

interface CliRun {
  options: EmulatorOptions;
  events: unknown[];
  repeat: number;
  concurrency: number;
  reportPath: string | undefined;
}

function parseCommandLine(argv: string[]): CliRun {
  const [command, ...rest] = argv;
  if (command !== 'run') throw new UsageError(command ? `unknown command ${JSON.stringify(command)}` : 'missing command "run"');
  let parsed;
  try {
    parsed = parseArgs({
      args: rest,
      strict: true,
      allowPositionals: false,
      options: {
        function: { type: 'string' },
        handler: { type: 'string' },
        layer: { type: 'string', multiple: true },
        node: { type: 'string' },
        event: { type: 'string', multiple: true },
        repeat: { type: 'string' },
        concurrency: { type: 'string' },
        timeout: { type: 'string' },
        memory: { type: 'string' },
        'max-concurrency': { type: 'string' },
        cpus: { type: 'string' },
        env: { type: 'string', multiple: true },
        report: { type: 'string' },
      },
    });
  } catch (error) {
    throw new UsageError((error as Error).message.split('\n')[0] ?? 'bad arguments');
  }
  const values = parsed.values;
  if (!values.function) throw new UsageError('--function DIR is required');
  if (!values.handler) throw new UsageError('--handler FILE.EXPORT is required');
  const functionDir = resolve(values.function);
  if (!existsSync(functionDir)) throw new UsageError(`--function ${values.function}: no such directory`);
  checkHandlerFile(functionDir, values.handler);
  const env: Record<string, string> = {};
  for (const pair of values.env ?? []) {
    const at = pair.indexOf('=');
    if (at <= 0) throw new UsageError(`--env ${pair}: expected K=V`);
    env[pair.slice(0, at)] = pair.slice(at + 1);
  }
  const events = (values.event ?? []).map((file) => {
    try {
      return JSON.parse(readFileSync(file, 'utf8')) as unknown;
    } catch (error) {
      throw new UsageError(`--event ${file}: ${(error as Error).message.split('\n')[0]}`);
    }
  });
  const options: EmulatorOptions = { functionDir, handler: values.handler, layers: values.layer ?? [], env };
  if (values.node) options.nodePath = values.node;
  if (values.timeout) options.timeoutSec = number('--timeout', values.timeout, false);
  if (values.memory) options.memoryMb = number('--memory', values.memory);
  if (values['max-concurrency']) options.maxConcurrency = number('--max-concurrency', values['max-concurrency']);
  if (values.cpus) options.cpus = number('--cpus', values.cpus, false);
  const concurrency = values.concurrency ? number('--concurrency', values.concurrency) : 1;
  if (concurrency > 1 && options.maxConcurrency === undefined) throw new UsageError('--concurrency needs --max-concurrency (Managed Instances mode)');
  return {
    options,
    events: events.length > 0 ? events : [{}],
    repeat: values.repeat ? number('--repeat', values.repeat) : 1,
    concurrency,
    reportPath: values.report,
  };
}

function number(flag: string, text: string, integer = true): number {
  const value = Number(text);
  if (!Number.isFinite(value) || value <= 0 || (integer && !Number.isInteger(value))) {
    throw new UsageError(`${flag} ${text}: expected a positive ${integer ? 'integer' : 'number'}`);
  }
  return value;
}

/** The module the runtime client would load for FILE.EXPORT: FILE, FILE.js, FILE.mjs or FILE.cjs. */
function checkHandlerFile(functionDir: string, handler: string): void {
  const name = basename(handler);
  const dot = name.indexOf('.');
  if (dot <= 0 || dot === name.length - 1) throw new UsageError(`--handler ${handler}: expected FILE.EXPORT (e.g. index.handler)`);
  const base = join(resolve(functionDir, dirname(handler)), name.slice(0, dot));
  if (!['', '.js', '.mjs', '.cjs'].some((extension) => existsSync(base + extension))) {
    throw new UsageError(`--handler ${handler}: handler file not found: ${base}(.js|.mjs|.cjs)`);
  }
}

/** One line: a timeout names what did not happen, an extension's failure names the extension. */
function describeInitFailure(handler: string, init: InitOutcome): string {
  const message = (init.errorMessage ?? '').split('\n')[0];
  if (init.status === 'timeout') return `init failed: ${message}`;
  if (init.errorType?.startsWith('Extension.')) return `init failed: ${init.errorType}: ${message}`;
  return `handler ${handler} failed to load: ${init.errorType}: ${message}`;
}

function describe(result: InvocationResult): string {
  const init = result.initDurationMs !== undefined ? ` (init ${result.initDurationMs.toFixed(1)} ms)` : '';
  const error = result.errorType ? ` ${result.errorType}: ${result.errorMessage ?? ''}` : '';
  return `${result.status} in ${result.durationMs.toFixed(1)} ms${init}${error}`;
}

async function main(argv: string[]): Promise<number> {
  if (argv.length === 0 || argv.includes('--help') || argv.includes('-h')) {
    process.stdout.write(`${usage}\n`);
    return argv.length === 0 ? 2 : 0;
  }
  let run: CliRun;
  try {
    run = parseCommandLine(argv);
  } catch (error) {
    if (error instanceof UsageError) {
      process.stderr.write(`lambda-emulator: ${error.message}\n`);
      return 2;
    }
    throw error;
  }
  const unsupported = run.options.nodePath === undefined ? runtimeUnsupportedReason() : undefined;
  if (unsupported !== undefined) {
    process.stderr.write(`lambda-emulator: ${unsupported}\n`);
    return 1;
  }
  const env = new LambdaEnvironment(run.options);
  const stopOnSignal = () => void env.shutdown().then(() => process.exit(130));
  process.once('SIGINT', stopOnSignal);
  process.once('SIGTERM', stopOnSignal);
  const init = await env.init();
  if (!init.ok) {
    await env.shutdown();
    process.stderr.write(`lambda-emulator: ${describeInitFailure(run.options.handler, init)}\n`);
    return 1;
  }
  const runtimeNode = run.options.nodePath ? `Node at ${run.options.nodePath} (--node)` : resolveRuntimeNode().description;
  const loopback = await env.loopbackPorts();
  const port = loopback.source === 'env' ? 'from --env' : 'a free port for this sandbox';
  process.stderr.write(`lambda-emulator: runtime ${runtimeNode}; LAMBDA_OTEL_RECEIVER_PORT=${loopback.receiverPort} (${port})\n`);
  const events: unknown[] = [];
  for (let round = 0; round < run.repeat; round += 1) events.push(...run.events);
  let next = 0;
  let done = 0;
  const worker = async () => {
    while (next < events.length) {
      const result = await env.invoke(events[next++]);
      done += 1;
      process.stderr.write(`[${done}/${events.length}] ${result.requestId} ${describe(result)}\n`);
    }
  };
  await Promise.all(Array.from({ length: Math.min(run.concurrency, events.length) }, worker));
  const shutdown = await env.shutdown();
  const report = await env.report();
  if (run.reportPath) {
    writeFileSync(run.reportPath, JSON.stringify(report, null, 2) + '\n');
    process.stderr.write(`lambda-emulator: ${report.invocations.length} invocation(s), report written to ${run.reportPath}\n`);
    return 0;
  }
  for (const result of report.invocations) {
    process.stdout.write(`${result.requestId}  ${describe(result)}\n  response: ${JSON.stringify(result.response)}\n`);
  }
  const processes = shutdown.processes.map((proc) => `${proc.name} ${proc.killed ? 'killed' : `exited ${proc.exitCode}`}`).join(', ');
  process.stdout.write(`shutdown (${shutdown.reason}) in ${shutdown.durationMs.toFixed(1)} ms: ${processes || 'no processes'}\n`);
  process.stdout.write(`${report.events.length} platform event(s), ${report.logs.length} log line(s)\n`);
  for (const log of report.logs) process.stdout.write(`  [${log.source}] ${log.line}\n`);
  return 0;
}

main(process.argv.slice(2)).then(
  (code) => process.exit(code),
  (error: unknown) => {
    process.stderr.write(`lambda-emulator: ${(error as Error)?.message?.split('\n')[0] ?? String(error)}\n`);
    process.exit(1);
  },
);
