import assert from 'node:assert/strict';
import { execFileSync, spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { once } from 'node:events';
import { describe, it, onTestFinished } from 'vitest';
import { runBounded } from '../src/shutdown/run-bounded.ts';
import { shutdownBudget } from '../src/shutdown/shutdown-budget.ts';
import { onShutdown } from '../src/shutdown/graceful-shutdown.ts';

const shutdownModuleUrl = new URL('../src/shutdown/graceful-shutdown.ts', import.meta.url).href;
const loggerModuleUrl = new URL('../src/logger/logger.ts', import.meta.url).href;
// The Node running the tests: the workspace's Node 24 inside npm scripts on Linux.
const node24 = process.execPath;

type Record_ = Record<string, unknown>;

/**
 * Starts a Node 24 process that installs graceful shutdown with three hooks (one fine, one throwing,
 * one hanging) and a flush that logs, sends it `signals` once it is ready, and collects its output.
 */
async function runShutdownScenario(options: { signals: NodeJS.Signals[]; externalExtensionPresent: boolean }) {
  const script = `
    import { installGracefulShutdown, onShutdown } from ${JSON.stringify(shutdownModuleUrl)};
    import { logger } from ${JSON.stringify(loggerModuleUrl)};
    onShutdown(async function closePool() { logger.info('hook ran', { hook: 'closePool' }); });
    onShutdown(function throwingHook() { logger.info('hook ran', { hook: 'throwingHook' }); throw new Error('db already gone'); });
    onShutdown(function hangingHook() { logger.info('hook ran', { hook: 'hangingHook' }); return new Promise(() => {}); });
    await installGracefulShutdown({
      externalExtensionPresent: ${options.externalExtensionPresent},
      flushTelemetry: async () => { await new Promise((r) => setTimeout(r, 5)); logger.info('flush done'); },
    });
    logger.info('ready');
    setInterval(() => {}, 1000); // an idle runtime waiting for its next event
  `;
  const env: NodeJS.ProcessEnv = { PATH: process.env.PATH };
  const child = spawn(node24, ['--input-type=module', '-e', script], { env, stdio: ['ignore', 'pipe', 'pipe'] });
  let stdout = '';
  let stderr = '';
  child.stderr.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk));
  const exited = once(child, 'exit') as Promise<[number | null, NodeJS.Signals | null]>;
  await new Promise<void>((resolve, reject) => {
    child.stdout.setEncoding('utf8').on('data', (chunk: string) => {
      stdout += chunk;
      if (stdout.includes('"message":"ready"')) resolve();
    });
    child.once('exit', () => reject(new Error(`exited before ready: ${stderr}`)));
  });
  const signalledAtMs = Date.now();
  const [first, ...later] = options.signals;
  child.kill(first);
  if (later.length > 0) {
    // The later signals arrive while the first one's shutdown is under way.
    await new Promise<void>((resolve) => {
      const check = () => (stdout.includes('graceful shutdown in progress') ? resolve() : setTimeout(check, 2));
      check();
    });
    for (const signal of later) child.kill(signal);
  }
  const [code, signal] = await exited;
  const elapsedMs = Date.now() - signalledAtMs;
  const records = stdout
    .split('\n')
    .filter((line) => line !== '')
    .map((line) => JSON.parse(line) as Record_);
  return { code, signal, elapsedMs, records, stderr, messages: records.map((r) => r.message) };
}

