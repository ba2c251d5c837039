// Which invocation a log line belongs to, and each invocation's log as CloudWatch shows it (START,
// the function's and extensions' lines, END, REPORT): the source of `X-Amz-Log-Result` and of the
// live log view. On demand one invocation runs at a time, so a line belongs to the one in flight;
// under Managed Instances the runtime client's lines name their request id (text or JSON format).
import type { CapturedLine, TelemetryEvent } from '../types.ts';
import { platformLines } from './platform-lines.ts';

/** One line of the log view: `platform` for Lambda's START/END/REPORT lines, else the process's name. */
export interface LogEntry {
  source: string;
  line: string;
  atMs: number;
  requestId?: string;
}

/** Invocations whose log is kept (for Tail), oldest forgotten first. */
const keptInvocations = 100;
const uuid = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

export class InvocationLogs {
  private readonly inFlight = new Set<string>();
  private readonly byRequest = new Map<string, LogEntry[]>();
  private readonly listener: ((entry: LogEntry) => void) | undefined;

  constructor(listener?: (entry: LogEntry) => void) {
    this.listener = listener;
  }

  /** A platform record: START opens an invocation's log, REPORT closes it. */
  platform(event: TelemetryEvent): void {
    const found = platformLines(event);
    if (!found) return;
    const atMs = Date.parse(event.time);
    if (event.type === 'platform.start') this.open(found.requestId);
    for (const line of found.lines) this.add({ source: 'platform', line, atMs, requestId: found.requestId });
    if (event.type === 'platform.report') this.inFlight.delete(found.requestId);
  }

  /** A process's output line, attributed to its invocation when that can be told. */
  output(captured: CapturedLine): LogEntry {
    const requestId = this.attribute(captured.line);
    const entry: LogEntry = { source: captured.source, line: captured.line, atMs: captured.atMs ?? Date.now(), ...(requestId ? { requestId } : {}) };
    this.add(entry);
    return entry;
  }

  /** Every line of one invocation, START to REPORT. */
  linesOf(requestId: string): LogEntry[] {
    return [...(this.byRequest.get(requestId) ?? [])];
  }

  /** The last `maxBytes` of an invocation's log text (X-Amz-Log-Result), cut at a line start when possible. */
  tail(requestId: string, maxBytes = 4096): string {
    const text = this.linesOf(requestId)
      .map((entry) => `${entry.line}\n`)
      .join('');
    const bytes = Buffer.from(text);
    if (bytes.length <= maxBytes) return text;
    const cut = bytes.subarray(bytes.length - maxBytes);
    const newline = cut.indexOf(0x0a);
    return (newline >= 0 && newline < cut.length - 1 ? cut.subarray(newline + 1) : cut).toString('utf8');
  }

  private open(requestId: string): void {
    this.inFlight.add(requestId);
    this.byRequest.set(requestId, []);
    while (this.byRequest.size > keptInvocations) this.byRequest.delete(this.byRequest.keys().next().value!);
  }

  private attribute(line: string): string | undefined {
    const named = requestIdIn(line);
    if (named && this.inFlight.has(named)) return named;
    if (this.inFlight.size === 1) return this.inFlight.values().next().value;
    return undefined;
  }

  private add(entry: LogEntry): void {
    if (entry.requestId) this.byRequest.get(entry.requestId)?.push(entry);
    this.listener?.(entry);
  }
}

/** The runtime client's text format `time\trequestId\tLEVEL\tmessage`, or a JSON line's `requestId`. */
function requestIdIn(line: string): string | undefined {
  const field = line.split('\t', 3)[1];
  if (field && uuid.test(field)) return field;
  if (line.startsWith('{')) {
    try {
      const parsed = JSON.parse(line) as { requestId?: unknown };
      if (typeof parsed.requestId === 'string') return parsed.requestId;
    } catch {
      // not JSON after all
    }
  }
  return undefined;
}
