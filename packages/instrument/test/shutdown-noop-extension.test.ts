import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { describe, it } from 'vitest';
import { NOOP_EXTENSION_NAME, registerNoopExtension } from '../src/shutdown/noop-extension.ts';

const noopModuleUrl = new URL('../src/shutdown/noop-extension.ts', import.meta.url).href;
// The Node running the tests: the workspace's Node 24 inside npm scripts on Linux.
const node24 = process.execPath;
const EXTENSION_ID = '6f0c3e3c-6d4e-4a53-9f3b-2b8a7f9d2c11';

type Seen = { method: string; url: string; headers: IncomingMessage['headers']; body: string };

/** A loopback server answering the two Extensions API calls the helper makes, recording them. */
async function startExtensionsApi(answerRegister: (res: ServerResponse) => void) {
  const seen: Seen[] = [];
  const pending: ServerResponse[] = [];
  const server = createServer((req, res) => {
    let body = '';
    req.setEncoding('utf8').on('data', (chunk: string) => (body += chunk));
    req.on('end', () => {
      seen.push({ method: req.method ?? '', url: req.url ?? '', headers: req.headers, body });
      if (req.url === '/2020-01-01/extension/register') answerRegister(res);
      else pending.push(res); // /event/next: no event ever comes for an extension with events []
    });
  });
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  const runtimeApi = `127.0.0.1:${(server.address() as AddressInfo).port}`;
  const waitFor = async (count: number) => {
    while (seen.length < count) await new Promise((r) => setTimeout(r, 5));
  };
  const close = async () => {
    server.closeAllConnections();
    server.close();
  };
  return { runtimeApi, seen, waitFor, close, pending };
}

describe('registerNoopExtension', () => {
  it('registers an internal extension with no events, then waits on /event/next with its identifier', async () => {
    // Prepare
    const api = await startExtensionsApi((res) => {
      res.writeHead(200, { 'Lambda-Extension-Identifier': EXTENSION_ID, 'Content-Type': 'application/json' });
      res.end(JSON.stringify({ functionName: 'f', functionVersion: '$LATEST', handler: 'index.handler' }));
    });
    try {
      // Act
      const result = await registerNoopExtension(api.runtimeApi);
      await api.waitFor(2);
      // Assess
      assert.deepEqual(result, { status: 'registered', extensionId: EXTENSION_ID });
      const [register, next] = api.seen;
      assert.equal(register!.method, 'POST');
      assert.equal(register!.headers['lambda-extension-name'], NOOP_EXTENSION_NAME);
      assert.deepEqual(JSON.parse(register!.body), { events: [] });
      assert.equal(next!.method, 'GET');
      assert.equal(next!.url, '/2020-01-01/extension/event/next');
      assert.equal(next!.headers['lambda-extension-identifier'], EXTENSION_ID);
    } finally {
      await api.close();
    }
  });

  it('is skipped outside Lambda', async () => {
    const result = await registerNoopExtension(undefined);
    assert.equal(result.status, 'skipped');
  });

  it('reports a refused registration once and does not call /event/next', async () => {
    const api = await startExtensionsApi((res) => {
      res.writeHead(403, { 'Content-Type': 'application/json' });
      res.end(JSON.stringify({ errorType: 'Extension.RegistrationClosed', errorMessage: 'closed' }));
    });
    try {
      const result = await registerNoopExtension(api.runtimeApi);
      assert.equal(result.status, 'failed');
      assert.match(result.status === 'failed' ? result.reason : '', /403.*Extension\.RegistrationClosed/);
      await new Promise((r) => setTimeout(r, 30));
      assert.equal(api.seen.length, 1);
    } finally {
      await api.close();
    }
  });

  it('reports an unreachable Runtime API instead of throwing', async () => {
    const api = await startExtensionsApi(() => {});
    const runtimeApi = api.runtimeApi;
    await api.close();
    const result = await registerNoopExtension(runtimeApi);
    assert.equal(result.status, 'failed');
  });

  it('does not hold the process open while /event/next is pending, and logs one line per failure', async () => {
    // Prepare: a register that succeeds and a /event/next that never answers; a Runtime API whose
    // registration is closed (the runtime already asked for its first event).
    const api = await startExtensionsApi((res) => {
      res.writeHead(200, { 'Lambda-Extension-Identifier': EXTENSION_ID });
      res.end('{}');
    });
    const closed = await startExtensionsApi((res) => {
      res.writeHead(403, { 'Content-Type': 'application/json' });
      res.end(JSON.stringify({ errorType: 'Extension.RegistrationClosed', errorMessage: 'Extension registration is closed after init' }));
    });
    try {
      const script = `
        import { registerNoopExtension } from ${JSON.stringify(noopModuleUrl)};
        const ok = await registerNoopExtension(${JSON.stringify(api.runtimeApi)});
        const refused = await registerNoopExtension('127.0.0.1:1');
        const late = await registerNoopExtension(${JSON.stringify(closed.runtimeApi)});
        process.stderr.write(ok.status + ' ' + refused.status + ' ' + late.status);
      `;
      // Act
      const child = spawn(node24, ['--input-type=module', '-e', script], { stdio: ['ignore', 'pipe', 'pipe'] });
      let stdout = '';
      let stderr = '';
      child.stdout.setEncoding('utf8').on('data', (c: string) => (stdout += c));
      child.stderr.setEncoding('utf8').on('data', (c: string) => (stderr += c));
      const killer = setTimeout(() => child.kill('SIGKILL'), 10_000);
      const [code, signal] = (await once(child, 'exit')) as [number | null, NodeJS.Signals | null];
      clearTimeout(killer);
      // Assess: it ended by itself while its /event/next was still open.
      assert.equal(signal, null, 'exited on its own');
      assert.equal(code, 0);
      assert.equal(stderr, 'registered failed failed');
      const lines = stdout
        .split('\n')
        .filter(Boolean)
        .map((l) => JSON.parse(l) as Record<string, unknown>);
      assert.equal(lines.length, 2);
      assert.deepEqual(
        lines.map((l) => [l.level, l.extensionName]),
        [
          ['WARN', NOOP_EXTENSION_NAME],
          ['WARN', NOOP_EXTENSION_NAME],
        ],
      );
      assert.match(String(lines[0]!.message), /could not register the internal extension/);
      // Losing the race with the runtime's first /next names the consequence and the remedy.
      assert.match(String(lines[1]!.message), /registered too late .*will not send SIGTERM.*`await ready\(\)` at top level/);
      assert.match(String(lines[1]!.reason), /403.*RegistrationClosed/);
    } finally {
      await api.close();
      await closed.close();
    }
  });
});
