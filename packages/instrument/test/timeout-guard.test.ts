import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { setTimeout as sleep } from 'node:timers/promises';
import { describe, it } from 'vitest';
import { armTimeoutGuard } from '../src/invocation/timeout-guard.ts';

const guardModuleUrl = new URL('../src/invocation/timeout-guard.ts', import.meta.url).href;
// The Node running the tests: the workspace's Node 24 inside npm scripts on Linux.
const node24 = process.execPath;

describe('armTimeoutGuard', () => {
  it('calls onTimeout exactly once, marginMs before the deadline', async () => {
    // Prepare
    const armedAtMs = Date.now();
    const calls: number[] = [];
    // Act
    armTimeoutGuard({ remainingTimeMs: 80, marginMs: 50, onTimeout: () => calls.push(Date.now()) });
    await sleep(150);
    // Assess: once, and not before remainingTimeMs - marginMs has passed.
    assert.equal(calls.length, 1);
    assert.ok(calls[0]! - armedAtMs >= 29, `fired after ${calls[0]! - armedAtMs} ms`);
  });

  it('does not call onTimeout once disarmed; disarming twice is harmless', async () => {
    let calls = 0;
    const disarm = armTimeoutGuard({ remainingTimeMs: 40, marginMs: 10, onTimeout: () => calls++ });
    disarm();
    disarm();
    await sleep(80);
    assert.equal(calls, 0);
  });

  it('is not armed when the margin leaves no time (or the input is unusable)', async () => {
    let calls = 0;
    const onTimeout = () => calls++;
    const disarms = [
      armTimeoutGuard({ remainingTimeMs: 50, marginMs: 50, onTimeout }),
      armTimeoutGuard({ remainingTimeMs: 20, marginMs: 100, onTimeout }),
      armTimeoutGuard({ remainingTimeMs: -5, marginMs: 0, onTimeout }),
      armTimeoutGuard({ remainingTimeMs: Number.NaN, marginMs: 0, onTimeout }),
      armTimeoutGuard({ remainingTimeMs: 10, marginMs: Number.NaN, onTimeout }),
      armTimeoutGuard({ remainingTimeMs: 10, marginMs: 0, onTimeout: undefined as unknown as () => void }),
    ];
    await sleep(60);
    assert.equal(calls, 0);
    for (const disarm of disarms) assert.doesNotThrow(disarm);
  });

  it('arms with a zero margin at the deadline itself', async () => {
    let calls = 0;
    armTimeoutGuard({ remainingTimeMs: 10, marginMs: 0, onTimeout: () => calls++ });
    await sleep(60);
    assert.equal(calls, 1);
  });

  it('keeps the process alive neither while armed nor when onTimeout throws (the error is logged)', () => {
    // A fresh process: a 60 s guard must not hold it open, and a throwing onTimeout must not crash it.
    const script = `
      import { armTimeoutGuard } from ${JSON.stringify(guardModuleUrl)};
      armTimeoutGuard({ remainingTimeMs: 60_000, marginMs: 100, onTimeout: () => console.log('too late') });
      const keepAlive = setTimeout(() => {}, 200);
      armTimeoutGuard({ remainingTimeMs: 30, marginMs: 10, onTimeout: () => { throw new TypeError('span already ended'); } });
    `;
    const result = spawnSync(node24, ['--input-type=module', '-e', script], { encoding: 'utf8', timeout: 10_000 });
    assert.equal(result.signal, null, 'exited on its own');
    assert.equal(result.status, 0, result.stderr);
    const lines = result.stdout.split('\n').filter(Boolean);
    assert.equal(lines.length, 1);
    const record = JSON.parse(lines[0]!);
    assert.equal(record.level, 'ERROR');
    assert.equal(record.message, 'timeout guard: onTimeout failed');
    assert.equal(record.errorType, 'TypeError');
    assert.equal(record.errorMessage, 'span already ended');
  });
});
