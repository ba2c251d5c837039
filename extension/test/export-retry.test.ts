// The retry rules and the batch splitter as pure functions (a clock, a random source and a sleep
// are passed in, so no test waits).
import assert from 'node:assert/strict';
import { describe, it } from 'vitest';
import { splitIntoRequests } from '../src/export/batch-split.ts';
import { classifyOutcome, parseRetryAfterMs, withRetries, type AttemptVerdict } from '../src/export/retrying-transport.ts';

const describeStatus = (status: number): string => `HTTP ${status}`;

function fakeClock(startMs = 1_000_000) {
  let nowMs = startMs;
  const sleeps: number[] = [];
  return {
    now: () => nowMs,
    sleep: async (ms: number) => {
      sleeps.push(ms);
      nowMs += ms;
    },
    advance: (ms: number) => {
      nowMs += ms;
    },
    sleeps,
  };
}

describe('classifyOutcome', () => {
  const response = (status: number, headers: Record<string, string> = {}) => ({ kind: 'response' as const, status, headers, body: Buffer.from('') });
  const table: [number, AttemptVerdict['kind']][] = [
    [200, 'success'],
    [202, 'success'],
    [400, 'failure'],
    [401, 'failure'],
    [403, 'failure'],
    [404, 'failure'],
    [413, 'failure'],
    [429, 'retryable'],
    [500, 'failure'],
    [501, 'failure'],
    [502, 'retryable'],
    [503, 'retryable'],
    [504, 'retryable'],
  ];
  for (const [status, kind] of table) {
    it(`HTTP ${status} is ${kind}`, () => {
      assert.equal(classifyOutcome(response(status), 0, describeStatus).kind, kind);
    });
  }

  it('connection errors are retryable', () => {
    assert.deepEqual(classifyOutcome({ kind: 'network-error', error: 'ECONNRESET: socket hang up' }, 0, describeStatus), {
      kind: 'retryable',
      error: 'ECONNRESET: socket hang up',
    });
  });

  it('reads Retry-After on 429 and 503 only', () => {
    assert.deepEqual(classifyOutcome(response(429, { 'retry-after': '3' }), 0, describeStatus), { kind: 'retryable', error: 'HTTP 429', retryAfterMs: 3000 });
    assert.deepEqual(classifyOutcome(response(503, { 'retry-after': '0' }), 0, describeStatus), { kind: 'retryable', error: 'HTTP 503', retryAfterMs: 0 });
    assert.deepEqual(classifyOutcome(response(502, { 'retry-after': '3' }), 0, describeStatus), { kind: 'retryable', error: 'HTTP 502' });
  });
});

describe('parseRetryAfterMs', () => {
  it('takes seconds or an HTTP date', () => {
    const nowMs = Date.parse('Wed, 21 Oct 2026 07:28:00 GMT');
    assert.equal(parseRetryAfterMs('120', nowMs), 120_000);
    assert.equal(parseRetryAfterMs('Wed, 21 Oct 2026 07:28:05 GMT', nowMs), 5000);
    assert.equal(parseRetryAfterMs('Wed, 21 Oct 2026 07:27:00 GMT', nowMs), 0);
    assert.equal(parseRetryAfterMs('soon', nowMs), undefined);
    assert.equal(parseRetryAfterMs(undefined, nowMs), undefined);
  });
});

