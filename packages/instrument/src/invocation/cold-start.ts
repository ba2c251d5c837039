import { processState } from '../provider/process-state.ts';

/**
 * True for exactly one invocation per process: the first one that starts. JavaScript runs one
 * callback at a time, so test-and-set is atomic even when invokes run concurrently; the flag lives on
 * the process-wide singleton so two copies of the plugin share it.
 */
export function takeColdStart(): boolean {
  const state = processState();
  if (state.coldStartTaken) return false;
  state.coldStartTaken = true;
  return true;
}
