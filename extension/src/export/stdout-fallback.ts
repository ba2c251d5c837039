// Telemetry as OTLP/JSON lines on stdout: one ExportTraceServiceRequest or ExportLogsServiceRequest
// per line, each line short enough that CloudWatch Logs keeps it as one event (events are capped at
// 256 KiB). Used by the stdout exporter and as the last resort at SHUTDOWN, so data is never lost
// silently. Every line also carries `"logger":"lambda-otel"` (ignored by OTLP/JSON readers, which
// skip unknown fields) so the extension recognises its own lines in the Telemetry API stream.
import { OWN_LOGGER_NAME } from '../logger.ts';
import { encodeLogsRequest, encodeTraceRequest } from '../otlp/encode.ts';
import { estimateWireBytes, groupLogs, groupSpans, type LogItem, type SpanItem } from '../otlp/types.ts';
import { requestsOf } from './batch-split.ts';

export const DEFAULT_MAX_LINE_BYTES = 200 * 1024;

// `{"logger":"lambda-otel",` in front of the request object's own keys.
const markerPrefix = `{"logger":${JSON.stringify(OWN_LOGGER_NAME)},`;

export interface StdoutLinesResult {
  lines: number;
  /** Records that alone exceed the line limit and were not written. */
  dropped: number;
  /** Records not written because the time given ran out (see `untilMs`). */
  unwritten: number;
}

function withMarker(json: Buffer): string {
  const text = json.toString('utf8');
  return text === '{}' ? `${markerPrefix.slice(0, -1)}}` : markerPrefix + text.slice(1);
}

function writeStdout(line: string): void {
  process.stdout.write(line + '\n');
}

// JSON spells ids in hex and quotes numbers: roughly twice the protobuf estimate.
const estimateJsonBytes = (item: SpanItem | LogItem): number => 2 * estimateWireBytes(item);

/**
 * Writes spans then logs as OTLP/JSON lines (without the trailing newline; the default writer adds
 * it), encoding each line just before it is written. With `untilMs`, stops before a line that would
 * start past it: what is left is counted in `unwritten`, so a caller with a deadline always gets
 * its time back.
 * @example
 * const { lines } = writeOtlpJsonLines(spanItems, logItems); // to stdout
 */
export function writeOtlpJsonLines(
  spans: readonly SpanItem[],
  logs: readonly LogItem[],
  write: (line: string) => void = writeStdout,
  options: { maxLineBytes?: number; untilMs?: number; now?: () => number } = {},
): StdoutLinesResult {
  const maxBytes = (options.maxLineBytes ?? DEFAULT_MAX_LINE_BYTES) - markerPrefix.length;
  const limits = { maxItems: Number.MAX_SAFE_INTEGER, maxBytes };
  const result: StdoutLinesResult = { lines: 0, dropped: 0, unwritten: 0 };
  const now = options.now ?? Date.now;
  const untilMs = options.untilMs ?? Infinity;
  const parts = [
    { items: spans, steps: requestsOf(spans, limits, (chunk) => encodeTraceRequest(groupSpans(chunk), 'json'), estimateJsonBytes) },
    { items: logs, steps: requestsOf(logs, limits, (chunk) => encodeLogsRequest(groupLogs(chunk), 'json'), estimateJsonBytes) },
  ];
  for (const { items, steps } of parts) {
    let done = 0;
    if (now() < untilMs) {
      for (const step of steps) {
        if (step.kind === 'oversized') result.dropped++;
        else {
          write(withMarker(step.body));
          result.lines++;
        }
        done = step.restFrom;
        if (now() >= untilMs) break;
      }
    }
    result.unwritten += items.length - done;
  }
  return result;
}
