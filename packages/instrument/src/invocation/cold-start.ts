import { mkdirSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { isMainThread } from 'node:worker_threads';
import { processState } from '../provider/process-state.ts';

/**
 * Under Managed Instances the runtime client runs handlers in several worker threads, each with its
 * own globals. The first thread to start an invoke claims the process's cold start with an atomic
 * mkdir named after the process (pid + start time, so a later process with a reused pid is not
 * confused). Only done once per thread, and only off the main thread.
 */
function claimAcrossThreads(): boolean {
  if (isMainThread) return true;
  try {
    const stat = readFileSync('/proc/self/stat', 'utf8');
    const startTime = stat.slice(stat.lastIndexOf(')') + 2).split(' ')[19] ?? '0';
    mkdirSync(join(tmpdir(), `lambda-otel-coldstart-${process.pid}-${startTime}`));
    return true;
  } catch (error) {
    return (error as { code?: string }).code !== 'EEXIST';
  }
}

/**
 * True for exactly one invocation per process: the first one that starts. JavaScript runs one
 * callback at a time, so test-and-set is atomic between concurrent invokes of one thread; the flag
 * lives on the process-wide singleton so two copies of the plugin share it.
 */
export function takeColdStart(): boolean {
  const state = processState();
  if (state.coldStartTaken) return false;
  state.coldStartTaken = true;
  return claimAcrossThreads();
}
