// The function the fault suite runs. Each invocation prints one line `[fault-fn <n>] …` (the runner
// finds it at the backend or on stdout by that tag) and answers { ok: true, n }, whatever the
// telemetry does. Event fields drive the runtime-side faults:
//   sleepMs   wait before answering
//   crash     the runtime process exits (Runtime.ExitError)
//   hang      never answer (the function timeout)
//   allocateMb  hold this much memory (with a memory limit: Runtime.OutOfMemory)
//   otlp      'malformed' | 'oversized' | 'bomb': post a bad OTLP request to the extension first
//   burst     { requests, spans }: post this many OTLP/JSON span requests to the extension first
//   fail      throw after printing the line (a function error, Lambda's `Error` answer)
// What the extension answered to `otlp` and `burst` posts is printed, not returned, so the answer is
// the same with or without the layer.
import { gzipSync } from 'node:zlib';

const receiver = (path) => `http://127.0.0.1:${process.env.LAMBDA_OTEL_RECEIVER_PORT ?? '4318'}${path}`;

async function post(path, body, headers) {
  try {
    const response = await fetch(receiver(path), { method: 'POST', body, headers, signal: AbortSignal.timeout(2000) });
    await response.arrayBuffer();
    return response.status;
  } catch (error) {
    return `no answer (${error.cause?.code ?? error.name})`;
  }
}

function spansRequest(n, request, count) {
  const start = BigInt(Date.now()) * 1_000_000n;
  const spans = Array.from({ length: count }, (_, i) => ({
    traceId: '0af7651916cd43dd8448eb211c80319c',
    spanId: (request * count + i + 1).toString(16).padStart(16, '0'),
    name: `b${n}-${request}-${i}`,
    kind: 1,
    startTimeUnixNano: String(start),
    endTimeUnixNano: String(start + 1_000_000n),
    attributes: [{ key: 'payload', value: { stringValue: 'x'.repeat(200) } }],
  }));
  return JSON.stringify({
    resourceSpans: [
      { resource: { attributes: [{ key: 'service.name', value: { stringValue: 'fault-burst' } }] }, scopeSpans: [{ scope: { name: 'fault-fn' }, spans }] },
    ],
  });
}

const held = [];

export const handler = async (event = {}) => {
  const n = event.n ?? 0;
  const notes = [];
  if (event.otlp === 'malformed')
    notes.push(`malformed → ${await post('/v1/traces', Buffer.from('not protobuf \xff\xff'), { 'content-type': 'application/x-protobuf' })}`);
  if (event.otlp === 'oversized') notes.push(`oversized → ${await post('/v1/traces', spansRequest(n, 0, 20_000), { 'content-type': 'application/json' })}`);
  if (event.otlp === 'bomb') {
    const bomb = gzipSync(Buffer.alloc(64 * 1024 * 1024, 0x20));
    notes.push(`bomb → ${await post('/v1/traces', bomb, { 'content-type': 'application/json', 'content-encoding': 'gzip' })}`);
  }
  if (event.burst) {
    const statuses = [];
    for (let r = 0; r < event.burst.requests; r++)
      statuses.push(await post('/v1/traces', spansRequest(n, r, event.burst.spans), { 'content-type': 'application/json' }));
    notes.push(`burst → ${statuses.join(',')}`);
  }
  console.log(`[fault-fn ${n}] handling${notes.length ? ` (${notes.join('; ')})` : ''}`);
  if (event.sleepMs) await new Promise((resolve) => setTimeout(resolve, event.sleepMs));
  if (event.allocateMb) {
    for (let mb = 0; mb < event.allocateMb; mb++) held.push(Buffer.alloc(1024 * 1024, 1));
    await new Promise((resolve) => setTimeout(resolve, 300));
  }
  if (event.crash) process.exit(1);
  if (event.fail) throw new Error(`fault-fn ${n} failed on purpose`);
  if (event.hang) await new Promise(() => setInterval(() => undefined, 1000));
  return { ok: true, n };
};
