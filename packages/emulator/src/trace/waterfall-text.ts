// The terminal waterfall of one invocation, at most 100 columns:
//   name (as a tree)                    kind     status bar on the invocation's time axis   +offset duration
// with a few key attributes, exception events and the log lines written inside each span beneath it.
// On a TTY errors are red and bars solid; otherwise it is plain ASCII (no escape codes), and an error
// row starts with `!`.
import { styleText } from 'node:util';

/** The caller decides whether to colour (a TTY, no NO_COLOR): styleText is not to check again. */
const asDecided = { validateStream: false } as const;
import type { LogEntry } from '../logs/invocation-logs.ts';
import { flatten, type InvocationTrace, type TraceNode } from './invocation-trace.ts';
import type { AttributeValue } from './trace-span.ts';

export const waterfallWidth = 100;
const labelWidth = 36;
const kindWidth = 8;
const statusWidth = 5;
const barWidth = 30;
const timingWidth = waterfallWidth - labelWidth - kindWidth - statusWidth - barWidth - 4;

/** Attributes worth a glance, in this order; others only when none of these is present. */
const keyAttributes = [
  'faas.trigger',
  'faas.coldstart',
  'http.request.method',
  'http.method',
  'http.route',
  'url.full',
  'http.url',
  'http.response.status_code',
  'http.status_code',
  'db.system',
  'db.operation',
  'rpc.service',
  'rpc.method',
  'messaging.system',
  'error.type',
];
const hiddenAttributes = /^(faas\.invocation_id|faas\.execution|cloud\.|aws\.lambda\.invoked_arn|telemetry\.)/;

export function renderWaterfallText(trace: InvocationTrace, color: boolean): string {
  const style = (format: Parameters<typeof styleText>[0], text: string) => (color ? styleText(format, text, asDecided) : text);
  const span = Math.max(trace.endMs - trace.startMs, 0.001);
  const lines: string[] = [];
  const failed = trace.status !== 'success';
  const title = `${trace.requestId} ${trace.status} ${formatMs(trace.endMs - trace.startMs)}`;
  const traceLabel = trace.source === 'otlp' ? `trace ${trace.traceId}` : 'platform timings only';
  lines.push(style(failed ? ['red', 'bold'] : 'bold', fit(`== ${title}  ${traceLabel} `, waterfallWidth, '=')));
  const nodes = flatten(trace.roots);
  const prefixes = treePrefixes(trace.roots, color);
  for (const node of nodes) {
    const error = node.span.status === 'error';
    const marker = error ? '!' : ' ';
    const label = fit(`${marker}${prefixes.get(node)!}${node.span.name}`, labelWidth);
    const offset = node.span.startMs - trace.startMs;
    const duration = node.span.endMs - node.span.startMs;
    const bar = renderBar(offset / span, duration / span, color);
    const timing = `+${formatMs(offset)} ${formatMs(duration)}`.padStart(timingWidth);
    const row = `${label} ${fit(node.span.kind, kindWidth)} ${fit(node.span.status, statusWidth)} ${bar} ${timing}`;
    lines.push(error ? style(['red', 'bold'], row) : row);
    const indent = ' '.repeat(Math.min(2 + node.depth * 2, 24));
    const attributes = keyAttributeText(node.span.attributes);
    if (attributes) lines.push(style('dim', cut(`${indent}  ${attributes}`)));
    if (error && node.span.statusMessage) lines.push(style('red', cut(`${indent}  status: ${node.span.statusMessage}`)));
    for (const event of node.span.events.filter((candidate) => candidate.name === 'exception')) {
      const what = `${event.attributes['exception.type'] ?? 'exception'}: ${event.attributes['exception.message'] ?? ''}`;
      lines.push(style('red', cut(`${indent}  exception ${what}`)));
    }
    for (const entry of node.logs) lines.push(logLine(indent, entry, style));
  }
  for (const entry of trace.looseLogs) lines.push(logLine('', entry, style));
  return lines.join('\n') + '\n';
}

