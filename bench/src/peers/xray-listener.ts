// A local UDP listener standing for the X-Ray daemon: aws-xray-sdk-core sends each closed segment or
// subsegment as one datagram, a `{"format":"json","version":1}` header line and the document. The
// listener keeps, per trace id, how many documents arrived, for T's delivery check.
import { createSocket } from 'node:dgram';
import { once } from 'node:events';

export interface XrayListener {
  /** host:port, as AWS_XRAY_DAEMON_ADDRESS takes it. */
  address: string;
  /** Documents received per X-Ray trace id (1-xxxxxxxx-xxxxxxxxxxxxxxxxxxxxxxxx). */
  documentsByTrace: Map<string, number>;
  /** Datagrams that were not a header line and a JSON document with a trace_id. */
  malformed: number;
  close(): Promise<void>;
}

/** The trace id of one daemon datagram, or undefined when it is not one. */
export function traceIdOfDatagram(datagram: string): string | undefined {
  const newline = datagram.indexOf('\n');
  if (newline < 0) return undefined;
  try {
    const header = JSON.parse(datagram.slice(0, newline)) as { format?: unknown };
    if (header.format !== 'json') return undefined;
    const document = JSON.parse(datagram.slice(newline + 1)) as { trace_id?: unknown };
    return typeof document.trace_id === 'string' ? document.trace_id : undefined;
  } catch {
    return undefined;
  }
}

/** Binds port 0 on loopback: the port stays taken by this socket for the whole run. */
export async function startXrayListener(): Promise<XrayListener> {
  const socket = createSocket('udp4');
  const listener: XrayListener = {
    address: '',
    documentsByTrace: new Map(),
    malformed: 0,
    close: async () => {
      socket.close();
      await once(socket, 'close');
    },
  };
  socket.on('message', (message) => {
    const traceId = traceIdOfDatagram(message.toString('utf8'));
    if (traceId === undefined) listener.malformed++;
    else listener.documentsByTrace.set(traceId, (listener.documentsByTrace.get(traceId) ?? 0) + 1);
  });
  socket.bind(0, '127.0.0.1');
  await once(socket, 'listening');
  listener.address = `127.0.0.1:${socket.address().port}`;
  return listener;
}
