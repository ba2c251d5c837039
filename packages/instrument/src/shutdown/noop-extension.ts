/**
 * A do-nothing internal extension. Lambda sends SIGTERM to the runtime at shutdown only when at
 * least one extension is registered; without one the runtime is killed outright and shutdown hooks
 * never run. Registering this one (from inside the runtime process, under a name that is not a file
 * in /opt/extensions, so Lambda treats it as internal) buys the runtime its SIGTERM and ~500 ms.
 */
import type { ClientRequest, IncomingMessage, RequestOptions } from 'node:http';
import { logger } from '../logger/logger.ts';

/**
 * node:http is loaded here, when a registration is made (layerless only), not at import: with the
 * layer's extension present it would be a few ms of init for nothing.
 */
function request(options: RequestOptions): ClientRequest {
  return process.getBuiltinModule('node:http').request(options);
}

export const NOOP_EXTENSION_NAME = 'lambda-otel-graceful-shutdown';

/** Bound for the register call, so a silent Runtime API can never hold init. */
const REGISTER_TIMEOUT_MS = 1_000;

export type NoopExtensionResult = { status: 'registered'; extensionId: string } | { status: 'skipped'; reason: string } | { status: 'failed'; reason: string };

/**
 * Registers the extension with events `[]`, then calls /event/next once without awaiting it (Lambda
 * waits for every registered extension's first /event/next before init completes; the call then
 * blocks until the environment goes away). Its socket is unref'd so it never holds the process open.
 * Resolves once the register call is answered; never rejects; a failure is logged once.
 *
 * @example
 * await registerNoopExtension(process.env.AWS_LAMBDA_RUNTIME_API);
 */
export async function registerNoopExtension(runtimeApi: string | undefined): Promise<NoopExtensionResult> {
  if (!runtimeApi) return { status: 'skipped', reason: 'AWS_LAMBDA_RUNTIME_API is not set (not running in Lambda)' };
  try {
    const response = await call(runtimeApi, {
      method: 'POST',
      path: '/2020-01-01/extension/register',
      headers: { 'Lambda-Extension-Name': NOOP_EXTENSION_NAME, 'Content-Type': 'application/json' },
      body: JSON.stringify({ events: [] }),
    });
    const extensionId = response.headers['lambda-extension-identifier'];
    if (response.statusCode === 403) return tooLate(`register answered 403: ${response.body.slice(0, 200)}`);
    if (response.statusCode !== 200 || typeof extensionId !== 'string' || extensionId === '') {
      return failed(`register answered ${response.statusCode}: ${response.body.slice(0, 200)}`);
    }
    waitForeverOnNextEvent(runtimeApi, extensionId);
    return { status: 'registered', extensionId };
  } catch (error) {
    return failed(error instanceof Error ? error.message : String(error));
  }
}

/** Lambda closes registration when the runtime first asks for an event: the race was lost. */
function tooLate(reason: string): NoopExtensionResult {
  logger.warn(
    'graceful shutdown: the internal extension registered too late (the runtime had already asked for its first event); ' +
      'Lambda will not send SIGTERM, so onShutdown hooks and the final telemetry flush will not run. ' +
      'In an ES module, `await ready()` at top level; in CommonJS, use the lambda-otel layer for graceful shutdown',
    { extensionName: NOOP_EXTENSION_NAME, reason },
  );
  return { status: 'failed', reason };
}

function failed(reason: string): NoopExtensionResult {
  logger.warn('graceful shutdown: could not register the internal extension; SIGTERM may not be sent at shutdown', {
    extensionName: NOOP_EXTENSION_NAME,
    reason,
  });
  return { status: 'failed', reason };
}

function waitForeverOnNextEvent(runtimeApi: string, extensionId: string): void {
  const { hostname, port } = splitHostPort(runtimeApi);
  const req = request({
    hostname,
    port,
    method: 'GET',
    path: '/2020-01-01/extension/event/next',
    headers: { 'Lambda-Extension-Identifier': extensionId },
    agent: false,
  });
  req.on('socket', (socket) => socket.unref());
  // An answer (none is expected for events []) or a reset at shutdown needs no action.
  req.on('response', (res: IncomingMessage) => res.resume());
  req.on('error', () => {});
  req.end();
}

function splitHostPort(runtimeApi: string): { hostname: string; port: number } {
  const at = runtimeApi.lastIndexOf(':');
  if (at < 0 || runtimeApi.endsWith(']')) return { hostname: runtimeApi.replace(/^\[(.*)\]$/, '$1'), port: 80 };
  const hostname = runtimeApi.slice(0, at).replace(/^\[(.*)\]$/, '$1');
  return { hostname, port: Number(runtimeApi.slice(at + 1)) };
}

function call(
  runtimeApi: string,
  options: { method: string; path: string; headers: Record<string, string>; body: string },
): Promise<{ statusCode: number; headers: IncomingMessage['headers']; body: string }> {
  const { hostname, port } = splitHostPort(runtimeApi);
  return new Promise((resolve, reject) => {
    const req = request({ hostname, port, method: options.method, path: options.path, headers: options.headers, agent: false });
    req.setTimeout(REGISTER_TIMEOUT_MS, () => req.destroy(new Error(`no answer within ${REGISTER_TIMEOUT_MS} ms`)));
    req.on('error', reject);
    req.on('response', (res) => {
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (chunk: string) => (body += chunk));
      res.on('end', () => resolve({ statusCode: res.statusCode ?? 0, headers: res.headers, body }));
      res.on('error', reject);
    });
    req.end(options.body);
  });
}
