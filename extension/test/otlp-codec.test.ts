// The codec against independent implementations: OpenTelemetry's generated protobuf code
// (packages/otlp-reference-protos) and the otlp-transformer serializer the plugin sends with.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { describe, it } from 'vitest';
import { gzipSync } from 'node:zlib';
import { context, trace, SpanKind as ApiSpanKind, SpanStatusCode } from '@opentelemetry/api';
import { JsonTraceSerializer, ProtobufLogsSerializer, ProtobufTraceSerializer } from '@opentelemetry/otlp-transformer';
import { resourceFromAttributes } from '@opentelemetry/resources';
import { InMemorySpanExporter, SimpleSpanProcessor, TracerProvider } from '@opentelemetry/sdk-trace';
import { decodeLogsRequest, decodeTraceRequest, OtlpDecodeError } from '../src/otlp/decode.ts';
import { encodeLogsRequest, encodeTraceRequest } from '../src/otlp/encode.ts';
import type { ExportLogsServiceRequest, ExportTraceServiceRequest } from '../src/otlp/types.ts';

/** Decoding bound for test bodies (the receiver passes its request limit). */
const limit = { maxDecodedBytes: 64 * 1024 * 1024 };

const referenceRequire = createRequire(new URL('../../packages/otlp-reference-protos/package.json', import.meta.url));
const reference = referenceRequire('otlp-reference-protos/build/src/generated/root.js').opentelemetry.proto;
const RefTraceRequest = reference.collector.trace.v1.ExportTraceServiceRequest;
const RefLogsRequest = reference.collector.logs.v1.ExportLogsServiceRequest;
// defaults: true — encoders may or may not write proto3 default values; both mean the same message.
const toObjectOptions = { longs: String, bytes: String, enums: Number, defaults: true, arrays: true };

const fixture = <T>(name: string): T => JSON.parse(readFileSync(new URL(`./fixtures/otlp/${name}`, import.meta.url), 'utf8')) as T;
const traceFixture = (): ExportTraceServiceRequest => fixture('trace-request.json');
const logsFixture = (): ExportLogsServiceRequest => fixture('logs-request.json');

const hexIdKeys = new Set(['traceId', 'spanId', 'parentSpanId']);

/** Our model (OTLP/JSON shape) to the generated code's object form: ids and bytes as buffers. */
function toReferenceObject(value: unknown, key = ''): unknown {
  if (Array.isArray(value)) return value.map((v) => toReferenceObject(v));
  if (value && typeof value === 'object') {
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, toReferenceObject(v, k)]));
  }
  if (typeof value === 'string' && hexIdKeys.has(key)) return Buffer.from(value, 'hex');
  if (typeof value === 'string' && key === 'bytesValue') return Buffer.from(value, 'base64');
  return value;
}

function referenceTraceBytes(model: ExportTraceServiceRequest): Buffer {
  const message = RefTraceRequest.fromObject(toReferenceObject(model));
  return Buffer.from(RefTraceRequest.encode(message).finish());
}

function referenceLogsBytes(model: ExportLogsServiceRequest): Buffer {
  const message = RefLogsRequest.fromObject(toReferenceObject(model));
  return Buffer.from(RefLogsRequest.encode(message).finish());
}

