// `lambda-emulator run`: init, every event in order (`--repeat` times, `--concurrency` at once under
// Managed Instances), SHUTDOWN; then the report. Exits 1 when an invocation did not succeed.
import { writeFileSync } from 'node:fs';
import type { LambdaEnvironment } from '../lambda-environment.ts';
import type { InvocationResult } from '../types.ts';
import type { RunCommand } from './arguments.ts';
import type { ConsoleView } from './console-view.ts';

export async function runCommand(
  run: RunCommand,
  lambda: LambdaEnvironment,
  view: ConsoleView,
  afterInvocation: (result: InvocationResult) => Promise<void>,
  afterShutdown: () => void,
): Promise<number> {
  const events: unknown[] = [];
  for (let round = 0; round < run.repeat; round += 1) events.push(...run.events);
  let next = 0;
  let done = 0;
  const worker = async () => {
    while (next < events.length) {
      const result = await lambda.invoke(events[next++]);
      done += 1;
      process.stderr.write(`[${done}/${events.length}] ${result.requestId} ${result.status} in ${result.durationMs.toFixed(1)} ms\n`);
      view.result(result);
      await afterInvocation(result);
    }
  };
  await Promise.all(Array.from({ length: Math.min(run.concurrency, events.length) }, worker));
  const shutdown = await lambda.shutdown();
  afterShutdown();
  const report = await lambda.report();
  const failed = report.invocations.filter((result) => result.status !== 'success');
  if (run.reportPath) {
    writeFileSync(run.reportPath, JSON.stringify(report, null, 2) + '\n');
    process.stderr.write(`lambda-emulator: ${report.invocations.length} invocation(s), report written to ${run.reportPath}\n`);
  } else {
    const processes = shutdown.processes.map((proc) => `${proc.name} ${proc.killed ? 'killed' : `exited ${proc.exitCode}`}`).join(', ');
    view.text(`shutdown (${shutdown.reason}) in ${shutdown.durationMs.toFixed(1)} ms: ${processes || 'no processes'}`);
    view.text(
      `${report.invocations.length} invocation(s), ${failed.length} failed; ${report.events.length} platform event(s), ${report.logs.length} log line(s)`,
    );
  }
  if (failed.length === 0) return 0;
  const which = failed.map((result) => `${result.requestId} ${result.status}${result.errorType ? ` ${result.errorType}` : ''}`).join(', ');
  if (run.allowFailures) {
    process.stderr.write(
      `lambda-emulator: ${failed.length} of ${report.invocations.length} invocation(s) did not succeed (--allow-failures: exit 0): ${which}\n`,
    );
    return 0;
  }
  process.stderr.write(`lambda-emulator: ${failed.length} of ${report.invocations.length} invocation(s) did not succeed: ${which}\n`);
  return 1;
}
