import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { describe, it } from 'vitest';
import { resolveLogLevel } from '../src/logger/log-level.ts';
import { patchConsole } from '../src/logger/console-correlation.ts';
import { createLogger, type LoggerOptions } from '../src/logger/logger.ts';

const loggerModuleUrl = new URL('../src/logger/logger.ts', import.meta.url).href;
// The Node running the tests: the workspace's Node 24 inside npm scripts on Linux.
const node24 = process.execPath;

function collectingLogger(options: Partial<LoggerOptions> = {}) {
  const lines: string[] = [];
  const log = createLogger({ level: 'DEBUG', write: (line) => lines.push(line), ...options });
  return { log, lines, records: () => lines.map((line) => JSON.parse(line) as Record<string, unknown>) };
}

/** Runs `body` in a fresh Node 24 process with the process-wide logger imported as `L`. */
function runWithDefaultLogger(body: string, env: Record<string, string> = {}) {
  const script = `import * as L from ${JSON.stringify(loggerModuleUrl)};\n${body}`;
  const cleanEnv: NodeJS.ProcessEnv = { PATH: process.env.PATH, ...env };
  const result = spawnSync(node24, ['--input-type=module', '-e', script], { env: cleanEnv, encoding: 'utf8', timeout: 10_000 });
  assert.equal(result.status, 0, result.stderr);
  const lines = result.stdout.split('\n').filter((line) => line !== '');
  const records = () => lines.map((line) => JSON.parse(line) as Record<string, unknown>);
  return { lines, records, stderr: result.stderr };
}

describe('createLogger', () => {
  it('writes one JSON line per call with timestamp, level, message and extra fields', () => {
    // Prepare
    const { log, lines, records } = collectingLogger({ now: () => new Date('2026-01-02T03:04:05.678Z') });
    // Act
    log.info('order stored', { orderId: 'o-1', count: 2, nested: { ok: true } });
    // Assess
    assert.equal(lines.length, 1);
    assert.ok(lines[0]!.endsWith('\n'));
    assert.equal(lines[0]!.indexOf('\n'), lines[0]!.length - 1, 'exactly one line');
    assert.deepEqual(records()[0], {
      timestamp: '2026-01-02T03:04:05.678Z',
      level: 'INFO',
      message: 'order stored',
      orderId: 'o-1',
      count: 2,
      nested: { ok: true },
    });
  });

  it('writes each level under its name and drops records below the configured level', () => {
    const { log, records } = collectingLogger({ level: 'WARN' });
    log.debug('d');
    log.info('i');
    log.warn('w');
    log.error('e');
    assert.deepEqual(
      records().map((r) => [r.level, r.message]),
      [
        ['WARN', 'w'],
        ['ERROR', 'e'],
      ],
    );
  });

  it('turns an Error value into errorType, errorMessage and stackTrace, keeping the line single', () => {
    const { log, lines, records } = collectingLogger();
    class PaymentDeclined extends Error {}
    const error = new PaymentDeclined('card\nrefused');
    log.error('handler failed', { error, orderId: 'o-2', cause: new RangeError('nested') });
    const record = records()[0]!;
    assert.equal(lines[0]!.split('\n').length, 2, 'multi-line stack stays on one line');
    assert.equal(record.errorType, 'PaymentDeclined');
    assert.equal(record.errorMessage, 'card\nrefused');
    assert.ok(Array.isArray(record.stackTrace));
    assert.equal((record.stackTrace as string[])[0], 'Error: card');
    assert.equal(record.error, undefined, 'the spread Error is not repeated under its key');
    assert.equal(record.orderId, 'o-2');
    assert.deepEqual(Object.keys(record.cause as object), ['errorType', 'errorMessage', 'stackTrace']);
    assert.equal((record.cause as Record<string, unknown>).errorType, 'RangeError');
  });

  it('adds requestId, trace_id and span_id from the correlation source, only when known', () => {
    let current: { requestId?: string; traceId?: string; spanId?: string } | undefined;
    const { log, records } = collectingLogger({ correlation: () => current });
    log.info('before');
    current = { requestId: 'req-1', traceId: '0af7651916cd43dd8448eb211c80319c', spanId: 'b7ad6b7169203331' };
    log.info('during');
    current = { requestId: 'req-2' };
    log.info('partial');
    const [before, during, partial] = records();
    assert.deepEqual(Object.keys(before!), ['timestamp', 'level', 'message']);
    assert.equal(during!.requestId, 'req-1');
    assert.equal(during!.trace_id, '0af7651916cd43dd8448eb211c80319c');
    assert.equal(during!.span_id, 'b7ad6b7169203331');
    assert.deepEqual(Object.keys(partial!), ['timestamp', 'level', 'message', 'requestId']);
  });

  it('keeps its own fields when extra fields reuse their names', () => {
    const { log, records } = collectingLogger({ correlation: () => ({ requestId: 'req-1' }) });
    log.info('real', { message: 'spoof', level: 'DEBUG', requestId: 'other', extra: 1 });
    const record = records()[0]!;
    assert.equal(record.message, 'real');
    assert.equal(record.level, 'INFO');
    assert.equal(record.requestId, 'req-1');
    assert.equal(record.extra, 1);
  });

  it('never throws: a failing write or correlation source is swallowed and counted', () => {
    const log = createLogger({
      level: 'DEBUG',
      write: () => {
        throw new Error('EPIPE');
      },
    });
    assert.doesNotThrow(() => log.error('lost'));
    assert.doesNotThrow(() => log.info('lost too'));
    assert.deepEqual(log.stats(), { writeFailures: 2 });

    const { log: withBadSource, records } = collectingLogger({
      correlation: () => {
        throw new Error('no store');
      },
    });
    withBadSource.info('still written');
    assert.equal(records()[0]!.message, 'still written');
  });

  it('serializes values JSON cannot (bigint, cycles) instead of failing', () => {
    const { log, records } = collectingLogger();
    const cyclic: Record<string, unknown> = { name: 'a' };
    cyclic.self = cyclic;
    log.info('odd values', { big: 12345678901234567890n, cyclic, shared: [1, 2] });
    const record = records()[0]!;
    assert.equal(record.big, '12345678901234567890');
    assert.deepEqual(record.cyclic, { name: 'a', self: '[Circular]' });
    assert.deepEqual(record.shared, [1, 2]);
  });
});

