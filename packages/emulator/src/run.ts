// runEmulator: init, every event in order (`repeat` times, `concurrency` at once under Managed
// Instances), then SHUTDOWN; returns the report.
import { LambdaEnvironment } from './lambda-environment.ts';
import type { EmulatorReport, InvocationResult, RunOptions } from './types.ts';

export async function runEmulator(options: RunOptions): Promise<EmulatorReport> {
  const env = new LambdaEnvironment(options);
  const repeat = options.repeat ?? 1;
  const concurrency = options.maxConcurrency === undefined ? 1 : Math.max(1, options.concurrency ?? 1);
  const events: unknown[] = [];
  for (let round = 0; round < repeat; round += 1) events.push(...options.events);
  try {
    let next = 0;
    const worker = async () => {
      while (next < events.length) {
        const index = next++;
        const result: InvocationResult = await env.invoke(events[index]);
        options.onInvocation?.(result, index);
      }
    };
    await Promise.all(Array.from({ length: Math.min(concurrency, Math.max(1, events.length)) }, worker));
  } finally {
    await env.shutdown();
  }
  return env.report();
}
