import http, { type Agent } from 'node:http';

type HttpModule = typeof http | typeof import('node:https');
/** node:https (TLS, crypto) is loaded only for an https:// target: the extension is plain http. */
const clientFor = (protocol: string): HttpModule => (protocol === 'https:' ? process.getBuiltinModule('node:https') : http);

export interface PostResult {
  readonly status: number;
}

/** Keep-alive agents, created on first use; sockets are unref'd so they never hold the process. */
const agents = new Map<string, Agent>();
function agentFor(protocol: string): Agent {
  let agent = agents.get(protocol);
  if (agent === undefined) {
    agent = new (clientFor(protocol).Agent)({ keepAlive: true, maxSockets: 4 });
    agent.on('free', (socket) => socket.unref());
    agents.set(protocol, agent);
  }
  return agent;
}

/**
 * POSTs a body to the layer's extension on the loopback interface and resolves with the status; rejects on connection errors and when `timeoutMs`
 * passes without an answer (error code `ETIMEDOUT`). The response body is read and discarded.
 */
export function postBody(url: string, body: Uint8Array, headers: Record<string, string>, timeoutMs: number): Promise<PostResult> {
  return new Promise<PostResult>((resolve, reject) => {
    const target = new URL(url);
    const client = clientFor(target.protocol);
    const request = client.request(
      target,
      { method: 'POST', headers: { ...headers, 'content-length': String(body.byteLength) }, agent: agentFor(target.protocol) },
      (response) => {
        response.on('data', () => {});
        response.on('error', reject);
        response.on('end', () => resolve({ status: response.statusCode ?? 0 }));
      },
    );
    if (timeoutMs > 0) {
      request.setTimeout(timeoutMs, () => {
        const error = Object.assign(new Error(`no answer from ${target.origin} within ${timeoutMs} ms`), { code: 'ETIMEDOUT' });
        request.destroy(error);
      });
    }
    request.on('error', reject);
    request.end(body);
  });
}