function logLine(indent: string, entry: LogEntry, style: (format: Parameters<typeof styleText>[0], text: string) => string): string {
  const text = `${indent}  > ${entry.source === 'runtime' ? '' : `[${entry.source}] `}${readableLog(entry.line)}`;
  const isError = /^(ERROR|FATAL)\b/.test(readableLog(entry.line));
  return style(isError ? 'red' : 'gray', cut(text));
}

/** `ISO\trequestId\tLEVEL\tmessage` → `LEVEL message`; a JSON line → `level message`; else as it is. */
export function readableLog(line: string): string {
  const parts = line.split('\t');
  if (parts.length >= 4 && /^\d{4}-\d\d-\d\dT/.test(parts[0]!)) return `${parts[2]} ${parts.slice(3).join(' ')}`.replace(/\s+/g, ' ');
  if (line.startsWith('{')) {
    try {
      const parsed = JSON.parse(line) as { level?: unknown; message?: unknown; msg?: unknown };
      const message = parsed.message ?? parsed.msg;
      if (message !== undefined) return `${String(parsed.level ?? '').toUpperCase()} ${typeof message === 'string' ? message : JSON.stringify(message)}`.trim();
    } catch {
      // not JSON after all
    }
  }
  return line.replace(/\s+/g, ' ');
}

function keyAttributeText(attributes: Record<string, AttributeValue>): string {
  const keys = keyAttributes.filter((key) => key in attributes);
  const chosen = keys.length > 0 ? keys : Object.keys(attributes).filter((key) => !hiddenAttributes.test(key));
  return chosen
    .slice(0, 4)
    .map((key) => `${key}=${typeof attributes[key] === 'string' ? attributes[key] : JSON.stringify(attributes[key])}`)
    .join(' ');
}

function renderBar(startFraction: number, widthFraction: number, color: boolean): string {
  const from = Math.min(barWidth - 1, Math.max(0, Math.floor(startFraction * barWidth)));
  const length = Math.max(1, Math.min(barWidth - from, Math.round(widthFraction * barWidth)));
  const [full, empty] = color ? ['█', '·'] : ['#', '.'];
  return `${empty.repeat(from)}${full.repeat(length)}${empty.repeat(barWidth - from - length)}`;
}

/** The tree's drawing before each name: `|- ` / `` `- `` in ASCII, box lines on a TTY. */
function treePrefixes(roots: readonly TraceNode[], color: boolean): Map<TraceNode, string> {
  const [tee, elbow, pipe] = color ? ['├─ ', '└─ ', '│  '] : ['|- ', '`- ', '|  '];
  const prefixes = new Map<TraceNode, string>();
  const walk = (nodes: readonly TraceNode[], above: string, top: boolean) => {
    nodes.forEach((node, index) => {
      const last = index === nodes.length - 1;
      prefixes.set(node, top ? '' : `${above}${last ? elbow : tee}`);
      walk(node.children, top ? '' : `${above}${last ? '   ' : pipe}`, false);
    });
  };
  walk(roots, '', true);
  return prefixes;
}

/** At most the waterfall's width (a cut ends with `~`), never padded. */
function cut(text: string): string {
  return [...text].length <= waterfallWidth ? text : fit(text, waterfallWidth);
}

/** Pads or cuts to exactly `width` characters (a cut ends with `~`). */
function fit(text: string, width: number, pad = ' '): string {
  const chars = [...text];
  if (chars.length <= width) return text + pad.repeat(width - chars.length);
  return chars.slice(0, width - 1).join('') + '~';
}

export function formatMs(ms: number): string {
  if (ms < 10) return `${ms.toFixed(2)}ms`;
  if (ms < 1000) return `${ms.toFixed(1)}ms`;
  return `${(ms / 1000).toFixed(2)}s`;
}