describe('protobuf codec against the official generated code', () => {
  it('decodes spans with every field kind exactly as the reference encoded them', () => {
    const model = traceFixture();
    const decoded = decodeTraceRequest(referenceTraceBytes(model), 'application/x-protobuf', undefined, limit);
    assert.deepEqual(decoded, model);
  });

  it('encodes spans that the reference decodes to the same message', () => {
    const model = traceFixture();
    const ours = RefTraceRequest.decode(encodeTraceRequest(model, 'protobuf'));
    const theirs = RefTraceRequest.decode(referenceTraceBytes(model));
    assert.deepEqual(RefTraceRequest.toObject(ours, toObjectOptions), RefTraceRequest.toObject(theirs, toObjectOptions));
    const span = RefTraceRequest.toObject(ours, toObjectOptions).resourceSpans[0].scopeSpans[0].spans[0];
    assert.equal(span.startTimeUnixNano, '1763860800123456789');
    assert.equal(Buffer.from(span.traceId, 'base64').toString('hex'), '5759e988bd862e3fe1be46a994272793');
  });

  it('decodes and encodes log records (bodies, bytes, kvlists, flags, ids)', () => {
    const model = logsFixture();
    assert.deepEqual(decodeLogsRequest(referenceLogsBytes(model), 'application/x-protobuf', undefined, limit), model);
    const ours = RefLogsRequest.decode(encodeLogsRequest(model, 'protobuf'));
    assert.deepEqual(
      RefLogsRequest.toObject(ours, toObjectOptions),
      RefLogsRequest.toObject(RefLogsRequest.decode(referenceLogsBytes(model)), toObjectOptions),
    );
  });

  it('keeps int64 and fixed64 values beyond 2^53 to the last digit', () => {
    const model = traceFixture();
    const span = model.resourceSpans[0]!.scopeSpans[0]!.spans[0]!;
    span.startTimeUnixNano = '18446744073709551614'; // near the fixed64 maximum
    span.endTimeUnixNano = '9007199254740993'; // 2^53 + 1
    const decoded = decodeTraceRequest(referenceTraceBytes(model), 'application/x-protobuf', undefined, limit);
    const got = decoded.resourceSpans[0]!.scopeSpans[0]!.spans[0]!;
    assert.equal(got.startTimeUnixNano, '18446744073709551614');
    assert.equal(got.endTimeUnixNano, '9007199254740993');
    assert.equal(got.attributes.find((a) => a.key === 'int.min')?.value.intValue, '-9223372036854775808');
    const again = decodeTraceRequest(encodeTraceRequest(decoded, 'protobuf'), 'application/x-protobuf', undefined, limit);
    assert.deepEqual(again, decoded);
  });

  it('encodes edge values the reference reads back: 64-bit extremes, negative integers, multi-byte lengths, non-ASCII text', () => {
    const model = traceFixture();
    const span = model.resourceSpans[0]!.scopeSpans[0]!.spans[0]!;
    span.startTimeUnixNano = '18446744073709551615';
    span.endTimeUnixNano = '4294967296';
    span.name = 'é😀-'.repeat(3000); // over 16 KiB: a three-byte length
    span.attributes = [
      ...['-1', '-9223372036854775808', '9223372036854775807', '4294967295', '0', '127', '128'].map((intValue, i) => ({
        key: `int.${i}`,
        value: { intValue },
      })),
      { key: 'big', value: { stringValue: 'x'.repeat(2_200_000) } }, // over 2 MiB: a four-byte length
    ];
    const ours = encodeTraceRequest(model, 'protobuf');
    const theirs = RefTraceRequest.decode(referenceTraceBytes(model));
    assert.deepEqual(RefTraceRequest.toObject(RefTraceRequest.decode(ours), toObjectOptions), RefTraceRequest.toObject(theirs, toObjectOptions));
    assert.deepEqual(decodeTraceRequest(ours, 'application/x-protobuf', undefined, { maxDecodedBytes: 8 * 1024 * 1024 }), model);
  });

  it('skips fields it does not know (newer protocol versions)', () => {
    // Field 99, length-delimited, 3 bytes, appended to the request: ignored, not rejected.
    const unknownField = Buffer.concat([Buffer.from([0x9a, 0x06, 0x03]), Buffer.from('abc')]);
    const decoded = decodeTraceRequest(Buffer.concat([referenceTraceBytes(traceFixture()), unknownField]), 'application/x-protobuf', undefined, limit);
    assert.deepEqual(decoded, traceFixture());
  });
});

