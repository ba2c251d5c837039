import type { InstrumentConfig } from '../config.ts';
import { endInvocation, runInInvocation, tryStartInvocation } from '../invocation/lifecycle.ts';
import { observeResponseStream, type ResponseStream } from '../invocation/response-stream.ts';
import type { AnyHandler, InstrumentOptions, LambdaContext, WrappedHandler } from '../types.ts';
import { prepareInstrumentation } from './prepare.ts';

/** The runtime client's markers: a streaming handler and its buffer size. */
export const STREAMING_SYMBOL = Symbol.for('aws.lambda.runtime.handler.streaming');
export const HIGH_WATER_MARK_SYMBOL = Symbol.for('aws.lambda.runtime.handler.streaming.highWaterMark');
/** Marks a handler already wrapped, so the layer's entry never wraps a wrap()ped handler twice. */
export const WRAPPED_SYMBOL = Symbol.for('lambda-otel.wrapped');

/** A handler as the wrapper calls it: with the arguments the runtime passed. */
type Callable = (...args: unknown[]) => unknown;
/** The symbol-keyed markers the runtime client reads on a handler. */
type Marked = Record<symbol, unknown>;

function isThenable(value: unknown): value is PromiseLike<unknown> {
  return typeof value === 'object' && value !== null && typeof (value as { then?: unknown }).then === 'function';
}

/** Calls a callback-style handler and settles with whichever comes first: the callback or a returned promise. */
function callWithCallback(handler: Callable, event: unknown, context: LambdaContext): Promise<unknown> {
  return new Promise((resolve, reject) => {
    const callback = (error?: unknown, result?: unknown) => (error !== undefined && error !== null ? reject(error) : resolve(result));
    const returned = handler(event, context, callback);
    if (isThenable(returned)) returned.then(resolve, reject);
  });
}

function bufferedWrapper(handler: Callable, config: InstrumentConfig, callbackStyle: boolean): AnyHandler {
  return async function lambdaOtelHandler(event: unknown, context: LambdaContext): Promise<unknown> {
    const invocation = tryStartInvocation(event, context, config);
    if (invocation === undefined) return callbackStyle ? callWithCallback(handler, event, context) : handler(event, context);
    return runInInvocation(invocation, async () => {
      let result: unknown;
      try {
        result = await (callbackStyle ? callWithCallback(handler, event, context) : handler(event, context));
      } catch (error) {
        endInvocation(invocation, { error });
        throw error;
      }
      endInvocation(invocation, { result });
      return result;
    });
  };
}

function streamingWrapper(handler: Callable, config: InstrumentConfig): AnyHandler {
  return async function lambdaOtelStreamingHandler(event: unknown, responseStream: ResponseStream, context: LambdaContext): Promise<unknown> {
    const invocation = tryStartInvocation(event, context, config);
    if (invocation === undefined) return handler(event, responseStream, context);
    let observed: ReturnType<typeof observeResponseStream> | undefined;
    try {
      observed = observeResponseStream(responseStream, invocation.startedAtMs);
    } catch {
      observed = undefined;
    }
    return runInInvocation(invocation, async () => {
      let result: unknown;
      try {
        result = await handler(event, observed?.stream ?? responseStream, context);
      } catch (error) {
        // The runtime turns this rejection into the stream's error trailers.
        endInvocation(invocation, { error }, observed?.attributes());
        throw error;
      }
      // The span ends when the stream ends, not when the handler's promise resolves.
      const ended = observed ? await observed.done : {};
      if (ended.error !== undefined) {
        endInvocation(invocation, { error: ended.error }, observed?.attributes());
      } else {
        // The prelude's status is the response's status; the trigger records it (and a 5xx as an error).
        const statusCode = observed?.statusCode();
        endInvocation(invocation, { result: statusCode === undefined ? undefined : { statusCode } }, observed?.attributes());
      }
      return result;
    });
  };
}

/**
 * Wraps a Lambda handler: one root span per invocation, errors logged and recorded, spans handed to
 * the writer after the response. The wrapped handler looks the same to the runtime: same arity,
 * same streaming marker. A configuration error is logged once and the handler is returned unwrapped.
 *
 * @example
 * export const handler = wrap(async (event) => ({ statusCode: 200, body: 'ok' }), { writer: 'otlp' });
 */
export function wrap<H extends AnyHandler>(handler: H, options: InstrumentOptions = {}): WrappedHandler<H> {
  if (typeof handler !== 'function') throw new TypeError(`wrap() expects a handler function, got ${handler === null ? 'null' : typeof handler}`);
  const marks = handler as unknown as Marked;
  if (marks[WRAPPED_SYMBOL] === true) return handler as WrappedHandler<H>;
  const config = prepareInstrumentation(options);
  if (config === undefined) return handler as WrappedHandler<H>;

  const original = handler as unknown as Callable;
  const streaming = marks[STREAMING_SYMBOL] !== undefined;
  const wrapped = streaming ? streamingWrapper(original, config) : bufferedWrapper(original, config, handler.length >= 3);
  // The runtime reads arity (callback handlers) and the streaming symbols: keep them identical.
  Object.defineProperty(wrapped, 'length', { value: handler.length });
  Object.defineProperty(wrapped, 'name', { value: handler.name || wrapped.name });
  const wrappedMarks = wrapped as unknown as Marked;
  for (const symbol of [STREAMING_SYMBOL, HIGH_WATER_MARK_SYMBOL]) {
    if (marks[symbol] !== undefined) wrappedMarks[symbol] = marks[symbol];
  }
  Object.defineProperty(wrapped, WRAPPED_SYMBOL, { value: true });
  return wrapped as WrappedHandler<H>;
}
