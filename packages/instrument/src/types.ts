import type { Writable } from 'node:stream';
import type { Attributes, SpanKind } from '@opentelemetry/api';
import type { ReadableSpan } from '@opentelemetry/sdk-trace';

/** The subset of the Lambda context object the plugin reads (aws-lambda-ric 4.x shape). */
export interface LambdaContext {
  awsRequestId: string;
  invokedFunctionArn?: string;
  functionName?: string;
  functionVersion?: string;
  memoryLimitInMB?: string | number;
  logGroupName?: string;
  logStreamName?: string;
  xRayTraceId?: string;
  getRemainingTimeInMillis?: () => number;
  callbackWaitsForEmptyEventLoop?: boolean;
  [key: string]: unknown;
}

/** A promise-returning (or value-returning) handler: `(event, context) => result`. */
export type AsyncHandler<TEvent = unknown, TResult = unknown> = (event: TEvent, context: LambdaContext) => Promise<TResult> | TResult;

/** The classic callback handler: `(event, context, callback) => void`. */
export type CallbackHandler<TEvent = unknown, TResult = unknown> = (
  event: TEvent,
  context: LambdaContext,
  callback: (error?: unknown, result?: TResult) => void,
) => void | Promise<TResult>;

/** A handler marked with `awslambda.streamifyResponse`: `(event, responseStream, context) => Promise<void>`. */
export type StreamingHandler<TEvent = unknown> = (event: TEvent, responseStream: Writable, context: LambdaContext) => Promise<void>;

/** Any function: what `wrap()` accepts (its parameters are whatever the runtime passes). */
export type AnyHandler = (...args: never[]) => unknown;

/**
 * What `wrap()` returns: the same handler to the runtime (arity, streaming markers), called the way the
 * runtime calls it (`(event, context)`, `(event, responseStream, context)`, …) and always returning a
 * promise of the handler's result.
 */
export type WrappedHandler<H extends AnyHandler> = ((...args: unknown[]) => Promise<Awaited<ReturnType<H>>>) & H;

/** Receives every finished span batch; may be async. Errors it throws are contained. */
export type SpanWriterFunction = (spans: ReadableSpan[]) => void | Promise<void>;

export const WRITER_NAMES = ['extension', 'otlp', 'stdout', 'console'] as const;
export type WriterName = (typeof WRITER_NAMES)[number];

export const SAMPLER_NAMES = [
  'always_on',
  'always_off',
  'traceidratio',
  'parentbased_always_on',
  'parentbased_always_off',
  'parentbased_traceidratio',
] as const;
export type SamplerName = (typeof SAMPLER_NAMES)[number];

export const PROPAGATOR_NAMES = ['tracecontext', 'baggage', 'xray', 'xray-lambda', 'none'] as const;
export type PropagatorName = (typeof PROPAGATOR_NAMES)[number];

/** Options for `wrap()` and the middy middleware. Every option has an environment variable twin (see README). */
export interface InstrumentOptions {
  /** Where finished spans go. Default: `LAMBDA_OTEL_WRITER`, else `extension` (falls back to `stdout`). */
  writer?: WriterName | SpanWriterFunction;
  /** Resource `service.name`. Default: `OTEL_SERVICE_NAME`, else the function name. */
  serviceName?: string;
  /** Root span kind, fixed or per event. Default: derived from the trigger. */
  kind?: SpanKind | ((event: unknown, context: LambdaContext) => SpanKind);
  /** Root span name, fixed or per event. Default: derived from the trigger, else the function name. */
  name?: string | ((event: unknown, context: LambdaContext) => string);
  /** Extra root span attributes, decided at span start. */
  attributes?: (event: unknown, context: LambdaContext) => Attributes | undefined;
  /** Record the (redacted) event as `lambda_otel.event`. Default `LAMBDA_OTEL_CAPTURE_EVENT` or false. */
  captureEvent?: boolean;
  /** Request headers to record as `http.request.header.<name>` (never the redacted ones). */
  captureHeaders?: string[];
  /** Headers never recorded, in addition to authorization, cookie, set-cookie, x-api-key, proxy-authorization, x-amz-security-token. */
  redactHeaders?: string[];
  /** Query parameters whose values are replaced by REDACTED in `url.query`, in addition to the defaults. */
  redactQueryParams?: string[];
  /** Propagators to extract the parent with. Default `OTEL_PROPAGATORS` or `tracecontext,baggage`. */
  propagators?: PropagatorName[];
  /** Margin before the Lambda deadline at which open spans are ended as timed out. */
  timeoutMarginMs?: number;
  /** Route console.* through the plugin's logger (JSON with requestId, trace_id, span_id). Default `LAMBDA_OTEL_CORRELATE_CONSOLE` or false. */
  correlateConsole?: boolean;
}
