// The demo function: validates the event, composes a greeting in a child span (with a nested
// "client" call), logs as it goes, and fails with a TypeError when the name is not a string.
// With the lambda-otel layer its spans nest under the invocation's root span; without it the
// OpenTelemetry API is a no-op and the handler behaves the same. `@opentelemetry/api` resolves from
// this repository's node_modules (a dependency of @lambda-otel/instrument); a deployed function
// bundles or installs its own copy.
import { SpanKind, SpanStatusCode, trace } from '@opentelemetry/api';

const pause = (ms) => new Promise((wake) => setTimeout(wake, ms));

/** Runs `work` in a child span that records a thrown error and always ends. */
function inSpan(name, options, work) {
  // Asked for at each call: the layer registers its tracer provider at the first invocation.
  const tracer = trace.getTracer('examples/hello');
  return tracer.startActiveSpan(name, options, async (span) => {
    try {
      return await work(span);
    } catch (error) {
      span.recordException(error);
      span.setStatus({ code: SpanStatusCode.ERROR, message: error.message });
      throw error;
    } finally {
      span.end();
    }
  });
}

export const handler = async (event) => {
  console.log('hello handler got', JSON.stringify(event));
  const name = await inSpan('validate event', {}, async (span) => {
    const candidate = event?.name ?? 'world';
    span.setAttribute('hello.name.type', typeof candidate);
    if (typeof candidate !== 'string') throw new TypeError(`event.name must be a string, got ${typeof candidate}`);
    return candidate;
  });
  const body = await inSpan('compose greeting', { attributes: { 'hello.name': name } }, async () => {
    const title = await inSpan('lookup title', { kind: SpanKind.CLIENT, attributes: { 'peer.service': 'titles' } }, async () => {
      await pause(8);
      return name === 'Ada' ? 'Countess ' : '';
    });
    console.log('composed greeting for', name);
    return `Hello, ${title}${name}!`;
  });
  return { statusCode: 200, body };
};
