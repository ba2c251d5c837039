// Each Lambda sandbox has its own loopback, so every layer can listen on the same fixed port (the
// lambda-otel extension on 4318). Sandboxes emulated side by side on one machine share the host's
// loopback instead: each gets a free port for that receiver, handed to the layer through its
// documented variable LAMBDA_OTEL_RECEIVER_PORT (read by both the extension and the plugin).
import { readFileSync } from 'node:fs';
import { createServer } from 'node:net';

export const RECEIVER_PORT_VARIABLE = 'LAMBDA_OTEL_RECEIVER_PORT';

/** The receiver port in force for one sandbox, and why (for the emulator's output). */
export interface LoopbackPorts {
  readonly receiverPort: number;
  readonly source: 'env' | 'free-port';
}

/** The port the user set, or a free one picked for this environment. */
export async function sandboxLoopbackPorts(env: Readonly<Record<string, string>>): Promise<LoopbackPorts> {
  const set = Number(env[RECEIVER_PORT_VARIABLE]);
  if (Number.isInteger(set) && set > 0 && set < 65_536) return { receiverPort: set, source: 'env' };
  return { receiverPort: await freeLoopbackPort(), source: 'free-port' };
}

/**
 * A port free right now on 127.0.0.1, chosen below the kernel's ephemeral range: a port handed out
 * by listen(0) and released again could be taken by any other listen(0) (sinks, servers, tests
 * running side by side) before the extension binds it; ports below the range never are.
 */
export async function freeLoopbackPort(): Promise<number> {
  const lowest = 10_000;
  const ephemeralLow = ephemeralRangeStart();
  for (let attempt = 0; attempt < 50 && ephemeralLow > lowest + 100; attempt++) {
    const port = lowest + Math.floor(Math.random() * (ephemeralLow - lowest));
    if ((await listenOnce(port)) !== undefined) return port;
  }
  const any = await listenOnce(0);
  if (any === undefined) throw new Error('no free port on 127.0.0.1');
  return any;
}

function ephemeralRangeStart(): number {
  try {
    return Number(readFileSync('/proc/sys/net/ipv4/ip_local_port_range', 'utf8').trim().split(/\s+/)[0]) || 32_768;
  } catch {
    return 32_768; // not Linux: the IANA range starts at 49152, so this stays below it
  }
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
