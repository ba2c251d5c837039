// The peers' delivery parsers on the shapes their libraries write: aws-xray-sdk-core's daemon datagram
// (a header line, then the document) and dd-trace's log exporter line (`{"traces":[[span, …]]}`).
// What does not have those shapes is not counted. The whole path, with the real libraries, is in
// bench-harness.test.ts.
import assert from 'node:assert/strict';
import { createSocket } from 'node:dgram';
import { once } from 'node:events';
import { test } from 'vitest';
import { datadogTracesInLog } from '../src/peers/datadog-log-traces.ts';
import { startXrayListener, traceIdOfDatagram } from '../src/peers/xray-listener.ts';

const subsegment = {
  id: 'f2891a37c96e7421',
  name: '## index.handler',
  start_time: 1796459573.744,
  end_time: 1796459573.745,
  annotations: { ColdStart: true, Service: 'bench-fn' },
  type: 'subsegment',
  parent_id: '278c0d9ad45a7450',
  trace_id: '1-6b13cc35-562cf6293c3329bac034c941',
};
const datagram = `{"format":"json","version":1}\n${JSON.stringify(subsegment)}`;

test('an X-Ray daemon datagram gives its trace id; anything else gives none', () => {
  assert.equal(traceIdOfDatagram(datagram), '1-6b13cc35-562cf6293c3329bac034c941');
  assert.equal(traceIdOfDatagram(JSON.stringify(subsegment)), undefined, 'no header line');
  assert.equal(traceIdOfDatagram(`{"format":"xml"}\n${JSON.stringify(subsegment)}`), undefined, 'not the json format');
  assert.equal(traceIdOfDatagram('{"format":"json","version":1}\n{"id":"1"}'), undefined, 'no trace_id');
  assert.equal(traceIdOfDatagram('{"format":"json","version":1}\n{"trace_id":'), undefined, 'truncated');
});

test('the X-Ray listener counts documents per trace id over real UDP, and the malformed apart', async () => {
  const listener = await startXrayListener();
  const sender = createSocket('udp4');
  try {
    const [host = '', port = ''] = listener.address.split(':');
    for (const payload of [datagram, datagram, 'not a datagram']) sender.send(payload, Number(port), host);
    const deadline = Date.now() + 5000;
    while (listener.documentsByTrace.get(subsegment.trace_id) !== 2 || listener.malformed !== 1) {
      assert.ok(Date.now() < deadline, 'the three datagrams arrive');
      await new Promise((resolve) => setTimeout(resolve, 10));
    }
  } finally {
    sender.close();
    await once(sender, 'close');
    await listener.close();
  }
});

test("dd-trace's trace lines give the request ids of their aws.lambda spans", () => {
  const lambdaSpan = {
    trace_id: '455fb507d3ef1662',
    span_id: '455fb507d3ef1662',
    parent_id: '0000000000000000',
    name: 'aws.lambda',
    resource: 'bench-fn',
    service: 'bench-fn',
    type: 'serverless',
    error: 0,
    meta: { request_id: 'd91f4e2a-9c7d-4802-bb78-429555cb1928', cold_start: 'true' },
  };
  const childSpan = { ...lambdaSpan, span_id: '1111111111111111', parent_id: lambdaSpan.span_id, name: 'aws.lambda.require', meta: {} };
  const logged = datadogTracesInLog([
    { source: 'runtime', line: '{"e":1796459573,"m":"aws.lambda.enhanced.invocations","t":["cold_start:true"],"v":1}' },
    { source: 'runtime', line: JSON.stringify({ traces: [[lambdaSpan, childSpan]] }) },
    { source: 'runtime', line: '{"traces":[[{"name":"aws.lambda"' },
    { source: 'runtime', line: 'START RequestId: d91f4e2a-9c7d-4802-bb78-429555cb1928 Version: $LATEST' },
  ]);
  assert.deepEqual(logged, { requestIds: ['d91f4e2a-9c7d-4802-bb78-429555cb1928'], spans: 2 });
});
