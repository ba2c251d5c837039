// One invocation's trace as a tree: its root span (the span whose faas.invocation.id is the request
// id) and every span of that trace, children under parents in start order, and each log line of the
// invocation under the deepest span that was open when it was written. Without spans from the
// function (no layer, or telemetry sent elsewhere) the platform's own timings stand in for them.
import type { LogEntry } from '../logs/invocation-logs.ts';
import type { InvocationResult, InvocationStatus, TelemetryEvent } from '../types.ts';
import type { TraceSpan } from './trace-span.ts';

/**
 * The invocation a span roots: `faas.invocation.id` (semantic conventions 1.45), or the older
 * `faas.invocation_id` that other SDKs' Lambda instrumentations still write.
 */
export function invocationIdOf(attributes: Readonly<Record<string, unknown>>): unknown {
  return attributes['faas.invocation.id'] ?? attributes['faas.invocation_id'];
}

export interface TraceNode {
  span: TraceSpan;
  depth: number;
  children: TraceNode[];
  logs: LogEntry[];
}

export interface InvocationTrace {
  requestId: string;
  status: InvocationStatus;
  errorType: string | undefined;
  traceId: string;
  /** `otlp`: spans the function exported; `platform`: only the emulator's own timings. */
  source: 'otlp' | 'platform';
  startMs: number;
  endMs: number;
  roots: TraceNode[];
  /** Lines that fall in no span (written before the first or after the last). */
  looseLogs: LogEntry[];
}

export function buildInvocationTrace(
  result: InvocationResult,
  spans: readonly TraceSpan[],
  events: readonly TelemetryEvent[],
  logs: readonly LogEntry[],
): InvocationTrace {
  const roots = spans.filter((span) => invocationIdOf(span.attributes) === result.requestId);
  const traceIds = new Set(roots.map((span) => span.traceId));
  let members = spans.filter((span) => traceIds.has(span.traceId));
  const source = members.length > 0 ? 'otlp' : 'platform';
  if (members.length === 0) members = platformSpans(result, events);
  const tree = buildTree(members);
  const outputLines = logs.filter((entry) => entry.source !== 'platform');
  const looseLogs = placeLogs(tree, outputLines);
  const times = [...members.flatMap((span) => [span.startMs, span.endMs]), ...outputLines.map((entry) => entry.atMs)];
  return {
    requestId: result.requestId,
    status: result.status,
    errorType: result.errorType,
    traceId: members[0]?.traceId ?? '',
    source,
    startMs: Math.min(...times),
    endMs: Math.max(...times),
    roots: tree,
    looseLogs,
  };
}

/** Every node of the tree, depth first, in display order. */
export function flatten(nodes: readonly TraceNode[]): TraceNode[] {
  return nodes.flatMap((node) => [node, ...flatten(node.children)]);
}

function buildTree(spans: readonly TraceSpan[]): TraceNode[] {
  const nodes = new Map(spans.map((span) => [span.spanId, { span, depth: 0, children: [], logs: [] } as TraceNode]));
  const roots: TraceNode[] = [];
  for (const node of nodes.values()) {
    const parent = node.span.parentSpanId ? nodes.get(node.span.parentSpanId) : undefined;
    if (parent && parent !== node) parent.children.push(node);
    else roots.push(node);
  }
  const order = (list: TraceNode[], depth: number) => {
    list.sort((a, b) => a.span.startMs - b.span.startMs);
    for (const node of list) {
      node.depth = depth;
      order(node.children, depth + 1);
    }
  };
  order(roots, 0);
  return roots;
}

/**
 * Each line goes under the span current when it was written: the span its `span_id` names (JSON lines
 * of a correlated logger), else by time. Lambda's log timestamps and OTel's span starts are whole
 * milliseconds (a span's end is its start plus an exact duration, so up to 1 ms early). Of the spans
 * surely started before the line, the latest started is current (on a tie, one not yet ended, then the
 * deepest); when only
 * spans started in the line's own millisecond qualify, the outermost of them is.
 */
