// The lambda-emulator CLI: a run on examples/hello writes the report; bad input is one line and a
// non-zero exit.
import { test } from 'vitest';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fixturesDir, node24, repoRoot } from '../support/paths.ts';

const cliSource = join(repoRoot, 'packages', 'emulator', 'src', 'cli.ts');
const cliBundle = join(repoRoot, 'packages', 'emulator', 'dist', 'cli.js');
const hello = join(repoRoot, 'examples', 'hello');

function run(cli: string, args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolveRun) => {
    execFile(node24, [cli, ...args], { cwd: repoRoot, timeout: 60_000 }, (error, stdout, stderr) => {
      resolveRun({ code: error ? ((error as { code?: number }).code ?? 1) : 0, stdout, stderr });
    });
  });
}

test('run on examples/hello writes the JSON report', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'emulator-cli-'));
  try {
    const reportPath = join(dir, 'report.json');
    const { code, stderr } = await run(cliSource, [
      'run',
      '--function',
      hello,
      '--handler',
      'index.handler',
      '--event',
      join(hello, 'event.json'),
      '--repeat',
      '2',
      '--memory',
      '256',
      '--report',
      reportPath,
    ]);
    assert.equal(code, 0, stderr);
    assert.match(stderr, /\[2\/2\]/, 'a progress line per invoke');
    const report = JSON.parse(readFileSync(reportPath, 'utf8'));
    assert.equal(report.invocations.length, 2);
    const [first, second] = report.invocations;
    assert.equal(first.status, 'success');
    assert.deepEqual(first.response, { statusCode: 200, body: 'Hello, Lambda!' });
    assert.equal(typeof first.initDurationMs, 'number');
    assert.equal(second.initDurationMs, undefined);
    for (const field of ['requestId', 'durationMs', 'responseLatencyMs', 'postRuntimeMs']) assert.ok(field in first, field);
    assert.equal(report.shutdown.reason, 'spindown');
    assert.equal(report.shutdown.processes[0].name, 'runtime');
    assert.ok(report.events.some((event: { type: string }) => event.type === 'platform.report'));
    assert.ok(report.logs.some((log: { source: string; line: string }) => log.source === 'runtime' && log.line.includes('hello handler got')));
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('every flag reaches the environment: layer, node, env, timeout, memory, Managed Instances concurrency', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'emulator-cli-'));
  try {
    const reportPath = join(dir, 'report.json');
    const remaining = join(dir, 'remaining.json');
    const seen = join(dir, 'env.json');
    writeFileSync(remaining, JSON.stringify({ action: 'remaining' }));
    writeFileSync(
      seen,
      JSON.stringify({ action: 'env', names: ['CUSTOM', 'AWS_LAMBDA_MAX_CONCURRENCY', 'AWS_LAMBDA_FUNCTION_MEMORY_SIZE', 'AWS_EXECUTION_ENV'] }),
    );
    const { code, stderr } = await run(cliSource, [
      'run',
      '--function',
      join(fixturesDir, 'emulator', 'functions'),
      '--handler',
      'basic.handler',
      '--layer',
      join(fixturesDir, 'emulator', 'ext-layer'),
      '--node',
      node24,
      '--env',
      'TEST_EXT_EVENTS=SHUTDOWN',
      '--env',
      'CUSTOM=from-cli',
      '--timeout',
      '2',
      '--memory',
      '256',
      '--max-concurrency',
      '2',
      '--concurrency',
      '2',
      '--event',
      remaining,
      '--event',
      seen,
      '--report',
      reportPath,
    ]);
    assert.equal(code, 0, stderr);
    const report = JSON.parse(readFileSync(reportPath, 'utf8'));
    assert.deepEqual(
      report.invocations.map((inv: { status: string }) => inv.status),
      ['success', 'success'],
    );
    const byKind = (test: (response: unknown) => boolean) => report.invocations.find((inv: { response: unknown }) => test(inv.response)).response;
    const remainingMs = byKind((response) => typeof response === 'number');
    assert.ok(remainingMs > 1000 && remainingMs <= 2000, `the 2 s timeout is the deadline (${remainingMs} ms left)`);
    assert.deepEqual(
      byKind((response) => typeof response === 'object'),
      { CUSTOM: 'from-cli', AWS_LAMBDA_MAX_CONCURRENCY: '2', AWS_LAMBDA_FUNCTION_MEMORY_SIZE: '256', AWS_EXECUTION_ENV: 'AWS_Lambda_nodejs24.x' },
    );
    for (const inv of report.invocations) {
      for (const field of ['requestId', 'status', 'response', 'durationMs', 'responseLatencyMs', 'postRuntimeMs']) assert.ok(field in inv, field);
    }
    assert.equal(
      report.invocations.filter((inv: { initDurationMs?: number }) => typeof inv.initDurationMs === 'number').length,
      1,
      'one invocation paid the init',
    );
    assert.equal(report.shutdown.reason, 'spindown');
    assert.equal(typeof report.shutdown.durationMs, 'number');
    const ext = report.shutdown.processes.find((proc: { name: string }) => proc.name === 'test-ext');
    assert.deepEqual([ext.exitedOnItsOwn, ext.exitCode, ext.killed, typeof ext.pid], [true, 0, false, 'number']);
    assert.ok(
      report.events.some((event: { type: string; record: { name?: string } }) => event.type === 'platform.extension' && event.record.name === 'test-ext'),
    );
    assert.ok(report.logs.some((log: { source: string }) => log.source === 'test-ext'));
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('the built CLI prints a summary without --report', async () => {
  const { code, stdout } = await run(cliBundle, ['run', '--function', hello, '--handler', 'index.handler', '--event', join(hello, 'event.json')]);
  assert.equal(code, 0);
  assert.match(stdout, /success in .* ms \(init .* ms\)/);
  assert.match(stdout, /shutdown \(spindown\)/);
});

test('a bad flag, a missing handler file and a handler that fails to load are one-line errors', async () => {
  const badFlag = await run(cliSource, ['run', '--function', hello, '--handler', 'index.handler', '--bogus']);
  assert.notEqual(badFlag.code, 0);
  assert.equal(badFlag.stderr.trim().split('\n').length, 1);
  assert.match(badFlag.stderr, /--bogus/);

  const missing = await run(cliSource, ['run', '--function', hello, '--handler', 'nothere.handler']);
  assert.notEqual(missing.code, 0);
  assert.equal(missing.stderr.trim().split('\n').length, 1);
  assert.match(missing.stderr, /nothere/);

  const broken = await run(cliSource, ['run', '--function', join(fixturesDir, 'emulator', 'functions'), '--handler', 'broken.handler']);
  assert.notEqual(broken.code, 0);
  assert.equal(broken.stderr.trim().split('\n').length, 1);
  assert.match(broken.stderr, /broken\.handler failed to load: .*broken at import/);

  const badNumber = await run(cliSource, ['run', '--function', hello, '--handler', 'index.handler', '--timeout', 'soon']);
  assert.notEqual(badNumber.code, 0);
  assert.equal(badNumber.stderr.trim().split('\n').length, 1);
  assert.match(badNumber.stderr, /--timeout soon/);

  const extensionFails = await run(cliSource, [
    'run',
    '--function',
    hello,
    '--handler',
    'index.handler',
    '--layer',
    join(fixturesDir, 'emulator', 'ext-layer'),
    '--env',
    'TEST_EXT_INIT_ERROR=Extension.ConfigInvalid',
  ]);
  assert.notEqual(extensionFails.code, 0);
  assert.equal(extensionFails.stderr.trim().split('\n').length, 1);
  assert.match(extensionFails.stderr, /init failed: Extension\.InitError: test-ext: Extension\.ConfigInvalid/);
});

test('a crashing function is a reported result, and the run exits 1 after writing the report', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'emulator-cli-'));
  try {
    const reportPath = join(dir, 'report.json');
    const eventPath = join(dir, 'event.json');
    writeFileSync(eventPath, JSON.stringify({ action: 'exit' }));
    const { code, stderr } = await run(cliSource, [
      'run',
      '--function',
      join(fixturesDir, 'emulator', 'functions'),
      '--handler',
      'basic.handler',
      '--event',
      eventPath,
      '--report',
      reportPath,
    ]);
    assert.equal(code, 1, 'an invocation that did not succeed makes the run fail, after the report is written');
    assert.match(stderr, /1 of 1 invocation\(s\) did not succeed: \S+ error Runtime\.ExitError/);
    const report = JSON.parse(readFileSync(reportPath, 'utf8'));
    assert.equal(report.invocations[0].status, 'error');
    assert.equal(report.invocations[0].errorType, 'Runtime.ExitError');
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('events from standard input and inline JSON, variables from --env-file; --quiet prints only the results', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'emulator-cli-'));
  try {
    const envFile = join(dir, 'vars.env');
    writeFileSync(envFile, '# for the function\nFROM_FILE=file value\nexport QUOTED="a b"\n');
    const args = ['run', '--function', join(fixturesDir, 'emulator', 'functions'), '--handler', 'basic.handler', '--env-file', envFile];
    args.push('--event', '-', '--event-json', JSON.stringify({ action: 'env', names: ['FROM_FILE', 'QUOTED'] }));
    const quiet = await new Promise<{ code: number; stdout: string }>((resolveRun) => {
      const child = execFile(node24, [cliSource, ...args, '--quiet'], { cwd: repoRoot, timeout: 60_000 }, (error, stdout) =>
        resolveRun({ code: error ? ((error as { code?: number }).code ?? 1) : 0, stdout }),
      );
      child.stdin!.end(JSON.stringify({ from: 'stdin' }));
    });
    assert.equal(quiet.code, 0);
    const lines = quiet.stdout.trimEnd().split('\n');
    assert.ok(!lines.some((line) => line.startsWith('[') || line.startsWith('==')), `no log lines or waterfalls with --quiet:\n${quiet.stdout}`);
    const responses = lines.filter((line) => line.startsWith('  response: ')).map((line) => JSON.parse(line.slice('  response: '.length)));
    assert.deepEqual(responses, [{ echo: { from: 'stdin' } }, { FROM_FILE: 'file value', QUOTED: 'a b' }]);
    assert.match(lines.at(-1)!, /^2 invocation\(s\), 0 failed; /);

    const loud = await new Promise<string>((resolveRun) => {
      const child = execFile(node24, [cliSource, ...args], { cwd: repoRoot, timeout: 60_000 }, (_error, stdout) => resolveRun(stdout));
      child.stdin!.end('{"from":"stdin"}');
    });
    assert.match(loud, /^\[platform\] START RequestId: \S+ Version: \$LATEST$/m);
    assert.match(
      loud,
      /^\[platform\] REPORT RequestId: \S+\tDuration: [\d.]+ ms\tBilled Duration: \d+ ms\tMemory Size: 128 MB\tMax Memory Used: \d+ MB\tInit Duration: [\d.]+ ms$/m,
    );
    assert.match(loud, /^== \S+ success [\d.]+ms {2}platform timings only =*$/m, 'without spans the waterfall shows the platform timings');
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
