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

/** One line to write (or, without `line`, a record too large for any line), and how many records it holds. */
interface LineStep {
  readonly line?: string;
  readonly items: number;
}

/** Spans then logs as OTLP/JSON lines, each encoded only when it is asked for. */
function* jsonLines(spans: readonly SpanItem[], logs: readonly LogItem[], maxLineBytes: number): Generator<LineStep, void, undefined> {
  const limits = { maxItems: Number.MAX_SAFE_INTEGER, maxBytes: maxLineBytes - markerPrefix.length };
  const parts = [
    requestsOf(spans, limits, (chunk) => encodeTraceRequest(groupSpans(chunk), 'json'), estimateJsonBytes),
    requestsOf(logs, limits, (chunk) => encodeLogsRequest(groupLogs(chunk), 'json'), estimateJsonBytes),
  ];
  for (const steps of parts) {
    for (const step of steps) yield step.kind === 'request' ? { line: withMarker(step.body), items: step.items.length } : { items: 1 };
  }
}

/**
 * Writes spans then logs as OTLP/JSON lines (without the trailing newline; the default writer adds it).
 * @example
 * const { lines } = writeOtlpJsonLines(spanItems, logItems); // to stdout
 */
export function writeOtlpJsonLines(
  spans: readonly SpanItem[],
  logs: readonly LogItem[],
  write: (line: string) => void = writeStdout,
  options: { maxLineBytes?: number } = {},
): StdoutLinesResult {
  const result: StdoutLinesResult = { lines: 0, dropped: 0, unwritten: 0 };
  for (const step of jsonLines(spans, logs, options.maxLineBytes ?? DEFAULT_MAX_LINE_BYTES)) {
    if (step.line === undefined) {
      result.dropped += step.items;
      continue;
    }
    write(step.line);
    result.lines++;
  }
  return result;
}

export interface TimedWriteOptions {
  readonly maxLineBytes?: number;
  /** Writes one line (newline added by the writer); false when the output is backed up. */
  readonly write: (line: string) => boolean;
  /** Resolves when the output has taken what was written, or at `untilMs`; true if it did. */
  readonly waitForRoom: (untilMs: number) => Promise<boolean>;
  readonly untilMs: number;
  readonly now: () => number;
}

/**
 * Writes spans then logs as OTLP/JSON lines until `untilMs`: each line is encoded just before it
 * is written, and the next one only once the output has taken it (a pipe that is read slowly holds
 * the writer, not the process's memory). What was not written by then, including a last line the
 * output had not taken, is counted in `unwritten`.
 */
export async function writeOtlpJsonLinesWithin(spans: readonly SpanItem[], logs: readonly LogItem[], options: TimedWriteOptions): Promise<StdoutLinesResult> {
  const result: StdoutLinesResult = { lines: 0, dropped: 0, unwritten: 0 };
  const total = spans.length + logs.length;
  let done = 0;
  if (options.now() < options.untilMs) {
    for (const step of jsonLines(spans, logs, options.maxLineBytes ?? DEFAULT_MAX_LINE_BYTES)) {
      if (step.line === undefined) {
        result.dropped += step.items;
      } else if (!options.write(step.line) && !(await options.waitForRoom(options.untilMs))) {
        // Out of time with this line still queued: it may never leave the process.
        done += step.items;
        result.unwritten += step.items;
        break;
      } else {
        result.lines++;
      }
      done += step.items;
      if (options.now() >= options.untilMs) break;
    }
  }
  result.unwritten += total - done;
  return result;
}
