// Lambda's START/END/REPORT lines from platform records, which invocation a line belongs to, and the
// last 4 KB of an invocation's log that X-Amz-Log-Result carries.
import assert from 'node:assert/strict';
import { test } from 'vitest';
import { InvocationLogs, type LogEntry } from '../src/logs/invocation-logs.ts';
import { platformLines } from '../src/logs/platform-lines.ts';

const id = 'c46fec03-628f-4ec1-a696-6af40ab3a81e';
const other = '8e1c0b7a-2d0f-4a51-9f3e-6c1d2b3a4f5e';
const start = (requestId: string) => ({ time: '2026-12-05T07:32:47.600Z', type: 'platform.start', record: { requestId, version: '$LATEST' } });
const report = (requestId: string, metrics: object, extra: object = {}) => ({
  time: '2026-12-05T07:32:47.700Z',
  type: 'platform.report',
  record: { requestId, status: 'success', metrics, ...extra },
});

test('START, END and REPORT as CloudWatch shows them; Init Duration on a cold start; Status for a timeout', () => {
  assert.deepEqual(platformLines(start(id))?.lines, [`START RequestId: ${id} Version: $LATEST`]);
  const cold = platformLines(report(id, { durationMs: 46.9, billedDurationMs: 47, memorySizeMB: 128, maxMemoryUsedMB: 51, initDurationMs: 379.456 }));
  assert.deepEqual(cold?.lines, [
    `END RequestId: ${id}`,
    `REPORT RequestId: ${id}\tDuration: 46.90 ms\tBilled Duration: 47 ms\tMemory Size: 128 MB\tMax Memory Used: 51 MB\tInit Duration: 379.46 ms`,
  ]);
  const timedOut = platformLines(
    report(id, { durationMs: 1000.2, billedDurationMs: 1001, memorySizeMB: 128, maxMemoryUsedMB: 60 }, { status: 'timeout', errorType: 'Sandbox.Timedout' }),
  );
  assert.match(timedOut!.lines[1]!, /\tStatus: timeout\tError Type: Sandbox\.Timedout$/);
  const thrown = platformLines(
    report(id, { durationMs: 3, billedDurationMs: 3, memorySizeMB: 128, maxMemoryUsedMB: 60 }, { status: 'error', errorType: 'Runtime.Unknown' }),
  );
  assert.ok(!thrown!.lines[1]!.includes('Status'), 'a thrown error adds nothing to REPORT');
  assert.equal(platformLines({ time: '', type: 'platform.initStart', record: {} }), undefined);
});

test('lines are attributed to the invocation in flight, or to the request id they name when several run', () => {
  const seen: LogEntry[] = [];
  const logs = new InvocationLogs((entry) => seen.push(entry));
  logs.platform(start(id));
  const plain = logs.output({ source: 'runtime', line: `2026-12-05T07:32:47.659Z\t${id}\tINFO\tgot event`, atMs: 1 });
  assert.equal(plain.requestId, id);
  assert.equal(logs.output({ source: 'my-ext', line: 'extension says hi', atMs: 2 }).requestId, id, 'one in flight: every line is its');
  logs.platform(start(other));
  assert.equal(logs.output({ source: 'runtime', line: JSON.stringify({ level: 'INFO', requestId: other, message: 'json' }) }).requestId, other);
  assert.equal(logs.output({ source: 'runtime', line: 'no id, two in flight' }).requestId, undefined);
  logs.platform(report(id, { durationMs: 1, billedDurationMs: 1, memorySizeMB: 128, maxMemoryUsedMB: 50 }));
  assert.deepEqual(
    logs.linesOf(id).map((entry) => entry.source),
    ['platform', 'runtime', 'my-ext', 'platform', 'platform'],
  );
  assert.equal(seen.length, 8, 'the listener sees every line, attributed or not');
});

test('the tail is the last 4 KB, cut at a line start', () => {
  const logs = new InvocationLogs();
  logs.platform(start(id));
  for (let n = 0; n < 200; n += 1) logs.output({ source: 'runtime', line: `line ${n} ${'x'.repeat(40)}` });
  logs.platform(report(id, { durationMs: 1, billedDurationMs: 1, memorySizeMB: 128, maxMemoryUsedMB: 50 }));
  const tail = logs.tail(id);
  assert.ok(Buffer.byteLength(tail) <= 4096);
  assert.match(tail, /^line \d+ x+\n/);
  assert.match(tail, /REPORT RequestId: .*\n$/);
  assert.equal(logs.tail('unknown'), '');
});
