// Graceful shutdown inside the emulator with AWS's runtime client: SIGTERM at shutdown, the hooks run
// once each, in parallel and bounded, the final flush carries what they ended, the three lines are
// logged, and the runtime exits 0 on its own, within the budget. Without the layer (the plugin
// registers its no-op internal extension) and with it (the layer's extension is there, no helper).
import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, it, onTestFinished } from 'vitest';
import { build } from 'esbuild';
import { LambdaEnvironment } from '../../packages/emulator/src/index.ts';
import { startInstrumentHarness, waitForSpans } from '../fixtures/instrument/harness.ts';
import { fixturesDir, node22, node24 } from '../support/paths.ts';

const NOOP_EXTENSION_NAME = 'lambda-otel-graceful-shutdown';
const fixtureDir = join(fixturesDir, 'shutdown');

let workDir: string;
let layerlessDir: string;
let withLayerDir: string;

beforeAll(async () => {
  workDir = await mkdtemp(join(tmpdir(), 'lambda-otel-shutdown-'));
  layerlessDir = join(workDir, 'layerless');
  withLayerDir = join(workDir, 'with-layer');
  const common = { bundle: true, platform: 'node', target: 'node22', logLevel: 'error' } as const;
  // Layerless: the plugin bundled into the function, as an ES module (it awaits ready()).
  await build({ ...common, entryPoints: [join(fixtureDir, 'handler.ts')], outfile: join(layerlessDir, 'index.mjs'), format: 'esm' });
  // With the layer: CommonJS, so `@lambda-otel/instrument` resolves through NODE_PATH to the layer.
  await build({
    ...common,
    entryPoints: [join(fixtureDir, 'with-layer.ts')],
    outfile: join(withLayerDir, 'index.js'),
    format: 'cjs',
    external: ['@lambda-otel/instrument'],
  });
});

afterAll(async () => {
  await rm(workDir, { recursive: true, force: true });
});

type LogRecord = Record<string, unknown>;
type Shutdown = Awaited<ReturnType<LambdaEnvironment['shutdown']>>;

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

/** Everything both set-ups must show; returns the records for the checks that differ. */
function assertGracefulShutdown(env: LambdaEnvironment, down: Shutdown, budgetMs: number): LogRecord[] {
  const runtime = down.processes.find((p) => p.name === 'runtime') ?? down.processes[0]!;
  assert.deepEqual(
    { exitedOnItsOwn: runtime.exitedOnItsOwn, exitCode: runtime.exitCode, killed: runtime.killed },
    { exitedOnItsOwn: true, exitCode: 0, killed: false },
    JSON.stringify(down.processes),
  );
  const records = runtimeRecords(env);
  const at = (message: string, hook?: string) => records.findIndex((r) => r.message === message && (hook === undefined || r.hook === hook));
  // The three lines, in order, with how long each step took.
  assert.ok(at('SIGTERM received') >= 0, `runtime lines: ${JSON.stringify(records.map((r) => r.message))}`);
  assert.ok(at('graceful shutdown in progress') > at('SIGTERM received'));
  const completedAt = at('graceful shutdown completed');
  assert.ok(completedAt > at('graceful shutdown in progress'));
  const completed = records[completedAt]!;
  for (const key of ['hooksMs', 'flushMs', 'totalMs']) assert.equal(typeof completed[key], 'number', key);
  assert.equal(completed.flush, 'ok');
  assert.ok((completed.totalMs as number) < budgetMs, `totalMs ${String(completed.totalMs)} < ${budgetMs}`);
  // Each hook exactly once, all started before the slow one finished: they run in parallel.
  const started = records.filter((r) => r.message === 'hook ran').map((r) => r.hook);
  assert.deepEqual([...started].sort(), ['closeConnections', 'hangingHook', 'throwingHook']);
  assert.ok(Math.max(at('hook ran', 'throwingHook'), at('hook ran', 'hangingHook')) < at('hook finished', 'closeConnections'));
  // The bad hooks are logged and do not stop the rest.
  const failed = records.filter((r) => r.message === 'graceful shutdown: hook failed');
  assert.deepEqual(
    failed.map((r) => [r.hook, r.errorMessage]),
    [['throwingHook', 'connection already closed']],
  );
  assert.deepEqual(
    records.filter((r) => r.message === 'graceful shutdown: hook timed out').map((r) => r.hook),
    ['hangingHook'],
  );
  assert.deepEqual([completed.hooksFailed, completed.hooksTimedOut], [['throwingHook'], ['hangingHook']]);
  return records;
}

describe('graceful shutdown in the emulator', () => {
  for (const [runtimeName, nodePath] of [
    ['Node 24', node24],
    ['Node 22', node22],
  ] as const) {
    it(`without the layer (${runtimeName}): the no-op internal extension buys SIGTERM; hooks, final flush, exit 0`, async () => {
      // Prepare
      const env = new LambdaEnvironment({ functionDir: layerlessDir, handler: 'index.handler', nodePath, timeoutSec: 3, memoryMb: 128 });
      try {
        const inv = await env.invoke({ hello: 'world' });
        assert.equal(inv.status, 'success', JSON.stringify(inv));
        assert.deepEqual(inv.response, { ok: true, event: { hello: 'world' } });
        // Act
        const down = await env.shutdown();
        // Assess
        assert.deepEqual(
          env.registrations.map((r) => [r.name, r.kind, r.events]),
          [[NOOP_EXTENSION_NAME, 'internal', []]],
        );
        const records = assertGracefulShutdown(env, down, 500);
        // The writer saw the span the hook ended, after the hooks and before the last line.
        const flushed = records.findIndex((r) => r.message === 'spans written' && (r.spans as string[]).includes('close-connections'));
        assert.ok(flushed > records.findIndex((r) => r.message === 'hook ran' && r.hook === 'closeConnections'), 'flushed after the hooks');
        assert.ok(flushed < records.findIndex((r) => r.message === 'graceful shutdown completed'));
        const written = records.filter((r) => r.message === 'spans written').flatMap((r) => r.spans as string[]);
        assert.equal(written.filter((name) => name === 'close-connections').length, 1);
      } finally {
        await env.shutdown().catch(() => {});
      }
    });
  }

  it("with the layer: no helper extension (the layer's extension is registered), the shorter budget, spans reach the backend", async () => {
    const h = await startInstrumentHarness({ functionDir: withLayerDir, handler: 'index.handler', timeoutSec: 3 });
    onTestFinished(() => h.close());
    const inv = await h.env.invoke({ n: 1 });
    assert.equal(inv.status, 'success', JSON.stringify(inv));
    const down = await h.env.shutdown();
    assert.deepEqual(
      h.env.registrations.map((r) => [r.name, r.kind]),
      [['lambda-otel', 'external']],
      'only the layer extension registered',
    );
    assertGracefulShutdown(h.env, down, 300);
    // The span a hook ended went out in the final flush, through the extension's SHUTDOWN drain.
    await waitForSpans(h.sink, (spans) => spans.some((s) => s.name === 'close-connections') && h.roots().has(inv.requestId));
  });
});
