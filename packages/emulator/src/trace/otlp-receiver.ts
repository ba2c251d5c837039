// The emulator's own OTLP/HTTP receiver: where the layer (or any OTel SDK exporting OTLP/HTTP) sends
// spans when the user configured no endpoint, so the trace view can show them. Bodies are decoded
// with the extension's codec (protobuf or JSON, gzip or not).
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { decodeTraceRequest } from '../../../../extension/src/otlp/decode.ts';
import { flattenTraces } from '../../../../extension/src/otlp/types.ts';
import { freeLoopbackPort } from '../loopback-port.ts';
import { toTraceSpan, type TraceSpan } from './trace-span.ts';

const maxBodyBytes = 16 * 1024 * 1024;
const acceptedPaths = new Set(['/v1/traces', '/v1/logs', '/v1/metrics']);
/** Spans kept at most; the oldest go first (a long `serve` session). */
const maxSpans = 50_000;

export class OtlpReceiver {
  readonly spans: TraceSpan[] = [];
  /** Requests that could not be decoded, with the reason (shown, never fatal). */
  readonly rejected: string[] = [];
  private server: Server | undefined;
  private listeners: (() => void)[] = [];
  url = '';

  async start(): Promise<string> {
    const port = await freeLoopbackPort();
    this.server = createServer((req, res) => void this.handle(req, res));
    await new Promise<void>((resolveListen, reject) => {
      this.server!.once('error', reject);
      this.server!.listen(port, '127.0.0.1', () => resolveListen());
    });
    this.server.unref();
    this.url = `http://127.0.0.1:${port}`;
    return this.url;
  }

  /** Resolves once `check()` holds or `timeoutMs` passed; re-checked whenever spans arrive. */
  async waitFor(check: () => boolean, timeoutMs: number): Promise<boolean> {
    if (check()) return true;
    return new Promise((resolveWait) => {
      const listener = () => {
        if (!check()) return;
        done(true);
      };
      const timer = setTimeout(() => done(check()), timeoutMs);
      const done = (value: boolean) => {
        clearTimeout(timer);
        this.listeners = this.listeners.filter((candidate) => candidate !== listener);
        resolveWait(value);
      };
      this.listeners.push(listener);
    });
  }

  async close(): Promise<void> {
    const server = this.server;
    if (!server) return;
    server.closeAllConnections();
    await new Promise<void>((resolveClose) => server.close(() => resolveClose()));
  }

  private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const path = (req.url ?? '/').split('?')[0];
    if (req.method !== 'POST' || !acceptedPaths.has(path ?? '')) {
      req.resume();
      res.writeHead(404).end();
      return;
    }
    const chunks: Buffer[] = [];
    let size = 0;
    for await (const chunk of req as AsyncIterable<Buffer>) {
      size += chunk.length;
      if (size <= maxBodyBytes) chunks.push(chunk);
    }
    const contentType = req.headers['content-type'];
    // Logs and metrics are accepted and not shown: the view takes the log lines from the processes.
    if (path === '/v1/traces' && size <= maxBodyBytes) {
      try {
        const request = decodeTraceRequest(Buffer.concat(chunks), contentType, req.headers['content-encoding'], { maxDecodedBytes: maxBodyBytes });
        for (const item of flattenTraces(request)) this.spans.push(toTraceSpan(item));
        if (this.spans.length > maxSpans) this.spans.splice(0, this.spans.length - maxSpans);
      } catch (error) {
        this.rejected.push((error as Error).message);
        res.writeHead(400, { 'Content-Type': 'text/plain' }).end((error as Error).message);
        return;
      }
      for (const listener of [...this.listeners]) listener();
    }
    // An empty Export*ServiceResponse: zero bytes in protobuf, {} in JSON.
    const json = (contentType ?? '').includes('json');
    res.writeHead(200, { 'Content-Type': json ? 'application/json' : 'application/x-protobuf' }).end(json ? '{}' : '');
  }
}
