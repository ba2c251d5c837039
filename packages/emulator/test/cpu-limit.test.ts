// Where --cpus finds a cgroup: the cpu controller of cgroup v1 (under this process's own cgroup),
// else a cgroup v2 tree whose cgroup.controllers offers cpu; otherwise the reason, for the error.
import assert from 'node:assert/strict';
import { test } from 'vitest';
import { checkCpus, CpuLimitError, findHierarchy } from '../src/sandbox/cpu-limit.ts';

const v1Mounts = [
  '25 0 0:22 / /sys/fs/cgroup rw,relatime - tmpfs tmpfs rw,mode=755',
  '26 25 0:23 / /sys/fs/cgroup/cpu,cpuacct rw,nosuid,nodev,noexec,relatime - cgroup cgroup rw,cpu,cpuacct',
  '27 25 0:24 / /sys/fs/cgroup/memory rw,nosuid,nodev,noexec,relatime - cgroup cgroup rw,memory',
  '28 25 0:25 / /sys/fs/cgroup/unified rw,nosuid,nodev,noexec,relatime - cgroup2 cgroup2 rw',
].join('\n');
const v2Mounts = '30 1 0:26 / /sys/fs/cgroup rw,nosuid,nodev,noexec,relatime - cgroup2 cgroup2 rw,nsdelegate';

test('cgroup v1: the cpu controller, under the cgroup this process is in', () => {
  assert.deepEqual(findHierarchy(v1Mounts, '4:memory:/job\n3:cpu,cpuacct:/job/emulator\n0::/job\n'), {
    version: 1,
    parent: '/sys/fs/cgroup/cpu,cpuacct/job/emulator',
  });
});

test('cgroup v2 only: the unified tree, when it offers the cpu controller', () => {
  const offered = findHierarchy(v2Mounts, '0::/user.slice/session-1.scope\n', () => 'cpuset cpu io memory pids');
  assert.deepEqual(offered, { version: 2, parent: '/sys/fs/cgroup/user.slice/session-1.scope' });
  const withheld = findHierarchy(v2Mounts, '0::/user.slice\n', () => 'memory pids');
  assert.equal(withheld, 'the cgroup v2 tree at /sys/fs/cgroup/user.slice does not offer the cpu controller');
});

test("in a container, the mount shows the hierarchy from the container's own cgroup down", () => {
  const mounts = '40 30 0:27 /docker/abc /sys/fs/cgroup rw,relatime - cgroup2 cgroup2 rw';
  assert.deepEqual(
    findHierarchy(mounts, '0::/docker/abc/init\n', () => 'cpu memory'),
    { version: 2, parent: '/sys/fs/cgroup/init' },
  );
});

test('no cgroup file system: the reason', () => {
  assert.equal(findHierarchy('22 1 0:5 / /proc rw - proc proc rw', ''), 'no cgroup v1 cpu controller and no cgroup v2 hierarchy is mounted');
});

test('--cpus takes a positive number of CPUs, fractions included', () => {
  assert.equal(checkCpus(0.5), 0.5);
  assert.equal(checkCpus(2), 2);
  for (const bad of [0, -1, Number.NaN, '1', 5000]) assert.throws(() => checkCpus(bad), CpuLimitError);
});
