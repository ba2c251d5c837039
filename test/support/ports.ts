// Ports for the extension's OTLP receiver in tests and benchmarks.
import { readFileSync } from 'node:fs';
import { createServer } from 'node:net';

/**
 * A port free right now, chosen below the kernel's ephemeral range: a port handed out by listen(0)
 * and released again could be taken by any other listen(0) (sinks, the emulator, tests running side
 * by side) before the extension binds it; ports below the range never are.
 */
export async function freePort(): Promise<number> {
  const ephemeralLow = Number(readFileSync('/proc/sys/net/ipv4/ip_local_port_range', 'utf8').trim().split(/\s+/)[0]) || 32_768;
  const lowest = 10_000;
  for (let attempt = 0; attempt < 50 && ephemeralLow > lowest + 100; attempt++) {
    const port = lowest + Math.floor(Math.random() * (ephemeralLow - lowest));
    if ((await listenOnce(port)) !== undefined) return port;
  }
  const any = await listenOnce(0);
  if (any === undefined) throw new Error('no free port on 127.0.0.1');
  return any;
}

/** Listens on `port` (0: any) and closes again; the port it got, or undefined when it was taken. */
function listenOnce(port: number): Promise<number | undefined> {
  return new Promise((resolve) => {
    const server = createServer();
    server.once('error', () => resolve(undefined));
    server.listen(port, '127.0.0.1', () => {
      const address = server.address();
      const got = typeof address === 'object' && address ? address.port : undefined;
      server.close(() => resolve(got));
    });
  });
}