describe('withRetries', () => {
  it('backs off exponentially with jitter and stops at success', async () => {
    const clock = fakeClock();
    const verdicts: AttemptVerdict[] = [
      { kind: 'retryable', error: 'a' },
      { kind: 'retryable', error: 'b' },
      { kind: 'retryable', error: 'c' },
      { kind: 'success', status: 200, body: Buffer.alloc(0), contentType: undefined, contentEncoding: undefined },
    ];
    const result = await withRetries(async () => verdicts.shift()!, {
      deadlineMs: clock.now() + 60_000,
      attemptTimeoutMs: 1000,
      policy: { maxAttempts: 5, initialBackoffMs: 100, maxBackoffMs: 300 },
      now: clock.now,
      sleep: clock.sleep,
      random: () => 1,
    });
    assert.equal(result.kind, 'success');
    assert.equal(result.attempts, 4);
    assert.deepEqual(clock.sleeps, [100, 200, 300]);
  });

  it('jitter keeps delays between half and all of the backoff', async () => {
    const clock = fakeClock();
    await withRetries(async () => ({ kind: 'retryable', error: 'x' }), {
      deadlineMs: clock.now() + 60_000,
      attemptTimeoutMs: 0,
      policy: { maxAttempts: 3, initialBackoffMs: 1000, maxBackoffMs: 10_000 },
      now: clock.now,
      sleep: clock.sleep,
      random: () => 0,
    });
    assert.deepEqual(clock.sleeps, [500, 1000]);
  });

  it('uses Retry-After instead of the backoff', async () => {
    const clock = fakeClock();
    const verdicts: AttemptVerdict[] = [
      { kind: 'retryable', error: '503', retryAfterMs: 2000 },
      { kind: 'failure', error: 'HTTP 400' },
    ];
    const result = await withRetries(async () => verdicts.shift()!, {
      deadlineMs: clock.now() + 10_000,
      attemptTimeoutMs: 0,
      now: clock.now,
      sleep: clock.sleep,
    });
    assert.deepEqual(clock.sleeps, [2000]);
    assert.equal(result.kind, 'failure');
    assert.equal(result.attempts, 2);
  });

  it('gives each attempt at most the time left and never sleeps past the deadline', async () => {
    const clock = fakeClock();
    const timeouts: number[] = [];
    const result = await withRetries(
      async (timeoutMs) => {
        timeouts.push(timeoutMs);
        clock.advance(timeoutMs); // the attempt times out
        return { kind: 'retryable', error: 'no answer' };
      },
      { deadlineMs: clock.now() + 1500, attemptTimeoutMs: 1000, now: clock.now, sleep: clock.sleep, random: () => 0.5 },
    );
    assert.equal(result.kind, 'retryable');
    assert.equal(timeouts[0], 1000);
    assert.ok(timeouts.every((t) => t <= 1000));
    assert.ok(clock.now() <= 1_000_000 + 1500, 'nothing ran past the deadline');
  });

  it('makes no attempt once the deadline has passed', async () => {
    let attempts = 0;
    const result = await withRetries(
      async () => {
        attempts++;
        return { kind: 'failure', error: 'x' };
      },
      { deadlineMs: Date.now() - 1, attemptTimeoutMs: 1000 },
    );
    assert.equal(attempts, 0);
    assert.equal(result.kind, 'retryable');
  });
});

describe('splitIntoRequests', () => {
  const encode = (chunk: number[]): Buffer => Buffer.alloc(chunk.reduce((n, size) => n + size, 0));

  it('respects the item limit', () => {
    const { requests, oversized } = splitIntoRequests(Array(25).fill(1), { maxItems: 10, maxBytes: 1000 }, encode, (n) => n);
    assert.deepEqual(
      requests.map((r) => r.items.length),
      [10, 10, 5],
    );
    assert.equal(oversized.length, 0);
  });

  it('halves a request whose real size is over the byte limit even when the estimate was low', () => {
    // The estimate says 1 byte each; really 100: the splitter must find out by encoding.
    const { requests } = splitIntoRequests(Array(10).fill(100), { maxItems: 100, maxBytes: 350 }, encode, () => 1);
    assert.ok(requests.every((r) => r.body.length <= 350));
    assert.equal(
      requests.reduce((n, r) => n + r.items.length, 0),
      10,
    );
  });

  it('puts items too large for any request aside and keeps order for the rest', () => {
    const items = [10, 500, 20, 30];
    const { requests, oversized } = splitIntoRequests(items, { maxItems: 100, maxBytes: 1000, maxItemBytes: 200 }, encode, (n) => n);
    assert.deepEqual(oversized, [500]);
    assert.deepEqual(
      requests.flatMap((r) => r.items),
      [10, 20, 30],
    );
  });
});
