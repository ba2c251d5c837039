import type { AsyncLocalStorage } from 'node:async_hooks';
import { processSingleton } from '../process-singleton.ts';

/** Process-wide state of the plugin (see processSingleton: shared by every copy of the bundle). */
export interface ProcessState {
  invocationStore?: AsyncLocalStorage<unknown>;
  coldStartTaken: boolean;
  /** The telemetry pipeline, created once at the first invocation (it needs the function ARN). */
  telemetry?: unknown;
  /** Set once the process-level hooks (logger correlation, graceful shutdown) are being installed. */
  processHooks?: Promise<void>;
  /** Warnings already printed, so each is said once. */
  warned: Set<string>;
}

export function processState(): ProcessState {
  return processSingleton<ProcessState>('lambda-otel.instrument', () => ({ coldStartTaken: false, warned: new Set() }));
}
