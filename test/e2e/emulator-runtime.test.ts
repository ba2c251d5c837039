// AWS's runtime client on Node 24 inside the emulator: buffered, error, streaming, timeout, crash,
// exec wrapper, init failure and init timeout, freeze between invokes, the SHUTDOWN budgets without
// external extensions, and Managed Instances concurrency, with real processes and sockets.
import { test } from 'vitest';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { LambdaEnvironment, type InvocationResult } from '../../packages/emulator/src/index.ts';
import { fixturesDir, node24 } from '../support/paths.ts';

const functionDir = join(fixturesDir, 'emulator', 'functions');
const traceHeader = 'Root=1-5759e988-bd862e3fe1be46a994272793;Parent=53995c3f42cd8ad8;Sampled=1';

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

/** The process state letter from /proc (T = stopped, i.e. frozen). */
function processState(pid: number): string {
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  return stat.slice(stat.lastIndexOf(')') + 2).split(' ')[0]!;
}

/** SIGSTOP takes effect when the kernel next schedules the process: wait for the state to show it. */
async function stateSettles(pid: number, wanted: string, withinMs = 2000): Promise<string> {
  let state = processState(pid);
  for (let waitedMs = 0; state !== wanted && waitedMs < withinMs; waitedMs += 5) {
    await new Promise((wake) => setTimeout(wake, 5));
    state = processState(pid);
  }
  return state;
}

function runtimePid(env: LambdaEnvironment): number {
  return env.processes().find((proc) => proc.role === 'runtime')!.pid;
}

async function withEnvironment<T>(env: LambdaEnvironment, body: (env: LambdaEnvironment) => Promise<T>): Promise<T> {
  const pids: number[] = [];
  try {
    const result = await body(env);
    pids.push(...env.processes().map((proc) => proc.pid));
    return result;
  } finally {
    await env.shutdown();
    for (const pid of pids) assert.equal(alive(pid), false, `process ${pid} is gone after shutdown`);
  }
}

function timings(result: InvocationResult): void {
  assert.ok(result.durationMs >= 0 && result.responseLatencyMs >= 0 && result.postRuntimeMs >= 0);
  assert.ok(result.durationMs + 0.001 >= result.responseLatencyMs, 'duration covers the response latency');
}

