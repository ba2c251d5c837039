// Produces real finished spans with OpenTelemetry's SDK and serializes them with its OTLP serializers,
// so tests can feed receivers with exactly what an OpenTelemetry SDK would send.
import { context, trace } from '@opentelemetry/api';
import { resourceFromAttributes } from '@opentelemetry/resources';
import { InMemorySpanExporter, SimpleSpanProcessor, TracerProvider, type ReadableSpan } from '@opentelemetry/sdk-trace';
import { JsonTraceSerializer, ProtobufTraceSerializer } from '@opentelemetry/otlp-transformer';

export class BasicTracerProvider {
  readonly exporter = new InMemorySpanExporter();
  readonly provider = new TracerProvider({
    resource: resourceFromAttributes({ 'service.name': 'sink-check' }),
    spanProcessors: [new SimpleSpanProcessor({ exporter: this.exporter })],
  });

  /** Ends a chain of nested spans with the given names, outermost first. */
  async spansNamed(names: string[]): Promise<ReadableSpan[]> {
    const tracer = this.provider.getTracer('sink-check');
    this.exporter.reset();
    let ctx = context.active();
    const open = names.map((name) => {
      const span = tracer.startSpan(name, { attributes: { 'test.number': 42 } }, ctx);
      ctx = trace.setSpan(ctx, span);
      return span;
    });
    for (const span of open.reverse()) span.end();
    await this.provider.forceFlush();
    return [...this.exporter.getFinishedSpans()].reverse();
  }

  serialize(spans: ReadableSpan[], format: 'protobuf' | 'json'): Uint8Array {
    const serializer = format === 'protobuf' ? ProtobufTraceSerializer : JsonTraceSerializer;
    const bytes = serializer.serializeRequest(spans);
    if (!bytes) throw new Error('the OTLP serializer returned nothing');
    return bytes;
  }
}