describe('resolveLogLevel', () => {
  const cases: Array<[string, Record<string, string>, string, string | undefined]> = [
    ['default', {}, 'INFO', undefined],
    ['AWS_LAMBDA_LOG_LEVEL', { AWS_LAMBDA_LOG_LEVEL: 'WARN' }, 'WARN', undefined],
    ['case-insensitive', { AWS_LAMBDA_LOG_LEVEL: 'error' }, 'ERROR', undefined],
    ['TRACE folds to DEBUG', { AWS_LAMBDA_LOG_LEVEL: 'Trace' }, 'DEBUG', undefined],
    ['FATAL folds to ERROR', { LOG_LEVEL: 'fatal' }, 'ERROR', undefined],
    ['LOG_LEVEL when the Lambda one is unset', { LOG_LEVEL: 'debug' }, 'DEBUG', undefined],
    ['AWS_LAMBDA_LOG_LEVEL wins over LOG_LEVEL', { AWS_LAMBDA_LOG_LEVEL: 'warn', LOG_LEVEL: 'debug' }, 'WARN', undefined],
    ['empty is unset', { AWS_LAMBDA_LOG_LEVEL: ' ', LOG_LEVEL: 'debug' }, 'DEBUG', undefined],
    ['invalid Lambda level', { AWS_LAMBDA_LOG_LEVEL: 'verbose', LOG_LEVEL: 'debug' }, 'INFO', 'AWS_LAMBDA_LOG_LEVEL'],
    ['invalid LOG_LEVEL', { LOG_LEVEL: 'loud' }, 'INFO', 'LOG_LEVEL'],
  ];
  for (const [name, env, level, invalidVariable] of cases) {
    it(name, () => {
      const resolved = resolveLogLevel(env);
      assert.equal(resolved.level, level);
      assert.equal(resolved.invalid?.variable, invalidVariable);
    });
  }
});

