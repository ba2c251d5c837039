import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it, onTestFinished } from 'vitest';
import { claimProcessColdStart, processIdentity } from '../src/invocation/cold-start.ts';

const coldStartModuleUrl = new URL('../src/invocation/cold-start.ts', import.meta.url).href;
// The Node running the tests: the workspace's Node 24 inside npm scripts on Linux.
const node24 = process.execPath;

/**
 * A fresh process with `workers` worker threads (as the runtime client runs them under Managed
 * Instances, where AWS_LAMBDA_MAX_CONCURRENCY is set), each taking its first invocation's cold-start flag twice. Prints one flag per call.
 */
function coldStartsInProcess(claimDir: string, workers: number): boolean[] {
  const workerBody = `
    Promise.all([import('node:worker_threads'), import(${JSON.stringify(coldStartModuleUrl)})]).then(([{ parentPort }, { takeColdStart }]) =>
      parentPort.postMessage([takeColdStart(), takeColdStart()]));
  `;
  const script = `
    import { Worker } from 'node:worker_threads';
    const results = await Promise.all(Array.from({ length: ${workers} }, () => new Promise((resolve, reject) => {
      const worker = new Worker(${JSON.stringify(workerBody)}, { eval: true });
      worker.once('message', resolve);
      worker.once('error', reject);
    })));
    process.stdout.write(JSON.stringify(results.flat()));
  `;
  const result = spawnSync(node24, ['--input-type=module', '-e', script], {
    env: { PATH: process.env.PATH, TMPDIR: claimDir, AWS_LAMBDA_MAX_CONCURRENCY: String(workers) },
    encoding: 'utf8',
    timeout: 20_000,
  });
  assert.equal(result.status, 0, result.stderr);
  return JSON.parse(result.stdout) as boolean[];
}

describe('cold start across worker threads', () => {
  it('exactly one invocation of one process is the cold start, whichever thread runs it', () => {
    const claimDir = mkdtempSync(join(tmpdir(), 'lambda-otel-claims-'));
    onTestFinished(() => rmSync(claimDir, { recursive: true, force: true }));
    const flags = coldStartsInProcess(claimDir, 4);
    assert.equal(flags.length, 8);
    assert.equal(flags.filter(Boolean).length, 1, JSON.stringify(flags));
    assert.equal(readdirSync(claimDir).length, 1, 'one claim for the process');
  });

  it('a second process (a new runtime after a reset, same /tmp) has its own cold start', () => {
    const claimDir = mkdtempSync(join(tmpdir(), 'lambda-otel-claims-'));
    onTestFinished(() => rmSync(claimDir, { recursive: true, force: true }));
    assert.equal(coldStartsInProcess(claimDir, 2).filter(Boolean).length, 1);
    assert.equal(coldStartsInProcess(claimDir, 2).filter(Boolean).length, 1);
    assert.equal(readdirSync(claimDir).length, 2);
  });

  it('a claim is keyed by pid and start time: the same pid started later claims again', () => {
    const claimDir = mkdtempSync(join(tmpdir(), 'lambda-otel-claims-'));
    onTestFinished(() => rmSync(claimDir, { recursive: true, force: true }));
    assert.equal(claimProcessColdStart(claimDir, '8-1000'), true);
    assert.equal(claimProcessColdStart(claimDir, '8-1000'), false, 'another thread of the same process');
    assert.equal(claimProcessColdStart(claimDir, '8-2500'), true, 'same pid, a later process');
  });

  it('identifies this process by pid and start time, the same from every call', () => {
    assert.match(processIdentity(), new RegExp(`^${process.pid}-\\d+$`));
    assert.equal(processIdentity(), processIdentity());
  });

  it('grants the claim when the folder cannot be written (no silent loss of the cold start)', () => {
    assert.equal(claimProcessColdStart('/proc/no-such-folder', 'x'), true);
  });
});
