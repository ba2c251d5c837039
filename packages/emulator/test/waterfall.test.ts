// The trace view's pure parts: a trace tree from spans and log lines, and its text waterfall.
import assert from 'node:assert/strict';
import { test } from 'vitest';
import { buildInvocationTrace } from '../src/trace/invocation-trace.ts';
import type { TraceSpan } from '../src/trace/trace-span.ts';
import { renderWaterfallHtml } from '../src/trace/waterfall-html.ts';
import { renderWaterfallText } from '../src/trace/waterfall-text.ts';
import type { InvocationResult } from '../src/types.ts';

const requestId = '5f0c3a52-93c4-4d5b-8a4b-2f4f1d8e9a10';
const traceId = '4bf92f3577b34da6a3ce929d0e0e4736';
const t0 = 1_764_900_000_000;

function span(spanId: string, parentSpanId: string, name: string, start: number, end: number, extra: Partial<TraceSpan> = {}): TraceSpan {
  return {
    traceId,
    spanId,
    parentSpanId,
    name,
    kind: 'internal',
    status: 'unset',
    statusMessage: '',
    startMs: t0 + start,
    endMs: t0 + end,
    attributes: {},
    events: [],
    links: [],
    service: 'orders',
    ...extra,
  };
}

const spans = [
  span('a1', '', 'GET /orders/{id}', 0, 40, {
    kind: 'server',
    attributes: { 'faas.invocation.id': requestId, 'http.request.method': 'GET', 'http.route': '/orders/{id}' },
  }),
  span('b2', 'a1', 'load order', 2, 30),
  span('c3', 'b2', 'SELECT orders with a very long name that will not fit in the label column', 5, 25, {
    kind: 'client',
    status: 'error',
    statusMessage: 'deadlock',
    events: [{ name: 'exception', atMs: t0 + 24, attributes: { 'exception.type': 'DbError', 'exception.message': 'deadlock detected' } }],
  }),
  span('d4', 'a1', 'render', 31, 39),
  span('x9', '', 'other invocation', 0, 10, { traceId: 'ffffffffffffffffffffffffffffffff', attributes: { 'faas.invocation_id': 'someone-else' } }),
];
const result: InvocationResult = { requestId, status: 'error', errorType: 'DbError', response: null, durationMs: 40, responseLatencyMs: 40, postRuntimeMs: 1 };
const logs = [
  { source: 'runtime', line: `2026-12-05T07:32:47.659Z\t${requestId}\tINFO\tloading order 7`, atMs: t0 + 3.5, requestId },
  { source: 'runtime', line: `2026-12-05T07:32:47.659Z\t${requestId}\tERROR\tquery failed`, atMs: t0 + 26.2, requestId },
  { source: 'runtime', line: JSON.stringify({ level: 'INFO', message: 'by span id', span_id: 'd4' }), atMs: t0 + 1, requestId },
];

test('the tree: only the invocation trace, children under parents, each log line under the span current when written', () => {
  const trace = buildInvocationTrace(result, spans, [], logs);
  assert.equal(trace.source, 'otlp');
  assert.equal(trace.traceId, traceId);
  assert.equal(trace.roots.length, 1);
  const [root] = trace.roots;
  assert.deepEqual(
    root!.children.map((child) => child.span.name),
    ['load order', 'render'],
  );
  assert.equal(root!.children[0]!.children[0]!.depth, 2);
  assert.deepEqual(
    root!.children[0]!.logs.map((entry) => entry.line.split('\t').at(-1)),
    ['loading order 7', 'query failed'],
    'written inside "load order" (the query span started and ended around them)',
  );
  assert.equal(root!.children[1]!.logs.length, 1, 'a line naming its span_id goes there');
});

test('the text waterfall: 100 columns, bars on one axis, the error marked, plain ASCII without a TTY', () => {
  const text = renderWaterfallText(buildInvocationTrace(result, spans, [], logs), false);
  const lines = text.trimEnd().split('\n');
  for (const line of lines) assert.ok([...line].length <= 100, line);
  assert.ok(!/[^\x20-\x7e\n]/.test(text), 'ASCII only');
  assert.match(lines[0]!, new RegExp(`^== ${requestId} error 40\\.0ms  trace ${traceId} =+$`));
  const rows = lines.filter((line) => /^[ !]\S|^[ !][|`]|^ {2,}[|`]-/.test(line) && /(internal|server|client) /.test(line));
  assert.equal(rows.length, 4);
  assert.match(rows[0]!, /^ GET \/orders\/\{id\} +server +unset #{30} +\+0\.00ms 40\.0ms$/);
  assert.match(rows[2]!, /^!\| {2}`- SELECT orders with a very lo~ client +error \.{3}#{15}\.{12} +\+5\.00ms 20\.0ms$/);
  assert.ok(lines.some((line) => line.includes('http.request.method=GET http.route=/orders/{id}')));
  assert.ok(lines.some((line) => /^ +exception DbError: deadlock detected$/.test(line)));
  assert.ok(lines.some((line) => /^ +> ERROR query failed$/.test(line)));
  const colored = renderWaterfallText(buildInvocationTrace(result, spans, [], logs), true);
  assert.ok(colored.includes('\u001b[31m'), 'red on a TTY');
  assert.ok(colored.includes('└─ '));
});

test('without spans the platform timings stand in; the HTML escapes what it embeds', () => {
  const events = [
    { time: new Date(t0).toISOString(), type: 'platform.start', record: { requestId } },
    {
      time: new Date(t0 + 40).toISOString(),
      type: 'platform.runtimeDone',
      record: {
        requestId,
        spans: [
          { name: 'responseLatency', start: new Date(t0).toISOString(), durationMs: 30 },
          { name: 'responseDuration', start: new Date(t0 + 30).toISOString(), durationMs: 1 },
        ],
      },
    },
  ];
  const trace = buildInvocationTrace({ ...result, status: 'success', errorType: undefined }, [], events, []);
  assert.equal(trace.source, 'platform');
  assert.deepEqual(
    trace.roots[0]!.children.map((child) => child.span.name),
    ['responseLatency', 'responseDuration'],
  );
  assert.match(renderWaterfallText(trace, false), /platform timings only/);
  const html = renderWaterfallHtml([
    buildInvocationTrace(result, [span('a1', '', '</script><b>x', 0, 1, { attributes: { 'faas.invocation_id': requestId } })], [], []),
  ]);
  assert.ok(!html.includes('</script><b>'), 'a span name cannot break out of the page');
  assert.ok(html.includes('&lt;/script&gt;&lt;b&gt;x'));
});
