import { trace } from '@opentelemetry/api';
import { warnOnce } from '../diagnostics.ts';
import { currentInvocation } from '../invocation/invocation-state.ts';
import { setCorrelationSource } from '../logger/logger.ts';
import { externalExtensionPresent } from '../shutdown/external-extension.ts';
import { installGracefulShutdown } from '../shutdown/graceful-shutdown.ts';
import { processState } from './process-state.ts';
import { flushTelemetry } from './telemetry.ts';

/** The logger's ids: the invocation from the ALS store, the active span (a child, else the root). */
function invocationCorrelation() {
  const invocation = currentInvocation();
  const spanContext = trace.getActiveSpan()?.spanContext();
  return {
    requestId: invocation?.requestId,
    traceId: spanContext?.traceId ?? invocation?.traceId,
    spanId: spanContext?.spanId ?? invocation?.rootSpanId,
  };
}

/**
 * Once per process, called from wrap(), the middy middleware and ready(): log correlation and the
 * graceful-shutdown hooks, which flush the pipeline on SIGTERM. Without an external extension this
 * starts registering the no-op internal extension at once (synchronously up to the socket connect), so
 * that it has the best chance to reach Lambda before the runtime's first /next. The promise resolves
 * when that registration is answered; it never rejects.
 */
export function installProcessHooks(env: NodeJS.ProcessEnv = process.env): Promise<void> {
  const state = processState();
  if (state.processHooks) return state.processHooks;
  setCorrelationSource(invocationCorrelation);
  const failed = (error: unknown) => warnOnce('graceful-shutdown', 'lambda-otel: graceful shutdown hooks could not be installed', { error });
  try {
    state.processHooks = installGracefulShutdown({ flushTelemetry, externalExtensionPresent: externalExtensionPresent(env), env }).catch(failed);
  } catch (error) {
    failed(error);
    state.processHooks = Promise.resolve();
  }
  return state.processHooks;
}
