// The command line: events from files, standard input and inline JSON, --env-file then --env, and one
// line naming the flag for each mistake.
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { onTestFinished, test } from 'vitest';
import { parseCommandLine, UsageError, type RunCommand, type ServeCommand } from '../src/cli/arguments.ts';

const functionDir = resolve(import.meta.dirname, '../../../test/fixtures/emulator/functions');
const base = ['--function', functionDir, '--handler', 'basic.handler'];
const noStdin = () => assert.fail('standard input is read only for --event -');

function tempDir(): string {
  const dir = mkdtempSync(join(tmpdir(), 'cli-args-'));
  onTestFinished(() => rmSync(dir, { recursive: true, force: true }));
  return dir;
}

test('run: --event FILE, --event - (stdin) and --event-json, in that order; --env-file lines under --env pairs', () => {
  const dir = tempDir();
  writeFileSync(join(dir, 'event.json'), '{"from":"file"}');
  writeFileSync(join(dir, '.env'), '# comment\nA=1\nexport B="two words"\nC=from-file\n');
  const run = parseCommandLine(
    [
      'run',
      ...base,
      '--event',
      join(dir, 'event.json'),
      '--event',
      '-',
      '--event-json',
      '{"from":"inline"}',
      '--env-file',
      join(dir, '.env'),
      '--env',
      'C=from-flag',
      '--quiet',
      '--allow-failures',
    ],
    () => '{"from":"stdin"}',
  ) as RunCommand;
  assert.deepEqual(run.events, [{ from: 'file' }, { from: 'stdin' }, { from: 'inline' }]);
  assert.deepEqual(run.options.env, { A: '1', B: 'two words', C: 'from-flag' });
  assert.equal(run.quiet, true);
  assert.equal(run.allowFailures, true);
  assert.deepEqual(parseCommandLine(['run', ...base], noStdin), { ...parseCommandLine(['run', ...base], noStdin), events: [{}] });
});

test('serve: --port (default 9000, 0 = any), --provisioned, --trace-html; run-only flags are refused', () => {
  const serve = parseCommandLine(['serve', ...base, '--port', '0', '--provisioned', '--trace-html', 'out.html'], noStdin) as ServeCommand;
  assert.equal(serve.port, 0);
  assert.equal(serve.options.initializationType, 'provisioned-concurrency');
  assert.equal(serve.traceHtmlPath, 'out.html');
  assert.equal((parseCommandLine(['serve', ...base], noStdin) as ServeCommand).port, 9000);
  assert.throws(() => parseCommandLine(['serve', ...base, '--event', 'x.json'], noStdin), UsageError);
});

test('a handler without a dot is left to the runtime; each mistake is one line naming the flag', () => {
  assert.equal(parseCommandLine(['run', '--function', functionDir, '--handler', 'basic'], noStdin).options.handler, 'basic');
  const cases: [string[], RegExp][] = [
    [['walk'], /unknown command "walk" \(expected run or serve\)/],
    [['run', ...base, '--event-json', '{nope'], /^--event-json: not JSON: /],
    [['run', ...base, '--event', '-', '--event', '-'], /^--event -: standard input can be read once$/],
    [['run', ...base, '--env-file', '/no/such/file'], /^--env-file \/no\/such\/file: ENOENT/],
    [['run', ...base, '--env', 'NOEQUALS'], /^--env NOEQUALS: expected K=V$/],
    [['serve', ...base, '--port', '70000'], /^--port 70000: expected a port number/],
    [['run', ...base, '--provisioned', '--max-concurrency', '2'], /^--provisioned does not go with --max-concurrency/],
    [['run', '--function', functionDir, '--handler', 'missing.handler'], /^--handler missing\.handler: handler file not found/],
  ];
  for (const [argv, message] of cases)
    assert.throws(
      () => parseCommandLine(argv, () => ''),
      (error: unknown) => error instanceof UsageError && message.test(error.message),
    );
});
