// A tiny router over node:http: routes are (method, path pattern, handler); an ApiError thrown by a
// handler becomes Lambda's JSON error body, anything else a 500 — the server keeps serving either way.
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Duplex } from 'node:stream';
import { ApiError, apiErrors } from '../errors.ts';

export interface RouteContext {
  req: IncomingMessage;
  res: ServerResponse;
  params: string[];
}

export interface Route {
  method: string;
  path: RegExp;
  handle: (ctx: RouteContext) => Promise<void> | void;
}

export function sendJson(res: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}): void {
  // Nothing to answer on a connection that is gone or already answered (e.g. a truncated request).
  if (res.headersSent || res.destroyed || res.socket?.writableEnded) return;
  const text = JSON.stringify(body);
  res.writeHead(status, { 'Content-Type': 'application/json', 'Content-Length': Buffer.byteLength(text), ...headers });
  res.end(text);
}

export function sendError(res: ServerResponse, error: ApiError): void {
  sendJson(res, error.status, error.body());
}

/** Reads a whole body; rejects with 413 past `limitBytes` (the rest is drained, not buffered). */
export function readBody(req: IncomingMessage, limitBytes = 16 * 1024 * 1024): Promise<Buffer> {
  return new Promise((resolveBody, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    let tooLarge = false;
    req.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size > limitBytes) tooLarge = true;
      else chunks.push(chunk);
    });
    req.on('end', () => (tooLarge ? reject(apiErrors.payloadTooLarge(limitBytes)) : resolveBody(Buffer.concat(chunks))));
    req.on('aborted', () => reject(apiErrors.truncated()));
    req.on('error', () => reject(apiErrors.truncated()));
  });
}

export function header(req: IncomingMessage, name: string): string | undefined {
  const value = req.headers[name.toLowerCase()];
  return Array.isArray(value) ? value[0] : value;
}

export interface ApiServer {
  server: Server;
  port: number;
  address: string;
  close(): Promise<void>;
}

export interface ServerOptions {
  /** Default 0: any free port. */
  port?: number;
  /** Default true: the sandbox's connections never keep the emulator's process alive. */
  unrefConnections?: boolean;
}

export async function startApiServer(routes: Route[], options: ServerOptions = {}): Promise<ApiServer> {
  const server = createServer((req, res) => {
    const url = (req.url ?? '/').split('?')[0] ?? '/';
    const matching = routes.filter((route) => route.path.test(url));
    const route = matching.find((candidate) => candidate.method === req.method);
    const fail = (error: unknown) => {
      req.resume();
      if (error instanceof ApiError) sendError(res, error);
      else sendJson(res, 500, { errorType: 'ServiceException', errorMessage: String((error as Error)?.message ?? error) });
    };
    if (!route) {
      fail(matching.length > 0 ? apiErrors.methodNotAllowed(req.method ?? '?', url) : apiErrors.notFound(url));
      return;
    }
    const params =
      route.path
        .exec(url)
        ?.slice(1)
        .map((part) => decodeURIComponent(part)) ?? [];
    try {
      const result = route.handle({ req, res, params });
      if (result) result.catch(fail);
    } catch (error) {
      fail(error);
    }
  });
  server.on('clientError', answerMalformedRequest);
  // Connections from the sandbox (parked /next requests) never keep the emulator's process alive.
  if (options.unrefConnections ?? true) server.on('connection', (socket) => socket.unref());
  // Long-polling clients (/next) must never be timed out by the server.
  server.requestTimeout = 0;
  server.headersTimeout = 0;
  server.keepAliveTimeout = 0;
  server.timeout = 0;
  await new Promise<void>((resolveListen, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 0, '127.0.0.1', () => resolveListen());
  });
  const { port } = server.address() as AddressInfo;
  return {
    server,
    port,
    address: `127.0.0.1:${port}`,
    close: () =>
      new Promise<void>((resolveClose) => {
        server.closeAllConnections();
        server.close(() => resolveClose());
      }),
  };
}

/**
 * Node answers a request it cannot parse by itself; here a body cut short (the client closed before
 * Content-Length bytes came) gets Lambda's 400 TruncatedHTTPRequest, anything else a bare 400.
 */
function answerMalformedRequest(error: NodeJS.ErrnoException, socket: Duplex): void {
  if (!socket.writable || error.code === 'ECONNRESET') {
    socket.destroy();
    return;
  }
  if (error.code === 'HPE_INVALID_EOF_STATE') {
    const body = JSON.stringify(apiErrors.truncated().body());
    socket.end(`HTTP/1.1 400 Bad Request\r\nContent-Type: application/json\r\nContent-Length: ${Buffer.byteLength(body)}\r\nConnection: close\r\n\r\n${body}`);
    return;
  }
  socket.end('HTTP/1.1 400 Bad Request\r\nConnection: close\r\n\r\n');
}
