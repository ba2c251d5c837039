// Load for the extension's OTLP receiver, shared by the ingest test and the ingest benchmark: POSTs of
// serialized spans, and a server that keeps the function's invocation open until released.
import { createServer, request, type Agent, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

/** POSTs one OTLP/protobuf traces body to the receiver on loopback; the status, or 0 when the request failed. */
export function postTraces(agent: Agent, port: number, body: Uint8Array): Promise<number> {
  return new Promise((resolve) => {
    const req = request(
      {
        host: '127.0.0.1',
        port,
        path: '/v1/traces',
        method: 'POST',
        agent,
        headers: { 'content-type': 'application/x-protobuf', 'content-length': body.byteLength },
      },
      (res) => {
        res.resume();
        res.on('end', () => resolve(res.statusCode ?? 0));
      },
    );
    req.on('error', () => resolve(0));
    req.end(body);
  });
}

export interface HoldServer {
  url: string;
  arrived: Promise<void>;
  release(): void;
  releasedAtMs(): number;
  close(): Promise<void>;
}

/** Answers the function's request only when released: the invocation stays open until then. */
export async function startHoldServer(): Promise<HoldServer> {
  let markArrived!: () => void;
  const arrived = new Promise<void>((resolve) => (markArrived = resolve));
  const waiting: ServerResponse[] = [];
  let releasedAtMs = Infinity;
  const server = createServer((_req, res) => {
    if (releasedAtMs !== Infinity) res.end('go');
    else waiting.push(res);
    markArrived();
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/hold`,
    arrived,
    release: () => {
      releasedAtMs = Date.now();
      for (const res of waiting.splice(0)) res.end('go');
    },
    releasedAtMs: () => releasedAtMs,
    close: () =>
      new Promise((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
