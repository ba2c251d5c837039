// The OTLP sink (test/support/otlp-sink.ts) on its own thread: decoding what arrives never runs on the
// event loop that times the invokes. The main thread asks for a snapshot of what was decoded.
import { parentPort } from 'node:worker_threads';
import { startOtlpSink } from '../../test/support/otlp-sink.ts';

export interface SinkSnapshot {
  /** Per decoded span: its faas.invocation.id or faas.invocation_id (if any) and scope name. */
  spans: { invocationId: string | undefined; scope: string }[];
  /** When each /v1/traces request arrived (epoch ms). */
  traceRequestAtMs: number[];
}

export type SinkRequest = { kind: 'snapshot' } | { kind: 'close' };

if (parentPort) {
  const port = parentPort;
  const sink = await startOtlpSink();
  port.on('message', (message: SinkRequest) => {
    if (message.kind === 'snapshot') {
      const snapshot: SinkSnapshot = {
        spans: sink.spans().map((span) => {
          // lambda-otel writes semantic conventions 1.45's faas.invocation.id; the upstream aws-lambda
          // instrumentation (C) still writes the older faas.invocation_id.
          const id = span.attributes['faas.invocation.id'] ?? span.attributes['faas.invocation_id'];
          return { invocationId: typeof id === 'string' ? id : undefined, scope: span.scope };
        }),
        traceRequestAtMs: sink.requests.filter((req) => req.path.startsWith('/v1/traces')).map((req) => req.receivedAtMs),
      };
      port.postMessage({ kind: 'snapshot', snapshot });
    } else {
      // A failed close is an unhandled rejection that ends the worker, which the parent sees.
      void sink.close().then(() => {
        port.postMessage({ kind: 'closed' });
        port.close();
      });
    }
  });
  port.postMessage({ kind: 'ready', url: sink.url, port: sink.port });
}