function placeLogs(roots: readonly TraceNode[], logs: readonly LogEntry[]): LogEntry[] {
  const all = flatten(roots);
  const bySpanId = new Map(all.map((node) => [node.span.spanId, node]));
  const loose: LogEntry[] = [];
  for (const entry of logs) {
    const named = spanIdIn(entry.line);
    const open = all.filter((node) => entry.atMs >= node.span.startMs && entry.atMs <= node.span.endMs + 1);
    const surelyBefore = open.filter((node) => node.span.startMs < Math.floor(entry.atMs));
    const best =
      (named ? bySpanId.get(named) : undefined) ??
      pick(
        surelyBefore,
        (a, b) => a.span.startMs - b.span.startMs || Number(a.span.endMs >= entry.atMs) - Number(b.span.endMs >= entry.atMs) || a.depth - b.depth,
      ) ??
      pick(open, (a, b) => b.depth - a.depth);
    if (best) best.logs.push(entry);
    else loose.push(entry);
  }
  return loose;
}

/** The greatest node by `compare`, the first on a tie. */
function pick(nodes: readonly TraceNode[], compare: (a: TraceNode, b: TraceNode) => number): TraceNode | undefined {
  return nodes.reduce<TraceNode | undefined>((best, node) => (!best || compare(node, best) > 0 ? node : best), undefined);
}

function spanIdIn(line: string): string | undefined {
  if (!line.startsWith('{')) return undefined;
  try {
    const parsed = JSON.parse(line) as { span_id?: unknown; spanId?: unknown };
    const id = parsed.span_id ?? parsed.spanId;
    return typeof id === 'string' ? id : undefined;
  } catch {
    return undefined;
  }
}

interface PlatformRecord {
  requestId?: string;
  spans?: { name: string; start: string; durationMs: number }[];
  metrics?: { durationMs?: number };
  tracing?: { value?: string };
}

/** The invocation (platform.start → its duration) with runtimeDone's spans as children. */
function platformSpans(result: InvocationResult, events: readonly TelemetryEvent[]): TraceSpan[] {
  const mine = events.filter((event) => (event.record as PlatformRecord)?.requestId === result.requestId);
  const start = mine.find((event) => event.type === 'platform.start');
  const runtimeDone = mine.find((event) => event.type === 'platform.runtimeDone')?.record as PlatformRecord | undefined;
  const startMs = start ? Date.parse(start.time) : Date.now() - result.durationMs;
  const traceId = /Root=1-([0-9a-f]{8})-([0-9a-f]{24})/.exec((start?.record as PlatformRecord | undefined)?.tracing?.value ?? '');
  const base = {
    traceId: traceId ? traceId[1]! + traceId[2]! : '',
    kind: 'internal' as const,
    statusMessage: '',
    events: [],
    links: [],
    service: 'platform',
  };
  const failed = result.status !== 'success';
  const root: TraceSpan = {
    ...base,
    spanId: 'invoke',
    parentSpanId: '',
    name: `Invoke ${result.status}`,
    kind: 'server',
    status: failed ? 'error' : 'unset',
    statusMessage: failed ? `${result.errorType ?? ''}: ${result.errorMessage ?? ''}` : '',
    startMs,
    endMs: startMs + result.durationMs,
    attributes: { 'faas.invocation.id': result.requestId, ...(result.initDurationMs !== undefined ? { 'faas.coldstart': true } : {}) },
  };
  const phases: TraceSpan[] = (runtimeDone?.spans ?? []).map((span) => {
    const phaseStart = Date.parse(span.start);
    return {
      ...base,
      spanId: span.name,
      parentSpanId: 'invoke',
      name: span.name,
      status: 'unset',
      startMs: phaseStart,
      endMs: phaseStart + span.durationMs,
      attributes: {},
    };
  });
  return [root, ...phases];
}
