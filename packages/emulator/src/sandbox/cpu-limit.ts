// `--cpus N`: the sandbox's processes (the runtime and the extensions, not the emulator) share a CPU
// quota of N CPUs, as Lambda gives a function a share of a core by its memory size (1,769 MB = one
// vCPU). One cgroup per sandbox: cgroup v1's cpu controller (cpu.cfs_quota_us over cpu.cfs_period_us)
// or cgroup v2's cpu.max. Each process joins the cgroup before it execs (a shell writes its own pid
// into cgroup.procs, then execs the command), so none of its start-up runs outside the quota.
// Creating a cgroup needs root (or a delegated subtree); when the machine does not allow it the
// error says what is missing.
import { existsSync, mkdirSync, readFileSync, rmdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

const periodUs = 100_000;
let sequence = 0;

export class CpuLimitError extends Error {
  constructor(reason: string) {
    super(`--cpus: cannot limit the sandbox's CPU: ${reason}`);
    this.name = 'CpuLimitError';
  }
}

export interface CpuLimit {
  readonly cpus: number;
  /** The cgroup directory, e.g. /sys/fs/cgroup/cpu/lambda-emulator-1234-1. */
  readonly dir: string;
  /** The command that joins the cgroup, then execs `command args…`. */
  wrap(command: string, args: readonly string[]): { command: string; args: string[] };
  /** Removes the cgroup once its processes have ended (best effort). */
  release(): void;
}

export interface Hierarchy {
  version: 1 | 2;
  /** Where new cgroups go: the controller's mount plus this process's own cgroup path. */
  parent: string;
}

/**
 * Where a CPU cgroup can be made: cgroup v1's cpu controller, else a v2 tree that offers `cpu`
 * (`readControllers` reads a v2 cgroup.controllers file); a string says why there is none.
 * `mountInfo` is /proc/self/mountinfo, `ownCgroups` /proc/self/cgroup.
 */
export function findHierarchy(mountInfo: string, ownCgroups: string, readControllers: (path: string) => string | undefined = safeRead): Hierarchy | string {
  const mounts = mountInfo.split('\n').map((line) => {
    const [left = '', right = ''] = line.split(' - ');
    const fields = left.split(' ');
    const [fsType = '', , superOptions = ''] = right.split(' ');
    return { root: fields[3] ?? '/', mountPoint: fields[4] ?? '', fsType, superOptions: superOptions.split(',') };
  });
  // A cgroup path as seen from a mount: the mount shows the hierarchy from its root down (in a
  // container, the container's own cgroup).
  const under = (mount: { root: string; mountPoint: string }, path: string): string =>
    join(mount.mountPoint, mount.root !== '/' && path.startsWith(mount.root) ? path.slice(mount.root.length) : path);
  const own = new Map(
    ownCgroups
      .trim()
      .split('\n')
      .map((line) => {
        const [, , controllers = '', path = '/'] = /^(\d+):([^:]*):(.*)$/.exec(line) ?? [];
        return [controllers, path] as const;
      }),
  );
  const v1 = mounts.find((mount) => mount.fsType === 'cgroup' && mount.superOptions.includes('cpu'));
  if (v1) {
    const path = [...own].find(([controllers]) => controllers.split(',').includes('cpu'))?.[1] ?? '/';
    return { version: 1, parent: under(v1, path) };
  }
  const v2 = mounts.find((mount) => mount.fsType === 'cgroup2');
  if (!v2) return 'no cgroup v1 cpu controller and no cgroup v2 hierarchy is mounted';
  const parent = under(v2, own.get('') ?? '/');
  const controllers = readControllers(join(parent, 'cgroup.controllers'));
  if (!controllers?.split(/\s+/).includes('cpu')) return `the cgroup v2 tree at ${parent} does not offer the cpu controller`;
  return { version: 2, parent };
}

function safeRead(path: string): string | undefined {
  try {
    return readFileSync(path, 'utf8');
  } catch {
    return undefined;
  }
}

function reasonOf(error: unknown): string {
  const code = (error as NodeJS.ErrnoException).code;
  const hint = code === 'EACCES' || code === 'EPERM' || code === 'EROFS' ? ' (run the emulator as root, or delegate a cgroup to its user)' : '';
  return `${(error as Error).message}${hint}`;
}

/** Validates N: a positive number of CPUs (fractions allowed, at least 0.01). */
export function checkCpus(cpus: unknown): number {
  if (typeof cpus !== 'number' || !Number.isFinite(cpus) || cpus < 0.01 || cpus > 1024) {
    throw new CpuLimitError(`expected a number of CPUs from 0.01 to 1024, actual ${JSON.stringify(cpus)}`);
  }
  return cpus;
}

/** Creates the sandbox's cgroup with a quota of `cpus` CPUs; throws CpuLimitError saying why it cannot. */
export function createCpuLimit(cpus: number): CpuLimit {
  checkCpus(cpus);
  if (process.platform !== 'linux') throw new CpuLimitError(`cgroups exist on Linux only, not on ${process.platform}`);
  const hierarchy = findHierarchy(safeRead('/proc/self/mountinfo') ?? '', safeRead('/proc/self/cgroup') ?? '');
  if (typeof hierarchy === 'string') throw new CpuLimitError(hierarchy);
  const dir = join(hierarchy.parent, `lambda-emulator-${process.pid}-${++sequence}`);
  const quotaUs = Math.max(1000, Math.round(cpus * periodUs));
  try {
    if (hierarchy.version === 2) {
      // A child gets the cpu controller only where its parent hands it down.
      const subtree = join(hierarchy.parent, 'cgroup.subtree_control');
      if (!safeRead(subtree)?.split(/\s+/).includes('cpu')) writeFileSync(subtree, '+cpu');
    }
    mkdirSync(dir);
  } catch (error) {
    throw new CpuLimitError(`cannot create ${dir}: ${reasonOf(error)}`);
  }
  try {
    if (hierarchy.version === 1) {
      writeFileSync(join(dir, 'cpu.cfs_period_us'), String(periodUs));
      writeFileSync(join(dir, 'cpu.cfs_quota_us'), String(quotaUs));
    } else {
      writeFileSync(join(dir, 'cpu.max'), `${quotaUs} ${periodUs}`);
    }
  } catch (error) {
    rmdirSafe(dir);
    throw new CpuLimitError(`cannot set the quota in ${dir}: ${reasonOf(error)}`);
  }
  liveGroups.add(dir);
  installExitHook();
  const procs = join(dir, 'cgroup.procs');
  return {
    cpus,
    dir,
    // `$0` is the cgroup.procs path; the shell's pid is the command's pid after exec.
    wrap: (command, args) => ({ command: '/bin/sh', args: ['-c', 'echo $$ > "$0" && exec "$@"', procs, command, ...args] }),
    release: () => {
      // Processes SIGKILLed a moment ago may not be reaped yet: one more try shortly after.
      if (rmdirSafe(dir)) liveGroups.delete(dir);
      else setTimeout(() => rmdirSafe(dir) && liveGroups.delete(dir), 200).unref();
    },
  };
}

function rmdirSafe(dir: string): boolean {
  try {
    if (existsSync(dir)) rmdirSync(dir);
    return true;
  } catch {
    return false;
  }
}

const liveGroups = new Set<string>();
let exitHookInstalled = false;

/** Cgroups left behind (a sandbox never shut down) go when the emulator exits. */
function installExitHook(): void {
  if (exitHookInstalled) return;
  exitHookInstalled = true;
  process.on('exit', () => {
    for (const dir of liveGroups) rmdirSafe(dir);
  });
}