describe('patchConsole', () => {
  it('routes log/info/warn/error/debug to the matching level with util.format messages, once', () => {
    const target: Record<string | symbol, unknown> = {};
    const { log, records } = collectingLogger();
    const write = (level: string, message: string, fields?: Record<string, unknown>) => {
      const method = level.toLowerCase() as 'debug' | 'info' | 'warn' | 'error';
      log[method](message, fields);
    };
    assert.equal(patchConsole(target, write), true);
    assert.equal(patchConsole(target, write), false, 'a second patch is a no-op');
    (target.log as (...args: unknown[]) => void)('user %s has %d items', 'ana', 3);
    (target.info as (...args: unknown[]) => void)({ a: 1 });
    (target.warn as (...args: unknown[]) => void)('careful');
    (target.error as (...args: unknown[]) => void)('failed:', new TypeError('boom'));
    (target.debug as (...args: unknown[]) => void)('details');
    const got = records();
    assert.deepEqual(got.map((r) => [r.level, r.message]).slice(0, 3), [
      ['INFO', 'user ana has 3 items'],
      ['INFO', '{ a: 1 }'],
      ['WARN', 'careful'],
    ]);
    assert.equal(got[3]!.level, 'ERROR');
    assert.match(String(got[3]!.message), /^failed: TypeError: boom/);
    assert.equal(got[3]!.errorType, 'TypeError');
    assert.deepEqual([got[4]!.level, got[4]!.message], ['DEBUG', 'details']);
  });
});

describe('the process-wide logger (fresh process)', () => {
  it('writes only JSON lines to stdout, at the level from AWS_LAMBDA_LOG_LEVEL, correlated once a source is set', () => {
    const { records: parse, stderr } = runWithDefaultLogger(
      `L.logger.debug('hidden');
       L.logger.info('before');
       L.setCorrelationSource(() => ({ requestId: 'req-9', traceId: 'abc', spanId: 'def' }));
       L.logger.warn('after', { k: 'v' });`,
      { AWS_LAMBDA_LOG_LEVEL: 'info' },
    );
    const records = parse();
    assert.equal(stderr, '');
    assert.deepEqual(
      records.map((r) => r.message),
      ['before', 'after'],
    );
    assert.equal(records[0]!.requestId, undefined);
    assert.deepEqual(
      { requestId: records[1]!.requestId, trace_id: records[1]!.trace_id, span_id: records[1]!.span_id, k: records[1]!.k },
      { requestId: 'req-9', trace_id: 'abc', span_id: 'def', k: 'v' },
    );
  });

  it('reports an invalid level once, naming the variable and the accepted values (not the value), then logs at INFO', () => {
    const records = runWithDefaultLogger(`L.logger.debug('hidden'); L.logger.info('shown'); L.logger.info('again');`, { LOG_LEVEL: 'chatty' }).records();
    assert.equal(records.length, 3);
    assert.equal(records[0]!.level, 'WARN');
    assert.match(String(records[0]!.message), /LOG_LEVEL is invalid, expected one of TRACE, DEBUG, INFO, WARN, ERROR, FATAL/);
    assert.ok(!JSON.stringify(records[0]).includes('chatty'), 'the value itself is not repeated');
    assert.deepEqual(
      records.slice(1).map((r) => r.message),
      ['shown', 'again'],
    );
  });

  it('correlateConsole() routes console.* through the logger with the correlation fields, idempotently', () => {
    const records = runWithDefaultLogger(
      `L.correlateConsole();
       L.correlateConsole();
       L.setCorrelationSource(() => ({ requestId: 'req-c', traceId: 't1', spanId: 's1' }));
       console.log('hello %s', 'world');
       console.debug('dbg');
       console.error(new Error('bad'));`,
      { AWS_LAMBDA_LOG_LEVEL: 'debug' },
    ).records();
    assert.deepEqual(
      records.map((r) => [r.level, r.requestId, r.trace_id, r.span_id]),
      [
        ['INFO', 'req-c', 't1', 's1'],
        ['DEBUG', 'req-c', 't1', 's1'],
        ['ERROR', 'req-c', 't1', 's1'],
      ],
    );
    assert.equal(records[0]!.message, 'hello world');
    assert.equal(records[2]!.errorMessage, 'bad');
  });

  it('leaves console alone unless asked', () => {
    const { lines } = runWithDefaultLogger(`L.logger.info('json'); console.log('plain text');`);
    assert.equal(JSON.parse(lines[0]!).message, 'json');
    assert.equal(lines[1], 'plain text', 'console is not patched');
  });
});