describe('protobuf codec against the otlp-transformer serializer (what the plugin sends)', () => {
  async function sdkSpans() {
    const exporter = new InMemorySpanExporter();
    const provider = new TracerProvider({
      resource: resourceFromAttributes({ 'service.name': 'codec-check', 'faas.max_memory': 134217728 }),
      spanProcessors: [new SimpleSpanProcessor({ exporter })],
    });
    const tracer = provider.getTracer('codec-scope', '1.2.3');
    const root = tracer.startSpan('handler', { kind: ApiSpanKind.SERVER, attributes: { 'faas.invocation.id': 'req-1', list: ['a', 'b'], ratio: 0.5 } });
    const child = tracer.startSpan(
      'child',
      { kind: ApiSpanKind.CLIENT, links: [{ context: root.spanContext(), attributes: { why: 'test' } }] },
      trace.setSpan(context.active(), root),
    );
    child.addEvent('retry', { attempt: 2 });
    child.setStatus({ code: SpanStatusCode.ERROR, message: 'failed' });
    child.end();
    root.end();
    await provider.forceFlush();
    return exporter.getFinishedSpans();
  }

  it('decodes the protobuf and JSON serializations identically, with the SDK values', async () => {
    const spans = await sdkSpans();
    const fromProtobuf = decodeTraceRequest(Buffer.from(ProtobufTraceSerializer.serializeRequest(spans)!), 'application/x-protobuf', undefined, limit);
    const fromJson = decodeTraceRequest(Buffer.from(JsonTraceSerializer.serializeRequest(spans)!), 'application/json', undefined, limit);
    assert.deepEqual(fromProtobuf, fromJson);

    const decoded = fromProtobuf.resourceSpans[0]!.scopeSpans[0]!;
    assert.equal(decoded.scope?.name, 'codec-scope');
    assert.equal(decoded.scope?.version, '1.2.3');
    const [child, root] = decoded.spans;
    assert.equal(root!.name, 'handler');
    assert.equal(root!.kind, 2);
    assert.equal(root!.traceId, spans[1]!.spanContext().traceId);
    assert.equal(root!.spanId, spans[1]!.spanContext().spanId);
    assert.equal(child!.parentSpanId, root!.spanId);
    assert.equal(child!.kind, 3);
    assert.deepEqual(child!.status, { code: 2, message: 'failed' });
    assert.equal(child!.events?.[0]?.name, 'retry');
    assert.deepEqual(child!.events?.[0]?.attributes, [{ key: 'attempt', value: { intValue: '2' } }]);
    assert.equal(child!.links?.[0]?.spanId, root!.spanId);
    // Span flags (field 16): the SDK marks sampled spans; the reference protos predate the field.
    assert.equal((root!.flags ?? 0) & 0x1, 1);
    const [seconds, nanos] = spans[1]!.startTime;
    assert.equal(root!.startTimeUnixNano, (BigInt(seconds) * 1_000_000_000n + BigInt(nanos)).toString());
    assert.deepEqual(root!.attributes.find((a) => a.key === 'list')?.value, { arrayValue: { values: [{ stringValue: 'a' }, { stringValue: 'b' }] } });
    assert.deepEqual(root!.attributes.find((a) => a.key === 'ratio')?.value, { doubleValue: 0.5 });
  });

  it('re-encodes SDK spans into bytes the reference decodes like the SDK serialization', async () => {
    const spans = await sdkSpans();
    const sdkBytes = Buffer.from(ProtobufTraceSerializer.serializeRequest(spans)!);
    const ours = encodeTraceRequest(decodeTraceRequest(sdkBytes, 'application/x-protobuf', undefined, limit), 'protobuf');
    assert.deepEqual(
      RefTraceRequest.toObject(RefTraceRequest.decode(ours), toObjectOptions),
      RefTraceRequest.toObject(RefTraceRequest.decode(sdkBytes), toObjectOptions),
    );
  });

  it('decodes the logs serializer output', async () => {
    const { LoggerProvider, InMemoryLogRecordExporter, SimpleLogRecordProcessor } = await import('@opentelemetry/sdk-logs');
    const exporter = new InMemoryLogRecordExporter();
    const provider = new LoggerProvider({ processors: [new SimpleLogRecordProcessor({ exporter })] });
    provider.getLogger('log-scope').emit({ severityNumber: 13, severityText: 'WARN', body: { message: 'hi', n: 1 }, attributes: { k: 'v' } });
    const bytes = Buffer.from(ProtobufLogsSerializer.serializeRequest(exporter.getFinishedLogRecords())!);
    const record = decodeLogsRequest(bytes, 'application/x-protobuf', undefined, limit).resourceLogs[0]!.scopeLogs[0]!.logRecords[0]!;
    assert.equal(record.severityNumber, 13);
    assert.equal(record.severityText, 'WARN');
    assert.deepEqual(record.body, {
      kvlistValue: {
        values: [
          { key: 'message', value: { stringValue: 'hi' } },
          { key: 'n', value: { intValue: '1' } },
        ],
      },
    });
    assert.deepEqual(record.attributes, [{ key: 'k', value: { stringValue: 'v' } }]);
  });
});