function assertCleanShutdown(result: Awaited<ReturnType<typeof runShutdownScenario>>, signalName: string, budgetMs: number) {
  const { code, signal, records, messages, stderr } = result;
  assert.equal(stderr, '');
  assert.equal(signal, null, 'exited on its own, not killed');
  assert.equal(code, 0);
  const index = (message: string) => messages.indexOf(message);
  // The three lines, in order, around the hooks and the flush.
  assert.ok(index(`${signalName} received`) > index('ready'));
  assert.ok(index('graceful shutdown in progress') > index(`${signalName} received`));
  assert.ok(index('flush done') > index('graceful shutdown in progress'), 'the flush ran despite the bad hooks');
  assert.equal(messages.at(-1), 'graceful shutdown completed');
  // Each hook exactly once.
  const ran = records.filter((r) => r.message === 'hook ran').map((r) => r.hook);
  assert.deepEqual([...ran].sort(), ['closePool', 'hangingHook', 'throwingHook']);
  // One line per bad hook.
  const failed = records.filter((r) => r.message === 'graceful shutdown: hook failed');
  assert.equal(failed.length, 1);
  assert.equal(failed[0]!.hook, 'throwingHook');
  assert.equal(failed[0]!.errorMessage, 'db already gone');
  assert.equal(failed[0]!.level, 'ERROR');
  const timedOut = records.filter((r) => r.message === 'graceful shutdown: hook timed out');
  assert.equal(timedOut.length, 1);
  assert.equal(timedOut[0]!.hook, 'hangingHook');
  // The summary: timings and which hooks misbehaved, inside the budget Lambda grants.
  const completed = records.at(-1)!;
  assert.equal(completed.signal, signalName);
  assert.deepEqual(completed.hooksFailed, ['throwingHook']);
  assert.deepEqual(completed.hooksTimedOut, ['hangingHook']);
  assert.equal(completed.flush, 'ok');
  for (const key of ['hooksMs', 'flushMs', 'totalMs']) assert.equal(typeof completed[key], 'number', key);
  assert.ok((completed.totalMs as number) < budgetMs, `totalMs ${String(completed.totalMs)} within ${budgetMs}`);
  // Seen from outside (signal delivery and process teardown included), with slack for a loaded machine.
  assert.ok(result.elapsedMs < budgetMs + 1_000, `exited ${result.elapsedMs} ms after the signal`);
}

describe('graceful shutdown (child process)', () => {
  it('on SIGTERM runs every hook once, flushes, logs the three lines and exits 0 within the internal-extension budget', async () => {
    const result = await runShutdownScenario({ signals: ['SIGTERM'], externalExtensionPresent: false });
    assertCleanShutdown(result, 'SIGTERM', shutdownBudget(false).totalMs);
  });

  it('on SIGINT does the same within the shorter budget used next to an external extension', async () => {
    const result = await runShutdownScenario({ signals: ['SIGINT'], externalExtensionPresent: true });
    assertCleanShutdown(result, 'SIGINT', shutdownBudget(true).totalMs);
  });

  it('ignores further signals while shutting down: hooks still run exactly once', async () => {
    const result = await runShutdownScenario({ signals: ['SIGTERM', 'SIGTERM', 'SIGINT'], externalExtensionPresent: false });
    assertCleanShutdown(result, 'SIGTERM', shutdownBudget(false).totalMs);
    assert.equal(result.messages.filter((m) => m === 'SIGTERM received').length, 1);
    assert.equal(result.messages.filter((m) => m === 'SIGINT received').length, 0);
    assert.equal(result.messages.filter((m) => m === 'graceful shutdown completed').length, 1);
  });
});

