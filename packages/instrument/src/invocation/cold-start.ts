import { mkdirSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { isMainThread } from '../main-thread.ts';
import { processState } from '../provider/process-state.ts';

/**
 * This process, told apart from any other: the pid plus the process's start time (field 22 of
 * /proc/self/stat, clock ticks since boot), so a later process that gets the same pid (a runtime
 * restarted after a reset keeps the same /tmp) makes a different claim. Every thread of one process
 * reads the same value. Without /proc (local runs off Linux) the pid alone.
 */
export function processIdentity(): string {
  try {
    const stat = readFileSync('/proc/self/stat', 'utf8');
    const startTime = stat.slice(stat.lastIndexOf(')') + 2).split(' ')[19];
    return startTime ? `${process.pid}-${startTime}` : String(process.pid);
  } catch {
    return String(process.pid);
  }
}

/**
 * Claims the process's cold start for the calling thread with an atomic mkdir: true for the first
 * thread of the process, false for every later one. If the folder cannot be written at all the claim
 * is granted (a second cold start is the lesser error than none).
 */
export function claimProcessColdStart(claimDir: string = tmpdir(), identity: string = processIdentity()): boolean {
  try {
    mkdirSync(join(claimDir, `lambda-otel-coldstart-${identity}`));
    return true;
  } catch (error) {
    return (error as { code?: string }).code !== 'EEXIST';
  }
}

/**
 * True for exactly one invocation per process: the first one that starts. JavaScript runs one
 * callback at a time, so test-and-set is atomic between concurrent invokes of one thread; the flag
 * lives on the process-wide singleton so two copies of the plugin share it. Under Managed Instances
 * the runtime client runs handlers only in worker threads, each with its own globals (and none in the
 * main thread), so a worker's first invocation also has to win the claim across threads.
 */
export function takeColdStart(): boolean {
  const state = processState();
  if (state.coldStartTaken) return false;
  state.coldStartTaken = true;
  return isMainThread() || claimProcessColdStart();
}