test('buffered response, thrown error, logs, environment and an oversized response', async () => {
  const env = new LambdaEnvironment({ functionDir, handler: 'basic.handler', nodePath: node24, timeoutSec: 3, memoryMb: 256, env: { CUSTOM_VAR: 'custom' } });
  await withEnvironment(env, async () => {
    const first = await env.invoke({ action: 'echo', n: 1 }, { traceHeader });
    assert.equal(first.status, 'success');
    assert.deepEqual(first.response, { echo: { action: 'echo', n: 1 } });
    assert.equal(typeof first.initDurationMs, 'number');
    timings(first);

    const failed = await env.invoke({ action: 'throw' });
    assert.equal(failed.status, 'error');
    assert.equal(failed.errorType, 'TypeError');
    assert.equal(failed.errorMessage, 'boom from the handler');
    assert.equal(failed.initDurationMs, undefined, 'a warm invoke pays no init');
    assert.ok(Array.isArray((failed.response as { trace: unknown }).trace));

    const logged = await env.invoke({ action: 'log' });
    assert.equal(logged.response, 'logged');
    const lines = env.logs.filter((log) => log.source === 'runtime').map((log) => log.line);
    assert.ok(
      lines.some((line) => line.endsWith('\tINFO\tfirst line\nsecond line')),
      'a multi-line entry stays one record',
    );
    assert.ok(lines.includes('raw stdout line'), 'plain stdout is captured line by line');
    assert.ok(lines.some((line) => line.includes('\tERROR\t') && line.includes('logged error')));

    const names = [
      'AWS_LAMBDA_FUNCTION_NAME',
      'AWS_LAMBDA_FUNCTION_MEMORY_SIZE',
      'AWS_EXECUTION_ENV',
      '_X_AMZN_TRACE_ID',
      'LAMBDA_TASK_ROOT',
      'AWS_LAMBDA_INITIALIZATION_TYPE',
      'TZ',
      'NODE_PATH',
      'PATH',
      'CUSTOM_VAR',
      'AWS_LAMBDA_LOG_GROUP_NAME',
      'AWS_REGION',
      '_LAMBDA_TELEMETRY_LOG_FD',
    ];
    const seen = (await env.invoke({ action: 'env', names }, { traceHeader })).response as Record<string, string | null>;
    assert.equal(seen.AWS_LAMBDA_FUNCTION_NAME, 'functions');
    assert.equal(seen.AWS_LAMBDA_FUNCTION_MEMORY_SIZE, '256');
    assert.equal(seen.AWS_EXECUTION_ENV, 'AWS_Lambda_nodejs24.x');
    assert.equal(seen._X_AMZN_TRACE_ID, traceHeader);
    assert.equal(seen.LAMBDA_TASK_ROOT, functionDir);
    assert.equal(seen.AWS_LAMBDA_INITIALIZATION_TYPE, 'on-demand');
    assert.equal(seen.TZ, ':UTC');
    assert.equal(seen.AWS_REGION, 'us-east-1');
    assert.equal(seen.AWS_LAMBDA_LOG_GROUP_NAME, '/aws/lambda/functions');
    assert.equal(seen.CUSTOM_VAR, 'custom');
    assert.equal(seen._LAMBDA_TELEMETRY_LOG_FD, null, 'the runtime client consumed its log fd');
    assert.ok(seen.NODE_PATH?.endsWith(functionDir));
    assert.ok(seen.PATH?.startsWith(`${dirname(node24)}:`));

    const big = await env.invoke({ action: 'big' });
    assert.equal(big.status, 'error');
    assert.equal(big.errorType, 'Function.ResponseSizeTooLarge');
    const after = await env.invoke({ action: 'echo' });
    assert.equal(after.status, 'success', 'the environment keeps serving after a 413');

    const reports = env.events.filter((event) => event.type === 'platform.report');
    assert.equal(reports.length, 6);
    const firstReport = reports[0]!.record as { requestId: string; status: string; metrics: Record<string, number>; tracing: { value: string } };
    assert.equal(firstReport.requestId, first.requestId);
    assert.equal(firstReport.tracing.value, traceHeader);
    assert.equal(firstReport.metrics.memorySizeMB, 256);
    assert.ok(firstReport.metrics.maxMemoryUsedMB! > 10, 'real RSS of the runtime');
    assert.equal(firstReport.metrics.initDurationMs, first.initDurationMs);
    assert.ok(firstReport.metrics.billedDurationMs! >= firstReport.metrics.durationMs!);
    assert.equal((reports[1]!.record as { status: string }).status, 'error');
    // The runtime client sends no error-type header: the platform records say Runtime.Unknown, while
    // the caller sees the function's TypeError.
    assert.equal((reports[1]!.record as { errorType: string }).errorType, 'Runtime.Unknown');
    assert.ok(
      reports.slice(1).every((report) => !('initDurationMs' in (report.record as { metrics: object }).metrics)),
      'initDurationMs only on the cold start',
    );
    const runtimeDone = env.events.find((event) => event.type === 'platform.runtimeDone')!.record as {
      spans: { name: string }[];
      metrics: { producedBytes: number };
    };
    assert.deepEqual(
      runtimeDone.spans.map((span) => span.name),
      ['responseLatency', 'responseDuration', 'runtimeOverhead'],
    );
    assert.equal(runtimeDone.metrics.producedBytes, JSON.stringify(first.response).length);
    const types = env.events.map((event) => event.type);
    assert.deepEqual(types.slice(0, 6), [
      'platform.initStart',
      'platform.initRuntimeDone',
      'platform.initReport',
      'platform.start',
      'platform.runtimeDone',
      'platform.report',
    ]);
  });
});

test('streaming responses: plain, http-integration prelude and a mid-stream error', async () => {
  const env = new LambdaEnvironment({ functionDir, handler: 'stream.handler', nodePath: node24, timeoutSec: 3 });
  await withEnvironment(env, async () => {
    const plain = await env.invoke({ mode: 'plain' });
    assert.equal(plain.status, 'success');
    assert.equal(plain.response, 'chunk-1 chunk-2');
    assert.equal(plain.streamed?.contentType, 'text/plain');
    assert.equal(plain.streamed?.prelude, undefined);

    const http = await env.invoke({ mode: 'http' });
    assert.equal(http.status, 'success');
    assert.equal(http.response, 'hello http');
    assert.equal(http.streamed?.contentType, 'application/vnd.awslambda.http-integration-response');
    assert.deepEqual(http.streamed?.prelude, { statusCode: 201, headers: { 'x-fixture': 'yes' }, cookies: ['a=1'] });

    const failed = await env.invoke({ mode: 'error' });
    assert.equal(failed.status, 'error');
    assert.equal(failed.errorType, 'RangeError');
    assert.equal(failed.errorMessage, 'mid-stream failure');
    assert.equal(failed.response, 'chunk-1 ', 'what was streamed before the error is kept');
    assert.equal(failed.streamed?.trailers['lambda-runtime-function-error-type'], 'RangeError');

    const done = env.events
      .filter((event) => event.type === 'platform.runtimeDone')
      .map((event) => event.record as { status: string; metrics: { producedBytes: number } });
    assert.deepEqual(
      done.map((record) => record.status),
      ['success', 'success', 'error'],
    );
    assert.equal((done[2] as { errorType?: string }).errorType, 'Runtime.Unknown', 'a RangeError trailer is not a platform error type');
    assert.equal(done[0]!.metrics.producedBytes, 'chunk-1 chunk-2'.length);
  });
});

