import type { AsyncLocalStorage } from 'node:async_hooks';

/** Process-wide state, kept on globalThis so that two copies of the bundle share one instance. */
export interface ProcessState {
  readonly version: string;
  invocationStore?: AsyncLocalStorage<any>;
  coldStartTaken: boolean;
  /** The telemetry pipeline, created once at the first invocation (it needs the function ARN). */
  telemetry?: unknown;
  /** Set once the process-level hooks (logger correlation, graceful shutdown) are installed. */
  processHooksInstalled: boolean;
  /** Warnings already printed, so each is said once. */
  warned: Set<string>;
}

const KEY = Symbol.for('lambda-otel.instrument');

export function processState(): ProcessState {
  const holder = globalThis as unknown as Record<symbol, ProcessState | undefined>;
  let state = holder[KEY];
  if (state === undefined) {
    state = { version: '1', coldStartTaken: false, processHooksInstalled: false, warned: new Set() };
    Object.defineProperty(globalThis, KEY, { value: state, enumerable: false, configurable: false, writable: false });
  }
  return state;
}