describe('OTLP/JSON', () => {
  it('round-trips our JSON encoding', () => {
    const model = traceFixture();
    const text = encodeTraceRequest(model, 'json');
    assert.deepEqual(decodeTraceRequest(text, 'application/json; charset=utf-8', undefined, limit), model);
    assert.deepEqual(decodeLogsRequest(encodeLogsRequest(logsFixture(), 'json'), 'application/json', undefined, limit), logsFixture());
  });

  it('accepts base64 ids, numeric int64, enum names and snake_case keys', () => {
    const body = JSON.stringify({
      resource_spans: [
        {
          scope_spans: [
            {
              spans: [
                {
                  trace_id: Buffer.from('5759e988bd862e3fe1be46a994272793', 'hex').toString('base64'),
                  spanId: 'U5lcP0LNitg=',
                  name: 'x',
                  kind: 'SPAN_KIND_CONSUMER',
                  startTimeUnixNano: 1763860800123456,
                  endTimeUnixNano: '1763860800987654321',
                  attributes: [
                    { key: 'n', value: { intValue: 7 } },
                    { key: 'nan', value: { doubleValue: 'NaN' } },
                  ],
                  status: { code: 'STATUS_CODE_OK' },
                  unknownField: { ignored: true },
                },
              ],
            },
          ],
        },
      ],
    });
    const span = decodeTraceRequest(Buffer.from(body), 'application/json', undefined, limit).resourceSpans[0]!.scopeSpans[0]!.spans[0]!;
    assert.equal(span.traceId, '5759e988bd862e3fe1be46a994272793');
    assert.equal(span.spanId, '53995c3f42cd8ad8');
    assert.equal(span.kind, 5);
    assert.equal(span.startTimeUnixNano, '1763860800123456');
    assert.deepEqual(span.attributes[0], { key: 'n', value: { intValue: '7' } });
    assert.ok(Number.isNaN(span.attributes[1]!.value.doubleValue));
    assert.deepEqual(span.status, { code: 1 });
    assert.equal('unknownField' in span, false);
  });

  it('writes NaN and infinities as proto3 JSON strings', () => {
    const model = traceFixture();
    model.resourceSpans[0]!.scopeSpans[0]!.spans[1]!.attributes = [{ key: 'inf', value: { doubleValue: Number.POSITIVE_INFINITY } }];
    const text = encodeTraceRequest(model, 'json').toString();
    assert.match(text, /"doubleValue":"Infinity"/);
    const back = decodeTraceRequest(Buffer.from(text), 'application/json', undefined, limit);
    assert.equal(back.resourceSpans[0]!.scopeSpans[0]!.spans[1]!.attributes[0]!.value.doubleValue, Number.POSITIVE_INFINITY);
  });
});

