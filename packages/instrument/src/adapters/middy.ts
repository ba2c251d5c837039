import { invocationStore } from '../invocation/invocation-state.ts';
import { endInvocation, tryStartInvocation, type Invocation } from '../invocation/lifecycle.ts';
import type { InstrumentOptions, LambdaContext } from '../types.ts';
import { prepareInstrumentation } from './prepare.ts';

/** The part of middy's request object the middleware uses. */
export interface MiddyRequest {
  event: unknown;
  context: LambdaContext;
  response?: unknown;
  error?: unknown;
}

export interface MiddyMiddleware {
  before: (request: MiddyRequest) => void;
  after: (request: MiddyRequest) => void;
  onError: (request: MiddyRequest) => void;
}

/**
 * middy middleware: the same lifecycle as `wrap()`. middy runs `after` and `onError` hooks in the
 * reverse order of `.use()`, so this one's run last and see the response the others settled on. Put it first in `.use()` so the root span is
 * active for the other middlewares and the handler (middy has no "around" hook, so the invocation's
 * context is entered in `before` and holds for the rest of that invocation's async chain).
 *
 * @example
 * import middy from '@middy/core';
 * import { lambdaOtel } from '@lambda-otel/instrument/middy';
 * export const handler = middy(async (event) => ({ statusCode: 200 })).use(lambdaOtel());
 */
export function lambdaOtel(options: InstrumentOptions = {}): MiddyMiddleware {
  const config = prepareInstrumentation(options);
  // Per-invocation state is keyed by middy's request object, never kept in this closure.
  const invocations = new WeakMap<MiddyRequest, Invocation>();

  return {
    before(request) {
      if (config === undefined) return;
      const invocation = tryStartInvocation(request.event, request.context, config);
      if (invocation === undefined) return;
      invocations.set(request, invocation);
      invocationStore().enterWith(invocation.state);
      invocation.telemetry.contextManager?.attach(invocation.context);
    },
    after(request) {
      const invocation = invocations.get(request);
      if (invocation) endInvocation(invocation, { result: request.response });
    },
    onError(request) {
      const invocation = invocations.get(request);
      if (invocation === undefined) return;
      // A later middleware (http-error-handler and the like) may have turned the error into a
      // response: then the response is the outcome (a 4xx is no server error), not the error.
      if (request.response !== undefined) endInvocation(invocation, { result: request.response });
      else endInvocation(invocation, { error: request.error });
    },
  };
}

export default lambdaOtel;