describe('exit under a runtime client', () => {
  it('exits 0 on its own even while a thread-pool thread is blocked (as the runtime client blocks on /next)', async () => {
    // Prepare: a FIFO nobody writes to; opening it for reading blocks one libuv pool thread forever,
    // which would make process.exit() wait in libuv's teardown.
    const dir = mkdtempSync(join(tmpdir(), 'lambda-otel-exit-'));
    onTestFinished(() => rmSync(dir, { recursive: true, force: true }));
    const fifo = join(dir, 'never-written');
    execFileSync('mkfifo', [fifo]);
    const script = `
      import { open } from 'node:fs';
      import { installGracefulShutdown } from ${JSON.stringify(shutdownModuleUrl)};
      open(${JSON.stringify(fifo)}, 'r', () => {});
      await installGracefulShutdown({ externalExtensionPresent: true, flushTelemetry: async () => {} });
      setTimeout(() => process.kill(process.pid, 'SIGTERM'), 20);
    `;
    // AWS_LAMBDA_RUNTIME_API marks a process run by a runtime client; nothing listens there.
    const env = { PATH: process.env.PATH, AWS_LAMBDA_RUNTIME_API: '127.0.0.1:9' };
    const child = spawn(node24, ['--input-type=module', '-e', script], { env, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    child.stdout.setEncoding('utf8').on('data', (chunk: string) => (stdout += chunk));
    const killer = setTimeout(() => child.kill('SIGKILL'), 10_000);
    // Act
    const [code, signal] = (await once(child, 'exit')) as [number | null, NodeJS.Signals | null];
    clearTimeout(killer);
    // Assess
    assert.equal(signal, null, 'not killed');
    assert.equal(code, 0);
    assert.match(stdout, /"message":"graceful shutdown completed"/);
  });
});

describe('two copies of the plugin in one process', () => {
  it('runs a hook added through one copy when the other copy installed the handlers', async () => {
    // A second module instance, as when a function bundles the plugin and also runs under the layer.
    const script = `
      import { installGracefulShutdown } from ${JSON.stringify(shutdownModuleUrl)};
      const copy = await import(${JSON.stringify(`${shutdownModuleUrl}?copy=2`)});
      const { logger } = await import(${JSON.stringify(loggerModuleUrl)});
      copy.onShutdown(function fromOtherCopy() { logger.info('hook ran', { hook: 'fromOtherCopy' }); });
      await installGracefulShutdown({ externalExtensionPresent: true, flushTelemetry: async () => {} });
      process.kill(process.pid, 'SIGTERM');
      setInterval(() => {}, 1000);
    `;
    const child = spawn(node24, ['--input-type=module', '-e', script], { env: { PATH: process.env.PATH }, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    child.stdout.setEncoding('utf8').on('data', (chunk: string) => (stdout += chunk));
    const [code] = (await once(child, 'exit')) as [number | null];
    assert.equal(code, 0);
    const records = stdout
      .split('\n')
      .filter(Boolean)
      .map((line) => JSON.parse(line) as Record_);
    assert.deepEqual(
      records.filter((r) => r.message === 'hook ran').map((r) => r.hook),
      ['fromOtherCopy'],
    );
    assert.equal(records.at(-1)!.message, 'graceful shutdown completed');
  });
});

describe('runBounded', () => {
  it('reports ok, a throw, a rejection and a timeout as outcomes without rejecting', async () => {
    assert.equal((await runBounded(() => {}, 50)).status, 'ok');
    assert.equal((await runBounded(async () => {}, 50)).status, 'ok');
    const thrown = await runBounded(() => {
      throw new Error('sync');
    }, 50);
    assert.equal(thrown.status, 'failed');
    assert.equal(thrown.status === 'failed' && (thrown.error as Error).message, 'sync');
    assert.equal((await runBounded(() => Promise.reject(new Error('async')), 50)).status, 'failed');
    assert.equal((await runBounded(() => new Promise(() => {}), 20)).status, 'timedOut');
  });
});

describe('shutdownBudget', () => {
  it('fits hooks and flush inside what Lambda grants the runtime, with room left to log and exit', () => {
    for (const external of [true, false]) {
      const budget = shutdownBudget(external);
      assert.ok(budget.hooksTimeoutMs + budget.flushTimeoutMs <= budget.totalMs * 0.8, JSON.stringify(budget));
    }
    assert.equal(shutdownBudget(true).totalMs, 300);
    assert.equal(shutdownBudget(false).totalMs, 500);
  });
});

describe('onShutdown', () => {
  it('refuses something that is not a function, naming what it got', () => {
    assert.throws(() => onShutdown('close' as unknown as () => void), /onShutdown expects a function, got string/);
  });
});