test('a timeout ends the invoke and resets the environment; the next invoke is a cold start', async () => {
  const env = new LambdaEnvironment({ functionDir, handler: 'basic.handler', nodePath: node24, timeoutSec: 1 });
  await withEnvironment(env, async () => {
    await env.invoke({ action: 'echo' });
    const runtimePid = env.processes().find((proc) => proc.role === 'runtime')!.pid;
    const timedOut = await env.invoke({ action: 'sleep', ms: 5000 });
    assert.equal(timedOut.status, 'timeout');
    assert.equal(timedOut.errorType, 'Sandbox.Timedout');
    assert.equal(alive(runtimePid), false, 'the timed-out runtime was killed');
    assert.equal(env.resets[0]?.reason, 'timeout');
    const report = env.events.filter((event) => event.type === 'platform.report').at(-1)!.record as { status: string; errorType: string };
    assert.equal(report.status, 'timeout');

    const again = await env.invoke({ action: 'echo' });
    assert.equal(again.status, 'success');
    assert.equal(typeof again.initDurationMs, 'number', 're-init after the reset');
  });
});

test('a runtime crash is an error, a SIGKILL a failure; both reset and recover', async () => {
  const env = new LambdaEnvironment({ functionDir, handler: 'basic.handler', nodePath: node24, timeoutSec: 3 });
  await withEnvironment(env, async () => {
    const crashed = await env.invoke({ action: 'exit' });
    assert.equal(crashed.status, 'error');
    assert.equal(crashed.errorType, 'Runtime.ExitError');
    assert.match(crashed.errorMessage ?? '', /exit status 3/);
    const killed = await env.invoke({ action: 'kill' });
    assert.equal(killed.status, 'failure');
    assert.equal(killed.errorType, 'Runtime.ExitError');
    assert.match(killed.errorMessage ?? '', /signal: killed/);
    assert.deepEqual(
      env.resets.map((reset) => reset.reason),
      ['failure', 'failure'],
    );
    const recovered = await env.invoke({ action: 'echo' });
    assert.equal(recovered.status, 'success');
    assert.equal(typeof recovered.initDurationMs, 'number');
  });
});

test('AWS_LAMBDA_EXEC_WRAPPER under /opt runs from the layer and can change the handler', async () => {
  const env = new LambdaEnvironment({
    functionDir,
    handler: 'basic.handler',
    nodePath: node24,
    layers: [join(fixturesDir, 'emulator', 'wrapper-layer')],
    env: { AWS_LAMBDA_EXEC_WRAPPER: '/opt/wrapper.sh' },
  });
  await withEnvironment(env, async () => {
    const result = await env.invoke({});
    assert.deepEqual(result.response, { loadedBy: 'wrapper', original: 'basic.handler' });
  });
});

test('a handler that fails to load is an init error; the environment is reset', async () => {
  const env = new LambdaEnvironment({ functionDir, handler: 'broken.handler', nodePath: node24 });
  await withEnvironment(env, async () => {
    const result = await env.invoke({});
    assert.equal(result.status, 'error');
    assert.equal(result.errorType, 'Error');
    assert.match(result.errorMessage ?? '', /broken at import/);
    const initReport = env.events.find((event) => event.type === 'platform.initReport')!.record as { status: string; errorType: string };
    assert.equal(initReport.status, 'error');
    assert.equal(initReport.errorType, 'Runtime.Unknown', 'the init/error header named a plain Error');
    assert.equal(env.resets.length, 1);
  });
});

