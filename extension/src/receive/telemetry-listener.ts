/**
 * Receives Telemetry API deliveries (HTTP POSTs of JSON arrays). Lambda posts to the URI given at
 * subscription, which must name `sandbox.localdomain`. The listener binds to the address that name
 * resolves to when it resolves quickly; otherwise to 127.0.0.1 at once (start-up does not wait on
 * DNS) and, when the name resolves later to another address, there too on the same port: wherever
 * the name leads, the listener is there.
 */
import dns from 'node:dns';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { errorMessage } from '../logger.ts';
import type { Logger } from '../logger.ts';
import { parseTelemetryBatch } from './telemetry-records.ts';
import type { TelemetryRecord } from './telemetry-records.ts';

export const SANDBOX_HOST = 'sandbox.localdomain';
const LOOPBACK = '127.0.0.1';
const MAX_DELIVERY_BYTES = 8 * 1024 * 1024;

export interface TelemetryListener {
  /** The URI to subscribe with: http://sandbox.localdomain:<port>. */
  readonly uri: string;
  readonly port: number;
  /** When the last delivery arrived (epoch ms), 0 before the first. */
  lastDeliveryAtMs(): number;
  close(): Promise<void>;
}

/** Where to listen: an address now, and what the name resolves to once its lookup ends (undefined if it fails). */
export interface SandboxAddress {
  readonly bind: string;
  readonly resolved: Promise<string | undefined>;
}

/** Starts the listener; `onRecords` runs once per delivery and must not throw (errors are contained). */
export async function startTelemetryListener(
  onRecords: (records: TelemetryRecord[]) => void,
  logger: Logger,
  address: string | SandboxAddress = LOOPBACK,
): Promise<TelemetryListener> {
  let lastDeliveryAtMs = 0;
  const handle: http.RequestListener = (request, response) => {
    const chunks: Buffer[] = [];
    let size = 0;
    request.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size <= MAX_DELIVERY_BYTES) chunks.push(chunk);
    });
    request.on('error', () => response.destroy());
    request.on('end', () => {
      lastDeliveryAtMs = Date.now();
      // Answer first: Lambda waits for the answer before it sends the next batch.
      response.writeHead(200, { 'Content-Type': 'text/plain' }).end('OK');
      if (size > MAX_DELIVERY_BYTES) {
        logger.warn('telemetry delivery too large, ignored', { bytes: size });
        return;
      }
      try {
        onRecords(parseTelemetryBatch(Buffer.concat(chunks).toString('utf8')));
      } catch (error) {
        logger.warn('telemetry delivery not understood', { error: errorMessage(error) });
      }
    });
  };
  const bindAddress = typeof address === 'string' ? address : address.bind;
  const servers = [await listen(handle, bindAddress, 0)];
  const { port } = servers[0]!.address() as AddressInfo;
  let closed = false;
  if (typeof address !== 'string') {
    // The name resolved after the quick wait: listen where it leads too (same port, same handler).
    void address.resolved.then(async (late) => {
      if (closed || late === undefined || late === bindAddress) return;
      try {
        const server = await listen(handle, late, port);
        if (closed) server.close();
        else servers.push(server);
      } catch (error) {
        logger.warn(`${SANDBOX_HOST} resolves to ${late}, where the telemetry listener cannot listen; deliveries may not arrive`, {
          error: errorMessage(error),
        });
      }
    });
  }
  return {
    uri: `http://${SANDBOX_HOST}:${port}`,
    port,
    lastDeliveryAtMs: () => lastDeliveryAtMs,
    close: async () => {
      closed = true;
      await Promise.all(
        servers.map(
          (server) =>
            new Promise<void>((resolve) => {
              server.close(() => resolve());
              server.closeAllConnections();
            }),
        ),
      );
    },
  };
}

async function listen(handle: http.RequestListener, host: string, port: number): Promise<http.Server> {
  const server = http.createServer(handle);
  server.keepAliveTimeout = 60_000;
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => {
      server.off('error', reject);
      resolve();
    });
  });
  return server;
}

/**
 * Where to bind: the address sandbox.localdomain resolves to if it does within `timeoutMs`, else
 * loopback at once, with the lookup's eventual answer for a second bind. Started early (beside
 * registration) so the lookup costs no start-up time.
 */
export async function resolveSandboxAddress(
  timeoutMs: number,
  lookup: () => Promise<string> = () => dns.promises.lookup(SANDBOX_HOST, { family: 4 }).then((result) => result.address),
): Promise<SandboxAddress> {
  const resolved = lookup().then(
    (address) => address,
    () => undefined,
  );
  const timeout = new Promise<undefined>((resolve) => setTimeout(resolve, timeoutMs, undefined).unref());
  const quick = await Promise.race([resolved, timeout]);
  return { bind: quick ?? LOOPBACK, resolved };
}
