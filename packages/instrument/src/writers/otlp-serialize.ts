import type { ReadableSpan } from '@opentelemetry/sdk-trace';

type Serializers = typeof import('@opentelemetry/otlp-transformer');
let loading: Promise<Serializers> | undefined;

/** Loads the OTLP serializers on first use (after the first response), as a separate chunk. */
function serializers(): Promise<Serializers> {
  loading ??= import('@opentelemetry/otlp-transformer');
  return loading;
}

/** ExportTraceServiceRequest bytes for the spans, protobuf or JSON. */
export async function serializeSpans(spans: ReadableSpan[], format: 'protobuf' | 'json'): Promise<Uint8Array> {
  const { ProtobufTraceSerializer, JsonTraceSerializer } = await serializers();
  const bytes = (format === 'protobuf' ? ProtobufTraceSerializer : JsonTraceSerializer).serializeRequest(spans);
  if (bytes === undefined) throw new Error('the OTLP serializer returned nothing');
  return bytes;
}
