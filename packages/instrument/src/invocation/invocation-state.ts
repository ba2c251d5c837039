import { AsyncLocalStorage } from 'node:async_hooks';
import type { Span } from '@opentelemetry/sdk-trace';
import { processState } from '../provider/process-state.ts';

/**
 * Everything that belongs to one invocation. It lives in an AsyncLocalStorage store, never in module
 * variables, so concurrent invokes (AWS_LAMBDA_MAX_CONCURRENCY > 1) never see each other's values.
 */
export interface InvocationState {
  readonly requestId: string;
  readonly traceId: string;
  readonly rootSpanId: string;
  /** Spans started inside this invocation and not ended yet (the root included). */
  readonly openSpans: Set<Span>;
  /** Set once the root span has ended (normally, on error or on timeout). */
  ended: boolean;
}

/** The store shared by every copy of the plugin loaded in this process. */
export function invocationStore(): AsyncLocalStorage<InvocationState> {
  const state = processState();
  state.invocationStore ??= new AsyncLocalStorage<InvocationState>();
  // Every copy of the plugin puts InvocationState values in this one store.
  return state.invocationStore as AsyncLocalStorage<InvocationState>;
}

/** The invocation the caller runs in, if any. */
export function currentInvocation(): InvocationState | undefined {
  return invocationStore().getStore();
}
