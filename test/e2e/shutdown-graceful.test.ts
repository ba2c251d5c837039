// Graceful shutdown of a function that uses the plugin in code, inside the emulator with AWS's
// runtime client: SIGTERM at shutdown, hooks bounded, final flush, exit 0 on its own — with and
// without an external extension next to it.
import assert from 'node:assert/strict';
import { chmod, mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { build } from 'esbuild';
import { LambdaEnvironment } from '../../packages/emulator/src/index.ts';
import { fixturesDir, node22, node24 } from '../support/paths.ts';

const NOOP_EXTENSION_NAME = 'lambda-otel-graceful-shutdown';
const fixtureDir = join(fixturesDir, 'shutdown');

let workDir: string;
let functionDir: string;
let probeLayerDir: string;

before(async () => {
  workDir = await mkdtemp(join(tmpdir(), 'lambda-otel-shutdown-'));
  functionDir = join(workDir, 'function');
  // Runtimes load JavaScript: bundle the fixture handler together with the plugin's sources.
  await build({
    entryPoints: [join(fixtureDir, 'handler.ts')],
    outfile: join(functionDir, 'index.mjs'),
    bundle: true,
    format: 'esm',
    platform: 'node',
    target: 'node22',
    logLevel: 'error',
  });
  // A layer holding one external extension, launched with the workspace's Node 24.
  probeLayerDir = join(workDir, 'probe-layer');
  await mkdir(join(probeLayerDir, 'extensions'), { recursive: true });
  const launcher = join(probeLayerDir, 'extensions', 'shutdown-probe');
  await writeFile(launcher, `#!/bin/sh\nexec '${node24}' '${join(fixtureDir, 'probe-extension.mjs')}'\n`);
  await chmod(launcher, 0o755);
});

after(async () => {
  await rm(workDir, { recursive: true, force: true });
});

type LogRecord = Record<string, unknown>;

function runtimeRecords(env: LambdaEnvironment): LogRecord[] {
  const records: LogRecord[] = [];
  for (const { source, line } of env.logs) {
    if (source !== 'runtime' || !line.trimStart().startsWith('{')) continue;
    try {
      records.push(JSON.parse(line) as LogRecord);
    } catch {
      // Not one of the plugin's lines.
    }
  }
  return records;
}

function assertGracefulShutdown(env: LambdaEnvironment, down: Awaited<ReturnType<LambdaEnvironment['shutdown']>>, budgetMs: number) {
  const runtime = down.processes.find((p) => p.name === 'runtime') ?? down.processes[0]!;
  assert.deepEqual(
    { exitedOnItsOwn: runtime.exitedOnItsOwn, exitCode: runtime.exitCode, killed: runtime.killed },
    { exitedOnItsOwn: true, exitCode: 0, killed: false },
    JSON.stringify(down.processes),
  );
  const records = runtimeRecords(env);
  const messages = records.map((r) => r.message);
  const at = (message: string) => messages.indexOf(message);
  assert.ok(at('SIGTERM received') >= 0, `runtime lines: ${JSON.stringify(messages)}`);
  assert.ok(at('graceful shutdown in progress') > at('SIGTERM received'));
  assert.ok(at('flush done') > at('graceful shutdown in progress'));
  assert.ok(at('graceful shutdown completed') > at('flush done'));
  const hooksRan = records.filter((r) => r.message === 'hook ran').map((r) => r.hook);
  assert.deepEqual([...hooksRan].sort(), ['closeConnections', 'hangingHook', 'throwingHook'], 'each hook exactly once');
  const failed = records.find((r) => r.message === 'graceful shutdown: hook failed');
  assert.equal(failed?.hook, 'throwingHook');
  assert.equal(failed?.errorMessage, 'connection already closed');
  const timedOut = records.find((r) => r.message === 'graceful shutdown: hook timed out');
  assert.equal(timedOut?.hook, 'hangingHook');
  const completed = records.find((r) => r.message === 'graceful shutdown completed')!;
  assert.equal(completed.flush, 'ok');
  assert.deepEqual(completed.hooksFailed, ['throwingHook']);
  assert.deepEqual(completed.hooksTimedOut, ['hangingHook']);
  assert.ok((completed.totalMs as number) < budgetMs, `totalMs ${String(completed.totalMs)} < ${budgetMs}`);
}

describe('graceful shutdown in the emulator', () => {
  for (const [runtimeName, nodePath] of [['Node 24', node24], ['Node 22', node22]] as const) {
    it(`without an external extension (${runtimeName}): registers the no-op internal extension, gets SIGTERM, runs the hooks and exits 0`, async () => {
      // Prepare
      const env = new LambdaEnvironment({ functionDir, handler: 'index.handler', nodePath, timeoutSec: 3, memoryMb: 128 });
      try {
        const inv = await env.invoke({ hello: 'world' });
        assert.equal(inv.status, 'success', JSON.stringify(inv));
        assert.deepEqual(inv.response, { ok: true, event: { hello: 'world' } });
        // Act
        const down = await env.shutdown();
        // Assess
        const helper = env.registrations.filter((r) => r.name === NOOP_EXTENSION_NAME);
        assert.equal(helper.length, 1, JSON.stringify(env.registrations));
        assert.equal(helper[0]!.kind, 'internal');
        assert.deepEqual(helper[0]!.events, []);
        assertGracefulShutdown(env, down, 500);
      } finally {
        await env.shutdown().catch(() => {});
      }
    });
  }

  it('next to an external extension: no helper extension, and the shutdown fits the shorter budget', async () => {
    const env = new LambdaEnvironment({
      functionDir,
      handler: 'index.handler',
      layers: [probeLayerDir],
      nodePath: node24,
      timeoutSec: 3,
      memoryMb: 128,
      env: { FIXTURE_EXTERNAL_EXTENSION: 'true' },
    });
    try {
      const inv = await env.invoke({ n: 1 });
      assert.equal(inv.status, 'success', JSON.stringify(inv));
      const down = await env.shutdown();
      assert.deepEqual(
        env.registrations.map((r) => [r.name, r.kind]),
        [['shutdown-probe', 'external']],
        'only the external extension registered',
      );
      assertGracefulShutdown(env, down, 300);
      const probe = down.processes.find((p) => p.name === 'shutdown-probe');
      assert.equal(probe?.exitCode, 0, JSON.stringify(down.processes));
      assert.ok(env.logs.some((l) => l.line.includes('shutdown-probe: SHUTDOWN spindown')), 'the extension got SHUTDOWN');
    } finally {
      await env.shutdown().catch(() => {});
    }
  });
});
