// Sandbox processes: each runs in its own process group (detached) so that freeze, thaw and kill reach
// everything it started. Output is captured line by line; the runtime's framed log pipe (fd 3) too.
import { spawn, type ChildProcess } from 'node:child_process';
import type { Readable } from 'node:stream';
import type { CpuLimit } from './cpu-limit.ts';
import { LogFrameParser, type LogFrame } from './log-frames.ts';

export interface ProcessExit {
  code: number | null;
  signal: NodeJS.Signals | null;
  atMs: number;
}

export interface SandboxProcess {
  name: string;
  role: 'runtime' | 'extension';
  pid: number;
  child: ChildProcess;
  /** When the emulator exec'd it (epoch ms). */
  spawnedAtMs: number;
  exit: ProcessExit | undefined;
  exited: Promise<ProcessExit>;
  /** Set when the emulator sent SIGKILL (rather than the process ending by itself). */
  killedByEmulator: boolean;
}

export interface SpawnOptions {
  name: string;
  role: 'runtime' | 'extension';
  command: string;
  args: string[];
  env: Record<string, string>;
  cwd: string;
  onLine: (line: string) => void;
  /** When set, fd 3 is a pipe and its frames are passed here. */
  onFrame?: (frame: LogFrame) => void;
  /** --cpus: the process joins this cgroup before it execs. */
  cpuLimit?: CpuLimit;
}

const liveGroups = new Set<number>();
let exitHookInstalled = false;

/** If the emulator itself goes away, its sandbox goes with it. */
function installExitHook(): void {
  if (exitHookInstalled) return;
  exitHookInstalled = true;
  process.on('exit', () => {
    for (const pid of liveGroups) signalGroup(pid, 'SIGKILL');
  });
}

export function spawnSandboxProcess(options: SpawnOptions): SandboxProcess {
  installExitHook();
  const spawnedAtMs = Date.now();
  const { command, args } = options.cpuLimit ? options.cpuLimit.wrap(options.command, options.args) : options;
  const child = spawn(command, args, {
    cwd: options.cwd,
    env: options.env,
    detached: true,
    stdio: ['ignore', 'pipe', 'pipe', options.onFrame ? 'pipe' : 'ignore'],
  });
  let resolveExit!: (exit: ProcessExit) => void;
  const exited = new Promise<ProcessExit>((resolveFn) => (resolveExit = resolveFn));
  const proc: SandboxProcess = {
    name: options.name,
    role: options.role,
    pid: child.pid ?? -1,
    child,
    spawnedAtMs,
    exit: undefined,
    exited,
    killedByEmulator: false,
  };
  const finish = (code: number | null, signal: NodeJS.Signals | null) => {
    if (proc.exit) return;
    proc.exit = { code, signal, atMs: Date.now() };
    liveGroups.delete(proc.pid);
    // Whatever the process left running in its group goes too.
    signalGroup(proc.pid, 'SIGKILL');
    resolveExit(proc.exit);
  };
  child.on('error', (error) => {
    options.onLine(`${options.name}: failed to start: ${error.message}`);
    finish(127, null);
  });
  child.on('exit', (code, signal) => finish(code, signal));
  if (child.pid !== undefined) liveGroups.add(child.pid);
  captureLines(child.stdout, options.onLine);
  captureLines(child.stderr, options.onLine);
  const framePipe = child.stdio[3] as Readable | null | undefined;
  if (options.onFrame && framePipe) {
    const parser = new LogFrameParser();
    framePipe.on('data', (chunk: Buffer) => parser.push(chunk).forEach((frame) => options.onFrame!(frame)));
  }
  // The sandbox never keeps the emulator's process alive on its own.
  child.unref();
  for (const stream of [child.stdout, child.stderr, framePipe]) (stream as { unref?: () => void } | null)?.unref?.();
  return proc;
}

function captureLines(stream: Readable | null, onLine: (line: string) => void): void {
  if (!stream) return;
  let pending = '';
  stream.setEncoding('utf8');
  stream.on('data', (chunk: string) => {
    pending += chunk;
    let index: number;
    while ((index = pending.indexOf('\n')) >= 0) {
      onLine(pending.slice(0, index).replace(/\r$/, ''));
      pending = pending.slice(index + 1);
    }
  });
  stream.on('end', () => {
    if (pending.length > 0) onLine(pending);
    pending = '';
  });
}

export function signalGroup(pid: number, signal: NodeJS.Signals): boolean {
  if (pid <= 0) return false;
  try {
    process.kill(-pid, signal);
    return true;
  } catch {
    return false;
  }
}

export function kill(proc: SandboxProcess): void {
  if (proc.exit) return;
  proc.killedByEmulator = true;
  signalGroup(proc.pid, 'SIGCONT');
  signalGroup(proc.pid, 'SIGKILL');
}
