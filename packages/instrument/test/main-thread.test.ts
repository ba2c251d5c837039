import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { describe, it } from 'vitest';

const mainThreadModuleUrl = new URL('../src/main-thread.ts', import.meta.url).href;
// The Node running the tests: the workspace's Node 24 inside npm scripts on Linux.
const node24 = process.execPath;

/** Runs `script` (an ES module) in a fresh process with only PATH and `env`; returns its stdout as JSON. */
function runFresh(script: string, env: Record<string, string>): unknown {
  const result = spawnSync(node24, ['--input-type=module', '-e', script], { env: { PATH: process.env.PATH, ...env }, encoding: 'utf8', timeout: 20_000 });
  assert.equal(result.status, 0, result.stderr);
  return JSON.parse(result.stdout);
}

describe('isMainThread', () => {
  it('outside Managed Instances answers true without loading node:worker_threads', () => {
    const script = `
      const { isMainThread } = await import(${JSON.stringify(mainThreadModuleUrl)});
      const answer = isMainThread();
      const loaded = process.moduleLoadList.some((name) => name === 'NativeModule worker_threads');
      process.stdout.write(JSON.stringify({ answer, loaded }));
    `;
    assert.deepEqual(runFresh(script, {}), { answer: true, loaded: false });
  });

  it('under Managed Instances tells the main thread from the runtime client worker threads', () => {
    const workerBody = `
      Promise.all([import('node:worker_threads'), import(${JSON.stringify(mainThreadModuleUrl)})]).then(([{ parentPort }, { isMainThread }]) =>
        parentPort.postMessage(isMainThread()));
    `;
    const script = `
      import { Worker } from 'node:worker_threads';
      const { isMainThread } = await import(${JSON.stringify(mainThreadModuleUrl)});
      const inWorker = await new Promise((resolve, reject) => {
        const worker = new Worker(${JSON.stringify(workerBody)}, { eval: true });
        worker.once('message', resolve);
        worker.once('error', reject);
      });
      process.stdout.write(JSON.stringify({ main: isMainThread(), inWorker }));
    `;
    assert.deepEqual(runFresh(script, { AWS_LAMBDA_MAX_CONCURRENCY: '4' }), { main: true, inWorker: false });
  });
});
