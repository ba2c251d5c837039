// Delivery, counted from what the sink decoded: an invocation is delivered when a span carrying its
// request id as `faas.invocation.id` reached the sink.
import type { RemoteSink } from '../remote-sink.ts';
import type { SinkSnapshot } from '../sink-worker.ts';

export interface Delivery {
  invocations: number;
  delivered: number;
  spans: number;
}

export function countDelivery(snapshot: SinkSnapshot, requestIds: string[]): Delivery {
  const wanted = new Set(requestIds);
  const seen = new Set<string>();
  let spans = 0;
  for (const span of snapshot.spans) {
    if (span.invocationId !== undefined && wanted.has(span.invocationId)) {
      seen.add(span.invocationId);
      spans++;
    }
  }
  return { invocations: wanted.size, delivered: seen.size, spans };
}

/** Waits (briefly) until every invocation shows up at the sink or the time is up. */
export async function awaitDelivery(sink: RemoteSink, requestIds: string[], timeoutMs: number): Promise<Delivery> {
  const deadline = Date.now() + timeoutMs;
  let delivery = countDelivery(await sink.snapshot(), requestIds);
  while (delivery.delivered < delivery.invocations && Date.now() < deadline) {
    await new Promise((resolve) => setTimeout(resolve, 50));
    delivery = countDelivery(await sink.snapshot(), requestIds);
  }
  return delivery;
}
