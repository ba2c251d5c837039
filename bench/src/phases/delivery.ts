// Delivery, counted from what the sink decoded: an invocation is delivered when a span carrying its
// request id as `faas.invocation.id` reached the sink. The peers deliver elsewhere: D into the
// function's log output, T to a UDP listener standing for the X-Ray daemon.
import type { LoggedTraces } from '../peers/datadog-log-traces.ts';
import type { XrayListener } from '../peers/xray-listener.ts';
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

/** D: invocations whose aws.lambda span is in a Datadog trace line of the function's log output. */
export function countLogDelivery(logged: LoggedTraces[], requestIds: string[]): Delivery {
  const wanted = new Set(requestIds);
  const seen = new Set(logged.flatMap((traces) => traces.requestIds).filter((id) => wanted.has(id)));
  return { invocations: wanted.size, delivered: seen.size, spans: logged.reduce((sum, traces) => sum + traces.spans, 0) };
}

/** T: invocations whose X-Ray trace id reached the UDP listener; waits (briefly) for datagrams in flight. */
export async function awaitXrayDelivery(listener: XrayListener, traceIds: string[], timeoutMs: number): Promise<Delivery> {
  const count = (): Delivery => {
    const found = traceIds.filter((traceId) => listener.documentsByTrace.has(traceId));
    return {
      invocations: new Set(traceIds).size,
      delivered: new Set(found).size,
      spans: traceIds.reduce((sum, traceId) => sum + (listener.documentsByTrace.get(traceId) ?? 0), 0),
    };
  };
  const deadline = Date.now() + timeoutMs;
  let delivery = count();
  while (delivery.delivered < delivery.invocations && Date.now() < deadline) {
    await new Promise((resolve) => setTimeout(resolve, 50));
    delivery = count();
  }
  return delivery;
}