test('Managed Instances: invokes run at once in one runtime process, which is never frozen', async () => {
  const env = new LambdaEnvironment({ functionDir, handler: 'basic.handler', nodePath: node24, maxConcurrency: 4 });
  await withEnvironment(env, async () => {
    const results = await Promise.all([1, 2, 3, 4].map(() => env.invoke({ action: 'overlap', ms: 300 })));
    assert.ok(results.every((result) => result.status === 'success'));
    const spans = results.map((result) => result.response as { pid: number; startMs: number; endMs: number });
    assert.equal(new Set(spans.map((span) => span.pid)).size, 1, 'one runtime process');
    assert.ok(Math.max(...spans.map((span) => span.startMs)) < Math.min(...spans.map((span) => span.endMs)), 'all four overlapped');
    const seen = (await env.invoke({ action: 'env', names: ['AWS_LAMBDA_MAX_CONCURRENCY', 'AWS_LAMBDA_INITIALIZATION_TYPE'] })).response;
    assert.deepEqual(seen, { AWS_LAMBDA_MAX_CONCURRENCY: '4', AWS_LAMBDA_INITIALIZATION_TYPE: 'lambda-managed-instances' });
    assert.notEqual(processState(runtimePid(env)), 'T', 'not frozen between invokes');
  });
});

test('between invokes the runtime is frozen: its interval timer does not fire', async () => {
  const env = new LambdaEnvironment({ functionDir, handler: 'basic.handler', nodePath: node24 });
  await withEnvironment(env, async () => {
    await env.invoke({ action: 'wait-timer' });
    assert.equal(await stateSettles(runtimePid(env), 'T'), 'T', 'stopped (SIGSTOP) after the invoke');
    await new Promise((wake) => setTimeout(wake, 600));
    const { ticks, maxGapMs } = (await env.invoke({ action: 'wait-timer' })).response as { ticks: number; maxGapMs: number };
    assert.ok(maxGapMs >= 500, `one long gap spans the frozen time (${maxGapMs} ms)`);
    assert.ok(ticks <= 10, `a 20 ms timer did not tick while frozen (ticked ${ticks} times)`);
  });
});

test('init is bounded: a handler that never finishes loading times out, naming what did not happen', async () => {
  const env = new LambdaEnvironment({ functionDir, handler: 'hang-at-import.handler', nodePath: node24, initTimeoutSec: 1 });
  await withEnvironment(env, async () => {
    const result = await env.invoke({});
    assert.deepEqual([result.status, result.errorType], ['timeout', 'Sandbox.Timedout']);
    assert.match(result.errorMessage ?? '', /Init timed out after 1 s: the runtime did not call \/runtime\/invocation\/next/);
    const initReport = env.events.find((event) => event.type === 'platform.initReport')!.record as { status: string };
    assert.equal(initReport.status, 'timeout');
    assert.equal(env.resets.length, 1, 'the hung runtime is reset');
    assert.ok(
      env.resets[0]!.processes.every((proc) => proc.killed),
      'and killed',
    );
  });
});

test('SHUTDOWN without extensions: the runtime is SIGKILLed at once, without SIGTERM', async () => {
  const env = new LambdaEnvironment({ functionDir, handler: 'basic.handler', nodePath: node24 });
  await env.invoke({ action: 'trap-sigterm' });
  const down = await env.shutdown();
  assert.deepEqual(
    down.processes.map((proc) => [proc.name, proc.killed]),
    [['runtime', true]],
  );
  assert.ok(!env.logs.some((log) => log.line.includes('runtime got SIGTERM')), 'no SIGTERM with a 0 ms budget');
});

test('SHUTDOWN with an internal extension: the runtime gets SIGTERM and 500 ms, then SIGKILL', async () => {
  const env = new LambdaEnvironment({ functionDir, handler: 'internal-extension.handler', nodePath: node24 });
  const result = await env.invoke({ action: 'trap-sigterm' });
  assert.equal(result.status, 'success');
  assert.deepEqual(
    env.registrations.map((reg) => [reg.name, reg.kind, reg.events]),
    [['inside-runtime', 'internal', ['INVOKE']]],
  );
  const down = await env.shutdown();
  assert.ok(
    env.logs.some((log) => log.line.includes('runtime got SIGTERM')),
    'SIGTERM reached the runtime',
  );
  assert.deepEqual(
    down.processes.map((proc) => [proc.name, proc.killed]),
    [['runtime', true]],
    'it ignored SIGTERM and was killed',
  );
  assert.ok(down.durationMs >= 450, `the runtime had its 500 ms (${down.durationMs} ms)`);
});
