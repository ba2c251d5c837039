// lambda-emulator run | serve --function DIR --handler FILE.EXPORT ...
//   run:   init, every event, SHUTDOWN; a JSON report (--report) or a readable summary.
//   serve: Lambda's Invoke API on loopback until Ctrl-C.
// Both print the function's log lines live and a waterfall of each invocation's spans.
import { readFileSync } from 'node:fs';
import { parseCommandLine, usage, UsageError, type RunCommand, type ServeCommand } from './cli/arguments.ts';
import { ConsoleView } from './cli/console-view.ts';
import { runCommand } from './cli/run-command.ts';
import { serveCommand } from './cli/serve-command.ts';
import { receiverVariables, TraceView, wantsLocalReceiver } from './cli/trace-view.ts';
import { LambdaEnvironment } from './lambda-environment.ts';
import { OtlpReceiver } from './trace/otlp-receiver.ts';
import { resolveRuntimeNode, runtimeUnsupportedReason } from './runtime-node.ts';
import type { InitOutcome } from './sandbox/lifecycle.ts';

/** One line: a timeout names what did not happen, an extension's failure names the extension. */
function describeInitFailure(handler: string, init: InitOutcome): string {
  const message = (init.errorMessage ?? '').split('\n')[0];
  if (init.status === 'timeout') return `init failed: ${message}`;
  if (init.errorType?.startsWith('Extension.')) return `init failed: ${init.errorType}: ${message}`;
  return `handler ${handler} failed to load: ${init.errorType}: ${message}`;
}

async function main(argv: string[]): Promise<number> {
  if (argv.length === 0 || argv.includes('--help') || argv.includes('-h')) {
    process.stdout.write(`${usage}\n`);
    return argv.length === 0 ? 2 : 0;
  }
  let command: RunCommand | ServeCommand;
  try {
    command = parseCommandLine(argv, () => readFileSync(0, 'utf8'));
  } catch (error) {
    if (error instanceof UsageError) {
      process.stderr.write(`lambda-emulator: ${error.message}\n`);
      return 2;
    }
    throw error;
  }
  const unsupported = command.options.nodePath === undefined ? runtimeUnsupportedReason() : undefined;
  if (unsupported !== undefined) {
    process.stderr.write(`lambda-emulator: ${unsupported}\n`);
    return 1;
  }
  const view = new ConsoleView(process.stdout, command.quiet);
  const userEnv = command.options.env ?? {};
  const receiver = wantsLocalReceiver(userEnv) ? new OtlpReceiver() : undefined;
  const receiverUrl = await receiver?.start();
  const traces = new TraceView(receiver, view, command.traceHtmlPath);
  const lambda = new LambdaEnvironment({
    ...command.options,
    env: receiverUrl ? { ...receiverVariables(receiverUrl, userEnv), ...userEnv } : userEnv,
    onLogEntry: (entry) => view.logEntry(entry),
    ...(command.command === 'serve'
      ? {
          onResult: (result) => {
            view.result(result);
            void traces.afterInvocation(result);
          },
        }
      : {}),
  });
  traces.attach(lambda);
  let stop!: () => void;
  const stopped = new Promise<void>((resolveStop) => (stop = resolveStop));
  const onSignal = () => {
    if (command.command === 'serve') stop();
    else void lambda.shutdown().then(() => process.exit(130));
  };
  process.once('SIGINT', onSignal);
  process.once('SIGTERM', onSignal);

  const init = await lambda.init();
  if (!init.ok) {
    if (command.command === 'run') {
      await lambda.shutdown();
      await traces.close();
      process.stderr.write(`lambda-emulator: ${describeInitFailure(command.options.handler, init)}\n`);
      return 1;
    }
    // serve keeps going: the next invoke inits again (and answers with the init error if it fails).
    process.stderr.write(`lambda-emulator: ${describeInitFailure(command.options.handler, init)} (the next invoke inits again)\n`);
  }
  const runtimeNode = command.options.nodePath ? `Node at ${command.options.nodePath} (--node)` : resolveRuntimeNode().description;
  const loopback = await lambda.loopbackPorts();
  const port = loopback.source === 'env' ? 'from --env' : 'a free port for this sandbox';
  process.stderr.write(`lambda-emulator: runtime ${runtimeNode}; LAMBDA_OTEL_RECEIVER_PORT=${loopback.receiverPort} (${port})\n`);
  process.stderr.write(
    receiverUrl
      ? `lambda-emulator: trace view: spans received at ${receiverUrl} (OTEL_EXPORTER_OTLP_ENDPOINT)\n`
      : 'lambda-emulator: trace view: an OTLP endpoint is configured, so only the platform timings are shown\n',
  );
  try {
    if (command.command === 'serve') return await serveCommand(command, lambda, view, stopped);
    return await runCommand(
      command,
      lambda,
      view,
      (result) => traces.afterInvocation(result, true),
      () => traces.printLate(),
    );
  } finally {
    await traces.close();
  }
}

main(process.argv.slice(2)).then(
  (code) => process.exit(code),
  (error: unknown) => {
    process.stderr.write(`lambda-emulator: ${(error as Error)?.message?.split('\n')[0] ?? String(error)}\n`);
    process.exit(1);
  },
);
