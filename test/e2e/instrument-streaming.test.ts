// Response streaming through the exec wrapper, with real Function URL events: the root span lasts as
// long as the stream, records the bytes and the status of the HTTP prelude (a 418 stays a 418), and a
// mid-stream throw is an ERROR span, one log line and the stream's error trailers.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { onTestFinished, test } from 'vitest';
import { instrumentFixtures, startInstrumentHarness, waitForSpans } from '../fixtures/instrument/harness.ts';
import { fixturesDir } from '../support/paths.ts';

const eventsDir = join(fixturesDir, '..', '..', 'packages', 'instrument', 'test', 'fixtures', 'events');
/** The Function URL event AWS documents, with the query string the handler reads. */
function functionUrlEvent(query: Record<string, string>): Record<string, unknown> {
  const event = JSON.parse(readFileSync(join(eventsDir, 'function-url.json'), 'utf8')) as Record<string, unknown>;
  event.rawQueryString = new URLSearchParams(query).toString();
  event.queryStringParameters = Object.keys(query).length > 0 ? query : undefined;
  return event;
}

test('streaming Function URL: 3 chunks over 300 ms, without a prelude (200), with a 418 prelude; a mid-stream throw', async () => {
  const h = await startInstrumentHarness({ functionDir: join(instrumentFixtures, 'streaming'), handler: 'index.handler' });
  onTestFinished(() => h.close());

  const plain = await h.env.invoke(functionUrlEvent({}));
  assert.equal(plain.status, 'success', plain.errorMessage);
  assert.equal(String(plain.response), 'first-second-third');
  await waitForSpans(h.sink, () => h.roots().has(plain.requestId));
  const root = h.roots().get(plain.requestId)!;
  const durationMs = Number(root.endTimeUnixNano - root.startTimeUnixNano) / 1e6;
  assert.ok(durationMs >= 300, `the span covers the stream: ${durationMs} ms`);
  assert.equal(root.attributes['lambda_otel.response.streamed'], true);
  assert.equal(root.attributes['lambda_otel.response.bytes'], 'first-second-third'.length);
  assert.equal(typeof root.attributes['lambda_otel.response.time_to_first_byte_ms'], 'number');
  assert.ok((root.attributes['lambda_otel.response.time_to_first_byte_ms'] as number) < 150);
  assert.equal(root.attributes['faas.trigger'], 'http');
  assert.equal(root.name, 'GET');
  assert.equal(root.attributes['http.response.status_code'], 200, 'a Function URL answers 200 without a prelude');

  const withPrelude = await h.env.invoke(functionUrlEvent({ status: '418' }));
  assert.equal(withPrelude.status, 'success', withPrelude.errorMessage);
  assert.deepEqual((withPrelude.streamed?.prelude as { statusCode: number }).statusCode, 418);
  await waitForSpans(h.sink, () => h.roots().has(withPrelude.requestId));
  const preludeRoot = h.roots().get(withPrelude.requestId)!;
  assert.equal(preludeRoot.attributes['http.response.status_code'], 418);
  assert.equal(preludeRoot.status.code, 0, 'a 4xx is no server error');
  assert.equal(preludeRoot.attributes['lambda_otel.response.bytes'], 'first-second-third'.length);

  const failed = await h.env.invoke(functionUrlEvent({ fail: '1' }));
  assert.equal(failed.status, 'error');
  assert.equal(failed.streamed?.trailers['lambda-runtime-function-error-type'] ?? failed.errorType, 'RangeError');
  assert.ok(Object.keys(failed.streamed?.trailers ?? {}).length > 0, 'the emulator saw error trailers');
  await waitForSpans(h.sink, () => h.roots().has(failed.requestId));
  const errorRoot = h.roots().get(failed.requestId)!;
  assert.equal(errorRoot.status.code, 2);
  assert.equal(errorRoot.events.filter((e) => e.name === 'exception').length, 1);
  assert.equal(errorRoot.attributes['lambda_otel.response.bytes'], 'first-second-'.length);
  const lines = h.jsonLines().filter((line) => line.level === 'ERROR' && line.requestId === failed.requestId && 'trace_id' in line);
  assert.equal(lines.length, 1);
  assert.equal(lines[0]!.errorType, 'RangeError');
});
