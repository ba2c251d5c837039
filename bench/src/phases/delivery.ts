// Delivery, counted from what the sink decoded: an invocation is delivered when a span carrying its
// request id as `faas.invocation_id` reached the sink.
import type { OtlpSink } from '../../../test/support/otlp-sink.ts';

export interface Delivery {
  invocations: number;
  delivered: number;
  spans: number;
}

export function countDelivery(sink: OtlpSink, requestIds: string[]): Delivery {
  const wanted = new Set(requestIds);
  const seen = new Set<string>();
  let spans = 0;
  for (const span of sink.spans()) {
    const id = span.attributes['faas.invocation_id'];
    if (typeof id === 'string' && wanted.has(id)) {
      seen.add(id);
      spans++;
    }
  }
  return { invocations: wanted.size, delivered: seen.size, spans };
}

/** Waits (briefly) until every invocation shows up at the sink or the time is up. */
export async function awaitDelivery(sink: OtlpSink, requestIds: string[], timeoutMs: number): Promise<Delivery> {
  const deadline = Date.now() + timeoutMs;
  let delivery = countDelivery(sink, requestIds);
  while (delivery.delivered < delivery.invocations && Date.now() < deadline) {
    await new Promise((resolve) => setTimeout(resolve, 25));
    delivery = countDelivery(sink, requestIds);
  }
  return delivery;
}
