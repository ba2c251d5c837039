// One HTTP POST over node:http/https with a keep-alive agent. It never throws: every outcome,
// including connection failures and timeouts, comes back as a value the retry policy classifies.
import http from 'node:http';
import type { IncomingHttpHeaders } from 'node:http';

export const EXTENSION_VERSION = '0.1.0';
export const USER_AGENT = `lambda-otel-extension/${EXTENSION_VERSION}`;

// Error bodies are only read for the message; a backend answering megabytes is cut off.
const maxResponseBytes = 64 * 1024;

export type HttpOutcome = { kind: 'response'; status: number; headers: IncomingHttpHeaders; body: Buffer } | { kind: 'network-error'; error: string };

export interface HttpSender {
  /** POSTs `body` with `headers`; `timeoutMs` bounds the whole attempt (0 = none). */
  post(headers: Readonly<Record<string, string>>, body: Buffer, timeoutMs: number): Promise<HttpOutcome>;
  readonly url: URL;
  close(): void;
}

export function createHttpSender(url: string): HttpSender {
  const target = new URL(url);
  const secure = target.protocol === 'https:';
  // node:https (with TLS and OpenSSL, several MiB of memory) only for an https target: a plain
  // http collector, e.g. on loopback, does without it.
  const https = secure ? process.getBuiltinModule('node:https') : undefined;
  // Keep-alive saves a TLS handshake per flush; sockets found dead after a freeze/thaw surface as
  // connection errors, which are retried on a fresh socket.
  const agent = https ? new https.Agent({ keepAlive: true, maxSockets: 4 }) : new http.Agent({ keepAlive: true, maxSockets: 4 });
  const request = https ? https.request : http.request;

  return {
    url: target,
    post(headers, body, timeoutMs) {
      return new Promise<HttpOutcome>((resolve) => {
        let settled = false;
        let timer: NodeJS.Timeout | undefined;
        const finish = (outcome: HttpOutcome): void => {
          if (settled) return;
          settled = true;
          if (timer) clearTimeout(timer);
          resolve(outcome);
        };
        let req: http.ClientRequest;
        try {
          req = request(target, {
            method: 'POST',
            agent,
            headers: { 'user-agent': USER_AGENT, ...headers, 'content-length': String(body.length) },
          });
        } catch (error) {
          finish({ kind: 'network-error', error: (error as Error).message });
          return;
        }
        if (timeoutMs > 0) {
          timer = setTimeout(() => {
            finish({ kind: 'network-error', error: `no answer within ${timeoutMs} ms` });
            req.destroy();
          }, timeoutMs);
          timer.unref();
        }
        req.on('error', (error: NodeJS.ErrnoException) => {
          finish({ kind: 'network-error', error: error.code ? `${error.code}: ${error.message}` : error.message });
        });
        req.on('response', (res) => {
          const chunks: Buffer[] = [];
          let received = 0;
          res.on('data', (chunk: Buffer) => {
            if (received < maxResponseBytes) chunks.push(chunk);
            received += chunk.length;
          });
          res.on('end', () => {
            finish({ kind: 'response', status: res.statusCode ?? 0, headers: res.headers, body: Buffer.concat(chunks).subarray(0, maxResponseBytes) });
          });
          res.on('error', (error) => finish({ kind: 'network-error', error: `response aborted: ${error.message}` }));
        });
        req.end(body);
      });
    },
    close() {
      agent.destroy();
    },
  };
}

/** A short printable excerpt of an error response (JSON, text or a protobuf google.rpc.Status). */
export function responseExcerpt(body: Buffer, maxChars = 200): string {
  return body
    .toString('utf8')
    .replace(/[^\x20-\x7e]+/g, ' ')
    .trim()
    .slice(0, maxChars);
}
