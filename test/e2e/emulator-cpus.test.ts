// --cpus N: the runtime and the extensions (not the emulator) run in one cgroup per sandbox with a
// CPU quota of N CPUs, joined before each process execs; the cgroup goes with the sandbox. Where the
// machine has no usable cgroup the environment says why instead of running unlimited.
import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'vitest';
import { LambdaEnvironment } from '../../packages/emulator/src/index.ts';
import { CpuLimitError, createCpuLimit } from '../../packages/emulator/src/sandbox/cpu-limit.ts';
import { fixturesDir, node24 } from '../support/paths.ts';

function cpuCgroupOf(pid: number | 'self'): string {
  const lines = readFileSync(`/proc/${pid}/cgroup`, 'utf8').trim().split('\n');
  const v1 = lines.find((line) => line.split(':')[1]?.split(',').includes('cpu'));
  return (v1 ?? lines.find((line) => line.startsWith('0::')) ?? '').split(':').slice(2).join(':');
}

function cgroupsAvailable(): string | undefined {
  try {
    createCpuLimit(1).release();
    return undefined;
  } catch (error) {
    return (error as Error).message;
  }
}

const unavailable = cgroupsAvailable();

test.skipIf(unavailable !== undefined)('--cpus 0.5: runtime and extension in a cgroup with a quota of half a CPU, the emulator outside', async () => {
  const env = new LambdaEnvironment({
    functionDir: join(fixturesDir, 'emulator', 'functions'),
    handler: 'basic.handler',
    nodePath: node24,
    layers: [join(fixturesDir, 'emulator', 'ext-layer')],
    cpus: 0.5,
  });
  const result = await env.invoke({ action: 'echo' });
  assert.equal(result.status, 'success', result.errorMessage);
  const processes = env.processes();
  assert.deepEqual(processes.map((proc) => proc.role).sort(), ['extension', 'runtime']);
  const groups = new Set(processes.map((proc) => cpuCgroupOf(proc.pid)));
  assert.equal(groups.size, 1, 'one cgroup for the sandbox');
  const [group] = [...groups] as [string];
  assert.match(group, /\/lambda-emulator-\d+-\d+$/);
  assert.notEqual(cpuCgroupOf('self'), group, 'the emulator is not limited');
  const mount = ['/sys/fs/cgroup/cpu', '/sys/fs/cgroup/cpu,cpuacct', '/sys/fs/cgroup'].find((dir) => existsSync(join(dir, group)));
  assert.ok(mount, `the cgroup ${group} exists`);
  const dir = join(mount, group);
  const quota = existsSync(join(dir, 'cpu.max'))
    ? readFileSync(join(dir, 'cpu.max'), 'utf8').trim()
    : `${readFileSync(join(dir, 'cpu.cfs_quota_us'), 'utf8').trim()} ${readFileSync(join(dir, 'cpu.cfs_period_us'), 'utf8').trim()}`;
  assert.equal(quota, '50000 100000');
  await env.shutdown();
  await new Promise((resolve) => setTimeout(resolve, 300));
  assert.equal(existsSync(dir), false, 'the cgroup is removed with the sandbox');
});

test('--cpus with a value out of range is refused, naming the option', () => {
  assert.throws(
    () => new LambdaEnvironment({ functionDir: join(fixturesDir, 'emulator', 'functions'), handler: 'basic.handler', nodePath: node24, cpus: 0 }),
    (error: Error) => error instanceof CpuLimitError && /--cpus: .*from 0.01 to 1024, actual 0/.test(error.message),
  );
});