describe('transport encodings and bad input', () => {
  it('decodes gzip bodies', () => {
    const body = gzipSync(referenceTraceBytes(traceFixture()));
    assert.deepEqual(decodeTraceRequest(body, 'application/x-protobuf', 'gzip', limit), traceFixture());
  });

  const cases: { name: string; body: Buffer; type: string | undefined; encoding: string | undefined; reason: string; message: RegExp }[] = [
    { name: 'bad gzip', body: Buffer.from('not gzip'), type: 'application/x-protobuf', encoding: 'gzip', reason: 'gzip', message: /not valid gzip/ },
    {
      name: 'truncated protobuf',
      body: referenceTraceBytes(traceFixture()).subarray(0, 40),
      type: 'application/x-protobuf',
      encoding: undefined,
      reason: 'protobuf',
      message: /bad OTLP protobuf/,
    },
    {
      name: 'wrong wire type',
      body: Buffer.from([0x08, 0x01]),
      type: 'application/x-protobuf',
      encoding: undefined,
      reason: 'protobuf',
      message: /resourceSpans has wire type 0, expected 2/,
    },
    {
      name: 'unsupported content type',
      body: Buffer.from('x'),
      type: 'text/plain',
      encoding: undefined,
      reason: 'content-type',
      message: /unsupported Content-Type "text\/plain"/,
    },
    {
      name: 'unsupported encoding',
      body: Buffer.from('x'),
      type: 'application/json',
      encoding: 'br',
      reason: 'content-encoding',
      message: /unsupported Content-Encoding "br"/,
    },
    {
      name: 'bad JSON',
      body: Buffer.from('{"resourceSpans": ['),
      type: 'application/json',
      encoding: undefined,
      reason: 'json',
      message: /bad OTLP JSON: not valid JSON/,
    },
    {
      name: 'JSON of the wrong shape',
      body: Buffer.from('{"resourceSpans": [{"scopeSpans": [{"spans": [{"startTimeUnixNano": "soon"}]}]}]}'),
      type: 'application/json',
      encoding: undefined,
      reason: 'json',
      message: /ExportTraceServiceRequest\.resourceSpans\[0\]\.scopeSpans\[0\]\.spans\[0\]\.startTimeUnixNano must be an integer/,
    },
  ];
  for (const c of cases) {
    it(`rejects ${c.name} with a clear OtlpDecodeError`, () => {
      assert.throws(
        () => decodeTraceRequest(c.body, c.type, c.encoding, limit),
        (error: unknown) => error instanceof OtlpDecodeError && error.reason === c.reason && !error.tooLarge && c.message.test(error.message),
      );
    });
  }

  it('stops inflating a gzip bomb at maxDecodedBytes', () => {
    const bomb = gzipSync(Buffer.alloc(64 * 1024 * 1024)); // 64 MiB of zeros in ~64 KiB
    assert.ok(bomb.length < 200 * 1024);
    assert.throws(
      () => decodeTraceRequest(bomb, 'application/x-protobuf', 'gzip', { maxDecodedBytes: 1024 * 1024 }),
      (error: unknown) => error instanceof OtlpDecodeError && error.tooLarge && /exceeds 1048576 bytes/.test(error.message),
    );
    assert.throws(
      () => decodeLogsRequest(Buffer.alloc(2048), 'application/x-protobuf', undefined, { maxDecodedBytes: 1024 }),
      (error: unknown) => error instanceof OtlpDecodeError && error.tooLarge,
    );
  });

  it('names the missing Content-Type instead of guessing the format', () => {
    assert.throws(
      () => decodeTraceRequest(encodeTraceRequest(traceFixture(), 'json'), undefined, undefined, limit),
      (error: unknown) =>
        error instanceof OtlpDecodeError && error.reason === 'content-type' && /expected application\/x-protobuf or application\/json/.test(error.message),
    );
  });

  it('refuses hostile nesting instead of overflowing the stack', () => {
    let value: Record<string, unknown> = { stringValue: 'leaf' };
    for (let i = 0; i < 300; i++) value = { arrayValue: { values: [value] } };
    const body = JSON.stringify({ resourceLogs: [{ scopeLogs: [{ logRecords: [{ body: value }] }] }] });
    assert.throws(
      () => decodeLogsRequest(Buffer.from(body), 'application/json', undefined, limit),
      (error: unknown) => error instanceof OtlpDecodeError && /nested deeper/.test(error.message),
    );
  });
});
