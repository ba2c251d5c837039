// D's delivery: dd-trace's log exporter writes each finished trace as one `{"traces":[[span, …]]}`
// line on stdout (for the Datadog forwarder). An invocation is delivered when such a line holds its
// aws.lambda span, which carries the invocation's request id in meta.request_id.
import type { CapturedLine } from '../../../packages/emulator/src/types.ts';

interface LoggedSpan {
  name?: unknown;
  meta?: { request_id?: unknown };
}

export interface LoggedTraces {
  /** Request ids of the aws.lambda spans found in the log. */
  requestIds: string[];
  /** Every span found in trace lines. */
  spans: number;
}

export function datadogTracesInLog(lines: readonly CapturedLine[]): LoggedTraces {
  const requestIds: string[] = [];
  let spans = 0;
  for (const { line } of lines) {
    if (!line.startsWith('{"traces":')) continue;
    let traces: unknown;
    try {
      traces = (JSON.parse(line) as { traces?: unknown }).traces;
    } catch {
      continue;
    }
    if (!Array.isArray(traces)) continue;
    for (const trace of traces as unknown[]) {
      if (!Array.isArray(trace)) continue;
      for (const span of trace as LoggedSpan[]) {
        spans++;
        if (span.name === 'aws.lambda' && typeof span.meta?.request_id === 'string') requestIds.push(span.meta.request_id);
      }
    }
  }
  return { requestIds, spans };
}
