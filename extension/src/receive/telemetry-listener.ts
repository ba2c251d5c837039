/**
 * Receives Telemetry API deliveries (HTTP POSTs of JSON arrays). Lambda posts to the URI given at
 * subscription, which must name `sandbox.localdomain`; the listener binds to the address that name
 * resolves to when it resolves quickly, else to 127.0.0.1, on an ephemeral port.
 */
import dns from 'node:dns';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { errorMessage } from '../logger.ts';
import type { Logger } from '../logger.ts';
import { parseTelemetryBatch } from './telemetry-records.ts';
import type { TelemetryRecord } from './telemetry-records.ts';

export const SANDBOX_HOST = 'sandbox.localdomain';
const MAX_DELIVERY_BYTES = 8 * 1024 * 1024;

export interface TelemetryListener {
  /** The URI to subscribe with: http://sandbox.localdomain:<port>. */
  readonly uri: string;
  readonly port: number;
  /** When the last delivery arrived (epoch ms), 0 before the first. */
  lastDeliveryAtMs(): number;
  close(): Promise<void>;
}

/** Starts the listener; `onRecords` runs once per delivery and must not throw (errors are contained). */
export async function startTelemetryListener(
  onRecords: (records: TelemetryRecord[]) => void,
  logger: Logger,
  bindAddress = '127.0.0.1',
): Promise<TelemetryListener> {
  let lastDeliveryAtMs = 0;
  const server = http.createServer((request, response) => {
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
  });
  server.keepAliveTimeout = 60_000;
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, bindAddress, () => {
      server.off('error', reject);
      resolve();
    });
  });
  const { port } = server.address() as AddressInfo;
  return {
    uri: `http://${SANDBOX_HOST}:${port}`,
    port,
    lastDeliveryAtMs: () => lastDeliveryAtMs,
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}

/**
 * The address sandbox.localdomain resolves to, if it does within `timeoutMs`; otherwise loopback.
 * Started early (beside registration) so the lookup costs no start-up time.
 */
export async function resolveSandboxAddress(timeoutMs: number): Promise<string> {
  const fallback = '127.0.0.1';
  const lookup = dns.promises.lookup(SANDBOX_HOST, { family: 4 }).then(
    (result) => result.address,
    () => fallback,
  );
  const timeout = new Promise<string>((resolve) => setTimeout(resolve, timeoutMs, fallback).unref());
  return Promise.race([lookup, timeout]);
}
